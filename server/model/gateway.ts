import { LRUCache } from 'lru-cache';
import type { Logger } from '../util/log';
import { parseAnswer, shapeProblem } from './answer';
import { toFailure, type Failure } from './failure';
import { failureVerdict, notApiVerdict, preflightVerdict, type Verdict } from './gateway-problems';
import {
  apiPath as path,
  hostOf,
  ModelError,
  type EndpointConfig,
  type ModelAnswer,
  type ModelRequest,
  type OutgoingRequest,
  type ProblemReporter,
  type SentRequest,
} from './gateway-types';
import { extractJson } from './json-extract';
import type { ModelChoices } from './model-choice';
import { nextStep, type NextStep, type Trouble } from './next-step';
import { buildBody, initialApi, newParamState, type ApiKind, type ParamState, type StructuredMode } from './request-body';
import { backoffMs, sleep } from './retry';
import { SdkTransport, type CallContext } from './transport';
import { clip } from '../util/text';
import type { UsageSink } from './usage-ledger';

// The gateway's vocabulary lives in gateway-types.ts; callers keep importing it from here.
export * from './gateway-types';

/** Thrown inside the gateway when a model is gone and a fallback may answer instead. */
class ModelGone extends Error {
  constructor(readonly error: ModelError) {
    super(error.message);
  }
}

const QUOTA_COOL_DOWN_MS = 60_000;

/**
 * The one door to the model. Picks the endpoint, negotiates parameters and structured
 * output, retries what is worth retrying inside the deadline, records usage, and turns
 * every failure into a ModelError whose kind callers can act on.
 */
export class ModelGateway {
  private readonly transport: SdkTransport;
  /** Learned per base URL + model: which API answers, which parameters are refused, whether json_schema works. */
  private readonly learnedApi = new Map<string, ApiKind>();
  private readonly paramStates = new Map<string, ParamState>();
  /** The last request sent per document (and the last of all, under ''): `codex.showLastRequest`. */
  private readonly sent = new LRUCache<string, SentRequest>({ max: 200 });
  private paused: ModelError | undefined;
  /** Bumped on every configuration change; a failure from an older configuration must not pause the new one. */
  private epoch = 0;
  private coolDownUntil = 0;
  private coolDownError: ModelError | undefined;

  constructor(
    private readonly config: () => EndpointConfig,
    private readonly log: Logger,
    private readonly usage: UsageSink,
    private readonly problems: ProblemReporter,
    private readonly wording: { noKey?: string } = {},
    /** Fallback models chosen because the configured one is gone; remembered a day on disk. */
    private readonly choices?: ModelChoices,
  ) {
    this.transport = new SdkTransport(log);
  }

  /** The last request sent for a document, or the last of all without one. */
  lastSent(source?: string): SentRequest | undefined {
    return this.sent.get(source ?? '');
  }

  /**
   * The request a call would send now, without sending it: the endpoint, model, API and
   * parameters learned so far, the exact body. `codex-lsp review --show-prompts` shows it.
   */
  preview(req: ModelRequest): OutgoingRequest {
    const cfg = this.config();
    const model = this.currentModel(cfg);
    const api: ApiKind = cfg.api === 'auto' ? (this.learnedApi.get(`${cfg.baseUrl}\u0000${model}`) ?? initialApi(model)) : cfg.api;
    const body = buildBody(
      api,
      model,
      { ...req, cacheKey: req.cacheKey ?? `codex-lsp-${req.feature}` },
      this.state(`${cfg.baseUrl}\u0000${model}\u0000${api}`),
    );
    return { url: `${cfg.baseUrl}${path(api)}`, api, model, feature: req.feature, body, bytes: Buffer.byteLength(JSON.stringify(body)) };
  }

  private record(req: ModelRequest, cfg: EndpointConfig, api: ApiKind, model: string, body: Record<string, unknown>, bytes: number, outcome: string): void {
    const entry: SentRequest = {
      url: `${cfg.baseUrl}${path(api)}`,
      api,
      model,
      feature: req.feature,
      body,
      bytes,
      at: new Date(),
      source: req.source,
      outcome,
    };
    this.sent.set('', entry);
    if (req.source) this.sent.set(req.source, entry);
  }

  /** The model calls go to now: the configured one, or the fallback that replaced it. */
  currentModel(cfg: EndpointConfig = this.config()): string {
    const chosen = this.choices?.get(cfg.baseUrl, cfg.model);
    // A choice no longer in the chain (the settings changed) is not used.
    return chosen !== undefined && cfg.fallbackModels.includes(chosen) ? chosen : cfg.model;
  }

