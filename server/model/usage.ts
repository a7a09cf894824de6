export interface TokenUsage {
  input: number;
  cachedInput: number;
  output: number;
}

export interface UsageRow extends TokenUsage {
  feature: string;
  model: string;
  requests: number;
  cacheHits: number;
}

const ZERO_USAGE: TokenUsage = Object.freeze({ input: 0, cachedInput: 0, output: 0 });

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0;
}

function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
}

/** Reads `usage` from a chat completion or a response object; missing fields count as 0. */
export function readUsage(usage: unknown): TokenUsage {
  if (typeof usage !== 'object' || usage === null) return { ...ZERO_USAGE };
  const input = num(field(usage, 'input_tokens') ?? field(usage, 'prompt_tokens'));
  const output = num(field(usage, 'output_tokens') ?? field(usage, 'completion_tokens'));
  const details = field(usage, 'input_tokens_details') ?? field(usage, 'prompt_tokens_details');
  const cachedInput = Math.min(input, num(field(details, 'cached_tokens')));
  return { input, cachedInput, output };
}

/** Token counts per feature and model for this session (the usage report builds on it). */
export class UsageTracker {
  private rows = new Map<string, UsageRow>();

  private row(feature: string, model: string): UsageRow {
    const key = `${feature}\u0000${model}`;
    let r = this.rows.get(key);
    if (!r) {
      r = { feature, model, requests: 0, cacheHits: 0, input: 0, cachedInput: 0, output: 0 };
      this.rows.set(key, r);
    }
    return r;
  }

  recordCall(feature: string, model: string, usage: TokenUsage): void {
    const r = this.row(feature, model);
    r.requests++;
    r.input += usage.input;
    r.cachedInput += usage.cachedInput;
    r.output += usage.output;
  }

  recordCacheHit(feature: string, model: string): void {
    this.row(feature, model).cacheHits++;
  }

  snapshot(): UsageRow[] {
    return [...this.rows.values()].map((r) => ({ ...r }));
  }

  totals(): UsageRow {
    const t: UsageRow = { feature: '*', model: '*', requests: 0, cacheHits: 0, input: 0, cachedInput: 0, output: 0 };
    for (const r of this.rows.values()) {
      t.requests += r.requests;
      t.cacheHits += r.cacheHits;
      t.input += r.input;
      t.cachedInput += r.cachedInput;
      t.output += r.output;
    }
    return t;
  }
}
