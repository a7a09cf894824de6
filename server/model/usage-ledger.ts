import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Price } from '../config/settings';
import type { Logger } from '../util/log';
import { makeDir } from '../util/make-dir';
import { UsageTracker, type TokenUsage, type UsageRow } from './usage';
import { messageOf } from '../util/text';

/** Where usage goes: the gateway and the pipeline record into this. */
export interface UsageSink {
  recordCall(feature: string, model: string, usage: TokenUsage): void;
  recordCacheHit(feature: string, model: string): void;
}

export interface PricedRow extends UsageRow {
  /** Estimated dollars; undefined when the model has no price. */
  usd: number | undefined;
}

export interface UsageSummary {
  totals: PricedRow;
  rows: PricedRow[];
  /** Answers from the cache among all answers. */
  cacheHitRate: number;
  /** Input tokens billed at the cached rate among all input tokens. */
  cachedInputShare: number;
  /** Models that used tokens but have no price: the dollars are then unknown (undefined). */
  unpricedModels: string[];
}

const FLUSH_DELAY_MS = 2000;
const TODAY_CACHE_MS = 2000;
const KEEP_DAYS = 60;

/** The local calendar day, YYYY-MM-DD: what "today" means to the user. */
export function localDay(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The price of a model: its own entry, else the longest entry its name starts with (codex-mini-latest -> codex-mini). */
export function priceOf(model: string, prices: Record<string, Price>): Price | undefined {
  if (prices[model]) return prices[model];
  let best: string | undefined;
  for (const k of Object.keys(prices)) if (model.startsWith(k) && (!best || k.length > best.length)) best = k;
  return best ? prices[best] : undefined;
}

export function costOf(u: TokenUsage, price: Price | undefined): number | undefined {
  if (!price) return undefined;
  const fresh = Math.max(0, u.input - u.cachedInput);
  return (fresh * price.input + u.cachedInput * price.cachedInput + u.output * price.output) / 1e6;
}

export function summarize(rows: readonly UsageRow[], prices: Record<string, Price>): UsageSummary {
  const priced: PricedRow[] = rows.map((r) => ({ ...r, usd: costOf(r, priceOf(r.model, prices)) }));
  const totals: PricedRow = { feature: '*', model: '*', requests: 0, cacheHits: 0, input: 0, cachedInput: 0, output: 0, usd: 0 };
  const unpriced = new Set<string>();
  for (const r of priced) {
    totals.requests += r.requests;
    totals.cacheHits += r.cacheHits;
    totals.input += r.input;
    totals.cachedInput += r.cachedInput;
    totals.output += r.output;
    if (r.usd !== undefined) totals.usd = (totals.usd ?? 0) + r.usd;
    else if (r.input + r.output > 0) unpriced.add(r.model);
  }
  // Tokens without a price make the total unknown, not lower: never report $0.00 for them.
  if (unpriced.size > 0) totals.usd = undefined;
  const lookups = totals.requests + totals.cacheHits;
  return {
    totals,
    rows: priced,
    cacheHitRate: lookups === 0 ? 0 : totals.cacheHits / lookups,
    cachedInputShare: totals.input === 0 ? 0 : totals.cachedInput / totals.input,
    unpricedModels: [...unpriced],
  };
}

function merge(into: Map<string, UsageRow>, rows: readonly UsageRow[]): void {
  for (const r of rows) {
    const key = `${r.feature}\u0000${r.model}`;
    const t = into.get(key);
    if (!t) into.set(key, { ...r });
    else {
      t.requests += r.requests;
      t.cacheHits += r.cacheHits;
      t.input += r.input;
      t.cachedInput += r.cachedInput;
      t.output += r.output;
    }
  }
}

function isRow(v: unknown): v is UsageRow {
  const r = v as Partial<UsageRow> | null;
  return (
    typeof r?.feature === 'string' &&
    typeof r.model === 'string' &&
    [r.requests, r.cacheHits, r.input, r.cachedInput, r.output].every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)
  );
}

/**
 * Token usage for the session and for the day. Each server process keeps its own file per
 * day (`<dir>/<YYYY-MM-DD>/<pid>-<start>.json`, written atomically), so several editors on
 * one machine never overwrite each other; the day's figures are the sum of the day's files.
 */
