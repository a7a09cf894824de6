import type { Range } from 'vscode-languageserver';

/**
 * Placing a model's finding on the document, and finding it again after edits.
 *
 * The model names a line (often miscounted by one or two) and quotes the text it means
 * (sometimes with its whitespace mangled). A range is only called `exact` when the
 * quote's characters were found on the document; otherwise the line's non-blank extent
 * is marked (never for a line outside the reviewed window) and callers must not attach a
 * fix to it. All offsets are UTF-16 code units, i.e. plain JS string indices, which is
 * what LSP positions use by default.
 *
 * Choices (deterministic, documented here and tested):
 * - Several occurrences on one line: the first (leftmost) one is taken.
 * - Nearby lines are tried at growing distance 1..5; at each distance the earlier line
 *   (line - d) before the later one (line + d).
 * - A quote with fewer than {@link MIN_DISTINCT_CHARS} non-whitespace characters ("=",
 *   "i", "==") is only looked for on the line the model named, never on neighbours, and
 *   such a text is only re-anchored on its own line: found elsewhere it would be a guess.
 * - Whitespace-insensitive matching ignores whitespace except between two word
 *   characters: "a=b" matches "a = b" and "foo( x )" matches "foo(x)", but "returnx"
 *   never matches "return x".
 * - A multi-line match must lie entirely inside the window.
 */

export interface LineSource {
  readonly lineCount: number;
  /** 0-based, without the line ending. */
  line(i: number): string;
}

export interface Anchor {
  range: Range;
  /** true: the quote was found; false: the line's non-blank extent was marked instead. */
  exact: boolean;
  /** The document text the range covers (lines joined with `\n`), for later re-anchoring. */
  text: string;
}

/** How far (in lines) from the named line a quote is looked for. */
export const NEARBY_LINES = 5;
/** How far a blank named line may be moved to a non-blank one for an empty quote. */
export const EMPTY_QUOTE_LINES = 2;
/** How far (in lines) re-anchoring looks for the previous text after an edit. */
export const REANCHOR_LINES = 30;
/** Quotes longer than this are not searched for (bounded work); the line is marked instead. */
export const MAX_QUOTE_CHARS = 2000;
/** Quotes with fewer non-whitespace characters than this are only matched on the named line. */
export const MIN_DISTINCT_CHARS = 3;

/** A LineSource over a string; lines end at `\r\n`, `\n` or `\r`. '' for an index out of range. */
export function linesOf(text: string): LineSource {
  const lines = text.split(/\r\n|\n|\r/);
  return {
    lineCount: lines.length,
    line: (i: number): string => lines[i] ?? '',
  };
}

interface Window {
  start: number;
  end: number;
}

/**
 * Anchors a finding. `line` is the 0-based document line the model pointed at, `window`
 * the 0-based document lines [start, end) that were under review. Returns null when the
 * finding cannot be placed without guessing (past the end of the file, outside the window
 * and not found, blank line with no quote to find). Never throws.
 *
 * Order: empty quote -> line extent; exact on the line; exact on nearby lines; multi-line
 * quote exact then whitespace-insensitive; whitespace-insensitive on the line then nearby;
 * otherwise the line's non-blank extent (exact: false).
 */
export function anchorFinding(doc: LineSource, line: number, quote: string, window: { start: number; end: number }): Anchor | null {
  try {
    return anchor(doc, line, quote, window);
  } catch {
    return null;
  }
}

function anchor(doc: LineSource, line: number, quote: string, window: Window): Anchor | null {
  const count = doc.lineCount;
  if (!Number.isInteger(line) || line < 0 || line >= count) return null;
  const w = clampWindow(window, 0, count);
  if (!w) return null;
  const inWindow = line >= w.start && line < w.end;
  // Outside the window: search from the nearest window line, accept only a real match.
  const at = inWindow ? line : line < w.start ? w.start : w.end - 1;

  const q = typeof quote === 'string' ? quote.replace(/\r\n?/g, '\n') : '';
  if (q.trim() === '') return inWindow ? extentNear(doc, at, w) : null;

  if (q.length <= MAX_QUOTE_CHARS) {
    const found = locate(doc, at, q, w);
    if (found) return found;
  }
  return inWindow ? extent(doc, at) : null;
}

function locate(doc: LineSource, at: number, q: string, w: Window): Anchor | null {
  const distinct = nonSpaceCount(q) >= MIN_DISTINCT_CHARS;
  const order = around(at, distinct ? NEARBY_LINES : 0, w.start, w.end);
  const qLines = q.split('\n');

  if (qLines.length === 1) {
    // Exact, on the line and then nearby.
    for (const l of order) {
      const i = doc.line(l).indexOf(q);
      if (i >= 0) return { range: range(l, i, l, i + q.length), exact: true, text: q };
    }
  } else {
    for (const l of order) {
      const a = matchLinesExact(doc, l, qLines, w.end);
      if (a) return a;
    }
    const trimmed = trimBlankEnds(qLines);
    if (trimmed.length >= 2) {
      const qc = trimmed.map(compact);
      for (const l of order) {
        const a = matchLinesLoose(doc, l, qc, w.end);
        if (a) return a;
      }
    }
  }

  // Whitespace-insensitive on one line (a newline in the quote counts as whitespace).
  const qc = compact(q);
  if (qc.chars.length === 0) return null;
  for (const l of order) {
    const text = doc.line(l);
    const dc = compact(text);
    const k = findLoose(dc, qc);
    if (k >= 0) {
      const from = dc.pos[k]!;
      const to = dc.pos[k + qc.chars.length - 1]! + 1;
      return { range: range(l, from, l, to), exact: true, text: text.slice(from, to) };
    }
  }
  return null;
}

