import type { Price } from '../config/settings';
import type { OutgoingRequest } from '../model/gateway';
import { costOf, priceOf } from '../model/usage-ledger';

/** One request as the user is shown it: where it goes, what it weighs, what it may cost, the exact body. */
export interface RequestFacts {
  url: string;
  model: string;
  feature: string;
  bytes: number;
  /** Estimated input tokens (about 4 bytes a token, as for code). */
  tokens: number;
  /** Estimated dollars for the input at the configured prices; undefined when the model is unpriced. */
  usd: number | undefined;
  /** The most the answer may cost (its output limit at the output price). */
  maxOutputUsd: number | undefined;
  body: Record<string, unknown>;
}

export function factsOf(r: OutgoingRequest, prices: Record<string, Price>): RequestFacts {
  const tokens = Math.ceil(r.bytes / 4);
  const price = priceOf(r.model, prices);
  const limit = Number(r.body.max_output_tokens ?? r.body.max_completion_tokens ?? r.body.max_tokens ?? 0);
  return {
    url: r.url,
    model: r.model,
    feature: r.feature,
    bytes: r.bytes,
    tokens,
    usd: costOf({ input: tokens, cachedInput: 0, output: 0 }, price),
    maxOutputUsd: costOf({ input: 0, cachedInput: 0, output: limit }, price),
    body: r.body,
  };
}

export function usdText(n: number | undefined): string {
  return n === undefined ? 'unpriced' : `$${n < 0.01 ? n.toFixed(4) : n.toFixed(2)}`;
}

export function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** The heading line and the body, pretty-printed: what `--show-prompts` and `codex.showLastRequest` print. */
export function renderRequest(f: RequestFacts, heading: string): string {
  return [
    heading,
    `POST ${f.url}  (model ${f.model}, ${f.feature}; ${kb(f.bytes)}, about ${f.tokens.toLocaleString('en')} tokens in, about ${usdText(f.usd)} for the input, at most ${usdText(f.maxOutputUsd)} for the answer)`,
    JSON.stringify(f.body, null, 2),
  ].join('\n');
}
