import type { Range } from 'vscode-languageserver';
import { splitLines } from '../text/lines';
import { compactText, isBreakOrSpace, LOOSE_BUDGET, looseQuote, looseSpan, nextLooseMatch, nonSpaceCount } from '../text/loose-match';

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
 * - Whitespace-insensitive matching is text/loose-match.ts, the same matcher that places
 *   code-action edits: whitespace (line breaks included) is ignored except between two
 *   word characters, so "a=b" matches "a = b" and a quote wrapped over two lines matches
 *   the one line it came from, but "returnx" never matches "return x". Its match must
 *   start on a line within reach of the named line (nearest first, as above; leftmost on
 *   that line) and may run on over any number of lines.
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
const NEARBY_LINES = 5;
/** How far a blank named line may be moved to a non-blank one for an empty quote. */
const EMPTY_QUOTE_LINES = 2;
/** How far (in lines) re-anchoring looks for the previous text after an edit. */
const REANCHOR_LINES = 30;
/** Quotes longer than this are not searched for (bounded work); the line is marked instead. */
export const MAX_QUOTE_CHARS = 2000;
/** Quotes with fewer non-whitespace characters than this are only matched on the named line. */
const MIN_DISTINCT_CHARS = 3;

/** A LineSource over a string; lines as LSP counts them ({@link splitLines}). '' for an index out of range. */
export function linesOf(text: string): LineSource {
  const lines = splitLines(text);
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
 * Order: empty quote -> line extent; exact on the line, then on nearby lines;
 * whitespace-insensitive on the line, then on nearby lines; otherwise the line's non-blank
 * extent (exact: false).
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

  const q = typeof quote === 'string' ? splitLines(quote).join('\n') : '';
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
  const qLines = splitLines(q);

  // Exact, on the line and then nearby.
  for (const l of order) {
    if (qLines.length === 1) {
      const i = doc.line(l).indexOf(q);
      if (i >= 0) return { range: range(l, i, l, i + q.length), exact: true, text: q };
    } else {
      const a = matchLinesExact(doc, l, qLines, w.end);
      if (a) return a;
    }
  }
  return locateLoose(doc, order, q, w);
}

/**
 * Whitespace-insensitive: the match (text/loose-match.ts) that starts on the earliest line
 * of `order`, leftmost on that line. The lines from the first line of `order` to the end
 * of the window are searched as one text (joined with `\n`), so a match may cross lines.
 */
function locateLoose(doc: LineSource, order: readonly number[], q: string, w: Window): Anchor | null {
  const lq = looseQuote(q);
  if (lq.chars.length === 0 || order.length === 0) return null;
  const first = Math.min(...order);
  const lastStart = Math.max(...order);
  const starts: number[] = [];
  const parts: string[] = [];
  let offset = 0;
  for (let l = first; l < w.end; l++) {
    const t = doc.line(l);
    starts.push(offset);
    parts.push(t);
    offset += t.length + 1;
  }
  const text = parts.join('\n');
  const c = compactText(text);
  const lineOf = (off: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const rank = new Map(order.map((l, i) => [l - first, i]));
  const budget = { left: LOOSE_BUDGET };
  let best: { start: number; end: number; rank: number } | null = null;
  for (let k = nextLooseMatch(c, lq, 0, budget); k >= 0; k = nextLooseMatch(c, lq, k + 1, budget)) {
    const span = looseSpan(c, lq, k);
    const line = lineOf(span.start);
    if (line + first > lastStart) break;
    const r = rank.get(line);
    // Candidates come in text order: the first on a line is its leftmost.
    if (r !== undefined && (best === null || r < best.rank)) best = { ...span, rank: r };
    if (best?.rank === 0) break;
  }
  if (best === null) return null;
  const l0 = lineOf(best.start);
  const l1 = lineOf(best.end - 1);
  return {
    range: range(first + l0, best.start - starts[l0]!, first + l1, best.end - starts[l1]!),
    exact: true,
    text: text.slice(best.start, best.end),
  };
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

function spanAnchor(doc: LineSource, l0: number, c0: number, l1: number, c1: number): Anchor {
  const parts: string[] = [];
  for (let l = l0; l <= l1; l++) {
    const t = doc.line(l);
    parts.push(t.slice(l === l0 ? c0 : 0, l === l1 ? c1 : t.length));
  }
  return { range: range(l0, c0, l1, c1), exact: true, text: parts.join('\n') };
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
export function reanchor(doc: LineSource, previous: { line: number; text: string; exact: boolean }, window?: { start: number; end: number }): Anchor | null {
  try {
    return reanchorImpl(doc, previous, window);
  } catch {
    return null;
  }
}

function reanchorImpl(doc: LineSource, previous: { line: number; text: string; exact: boolean }, window?: Window): Anchor | null {
  const p = previous.line;
  const text = typeof previous.text === 'string' ? splitLines(previous.text).join('\n') : '';
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

function trimBounds(s: string): [number, number] {
  let a = 0;
  let b = s.length;
  while (a < b && isBreakOrSpace(s.charCodeAt(a))) a++;
  while (b > a && isBreakOrSpace(s.charCodeAt(b - 1))) b--;
  return [a, b];
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