/** The quote's lines at doc line `s`: first a suffix, middle equal, last a prefix. */
function matchLinesExact(doc: LineSource, s: number, qLines: readonly string[], end: number): Anchor | null {
  const m = qLines.length;
  if (s + m > end) return null;
  const first = qLines[0]!;
  const last = qLines[m - 1]!;
  const firstLine = doc.line(s);
  if (!firstLine.endsWith(first)) return null;
  for (let j = 1; j < m - 1; j++) if (doc.line(s + j) !== qLines[j]) return null;
  if (!doc.line(s + m - 1).startsWith(last)) return null;
  const from = firstLine.length - first.length;
  return spanAnchor(doc, s, from, s + m - 1, last.length);
}

/** As {@link matchLinesExact}, each line compared whitespace-insensitively. */
function matchLinesLoose(doc: LineSource, s: number, qc: readonly Compact[], end: number): Anchor | null {
  const m = qc.length;
  if (s + m > end) return null;
  const first = qc[0]!;
  const last = qc[m - 1]!;
  const d0 = compact(doc.line(s));
  const k0 = d0.chars.length - first.chars.length;
  if (k0 < 0 || !d0.chars.endsWith(first.chars) || !gapsAgree(d0, k0, first)) return null;
  for (let j = 1; j < m - 1; j++) {
    const dj = compact(doc.line(s + j));
    const qj = qc[j]!;
    if (dj.chars !== qj.chars || !gapsAgree(dj, 0, qj)) return null;
  }
  const dl = compact(doc.line(s + m - 1));
  if (!dl.chars.startsWith(last.chars) || !gapsAgree(dl, 0, last)) return null;
  // Blank first/last quote lines were trimmed off, so both ends hold a character.
  return spanAnchor(doc, s, d0.pos[k0]!, s + m - 1, dl.pos[last.chars.length - 1]! + 1);
}

function spanAnchor(doc: LineSource, l0: number, c0: number, l1: number, c1: number): Anchor {
  const parts: string[] = [];
  for (let l = l0; l <= l1; l++) {
    const t = doc.line(l);
    parts.push(t.slice(l === l0 ? c0 : 0, l === l1 ? c1 : t.length));
  }
  return { range: range(l0, c0, l1, c1), exact: true, text: parts.join('\n') };
}

function trimBlankEnds(lines: readonly string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a]!.trim() === '') a++;
  while (b > a && lines[b - 1]!.trim() === '') b--;
  return lines.slice(a, b);
}

/** For an empty quote: the named line's extent, or the nearest non-blank line within ±2. */
function extentNear(doc: LineSource, at: number, w: Window): Anchor | null {
  for (const l of around(at, EMPTY_QUOTE_LINES, w.start, w.end)) {
    const a = extent(doc, l);
    if (a) return a;
  }
  return null;
}

/** The line's non-blank extent (exact: false), or null when the line is blank. */
function extent(doc: LineSource, l: number): Anchor | null {
  const text = doc.line(l);
  const [from, to] = trimBounds(text);
  if (from >= to) return null;
  return { range: range(l, from, l, to), exact: false, text: text.slice(from, to) };
}

/**
 * Finds a finding again after the document changed: `previous.text` on `previous.line`,
 * then at growing distance up to 30 lines (earlier line first at equal distance), inside
 * `window` when one is given. An exact finding's text must occur verbatim (multi-line texts
 * as a line sequence); a line-extent finding's text must equal a whole trimmed line.
 * Returns null when the text is gone. Reads at most ~61 lines; never throws.
 */
export function reanchor(
  doc: LineSource,
  previous: { line: number; text: string; exact: boolean },
  window?: { start: number; end: number },
): Anchor | null {
  try {
    return reanchorImpl(doc, previous, window);
  } catch {
    return null;
  }
}

function reanchorImpl(doc: LineSource, previous: { line: number; text: string; exact: boolean }, window?: Window): Anchor | null {
  const p = previous.line;
  const text = typeof previous.text === 'string' ? previous.text.replace(/\r\n?/g, '\n') : '';
  if (!Number.isInteger(p) || text.trim() === '') return null;
  const w = window ? clampWindow(window, 0, doc.lineCount) : { start: 0, end: doc.lineCount };
  if (!w) return null;
  // A very short text ("=", "i") found on another line would be a guess.
  const reach = nonSpaceCount(text) >= MIN_DISTINCT_CHARS ? REANCHOR_LINES : 0;

  if (!previous.exact) {
    if (text.includes('\n')) return null;
    for (const l of around(p, reach, w.start, w.end)) {
      const a = extent(doc, l);
      if (a && a.text === text) return a;
    }
    return null;
  }
  const parts = text.split('\n');
  for (const l of around(p, reach, w.start, w.end)) {
    if (parts.length === 1) {
      const i = doc.line(l).indexOf(text);
      if (i >= 0) return { range: range(l, i, l, i + text.length), exact: true, text };
    } else {
      const a = matchLinesExact(doc, l, parts, w.end);
      if (a) return a;
    }
  }
  return null;
}

