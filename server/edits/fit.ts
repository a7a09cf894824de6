import { isSpace } from '../text/lines';
import { isBreakOrSpace, nonSpaceCount } from '../text/loose-match';
import type { LooseMatch } from './search';

/**
 * Fitting a replacement to a whitespace-insensitive match, for locate.ts: the match starts
 * and ends on non-whitespace and may be indented differently from the quote.
 */

function leadingSpace(s: string, breaks: boolean): number {
  let i = 0;
  while (i < s.length && (breaks ? isBreakOrSpace(s.charCodeAt(i)) : isSpace(s.charCodeAt(i)))) i++;
  return i;
}

function trailingSpaceStart(s: string): number {
  let i = s.length;
  while (i > 0 && isBreakOrSpace(s.charCodeAt(i - 1))) i--;
  return i;
}

/**
 * The replacement as it should be written over a loose match's range (which starts and
 * ends on non-whitespace): without the quote's leading/trailing whitespace, and with the
 * indentation of its following lines translated quote -> document.
 */
export function fitReplacement(text: string, quote: string, replacement: string, m: LooseMatch): string {
  let r = replacement;
  const lead = quote.slice(0, leadingSpace(quote, true));
  if (lead !== '' && r.startsWith(lead)) {
    r = r.slice(lead.length);
  } else if (lead !== '') {
    // The model kept the first line's indentation but not the blank lines before it.
    const indent = lead.slice(lead.lastIndexOf('\n') + 1);
    if (indent !== '' && r.startsWith(indent) && !isBreakOrSpace(r.charCodeAt(indent.length))) r = r.slice(indent.length);
  }
  const trail = quote.slice(trailingSpaceStart(quote));
  if (trail !== '' && r.length >= trail.length && r.endsWith(trail)) r = r.slice(0, r.length - trail.length);
  if (!r.includes('\n')) return r;

  // Indentation seen on the matched lines: quote line indentation -> document line indentation.
  const indents = new Map<string, string>();
  let compactIndex = 0; // compact index of the current quote line's first non-space character
  let lineStart = 0;
  while (lineStart <= quote.length) {
    let lineEnd = quote.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = quote.length;
    const line = quote.slice(lineStart, lineEnd);
    const ind = leadingSpace(line, false);
    const nonSpace = nonSpaceCount(line);
    if (ind < line.length && nonSpace > 0) {
      const qIndent = line.slice(0, ind);
      const d = m.compact.pos[m.at + compactIndex]!;
      let ls = d;
      while (ls > 0 && isSpace(text.charCodeAt(ls - 1))) ls--;
      // Only when the character starts its document line (after indentation).
      if ((ls === 0 || text.charCodeAt(ls - 1) === 10) && !indents.has(qIndent)) indents.set(qIndent, text.slice(ls, d));
    }
    compactIndex += nonSpace;
    lineStart = lineEnd + 1;
  }
  let identity = true;
  for (const [k, v] of indents) if (k !== v) identity = false;
  if (identity) return r;

  const keys = [...indents.keys()].sort((a, b) => b.length - a.length);
  // Split at `\n` only, not text/lines.ts's LSP lines: the replacement's breaks are the
  // document's (`\n` or `\r\n`, normalised by locate), and a lone `\r` is kept as it is.
  const lines = r.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    const ind = leadingSpace(l, false);
    if (ind === l.length || (ind === l.length - 1 && l.endsWith('\r'))) continue; // blank line
    const w = l.slice(0, ind);
    const key = keys.find((k) => w.startsWith(k));
    if (key === undefined) continue;
    lines[i] = indents.get(key)! + l.slice(key.length);
  }
  return lines.join('\n');
}
