import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position } from 'vscode-languageserver';
import { ELLIPSIS, LineReader, isHighSurrogate, isLowSurrogate } from './lines';

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

export const DEFAULT_HOVER_CONTEXT_LIMITS: Readonly<HoverContextLimits> = Object.freeze({
  maxChars: 6000,
  nearbyBefore: 12,
  nearbyAfter: 12,
  maxImportLines: 25,
  maxLineChars: 240,
  scanLimit: 300,
});

/** Marker column of the hovered line / of every other line. */
export const HOVER_MARK = '→ ';
const PLAIN_MARK = '  ';

/** How many characters of a line we look at to classify it (import, opener, comment…). */
const CLASSIFY_CHARS = 200;
/** Upper bound of the symbol scan around the cursor, each direction. */
const MAX_SYMBOL_CHARS = 256;
/** Header lists: nearest opener plus at most this many more (definition-like ancestors). */
const MAX_HEADERS = 4;
/** A multi-line signature is shown completely if it spans at most this many lines. */
const MAX_SIGNATURE_SPAN = 8;
/** How far up we walk from `): T {` / a lone `{` to the signature's first line. */
const MAX_SIGNATURE_WALK = 30;

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
  const pick = (v: number | undefined, def: number, min: number): number =>
    typeof v === 'number' && Number.isFinite(v) ? Math.max(min, Math.floor(v)) : def;
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
// hovered line

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const WORDS = /[\p{L}\p{N}_$]+/gu;
/** Lines made of just one of these words (plus punctuation) have nothing to explain. */
const CLOSING_WORDS = new Set([
  'end', 'fi', 'done', 'esac', 'endif', 'endfor', 'endforeach', 'endwhile', 'endswitch',
  'endfunction', 'endsub', 'endclass', 'endmodule', 'endcase', 'endselect', 'wend',
]);

