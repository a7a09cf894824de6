import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ModelAnswer, ModelGateway, ModelRequest, OutgoingRequest } from '../model/gateway';
import { ModelError } from '../model/gateway';
import { AbortedError } from '../model/retry';
import type { UsageSink } from '../model/usage-ledger';
import type { Logger } from '../util/log';
import type { CachedAnswer, DiskCache } from './disk-cache';
import { Limiter } from './limiter';
import { SingleFlight } from './single-flight';

/** Requests a user is waiting for (hover, a chosen code action) go before background reviews. */
export const PRIORITY_INTERACTIVE = 2 ** 40;

export interface PipelineRequest extends ModelRequest {
  /** Bumped whenever a feature's prompt changes meaning, so old answers are not reused. */
  promptVersion: string;
  /** Higher runs first when requests queue for a slot. */
  priority?: number;
  /** Skip the caches (still single-flight and bounded). */
  noCache?: boolean;
  /** Called when the request gets a slot and goes to the model (not for cached answers). */
  onStart?: () => void;
  /** Answer from the caches only (over budget): a miss is a ModelError 'budget', no model call. */
  cacheOnly?: boolean;
}

export interface PipelineAnswer extends ModelAnswer {
  cached: 'memory' | 'disk' | false;
}

/** Takes secrets out of prompt text (the Privacy filter); `what` names the feature for the log. */
export interface Redactor {
  redact(text: string, what: string): string;
}

export interface PipelineOptions {
  endpoint: () => { baseUrl: string; model: string };
  cacheEnabled: () => boolean;
  /** The one place every prompt is redacted: before its cache key, before it leaves. */
  redactor: Redactor;
}

/**
 * The path every model request takes: memory LRU, then disk, then joining an identical
 * request in flight, then a slot under the concurrency limit, then the gateway. The
 * caller's AbortSignal reaches the HTTP request unless someone else still waits for it.
 */
export class Pipeline {
  readonly limiter: Limiter;
  private readonly memory = new LRUCache<string, CachedAnswer>({
    max: 2000,
    maxSize: 32 * 1024 * 1024,
    sizeCalculation: (v) => Math.max(1, v.text.length * 2),
  });
  private readonly flights = new SingleFlight<PipelineAnswer>();
  private readonly redactions = new LRUCache<string, string>({
    max: 64,
    maxSize: 8 * 1024 * 1024,
    sizeCalculation: (v, k) => Math.max(1, (v.length + k.length) * 2),
  });

  constructor(
    private readonly gateway: ModelGateway,
    private disk: DiskCache | undefined,
    private readonly usage: UsageSink,
    private readonly log: Logger,
    private readonly options: PipelineOptions,
    /** A limit of its own, or one shared with other pipelines (one per workspace folder). */
    limit: number | Limiter,
  ) {
    this.limiter = typeof limit === 'number' ? new Limiter(limit) : limit;
  }

  setDisk(disk: DiskCache | undefined): void {
    this.disk = disk;
  }

  /**
   * Content address of a request: endpoint, model, prompt version, feature, schema and
   * the exact prompt text, redacted first. Which of /chat/completions or /responses
   * answers is not part of it: both give the same answer to the same prompt.
   */
  keyOf(raw: PipelineRequest, answeredBy?: string): string {
    const req = this.redacted(raw);
    const { baseUrl, model: current } = this.options.endpoint();
    const model = answeredBy ?? current;
    const h = createHash('sha256');
    for (const part of [
      baseUrl,
      model,
      req.promptVersion,
      req.feature,
      req.schema ? JSON.stringify(req.schema) : '',
      String(req.maxOutputTokens),
      req.effort ?? '',
      req.instructions,
      req.input,
    ]) {
      h.update(part);
      h.update('\u0000');
    }
    return h.digest('hex');
  }

  /** The cached answer, if any, without calling the model (hover uses it to skip its grace delay). */
  async peek(raw: PipelineRequest): Promise<PipelineAnswer | undefined> {
    const req = this.redacted(raw);
    if (req.noCache || !this.options.cacheEnabled()) return undefined;
    const key = this.keyOf(req);
    return this.fromCache(key, req);
  }

  /** A memory hit by content address, synchronously: the hot path of a repeated hover. */
  peekMemory(key: string, feature: string): PipelineAnswer | undefined {
    if (!this.options.cacheEnabled()) return undefined;
    const mem = this.memory.get(key);
    if (!mem) return undefined;
    this.usage.recordCacheHit(feature, mem.model);
    return this.answer(mem, 'memory');
  }

