import { PROVIDER_FORMATS, type ProviderFormat } from './providers';
import { shannonEntropy, type Span } from './values';

/**
 * Finds the provider formats of `providers.ts` in text. One pass of a combined keyword
 * search tells which rows can match at all; only those rows' patterns then run, so text
 * with no keyword in it costs that single pass.
 */
interface CompiledFormat {
  format: ProviderFormat;
  re: RegExp;
  reject?: RegExp;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

function compile(f: ProviderFormat): CompiledFormat {
  const edge = f.edge ?? 'A-Za-z0-9_';
  // A kept part that starts with a delimiter (`&sig=`) brings its own left edge.
  const lead = f.keep && /^\[[?&;]/.test(f.keep) ? '' : `(?<![${edge}])`;
  const re = new RegExp(`${lead}(${f.keep ?? ''})(${f.shape})(?![${edge}])`, f.ci ? 'gi' : 'g');
  return { format: f, re, reject: f.reject ? new RegExp(f.reject) : undefined };
}

const COMPILED = PROVIDER_FORMATS.map(compile);
const KEYWORDS = [...new Set(PROVIDER_FORMATS.flatMap((f) => f.keywords))].sort((a, b) => b.length - a.length);
const KEYWORD_RE = new RegExp(KEYWORDS.map(escapeRegex).join('|'), 'g');
const ROWS_BY_KEYWORD = new Map<string, number[]>();
COMPILED.forEach((c, i) => {
  for (const k of c.format.keywords) ROWS_BY_KEYWORD.set(k, [...(ROWS_BY_KEYWORD.get(k) ?? []), i]);
});

/** Adds a span per provider-format match; `priority` of row i is `base + i` (earlier rows win ties). */
export function collectFormatSpans(text: string, spans: Span[], base: number): void {
  const rows = new Set<number>();
  KEYWORD_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = KEYWORD_RE.exec(text)) !== null) {
    for (const r of ROWS_BY_KEYWORD.get(m[0]) ?? []) rows.add(r);
    if (rows.size === COMPILED.length) break;
  }
  for (const i of [...rows].sort((a, b) => a - b)) {
    const c = COMPILED[i];
    if (!c) continue;
    c.re.lastIndex = 0;
    while ((m = c.re.exec(text)) !== null) {
      const keep = m[1] ?? '';
      const secret = m[2] ?? '';
      if (secret.length === 0 || secret.includes('[REDACTED')) continue;
      if (c.reject?.test(secret)) continue;
      if (shannonEntropy(secret) < c.format.entropy) continue;
      const start = m.index + keep.length;
      spans.push({ start, end: start + secret.length, kind: c.format.kind, priority: base + i });
    }
  }
}
