import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position } from 'vscode-languageserver';
import { hoveredLineText, isTrivialLine, symbolAt } from './hovered-line';
import { ELLIPSIS, LineReader } from './lines';
import { findEnclosing, findImports, type Header } from './structure';

/**
 * Picks the small, relevant slice of a document that the model sees for a hover.
 *
 * Cost model: the function never splits or copies the whole document. It keeps
 * the document's content string as a reference, asks the document for line
 * offsets (`offsetAt`, backed by the document's cached line table) and only
 * slices the few lines it shows, each cut to `maxLineChars`. Work is
 * O(scanLimit + nearby + imports) lines, each touched through bounded reads, so
 * a 5 MB single-line minified file costs about as much as a normal one (apart
 * from the document building its line table once per version).
 *
 * Excerpt format (one line per source line, in file order):
 *
 *   `  12| text`   an ordinary line: 2-char marker column, 1-based line number
 *                  right-aligned to the widest shown number, `| `, the text
 *   `→ 20| text`   the hovered line (marker `→ `)
 *   `…`            a line of its own wherever source lines were skipped
 *
 * Blank source lines are rendered as `  13|` (no trailing space). Lines longer
 * than `maxLineChars` are cut: the hovered line to a window around the cursor,
 * other lines to their start, with `…` marking every cut side. Tabs are kept,
 * EOLs (`\n`, `\r\n`, `\r`) never appear inside a line.
 */

export interface HoverContextLimits {
  /** Total excerpt budget in UTF-16 characters (default 6000). */
  maxChars: number;
  /** Lines shown before the hovered line (default 12). */
  nearbyBefore: number;
  /** Lines shown after the hovered line (default 12). */
  nearbyAfter: number;
  /** At most this many import/include lines (default 25). */
  maxImportLines: number;
  /** Longer lines are cut with "…" (default 240, minimum 8). */
  maxLineChars: number;
  /** How far up we look for enclosing headers and how far down for imports (default 300). */
  scanLimit: number;
}

export interface HoverContext {
  /** Hovered line, 0-based. */
  line: number;
  /** Identifier (or dotted member chain `a.b.c` ending at the cursor word) under the cursor, null on punctuation/whitespace. */
  symbol: string | null;
  /** The hovered line, trimmed at the end, cut to maxLineChars around the cursor. */
  lineText: string;
  /** Header of the nearest enclosing block (leading indentation removed), null if none found. */
  enclosing: string | null;
  /** The numbered listing shown to the model. */
  excerpt: string;
  /** Buffer.byteLength(excerpt) in UTF-8. */
  bytes: number;
}

const DEFAULT_HOVER_CONTEXT_LIMITS: Readonly<HoverContextLimits> = Object.freeze({
  maxChars: 6000,
  nearbyBefore: 12,
  nearbyAfter: 12,
  maxImportLines: 25,
  maxLineChars: 240,
  scanLimit: 300,
});

/** Marker column of the hovered line / of every other line. */
const HOVER_MARK = '→ ';
const PLAIN_MARK = '  ';

/** A multi-line signature is shown completely if it spans at most this many lines. */
const MAX_SIGNATURE_SPAN = 8;

/**
 * Build the hover context, or null when there is nothing to ask the model about:
 *
 * - the position is outside the document (line < 0, line >= lineCount,
 *   character < 0, character greater than the line's length without its EOL,
 *   non-integer values); `character === length` (cursor at end of line) is valid;
 * - the hovered line is blank (whitespace only);
 * - the hovered line is "trivial": it contains no letter or digit at all (`}`,
 *   `});`, a comment closer, `/**`, `"""`, `#`, `--`, `-->`…), or consists only of a block
 *   closing keyword plus punctuation (`end`, `end;`, `fi`, `done`, `esac`,
 *   `#endif`, `endfunction`…, and two-word closers such as `End If`,
 *   `end module`). Lines like `} else {` or `try:` are *not* trivial.
 *
 * Symbol rule (UTF-16 positions, as LSP sends them): the word containing the
 * character at `position.character`, or, if that character is not a word
 * character, the word ending just before it (cursor right after a word). Word
 * characters are Unicode letters, marks, digits, `_` and `$`. The word is
 * extended to the left over a member chain joined by `.`, `?.` or `::`
 * (`a.b.c`, `std::io::stdin`), never to the right of the cursor word.
 */
