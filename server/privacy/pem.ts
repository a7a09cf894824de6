/**
 * Private-key blocks (PEM): the body between BEGIN and END lines is redacted, the
 * BEGIN/END lines stay. An unterminated block loses the run of key material after
 * BEGIN. Linear: each body is scanned once, up to the next BEGIN.
 */
import { placeholder, type Span } from './values';

const PEM_BEGIN_RE = /-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END_RE = /-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
/** Characters a key body may contain, including string-literal plumbing (quotes, `\n`, `+`, commas) and headers. */
const PEM_BODY_RE = /^[A-Za-z0-9+/=\s"'`,\\:.-]*$/;
const PEM_BODY_RUN_RE = /^[A-Za-z0-9+/=\s"'`,\\:.-]*/;

export function collectPemSpans(text: string, spans: Span[], priority: number): void {
  if (!text.includes('PRIVATE KEY')) return;
  const begins: Array<{ start: number; end: number }> = [];
  const ends: Array<{ start: number; end: number }> = [];
  for (const m of text.matchAll(PEM_BEGIN_RE)) begins.push({ start: m.index, end: m.index + m[0].length });
  if (begins.length === 0) return;
  for (const m of text.matchAll(PEM_END_RE)) ends.push({ start: m.index, end: m.index + m[0].length });

  let endIdx = 0;
  for (let i = 0; i < begins.length; i++) {
    const begin = begins[i];
    if (!begin) continue;
    const nextBegin = begins[i + 1]?.start ?? text.length;
    while (endIdx < ends.length && (ends[endIdx]?.start ?? 0) < begin.end) endIdx++;
    const end = ends[endIdx];
    let bodyEnd = -1;
    if (end && end.start <= nextBegin) {
      const body = text.slice(begin.end, end.start);
      if (PEM_BODY_RE.test(body) && /[A-Za-z0-9+/]{16}/.test(body)) bodyEnd = end.start;
    }
    if (bodyEnd < 0) {
      // Unterminated (or the END belongs to something else): redact the run of
      // key material that follows, up to the end of the text if need be.
      // Scan only up to the next BEGIN so the work stays linear.
      const region = text.slice(begin.end, nextBegin);
      const run = PEM_BODY_RUN_RE.exec(region)?.[0] ?? '';
      if (/[A-Za-z0-9+/]{40}/.test(run)) bodyEnd = begin.end + run.length;
    }
    if (bodyEnd <= begin.end) continue;
    const original = text.slice(begin.end, bodyEnd);
    spans.push({
      start: begin.end,
      end: bodyEnd,
      kind: 'private-key',
      priority,
      replacement: pemReplacement(original),
    });
  }
}

/** Keep every newline; first non-blank line -> placeholder, other lines -> blank (indentation kept). */
function pemReplacement(original: string): string {
  const pieces = original.split('\n');
  let placed = false;
  return pieces
    .map((piece) => {
      const cr = piece.endsWith('\r') ? '\r' : '';
      const content = cr ? piece.slice(0, -1) : piece;
      if (content.trim() === '') return piece;
      const indent = /^[ \t]*/.exec(content)?.[0] ?? '';
      if (!placed) {
        placed = true;
        return `${indent}${placeholder('private-key')}${cr}`;
      }
      return `${indent}${cr}`;
    })
    .join('\n');
}
