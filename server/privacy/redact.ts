/**
 * Privacy: take secrets out of text before it leaves the machine.
 *
 * Pure and synchronous, no I/O. Runs on every prompt, so every detector is
 * linear: regexes only use bounded quantifiers, start behind a fixed-width
 * look-behind (so a long run of token characters is only tried at its start),
 * and the hand-written scanners bound every forward/backward scan.
 *
 * Replacements keep the text readable and its line structure intact:
 * - a token becomes `[REDACTED:<kind>]` in place (quotes, variable names,
 *   `Bearer `, URL user names... stay);
 * - a private-key block keeps its BEGIN/END lines; the first body line becomes
 *   `[REDACTED:private-key]` and the remaining body lines become empty (their
 *   indentation is kept). No newline is ever added or removed.
 *
 * Detectors, most specific first:
 * - private-key blocks (`pem.ts`);
 * - provider formats recognised by their own shape, wherever they stand
 *   (`providers.ts`, one table with a keyword prefilter; `formats.ts` runs it);
 * - context detectors: AWS secret keys after their name, JWTs, `Bearer` / `Basic`
 *   credentials, passwords in URLs (`context-tokens.ts`);
 * - place-based forms: `curl -u user:pass`, Kubernetes Secret values (`forms.ts`);
 * - the generic `name = value` rule (`generic-rule.ts`);
 * - a random value right after a service's name (`near-name.ts`).
 *
 * Overlapping detections are resolved left to right; at equal start the longer
 * one wins, then the more specific detector. Redacting already-redacted text
 * is a no-op (count 0).
 *
 * Modules: `pem.ts`, `context-tokens.ts`, `generic-rule.ts` (with `secret-names.ts`,
 * `assignment.ts`, `secret-values.ts`), `formats.ts`, `forms.ts`, `near-name.ts`; this
 * file runs them and resolves overlaps.
 */

import { collectTokenSpans } from './context-tokens';
import { collectFormatSpans } from './formats';
import { collectFormSpans } from './forms';
import { collectGenericSpans } from './generic-rule';
import { collectNearNameSpans } from './near-name';
import { collectPemSpans } from './pem';
import { placeholder, type Span } from './values';

export interface Redaction {
  text: string;
  count: number;
  /** Distinct kinds found, in order of first appearance, e.g. 'aws-access-key'. */
  kinds: string[];
}

// Ties (same start, same length) go to the most specific detector: private keys, then
// provider formats, then the context detectors, place-based forms, a provider's name
// nearby, and last the generic `name = value` rule.
const PEM_PRIORITY = 0;
const FORMAT_PRIORITY = 1;
const TOKEN_PRIORITY = 200;
const FORM_PRIORITY = 500;
const NEAR_NAME_PRIORITY = 900;
const GENERIC_PRIORITY = 1000;

export interface RedactOptions {
  /**
   * Length-preserving: every character of a secret (line breaks aside) becomes `*`, so
   * every position in the text stays valid (hover and review compute ranges on it).
   */
  mask?: boolean;
}

export function redactSecrets(text: string, options: RedactOptions = {}): Redaction {
  if (typeof text !== 'string' || text.length === 0) return { text: typeof text === 'string' ? text : '', count: 0, kinds: [] };
  const spans: Span[] = [];
  collectPemSpans(text, spans, PEM_PRIORITY);
  collectFormatSpans(text, spans, FORMAT_PRIORITY);
  collectTokenSpans(text, spans, TOKEN_PRIORITY);
  collectFormSpans(text, spans, FORM_PRIORITY);
  collectGenericSpans(text, spans, GENERIC_PRIORITY);
  collectNearNameSpans(text, spans, NEAR_NAME_PRIORITY);
  if (spans.length === 0) return { text, count: 0, kinds: [] };

  spans.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start) || a.priority - b.priority);
  const out: string[] = [];
  const kinds: string[] = [];
  let count = 0;
  let cursor = 0;
  for (const span of spans) {
    if (span.start < cursor || span.end <= span.start) continue;
    const original = text.slice(span.start, span.end);
    const replacement = options.mask ? original.replace(/[^\r\n]/g, '*') : (span.replacement ?? lineSafePlaceholder(original, placeholder(span.kind)));
    if (replacement === original) continue; // already redacted
    out.push(text.slice(cursor, span.start), replacement);
    cursor = span.end;
    count++;
    if (!kinds.includes(span.kind)) kinds.push(span.kind);
  }
  if (count === 0) return { text, count: 0, kinds: [] };
  out.push(text.slice(cursor));
  return { text: out.join(''), count, kinds };
}

/** Placeholder that keeps exactly the newlines of the original. */
function lineSafePlaceholder(original: string, ph: string): string {
  if (!original.includes('\n')) return ph;
  const pieces = original.split('\n');
  return pieces.map((piece, i) => (i === 0 ? ph : '') + (piece.endsWith('\r') ? '\r' : '')).join('\n');
}

/**
 * Replaces every occurrence of each given value (length >= 8 after trimming)
 * with `[REDACTED]`. Longer values are replaced first so a value that contains
 * another is fully hidden. Used to keep the configured API key out of logs.
 */
export function redactKnownValues(text: string, values: readonly string[]): string {
  if (typeof text !== 'string' || text.length === 0) return typeof text === 'string' ? text : '';
  const set = new Set<string>();
  for (const v of values) {
    if (typeof v !== 'string') continue;
    if (v.length >= 8) set.add(v);
    const t = v.trim();
    if (t.length >= 8) set.add(t);
  }
  if (set.size === 0) return text;
  const sorted = [...set].sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of sorted) {
    if (out.includes(v)) out = out.split(v).join('[REDACTED]');
  }
  return out;
}