export function buildHoverContext(
  doc: TextDocument,
  position: Position,
  limits?: Partial<HoverContextLimits>,
  /** Enclosing definitions from a syntax tree, nearest first; without them the line heuristics find them. */
  enclosingFromSyntax?: readonly Header[],
): HoverContext | null {
  const lim = resolveLimits(limits);
  const line = position.line;
  const character = position.character;
  if (!Number.isInteger(line) || !Number.isInteger(character)) return null;
  if (line < 0 || character < 0) return null;
  const lineCount = doc.lineCount;
  if (line >= lineCount) return null;

  const reader = new LineReader(doc);
  const { start: lineStart, end: lineEnd } = reader.bounds(line);
  if (character > lineEnd - lineStart) return null;
  if (reader.isBlank(line)) return null;
  if (isTrivialLine(reader, line)) return null;

  const symbol = symbolAt(reader.text, lineStart, lineEnd, lineStart + character);
  const lineText = hoveredLineText(reader, line, character, lim.maxLineChars);

  // --- enclosing headers -------------------------------------------------
  const headers = enclosingFromSyntax ?? findEnclosing(reader, line, lim.scanLimit);
  const nearest = headers[0];
  const enclosing = nearest ? reader.display(nearest.startLine, lim.maxLineChars).trimStart() : null;

  // --- candidate lines and the order in which they are dropped ------------
  // `pinned` lines are never dropped; every other candidate is listed in
  // `dropOrder` once per reason it is shown and disappears when its last
  // reason has been dropped.
  const pinned = new Set<number>([line]);
  const dropOrder: number[] = [];

  // 1. nearby lines, farthest first; at equal distance the line after goes first.
  const before = Math.min(lim.nearbyBefore, line);
  const after = Math.min(lim.nearbyAfter, lineCount - 1 - line);
  for (let d = Math.max(before, after); d >= 1; d--) {
    if (d <= after) dropOrder.push(line + d);
    if (d <= before) dropOrder.push(line - d);
  }
  // 2. imports, last first.
  const imports = findImports(reader, lim.scanLimit, lim.maxImportLines);
  for (let i = imports.length - 1; i >= 0; i--) dropOrder.push(imports[i]!);
  // 3. header extras: interior lines of multi-line signatures, then the outer
  //    headers (innermost of them first, outermost last). The nearest header's
  //    first and opening lines are pinned.
  const outerHeaders: number[] = [];
  headers.forEach((h, index) => {
    const interior: number[] = [];
    if (h.openerLine - h.startLine + 1 <= MAX_SIGNATURE_SPAN) {
      for (let l = h.startLine + 1; l < h.openerLine; l++) interior.push(l);
    }
    for (let k = interior.length - 1; k >= 0; k--) dropOrder.push(interior[k]!);
    if (index === 0) {
      pinned.add(h.startLine);
      pinned.add(h.openerLine);
    } else {
      outerHeaders.push(h.startLine);
      if (h.openerLine !== h.startLine) outerHeaders.push(h.openerLine);
    }
  });
  for (const l of outerHeaders) dropOrder.push(l);

  // --- render with budget --------------------------------------------------
  const reasons = new Map<number, number>();
  for (const l of dropOrder) reasons.set(l, (reasons.get(l) ?? 0) + 1);
  for (const l of pinned) reasons.set(l, Number.POSITIVE_INFINITY);

  const candidates = [...reasons.keys()].sort((a, b) => a - b);
  const texts = new Map<number, string>();
  for (const l of candidates) {
    texts.set(l, l === line ? lineText : reader.display(l, lim.maxLineChars));
  }

  const kept = shrinkToBudget(candidates, texts, reasons, dropOrder, lim.maxChars);
  const excerpt = render(kept, texts, line);
  return {
    line,
    symbol,
    lineText,
    enclosing,
    excerpt,
    bytes: Buffer.byteLength(excerpt, 'utf8'),
  };
}