  /** What was learned about a model at the configured endpoint: the API that answered, the structured-output mode in use. */
  learned(model: string, cfg: EndpointConfig = this.config()): { api: ApiKind | undefined; structured: StructuredMode | undefined } {
    const key = `${cfg.baseUrl}\u0000${model}`;
    const api = cfg.api === 'auto' ? this.learnedApi.get(key) : cfg.api;
    return { api, structured: api ? this.paramStates.get(`${key}\u0000${api}`)?.structured : undefined };
  }

  /** Called on every configuration change: a rejected key or unknown model is tried again. */
  configurationChanged(): void {
    this.epoch++;
    this.paused = undefined;
    this.coolDownUntil = 0;
    this.coolDownError = undefined;
  }

  /** Whether a call would be refused right now without touching the network. */
  blockedReason(): ModelError | undefined {
    return this.preflight(this.config());
  }

  async complete(req: ModelRequest): Promise<ModelAnswer> {
    const cfg = this.config();
    const blocked = this.preflight(cfg);
    if (blocked) throw blocked;
    if (req.signal?.aborted) throw new ModelError('cancelled', 'cancelled');

    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), cfg.timeoutMs);
    // Not AbortSignal.any: on Node 20 a composite signal with a listener (the SDK adds one) is
    // kept alive for good, one per call. A plain controller linked by hand is released.
    const onCallerAbort = (): void => deadline.abort();
    req.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const signal = deadline.signal;
    try {
      return await this.withFallbacks(req, cfg, signal, Date.now() + cfg.timeoutMs, this.epoch);
    } catch (err) {
      if (req.signal?.aborted) throw new ModelError('cancelled', 'cancelled');
      const timedOut = err instanceof ModelError ? err.kind === 'timeout' || (err.kind === 'cancelled' && deadline.signal.aborted) : deadline.signal.aborted;
      if (timedOut) throw new ModelError('timeout', `no answer from ${hostOf(cfg.baseUrl)} within ${cfg.timeoutMs} ms (timeoutMs)`);
      if (err instanceof ModelError) throw err;
      throw new ModelError('bad-request', `model call failed: ${this.log.scrub(String(err))}`);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  private preflight(cfg: EndpointConfig): ModelError | undefined {
    const refused = preflightVerdict(cfg, this.wording.noKey);
    if (refused) return this.apply(refused);
    if (this.paused) return this.paused;
    if (this.coolDownError && Date.now() < this.coolDownUntil) return this.coolDownError;
    return undefined;
  }

  /** Tells the user, and pauses or cools down where retrying cannot help. */
  private apply(v: Verdict): ModelError {
    if (v.hold === 'pause') this.paused = v.error;
    if (v.hold === 'cool-down') {
      this.coolDownError = v.error;
      this.coolDownUntil = Date.now() + QUOTA_COOL_DOWN_MS;
    }
    if (v.problem) this.problems.report(v.problem.kind, v.problem.message);
    return v.error;
  }

  private state(key: string): ParamState {
    let s = this.paramStates.get(key);
    if (!s) {
      s = newParamState();
      this.paramStates.set(key, s);
    }
    return s;
  }

  /**
   * The configured model, else the next of `fallbackModels` once the endpoint says a model is
   * gone (unknown, retired). The choice is remembered per endpoint and told to the user once.
   */
  private async withFallbacks(req: ModelRequest, cfg: EndpointConfig, signal: AbortSignal, deadline: number, epoch: number): Promise<ModelAnswer> {
    const chain = [...new Set([cfg.model, ...cfg.fallbackModels])];
    let index = chain.indexOf(this.currentModel(cfg));
    let gone: { model: string; why: string } | undefined;
    for (;;) {
      const model = chain[index] as string;
      const next = chain[index + 1];
      try {
        const answer = await this.negotiate(req, cfg, model, signal, deadline, epoch, next !== undefined);
        if (gone) this.rememberFallback(cfg, gone, model, epoch);
        return answer;
      } catch (err) {
        // An answer, even an unusable one, shows the model is served: the switch stands.
        if (gone && err instanceof ModelError && (err.kind === 'cut-off' || err.kind === 'bad-answer')) this.rememberFallback(cfg, gone, model, epoch);
        if (!(err instanceof ModelGone) || next === undefined) throw err instanceof ModelGone ? err.error : err;
        this.log.warn(`${hostOf(cfg.baseUrl)} does not serve "${model}" (${clip(err.error.message, 160)}); trying "${next}" from "codex.fallbackModels"`);
        gone ??= { model, why: err.error.message };
        index++;
      }
    }
  }

  /** Remembered and told only once the fallback has answered: a chain of dead models is not announced as a switch. */
  private rememberFallback(cfg: EndpointConfig, gone: { model: string; why: string }, model: string, epoch: number): void {
    if (epoch !== this.epoch) return;
    this.choices?.set(cfg.baseUrl, cfg.model, model);
    this.problems.report(
      'model-fallback',
      `codex-lsp: ${hostOf(cfg.baseUrl)} no longer serves the model "${gone.model}" (${clip(this.log.scrub(gone.why), 120)}), so "${model}" answers instead, ` +
        `from the "codex.fallbackModels" setting. To choose another, set "codex.model" (or CODEX_LSP_MODEL) and "codex.fallbackModels".`,
    );
  }

  private async negotiate(
    req: ModelRequest,
    cfg: EndpointConfig,
    model: string,
    signal: AbortSignal,
    deadline: number,
    epoch: number,
    hasFallback: boolean,
  ): Promise<ModelAnswer> {
    const endpointKey = `${cfg.baseUrl}\u0000${model}`;
    const at: Attempt = {
      api: cfg.api === 'auto' ? (this.learnedApi.get(endpointKey) ?? initialApi(model)) : cfg.api,
      switched: false,
      missingModel: undefined,
      retries: 0,
      budgetScale: 1,
      tried: new Set<string>(),
    };

    for (let round = 0; round < 16; round++) {
      const api = at.api;
      const state = this.state(`${endpointKey}\u0000${api}`);
      const structured = req.schema ? state.structured : undefined;
      const body = buildBody(api, model, { ...req, cacheKey: req.cacheKey ?? `codex-lsp-${req.feature}` }, state, at.budgetScale);
      const decide = (trouble: Trouble): NextStep =>
        nextStep(trouble, {
          ...at,
          mode: cfg.api,
          model,
          body,
          structured,
          structuredNow: state.structured,
          hasFallback,
          now: Date.now(),
          deadline,
          backoffMs: backoffMs(at.retries),
        });
      const aborted = (): ModelError => new ModelError(req.signal?.aborted ? 'cancelled' : 'timeout', 'aborted');
      const ctx: CallContext = { bytesSent: 0 };
      let raw: { body: unknown; contentType: string };
      try {
        raw = await this.transport.send(cfg, api, body, signal, deadline, ctx);
        this.record(req, cfg, api, model, body, ctx.bytesSent, 'answered');
      } catch (err) {
        const f = toFailure(err, ctx.errorBody);
        if (ctx.bytesSent > 0) this.record(req, cfg, api, model, body, ctx.bytesSent, f.status !== undefined ? `HTTP ${f.status}` : clip(f.message, 80));
        if (f.aborted || signal.aborted) throw aborted();
        this.log.debug(() => `model call (${req.feature}, ${model}, ${api}) failed: ${describe(f)}`);
        const step = decide({ kind: 'failed', failure: f });
        if (step.step === 'retry') {
          at.retries++;
          this.log.debug(() => `retry ${at.retries} in ${step.waitMs} ms after ${describe(f)}`);
          await sleep(step.waitMs, signal).catch(() => {
            throw aborted();
          });
          continue;
        }
        if (step.step === 'give-up') throw this.giveUp(step.failure, cfg, model, step.api, epoch === this.epoch);
        if (step.step === 'next-model')
          throw new ModelGone(
            new ModelError(
              'model-not-found',
              `${hostOf(cfg.baseUrl)} does not serve the model "${model}": ${clip(this.log.scrub(step.failure.message), 200)}`,
              step.failure.status,
            ),
          );
        this.learn(step, at, state, model, `${hostOf(cfg.baseUrl)} answered ${describe(f)} on ${path(api)}`);
        continue;
      }

      const parsed = parseAnswer(api, raw.body, raw.contentType);
      // Paid for whatever it was: usage is recorded before the answer is judged.
      this.usage.recordCall(req.feature, model, parsed.usage);
      this.log.debug(
        () =>
          `model call (${req.feature}, ${model}, ${api}) answered: ${ctx.bytesSent} bytes sent, ` +
          `tokens in ${parsed.usage.input} (cached ${parsed.usage.cachedInput}) out ${parsed.usage.output}`,
      );
      if (parsed.notApi !== undefined) {
        const step = decide({ kind: 'not-api', what: parsed.notApi });
        if (step.step === 'give-up-not-api') throw this.apply(notApiVerdict(cfg, api, step.what));
        this.learn(step, at, state, model, `${cfg.baseUrl}${path(api)} answered with ${parsed.notApi}`);
        continue;
      }
      if (cfg.api === 'auto' && this.learnedApi.get(endpointKey) !== api) {
        this.learnedApi.set(endpointKey, api);
        if (at.switched) this.log.info(`${model} at ${hostOf(cfg.baseUrl)} answers on ${path(api)}; using it from now on`);
      }
      if (parsed.cutOff !== undefined) {
        const step = decide({ kind: 'cut-off', by: parsed.cutOff });
        if (step.step === 'give-up-cut-off') {
          const why = `the model's answer was cut off by ${step.by}${step.doubled ? ', even with twice the output budget' : ''}`;
          throw new ModelError('cut-off', why, undefined, parsed.text);
        }
        this.log.info(`${req.feature}: the answer was cut off by ${parsed.cutOff}; asking once more with twice the output budget`);
        this.learn(step, at, state, model, '');
        continue;
      }
      if (parsed.problem !== undefined) throw new ModelError('bad-answer', parsed.problem);
      const answer: ModelAnswer = { text: parsed.text, usage: parsed.usage, api, model };
      if (req.schema) {
        const json = extractJson(parsed.text);
        if (json === undefined) throw new ModelError('bad-answer', `the model's answer was not the JSON that was asked for: ${clip(parsed.text, 120)}`);
        const wrong = shapeProblem(json, req.schema);
        if (wrong !== undefined) throw new ModelError('bad-answer', `${wrong}: ${clip(parsed.text, 120)}`);
        answer.json = json;
      }
      return answer;
    }
    throw new ModelError('bad-request', `${hostOf(cfg.baseUrl)} kept refusing the request`);
  }

  /** Applies a step that changes the next request: what the endpoint refused is remembered for it. `why` names what the endpoint did. */
  private learn(step: NextStep, at: Attempt, state: ParamState, model: string, why: string): void {
    const where = `${model} on ${path(at.api)}`;
    switch (step.step) {
      case 'other-api':
        this.log.info(`${why}; trying ${path(step.api)}`);
        at.api = step.api;
        at.switched = true;
        at.missingModel = step.missingModel;
        return;
      case 'structured':
        state.structured = step.to;
        this.log.info(
          `${where} refused ${step.from === 'json_schema' ? 'a json_schema answer format; asking for JSON mode' : 'JSON mode; describing the schema in the prompt'} instead (remembered)`,
        );
        return;
      case 'effort':
        at.tried.add(`effort:${step.from}`);
        state.effort.set(step.from, step.to);
        this.log.info(`${where} does not take reasoning effort "${step.from}"; using "${step.to}", which it names as supported (remembered)`);
        return;
      case 'drop-param':
        at.tried.add(step.param);
        state.dropped.add(step.param);
        this.log.info(`${where} refused the parameter "${step.param}"; retrying without it (remembered)`);
        return;
      case 'resend':
        this.log.debug(() => `${where} refused the answer format that another call has already stepped down; sending again`);
        return;
      case 'double-budget':
        at.budgetScale = 2;
        return;
      default:
        // Retries, fallbacks and giving up are the caller's: they sleep or throw.
        throw new Error(`codex-lsp: the step "${step.step}" changes no request`);
    }
  }

  /** The final failure of a call: its ModelError, the user told where they must act. */
  private giveUp(f: Failure, cfg: EndpointConfig, model: string, api: ApiKind, current: boolean): ModelError {
    const detail = clip(this.log.scrub(f.message), 200);
    if (f.garbage && current) this.log.debug(() => `unreadable answer from ${cfg.baseUrl}${path(api)}: ${detail}`);
    return this.apply(failureVerdict(f, cfg, model, api, detail, current));
  }
}

/** What this request has tried so far, on the way to an answer. */
interface Attempt {
  api: ApiKind;
  switched: boolean;
  /** The model-not-found that made us try the other API: the truth, if that API turns out not to exist. */
  missingModel: Failure | undefined;
  retries: number;
  budgetScale: number;
  tried: Set<string>;
}

function describe(f: Failure): string {
  return f.status !== undefined ? `HTTP ${f.status} ${clip(f.message, 160)}` : clip(f.message, 160);
}
