import type { Price } from '../config/settings';
import type { OutgoingRequest } from '../model/gateway';
import { factsOf, kb, renderRequest, usdText, type RequestFacts } from '../preview/request-report';

/** One request a review would make, and whether the cache would answer it instead. */
export interface PromptEntry {
  path: string;
  /** 1-based, inclusive. */
  lines: { start: number; end: number };
  cached: boolean;
  request: OutgoingRequest;
}

interface Totals {
  requests: number;
  /** Of them, answered by the cache: nothing sent. */
  cached: number;
  bytes: number;
  tokens: number;
  usd: number | undefined;
}

function totals(facts: ReadonlyArray<{ cached: boolean; f: RequestFacts }>): Totals {
  const sent = facts.filter((x) => !x.cached);
  const priced = sent.every((x) => x.f.usd !== undefined);
  return {
    requests: facts.length,
    cached: facts.length - sent.length,
    bytes: sent.reduce((a, x) => a + x.f.bytes, 0),
    tokens: sent.reduce((a, x) => a + x.f.tokens, 0),
    usd: priced ? sent.reduce((a, x) => a + (x.f.usd ?? 0), 0) : undefined,
  };
}

/**
 * `codex-lsp review --show-prompts`: every request, in file order, exactly as it would be sent,
 * then what would actually leave the machine (the cache answers the rest for free).
 */
export function formatPrompts(entries: readonly PromptEntry[], prices: Record<string, Price>, format: 'text' | 'json'): string {
  const sorted = [...entries].sort((a, b) => a.path.localeCompare(b.path) || a.lines.start - b.lines.start);
  const facts = sorted.map((e) => ({ e, cached: e.cached, f: factsOf(e.request, prices) }));
  const t = totals(facts);
  if (format === 'json') {
    return (
      JSON.stringify(
        {
          requests: facts.map(({ e, f }) => ({
            path: e.path,
            lines: e.lines,
            cached: e.cached,
            url: f.url,
            model: f.model,
            bytes: f.bytes,
            tokens: f.tokens,
            usd: f.usd ?? null,
            maxOutputUsd: f.maxOutputUsd ?? null,
            body: f.body,
          })),
          total: { ...t, usd: t.usd ?? null },
        },
        null,
        2,
      ) + '\n'
    );
  }
  const blocks = facts.map(({ e, f }) =>
    renderRequest(f, `── ${e.path} lines ${e.lines.start}-${e.lines.end}: ${e.cached ? 'answered from the cache, nothing would be sent' : 'would be sent'}`),
  );
  const summary =
    `${t.requests} request${t.requests === 1 ? '' : 's'}` +
    (t.cached > 0 ? ` (${t.cached} answered from the cache)` : '') +
    `; would send ${t.requests - t.cached}: ${kb(t.bytes)}, about ${t.tokens.toLocaleString('en')} tokens in, about ${usdText(t.usd)} before the answers. No model was called.`;
  return [...blocks, summary].join('\n\n') + '\n';
}