// ---------------------------------------------------------------------------
// limits

function resolveLimits(limits: Partial<HoverContextLimits> | undefined): HoverContextLimits {
  const d = DEFAULT_HOVER_CONTEXT_LIMITS;
  const pick = (v: number | undefined, def: number, min: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.max(min, Math.floor(v)) : def);
  return {
    maxChars: pick(limits?.maxChars, d.maxChars, 0),
    nearbyBefore: pick(limits?.nearbyBefore, d.nearbyBefore, 0),
    nearbyAfter: pick(limits?.nearbyAfter, d.nearbyAfter, 0),
    maxImportLines: pick(limits?.maxImportLines, d.maxImportLines, 0),
    maxLineChars: pick(limits?.maxLineChars, d.maxLineChars, 8),
    scanLimit: pick(limits?.scanLimit, d.scanLimit, 0),
  };
}

// ---------------------------------------------------------------------------
// budget and rendering

const GAP_LINE = ELLIPSIS;

function numberWidth(lines: readonly number[]): number {
  const last = lines[lines.length - 1];
  return last === undefined ? 1 : String(last + 1).length;
}

/** Rendered length of one line (without its newline). */
function lineCost(text: string, width: number): number {
  return PLAIN_MARK.length + width + 1 + (text.length > 0 ? 1 + text.length : 0);
}

/**
 * Drop lines in `dropOrder` until the excerpt fits `maxChars` (pinned lines
 * have infinite reasons and are never dropped). The running size is kept
 * incrementally: a doubly linked list over the sorted candidates gives each
 * line's kept neighbours, so gap (`…`) lines are accounted exactly. The number
 * width is taken from all candidates, an upper bound of the final width.
 */
function shrinkToBudget(
  candidates: readonly number[],
  texts: ReadonlyMap<number, string>,
  reasons: Map<number, number>,
  dropOrder: readonly number[],
  maxChars: number,
): number[] {
  const n = candidates.length;
  const width = numberWidth(candidates);
  const index = new Map<number, number>();
  candidates.forEach((l, k) => index.set(l, k));
  const prev = candidates.map((_, k) => k - 1);
  const next = candidates.map((_, k) => (k + 1 < n ? k + 1 : -1));
  const alive = candidates.map(() => true);
  const gap = (a: number, b: number): number => (a < 0 || b < 0 ? 0 : candidates[b]! - candidates[a]! > 1 ? GAP_LINE.length + 1 : 0);

  // total = Σ (line + "\n") + Σ ("…" + "\n") − 1 (no newline after the last line)
  let total = -1;
  for (let k = 0; k < n; k++) {
    total += lineCost(texts.get(candidates[k]!) ?? '', width) + 1;
    if (k > 0) total += gap(k - 1, k);
  }
  for (const l of dropOrder) {
    if (total <= maxChars) break;
    const left = (reasons.get(l) ?? 0) - 1;
    reasons.set(l, left);
    if (left > 0) continue;
    const k = index.get(l);
    if (k === undefined || !alive[k]) continue;
    const p = prev[k]!;
    const q = next[k]!;
    total -= lineCost(texts.get(l) ?? '', width) + 1;
    total += gap(p, q) - gap(p, k) - gap(k, q);
    alive[k] = false;
    if (p >= 0) next[p] = q;
    if (q >= 0) prev[q] = p;
  }
  return candidates.filter((_, k) => alive[k]);
}

function render(kept: readonly number[], texts: ReadonlyMap<number, string>, hovered: number): string {
  const width = numberWidth(kept);
  const out: string[] = [];
  let last = -2;
  for (const l of kept) {
    if (last >= 0 && l - last > 1) out.push(GAP_LINE);
    const text = texts.get(l) ?? '';
    const num = String(l + 1).padStart(width, ' ');
    const mark = l === hovered ? HOVER_MARK : PLAIN_MARK;
    out.push(text.length > 0 ? `${mark}${num}| ${text}` : `${mark}${num}|`);
    last = l;
  }
  return out.join('\n');
}
