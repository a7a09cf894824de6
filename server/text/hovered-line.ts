import { ELLIPSIS, isHighSurrogate, isLowSurrogate, type LineReader } from './lines';
import { CLASSIFY_CHARS } from './structure';

/**
 * The hovered line for hover-context.ts: whether it has anything to explain, its text cut
 * to a window around the cursor, and the symbol under the cursor. Bounded reads only.
 */

/** Upper bound of the symbol scan around the cursor, each direction. */
const MAX_SYMBOL_CHARS = 256;

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const WORDS = /[\p{L}\p{N}_$]+/gu;
/** Lines made of just one of these words (plus punctuation) have nothing to explain. */
const CLOSING_WORDS = new Set([
  'end',
  'fi',
  'done',
  'esac',
  'endif',
  'endfor',
  'endforeach',
  'endwhile',
  'endswitch',
  'endfunction',
  'endsub',
  'endclass',
  'endmodule',
  'endcase',
  'endselect',
  'wend',
]);

export function isTrivialLine(reader: LineReader, line: number): boolean {
  const first = reader.firstNonSpace(line);
  const last = reader.trimmedEnd(line);
  if (last - first > CLASSIFY_CHARS) return false; // long lines always have something in them
  const t = reader.text.slice(first, last);
  if (!LETTER_OR_DIGIT.test(t)) return true;
  const words = t.match(WORDS) ?? [];
  const w0 = words[0]?.toLowerCase();
  if (w0 === undefined || !CLOSING_WORDS.has(w0)) return false;
  // `end`, `end;`, `#endif`, `End If`, `end module`, `end foo;` (Ada)
  return words.length === 1 || (w0 === 'end' && words.length === 2);
}

export function hoveredLineText(reader: LineReader, line: number, character: number, max: number): string {
  const { start } = reader.bounds(line);
  const text = reader.text;
  const end = reader.trimmedEnd(line);
  const len = end - start;
  if (len <= max) return text.slice(start, end);
  const cursor = Math.min(character, len);
  const inner = max - 2; // room for an ellipsis on both sides
  const ws = cursor - Math.floor(inner / 2);
  if (ws <= 0) {
    return text.slice(start, safeEnd(text, start + max - 1)) + ELLIPSIS;
  }
  if (ws + inner >= len) {
    return ELLIPSIS + text.slice(safeStart(text, end - (max - 1)), end);
  }
  const a = safeStart(text, start + ws);
  return ELLIPSIS + text.slice(a, safeEnd(text, start + ws + inner)) + ELLIPSIS;
}

/** Do not begin a slice in the middle of a surrogate pair. */
function safeStart(text: string, i: number): number {
  return isLowSurrogate(text.charCodeAt(i)) && isHighSurrogate(text.charCodeAt(i - 1)) ? i + 1 : i;
}

/** Do not end a slice in the middle of a surrogate pair. */
function safeEnd(text: string, i: number): number {
  return isHighSurrogate(text.charCodeAt(i - 1)) && isLowSurrogate(text.charCodeAt(i)) ? i - 1 : i;
}

// ---------------------------------------------------------------------------
// symbol

const WORD_CHAR = /^[\p{L}\p{M}\p{N}_$]$/u;
const DIGIT_START = /^\p{N}/u;

/** Code point starting at `i` (within [lo, hi)), and its UTF-16 width; null outside. */
function cpAt(text: string, i: number, hi: number): [string, number] | null {
  if (i >= hi) return null;
  const c = text.charCodeAt(i);
  if (isHighSurrogate(c) && i + 1 < hi && isLowSurrogate(text.charCodeAt(i + 1))) {
    return [text.slice(i, i + 2), 2];
  }
  return [text[i]!, 1];
}

/** Code point ending just before `i` (within [lo, hi)), and its width; null outside. */
function cpBefore(text: string, i: number, lo: number): [string, number] | null {
  if (i <= lo) return null;
  const c = text.charCodeAt(i - 1);
  if (isLowSurrogate(c) && i - 2 >= lo && isHighSurrogate(text.charCodeAt(i - 2))) {
    return [text.slice(i - 2, i), 2];
  }
  return [text[i - 1]!, 1];
}

function isWord(cp: [string, number] | null): cp is [string, number] {
  return cp !== null && WORD_CHAR.test(cp[0]);
}

/** Start of the run of word characters ending at `i`, scanning at most to `lo`. */
function wordStart(text: string, i: number, lo: number): number {
  let s = i;
  for (let cp = cpBefore(text, s, lo); isWord(cp); cp = cpBefore(text, s, lo)) s -= cp[1];
  return s;
}

export function symbolAt(text: string, lineStart: number, lineEnd: number, offset: number): string | null {
  let o = offset;
  // LSP may (wrongly) point into the middle of a surrogate pair.
  if (o > lineStart && o < lineEnd && isLowSurrogate(text.charCodeAt(o)) && isHighSurrogate(text.charCodeAt(o - 1))) o--;
  const lo = Math.max(lineStart, o - MAX_SYMBOL_CHARS);
  const hi = Math.min(lineEnd, o + MAX_SYMBOL_CHARS);
  let anchor: number;
  const here = cpAt(text, o, hi);
  if (isWord(here)) {
    anchor = o;
  } else {
    const prev = cpBefore(text, o, lo);
    if (!isWord(prev)) return null;
    anchor = o - prev[1];
  }
  const start = wordStart(text, anchor, lo);
  let end = anchor;
  for (let cp = cpAt(text, end, hi); isWord(cp); cp = cpAt(text, end, hi)) end += cp[1];

  // Extend left over a member chain: `a.b`, `a?.b`, `a::b`.
  let chainStart = start;
  for (let segments = 0; segments < 8; segments++) {
    let sep = 0;
    const c1 = text.charCodeAt(chainStart - 1);
    const c2 = text.charCodeAt(chainStart - 2);
    if (c1 === 46 /* . */) sep = c2 === 63 /* ? */ ? 2 : 1;
    else if (c1 === 58 /* : */ && c2 === 58) sep = 2;
    if (sep === 0 || chainStart - sep <= lo) break;
    const segEnd = chainStart - sep;
    const segStart = wordStart(text, segEnd, lo);
    if (segStart === segEnd || DIGIT_START.test(text.slice(segStart, segEnd))) break;
    chainStart = segStart;
  }
  return text.slice(chainStart, end);
}