export class UsageLedger implements UsageSink {
  readonly session = new UsageTracker();
  private day: string;
  private dayTracker = new UsageTracker();
  private readonly id = `${process.pid}-${Date.now()}-${randomBytes(2).toString('hex')}`;
  private flushTimer: NodeJS.Timeout | undefined;
  private todayCache: { at: number; day: string; rows: UsageRow[] } | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private dir: string | undefined,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.day = localDay(this.now());
    void this.pruneOldDays();
  }

  setDir(dir: string | undefined): void {
    this.dir = dir;
  }

  recordCall(feature: string, model: string, usage: TokenUsage): void {
    this.session.recordCall(feature, model, usage);
    this.rollDay().recordCall(feature, model, usage);
    this.scheduleFlush();
  }

  recordCacheHit(feature: string, model: string): void {
    this.session.recordCacheHit(feature, model);
    this.rollDay().recordCacheHit(feature, model);
    this.scheduleFlush();
  }

  private rollDay(): UsageTracker {
    const today = localDay(this.now());
    if (today !== this.day) {
      // A new day: what was recorded belongs to the old one; write it out, start afresh.
      void this.flush();
      this.day = today;
      this.dayTracker = new UsageTracker();
    }
    return this.dayTracker;
  }

  private scheduleFlush(): void {
    if (this.flushTimer || !this.dir) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, FLUSH_DELAY_MS);
    this.flushTimer.unref();
  }

  /** Writes this process's figures for the day (at shutdown and a moment after each change). */
  flush(): Promise<void> {
    const dir = this.dir;
    if (!dir) return Promise.resolve();
    const day = this.day;
    const rows = this.dayTracker.snapshot();
    if (rows.length === 0) return this.writing;
    this.writing = this.writing.then(async () => {
      const folder = path.join(dir, day);
      const file = path.join(folder, `${this.id}.json`);
      const tmp = `${file}.${randomBytes(3).toString('hex')}.tmp`;
      try {
        await makeDir(folder);
        await fs.writeFile(tmp, JSON.stringify({ v: 1, day, rows }), { mode: 0o600 });
        await fs.rename(tmp, file);
      } catch (err) {
        await fs.rm(tmp, { force: true }).catch(() => undefined);
        this.log.warn(`usage: could not write ${file}: ${messageOf(err)}`);
      }
    });
    return this.writing;
  }

  /** Today's rows from every process on this machine (other processes' files, this one's memory). */
  async today(): Promise<{ day: string; rows: UsageRow[] }> {
    this.rollDay();
    const day = this.day;
    const at = Date.now();
    let others: UsageRow[];
    if (this.todayCache && this.todayCache.day === day && at - this.todayCache.at < TODAY_CACHE_MS) {
      others = this.todayCache.rows;
    } else {
      others = await this.readOthers(day);
      this.todayCache = { at, day, rows: others };
    }
    const merged = new Map<string, UsageRow>();
    merge(merged, others);
    merge(merged, this.dayTracker.snapshot());
    return { day, rows: [...merged.values()] };
  }

  private async readOthers(day: string): Promise<UsageRow[]> {
    if (!this.dir) return [];
    const folder = path.join(this.dir, day);
    let names: string[];
    try {
      names = await fs.readdir(folder);
    } catch {
      return [];
    }
    const merged = new Map<string, UsageRow>();
    for (const name of names) {
      if (!name.endsWith('.json') || name === `${this.id}.json`) continue;
      try {
        const data = JSON.parse(await fs.readFile(path.join(folder, name), 'utf8')) as { rows?: unknown };
        if (Array.isArray(data.rows)) merge(merged, data.rows.filter(isRow));
      } catch {
        // Being replaced by its owner this very moment, or not ours: skip it.
      }
    }
    return [...merged.values()];
  }

  private async pruneOldDays(): Promise<void> {
    if (!this.dir) return;
    try {
      const cutoff = localDay(new Date(this.now().getTime() - KEEP_DAYS * 86_400_000));
      for (const name of await fs.readdir(this.dir)) {
        if (/^\d{4}-\d{2}-\d{2}$/.test(name) && name < cutoff) await fs.rm(path.join(this.dir, name), { recursive: true, force: true });
      }
    } catch {
      // No usage folder yet.
    }
  }
}