// --- helpers -------------------------------------------------------------------------

/** `at`, then at-1, at+1, at-2, at+2, … up to `reach`, keeping only lines in [lo, hi). */
function around(at: number, reach: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  if (at >= lo && at < hi) out.push(at);
  for (let d = 1; d <= reach; d++) {
    if (at - d >= lo && at - d < hi) out.push(at - d);
    if (at + d >= lo && at + d < hi) out.push(at + d);
  }
  return out;
}

function clampWindow(w: Window, lo: number, hi: number): Window | null {
  if (!w || typeof w.start !== 'number' || typeof w.end !== 'number' || Number.isNaN(w.start) || Number.isNaN(w.end)) return null;
  const start = Math.max(lo, Math.floor(w.start));
  const end = Math.min(hi, Math.floor(w.end));
  return end > start ? { start, end } : null;
}

function range(l0: number, c0: number, l1: number, c1: number): Range {
  return { start: { line: l0, character: c0 }, end: { line: l1, character: c1 } };
}

/** Whitespace: ASCII spaces and line breaks, NBSP, BOM and the Unicode space separators. */
function isSpace(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/** Letters, digits, `_`, `$` and any non-ASCII non-space character (identifiers in most languages). */
function isWord(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 ||
    (c >= 0x80 && !isSpace(c))
  );
}

function trimBounds(s: string): [number, number] {
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s.charCodeAt(a))) a++;
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  return [a, b];
}

function nonSpaceCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) n++;
  return n;
}

/** A string without its whitespace, remembering where each character came from. */
interface Compact {
  chars: string;
  /** Offset in the original string of each character of `chars`. */
  pos: number[];
  /** Whether whitespace separated this character from the previous non-space one. */
  gap: boolean[];
}

function compact(s: string): Compact {
  const chars: string[] = [];
  const pos: number[] = [];
  const gap: boolean[] = [];
  let sawSpace = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      sawSpace = true;
      continue;
    }
    chars.push(s[i]!);
    pos.push(i);
    gap.push(sawSpace && chars.length > 1);
    sawSpace = false;
  }
  return { chars: chars.join(''), pos, gap };
}

/** First offset in `d.chars` where `q` matches with agreeing word separations, or -1. */
function findLoose(d: Compact, q: Compact): number {
  let k = d.chars.indexOf(q.chars);
  while (k >= 0) {
    if (gapsAgree(d, k, q)) return k;
    k = d.chars.indexOf(q.chars, k + 1);
  }
  return -1;
}

/** Between two word characters, whitespace must be present on both sides or on neither. */
function gapsAgree(d: Compact, k: number, q: Compact): boolean {
  const s = q.chars;
  for (let i = 1; i < s.length; i++) {
    if (isWord(s.charCodeAt(i - 1)) && isWord(s.charCodeAt(i)) && q.gap[i] !== d.gap[k + i]) return false;
  }
  return true;
}

/** Where a marked text was: its range, the text itself, and the whole lines it sat on. */
export interface Placed {
  range: Range;
  text: string;
  exact: boolean;
  /** The full text of the lines range.start.line..range.end.line when it was placed. */
  lines: readonly string[];
}

/** The full lines a range covers, for `follow`. */
export function linesAt(doc: LineSource, r: Range): string[] {
  const out: string[] = [];
  for (let l = r.start.line; l <= r.end.line && l < doc.lineCount; l++) out.push(doc.line(l));
  return out;
}

/**
 * Finds a placed text again after edits. First by its whole lines, unchanged, nearest to where
 * they were: then the range moves with them, column for column, even when the same short text
 * occurs on a neighbouring line. Failing that (its own line was edited), by the text itself, on
 * that same line only: a neighbour with the same text would be a guess. Otherwise null: it is gone.
 */
export function follow(doc: LineSource, previous: Placed): Anchor | null {
  try {
    const start = previous.range.start.line;
    const n = previous.lines.length;
    if (n > 0) {
      for (const l of around(start, REANCHOR_LINES, 0, doc.lineCount - n + 1)) {
        let same = true;
        for (let k = 0; k < n && same; k++) same = doc.line(l + k) === previous.lines[k];
        if (!same) continue;
        const shift = l - start;
        const r = range(previous.range.start.line + shift, previous.range.start.character, previous.range.end.line + shift, previous.range.end.character);
        return { range: r, exact: previous.exact, text: previous.text };
      }
    }
    if (start >= doc.lineCount) return null;
    return reanchorImpl(doc, { line: start, text: previous.text, exact: previous.exact }, { start, end: start + 1 });
  } catch {
    return null;
  }
}