function isTrivialLine(reader: LineReader, line: number): boolean {
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

function hoveredLineText(reader: LineReader, line: number, character: number, max: number): string {
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

function symbolAt(text: string, lineStart: number, lineEnd: number, offset: number): string | null {
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

// ---------------------------------------------------------------------------
// imports

interface ImportRule {
  start: RegExp;
  /** When the start line also matches `opens`, following lines belong to it until `close` matches. */
  opens?: RegExp;
  close?: RegExp;
}

const IMPORT_RULES: readonly ImportRule[] = [
  // Go `import (` … `)` blocks
  { start: /^import\s*\($/, opens: /^import\s*\($/, close: /^\)/ },
  // JS/TS/Python/Java/Kotlin/Scala/Swift/Haskell/Go/C++20 `import …` (not a dynamic `import(`)
  { start: /^import(?!\s*\()\b/, opens: /^import\b[^'"]*\{[^}]*$/, close: /\}/ },
  // JS/TS re-exports `export … from '…'`, possibly `export {` spanning lines
  { start: /^export\b.*\bfrom\s*['"]/ },
  { start: /^export\s+(?:type\s+)?\{[^}]*$/, opens: /^export/, close: /\}/ },
  // Python `from x import …`, possibly `(` spanning lines
  { start: /^from\s+\S+\s+import\b/, opens: /\(\s*[^)]*$/, close: /\)/ },
  // JS/Ruby/Lua require: `const x = require('x')`, `require 'x'`, `local x = require "x"`
  { start: /^(?:(?:const|let|var|local)\s+[^=]+=\s*)?require(?:_relative)?\b\s*[('"\s]/ },
  // Rust `use`, `pub use`, `extern crate`, `mod x;` (also PHP/Perl `use`)
  { start: /^(?:pub(?:\([^)]*\))?\s+)?use\s/, opens: /\{[^}]*$/, close: /;\s*$/ },
  { start: /^extern\s+crate\b/ },
  { start: /^(?:pub(?:\([^)]*\))?\s+)?mod\s+[\w$]+\s*;/ },
  // C/C++/Objective-C `#include`, `#import`
  { start: /^#\s*(?:include|import)\b/ },
  // Java/Kotlin/Scala/Go `package`
  { start: /^package\s+[\w$.]+\s*;?\s*$/ },
  // C# `using X;`, `using static X;`, `using A = B;`, `global using X;`
  { start: /^(?:global\s+)?using\s+(?:static\s+)?[\w$.]+\s*(?:=\s*[^;]+)?;/ },
  // CSS / Objective-C `@import`
  { start: /^@import\b/ },
];

/**
 * Import-like lines among the first `scanLimit` lines, in file order, at most
 * `maxLines`. Only lines starting in column 0 start an import (so nested
 * Python `import` inside functions or `using (…)` statements are not taken);
 * continuation lines of a multi-line import are taken whatever their indent.
 * A shebang on the first line is skipped.
 */
export function findImports(reader: LineReader, scanLimit: number, maxLines: number): number[] {
  const out: number[] = [];
  if (maxLines <= 0) return out;
  const stop = Math.min(scanLimit, reader.lineCount);
  let close: RegExp | null = null;
  for (let i = 0; i < stop && out.length < maxLines; i++) {
    if (reader.isBlank(i)) continue;
    const head = reader.head(i, CLASSIFY_CHARS);
    if (close !== null) {
      out.push(i);
      if (close.test(head)) close = null;
      continue;
    }
    if (reader.firstNonSpace(i) !== reader.bounds(i).start) continue; // indented
    if (i === 0 && head.startsWith('#!')) continue;
    for (const rule of IMPORT_RULES) {
      if (!rule.start.test(head)) continue;
      out.push(i);
      // By construction of the rules, a line matching `opens` does not close itself.
      if (rule.opens && rule.close && rule.opens.test(head)) close = rule.close;
      break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// enclosing headers

export interface Header {
  /** First line of the header (the signature's first line). */
  startLine: number;
  /** The line that opens the block (`{`, `:`, `): T {` …); equals startLine for one-line headers. */
  openerLine: number;
  definition: boolean;
}

const COMMENT_START = /^(?:\/\/|\/\*|\*|#(?!\[)|--|;;|%|'|<!--|"""|''')/;
const TRAILING_COMMENT = /\s(?:\/\/|#)\s.*$/;
const OPENER_END = /(?:[{(\[:]|=>|->|\bdo(?:\s*\|[^|]*\|)?|\bthen|\bbegin|\bwhere)$/;
const DEFINITION_START =
  /^(?:@[\w$.]+(?:\([^)]*\))?\s+)*(?:def|function\*?|fn|func|fun|class|struct|impl|interface|enum|module|namespace|trait|object|record|union|async|export|public|private|protected|internal|static|abstract|final|sealed|override|pub|sub|procedure|defmodule|defp?|defn|macro_rules!|local\s+function|data|newtype)\b/;
const CONTROL_START =
  /^(?:\}\s*)?(?:if|else|elif|elsif|for|foreach|while|until|unless|do|switch|case|default|when|match|try|catch|except|finally|with|return|loop|select|begin|rescue|ensure)\b/;
/** First line of a C-like signature: `void Foo(int a)`, `static std::string bar(` */
const SIGNATURE_LIKE = /^[\p{L}_$][\p{L}\p{N}_$.<>,\s*&:\[\]]*\(/u;
/** `name(args) {`, `name<T>(args): R {` */
const METHOD_LIKE = /^[\p{L}_$][\p{L}\p{N}_$.]*\s*(?:<[^>]*>)?\s*\([^)]*\)\s*(?::[^{]*)?\{$/u;

function classify(reader: LineReader, line: number): { opener: boolean; definition: boolean; head: string } {
  const head = reader.head(line, CLASSIFY_CHARS);
  let tail = reader.tail(line, 120);
  const stripped = tail.replace(TRAILING_COMMENT, '').trimEnd();
  if (stripped.length > 0) tail = stripped;
  const control = CONTROL_START.test(head);
  const startsDef = !control && DEFINITION_START.test(head);
  const opener = OPENER_END.test(tail) || startsDef;
  const definition =
    opener &&
    !control &&
    (startsDef || /=>\s*\{?$/.test(tail) || /\bfunction\b/.test(head) || METHOD_LIKE.test(head));
  return { opener, definition, head };
}

/**
 * Scan up from the hovered line (at most `scanLimit` lines) for the chain of
 * enclosing block openers, nearest first. A line belongs to the chain when its
 * indentation is strictly smaller than the current threshold (initially the
 * hovered line's indentation) and it looks like a block opener; every
 * non-blank, non-comment line with smaller indentation lowers the threshold
 * (an opener must be less indented than anything between it and us), so the
 * scan stops early at top-level code. Returned: the nearest opener plus the
 * definition-like ancestors (function/class/method headers), at most
 * MAX_HEADERS, always including the outermost definition.
 */
export function findEnclosing(reader: LineReader, line: number, scanLimit: number): Header[] {
  let threshold = reader.indent(line);
  const chain: Header[] = [];
  const floor = Math.max(0, line - scanLimit);
  for (let i = line - 1; i >= floor && threshold > 0; i--) {
    if (reader.isBlank(i)) continue;
    const ind = reader.indent(i);
    if (ind >= threshold) continue;
    const { opener, definition, head } = classify(reader, i);
    if (COMMENT_START.test(head)) continue; // comments and preprocessor lines neither open nor close
    threshold = ind;
    if (!opener) continue;
    const openerLine = i;
    let startLine = i;
    let isDef = definition;
    if (/^[)\]]/.test(head) || head === '{') {
      // `): void {` or an Allman `{`: walk up to the signature's first line.
      const limit = Math.max(floor, i - MAX_SIGNATURE_WALK);
      for (let j = i - 1; j >= limit; j--) {
        if (reader.isBlank(j) || reader.indent(j) > ind) continue;
        const h = reader.head(j, CLASSIFY_CHARS);
        if (/^[)\]]/.test(h) || COMMENT_START.test(h)) continue;
        startLine = j;
        isDef = !CONTROL_START.test(h) && (classify(reader, j).definition || DEFINITION_START.test(h) || SIGNATURE_LIKE.test(h));
        break;
      }
      i = startLine; // continue the scan above the signature
    }
    chain.push({ startLine, openerLine, definition: isDef });
  }
  if (chain.length === 0) return chain;
  const selected = [chain[0]!, ...chain.slice(1).filter(h => h.definition)];
  if (selected.length <= MAX_HEADERS) return selected;
  return [...selected.slice(0, MAX_HEADERS - 1), selected[selected.length - 1]!];
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
  const gap = (a: number, b: number): number =>
    a < 0 || b < 0 ? 0 : candidates[b]! - candidates[a]! > 1 ? GAP_LINE.length + 1 : 0;

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