  private async fromCache(key: string, req: PipelineRequest): Promise<PipelineAnswer | undefined> {
    const mem = this.peekMemory(key, req.feature);
    if (mem) return mem;
    if (!this.disk) return undefined;
    const disk = await this.disk.get(key);
    // An identical request may have been answered while the disk was read: look again, or the
    // same prompt is paid for twice (the flight it would have joined is already over).
    if (!disk) return this.peekMemory(key, req.feature);
    this.memory.set(key, disk);
    this.usage.recordCacheHit(req.feature, disk.model);
    return this.answer(disk, 'disk');
  }

  private answer(c: CachedAnswer, cached: 'memory' | 'disk'): PipelineAnswer {
    return { text: c.text, json: c.json, model: c.model, usage: { input: 0, cachedInput: 0, output: 0 }, api: 'chat', cached };
  }

  async run(raw: PipelineRequest): Promise<PipelineAnswer> {
    const req = this.redacted(raw);
    if (req.signal?.aborted) throw new ModelError('cancelled', 'cancelled');
    const useCache = !req.noCache && this.options.cacheEnabled();
    const key = this.keyOf(req);
    if (useCache) {
      const hit = await this.fromCache(key, req);
      if (hit) return hit;
    }
    if (req.cacheOnly) throw new ModelError('budget', 'not in the cache, and the daily budget is reached');
    try {
      return await this.flights.run(key, req.signal, async (shared) => {
        const answer = await this.limiter.run(
          () => {
            req.onStart?.();
            return this.gateway.complete({ ...req, signal: shared });
          },
          { priority: req.priority ?? 0, signal: shared },
        );
        // Only whole answers get here: a cut-off or unusable one is an error, never cached.
        if (useCache) {
          const entry: CachedAnswer =
            answer.json === undefined ? { text: answer.text, model: answer.model } : { text: answer.text, json: answer.json, model: answer.model };
          // Filed under the model that answered (a fallback's answers are its own).
          const at = this.keyOf(req, answer.model);
          this.memory.set(at, entry);
          this.disk?.set(at, entry).catch((err: unknown) => this.log.warn(`disk cache write failed: ${String(err)}`));
        }
        return { ...answer, cached: false as const };
      });
    } catch (err) {
      if (err instanceof AbortedError) throw new ModelError('cancelled', 'cancelled');
      throw err;
    }
  }

  /**
   * What `run` would send, without sending it or counting anything: the exact request (redacted
   * as `run` redacts it), and whether the caches already hold its answer (then nothing is sent).
   */
  async preview(raw: PipelineRequest): Promise<OutgoingRequest & { cached: boolean }> {
    const req = this.redacted(raw);
    const key = this.keyOf(req);
    const useCache = !req.noCache && this.options.cacheEnabled();
    const cached = useCache && (this.memory.has(key) || (this.disk !== undefined && (await this.disk.get(key)) !== undefined));
    return { ...this.gateway.preview(req), cached };
  }

  /**
   * The request with secrets taken out of its instructions and input. Features hand raw
   * text; redaction here is the only path to the cache key and the gateway. Redacting
   * redacted text is a no-op, so a request that passes twice (keyOf, then run) is unchanged.
   */
  private redacted(req: PipelineRequest): PipelineRequest {
    const instructions = this.redactText(req.instructions, req.feature);
    const input = this.redactText(req.input, req.feature);
    return instructions === req.instructions && input === req.input ? req : { ...req, instructions, input };
  }

  /** A hover asks keyOf, peek and run for the same prompt: redact it once. */
  private redactText(text: string, what: string): string {
    const hit = this.redactions.get(text);
    if (hit !== undefined) return hit;
    const out = this.options.redactor.redact(text, what);
    this.redactions.set(text, out);
    if (out !== text) this.redactions.set(out, out); // keyOf(run's redacted request) finds it too
    return out;
  }

  /** Forgets a cached answer that turned out unusable, so asking again asks the model again. */
  async forget(req: PipelineRequest): Promise<void> {
    const key = this.keyOf(req);
    this.memory.delete(key);
    await this.disk?.delete(key);
  }

  /** Waits for answers still being written to disk (called at shutdown). */
  async flush(): Promise<void> {
    await this.disk?.flush();
  }

  clearMemory(): void {
    this.memory.clear();
  }
}
