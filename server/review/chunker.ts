import type { TextDocument } from 'vscode-languageserver-textdocument';
import { findEnclosing, findImports } from '../text/structure';
import { LineReader, isSpace, splitLines } from '../text/lines';

/**
 * Splits a document into line-range chunks for review, with *content-defined*
 * boundaries.
 *
 * Why: every chunk is one model request, cached by its exact prompt text. If
 * boundaries were placed "every N tokens from the top", one inserted line would
 * shift every later boundary, change every later chunk's text and re-send the
 * rest of the file. Here boundaries are chosen from the content around them, so
 * an edit normally changes only the chunk it lands in.
 *
 * Token estimate (additive over lines, so a chunk's estimate is the sum of its
 * lines'): a line of L UTF-16 code units (EOL excluded) costs ceil(L / 4) + 1.
 *
 * Scheme
 *
 * 1. Line kinds, from the line and the line above it:
 *    - 4 "top-level start": indentation 0, preceded by a blank line, by a line
 *      that closes a block (`}` `)` `]` `end` `</` …) or by nothing (line 0);
 *    - 3 any other indentation-0 line;
 *    - 2 an indented line preceded by a blank or closing line;
 *    - 1 any other indented line;
 *    - 0 blank lines, closers (`}`, `end`, also `else`/`catch`/`except`…),
 *      comment continuations (`*`), and lines directly under a comment,
 *      decorator, attribute or preprocessor line (so that a doc comment or
 *      decorator stays with its declaration: the comment line is the start).
 *    Each line also has a 32-bit FNV-1a hash of its trimmed text (at most
 *    HASH_CHARS characters); short lines (< SHORT_LINE) and comment/decorator
 *    lines also hash the next line's trimmed text, so that the many `/**` or
 *    `@Injectable()` lines do not all decide alike.
 * 2. Anchors: kind-4 lines with `hash % K4 === 0` and kind-3 lines with
 *    `hash % (4 * K4) === 0`, where K4 = max(1, round((target - min) /
 *    TOP_LEVEL_SPACING)) = 12 by default. Whether a line is an anchor depends
 *    only on it and its two neighbours.
 * 3. Primary cuts (classic content-defined chunking): walking down from the
 *    previous cut `s`, cut before the first anchor `i` with tokens(s..i-1) >=
 *    minTokens and tokens(i..EOF) >= minTokens. No maximum at this stage, so a
 *    primary boundary never depends on anything but the anchors and the
 *    min-size skipping. When everything from `s` to the end fits in maxTokens it
 *    is the last chunk (so a document of at most maxTokens is one chunk).
 * 4. A line larger than maxTokens by itself is always a chunk of its own (the
 *    walk cuts before and after it), whatever the sizes around it.
 * 5. A primary segment larger than maxTokens is subdivided recursively, using
 *    only its own lines: cut before the best line `c` leaving at least M tokens
 *    on both sides, M = max(min, min(target, max) / 2) = 2000 by default;
 *    repeat on both halves until they fit. "Best" = indentation-0 kinds (4, 3),
 *    then indented kinds (2, 1), then kind 0; within a group the smaller
 *    indentation, then the higher kind, then the higher hash, then (identical
 *    lines) the one nearest the middle. The candidates are the lines more than
 *    M tokens away from the segment's ends, so an edit inside a segment moves a
 *    split only if it is within M tokens of that split's ends or makes the
 *    edited line itself the best one. If no line leaves M tokens on both sides
 *    (very large lines), the most balanced cut is taken.
 *
 * Guarantees: chunks cover every line exactly once, in order (blank lines and
 * the empty last line after a final EOL included); every chunk is at most
 * maxTokens unless it is a single line larger than that; every chunk is at
 * least minTokens except the only chunk of a small document and chunks next to
 * lines that do not fit (an oversized line, or a piece of a segment made of
 * lines too large to leave minTokens on both sides of a cut). The result is a
 * function of the text and options only. Cost: O(characters) to split and
 * hash, O(lines × log(segment / maxTokens)) to subdivide.
 *
 * Empty document: one chunk `{ start: 0, end: 1, lines: [''], tokens: 0 }`
 * (a TextDocument always has at least one line; the reviewer skips chunks
 * without non-blank lines).
 */

export interface ChunkOptions {
  /** Aim for chunks about this size (default 4000). */
  targetTokens: number;
  /** Never larger, except a single line that is larger by itself (default 6000). */
  maxTokens: number;
  /** Never cut before this much, except at the end of the file (default 1200). */
  minTokens: number;
  /**
   * Lines where a top-level construct starts, from a syntax tree (comments above it included).
   * With them, those lines are the top-level starts (kind 4) and no other line is: a chunk
   * never splits a function or class that fits, and the cut before one is where the grammar says.
   */
  syntaxStarts?: ReadonlySet<number>;
}

export interface Chunk {
  /** First line, 0-based. */
  start: number;
  /** One past the last line. */
  end: number;
  /** The chunk's lines, without line endings (CR removed). */
  lines: string[];
  /** Estimated tokens, `estimateTokens(lines.join('\n'))`. */
  tokens: number;
}

export interface ChunkContext {
  /** Import lines of the file above the chunk (trimmed at the end), in file order. */
  imports: string[];
  /** Enclosing block headers above the chunk (trimmed at the end), outermost first. */
  headers: string[];
}

/**
 * Every chunk repeats the instructions and the answer schema (about 1.9 KB): chunks of about
 * 4,000 tokens keep a review at about 1.25x the file's bytes, while a one-line edit still
 * re-sends one chunk (about 8% of a 3,000-line file).
 */
export const DEFAULT_CHUNK_OPTIONS: Readonly<ChunkOptions> = Object.freeze({
  targetTokens: 4000,
  maxTokens: 6000,
  minTokens: 1200,
});

/** Typical distance, in tokens, between top-level starts (measured on TS/JS sources: ~150–400). */
const TOP_LEVEL_SPACING = 230;
/** Kind-3 lines (indentation 0, not after a blank/closer) are this many times less likely to be anchors. */
const KIND3_FACTOR = 4;
/** Lines shorter than this (trimmed), and comment/decorator lines, also hash the next line's text. */
const SHORT_LINE = 16;
/** Characters of a (trimmed) line that feed the hash and the classification. */
const HASH_CHARS = 256;
/** Context lines longer than this are cut with an ellipsis. */
const CONTEXT_LINE_CHARS = 240;
/** How far up/down chunkContext scans for enclosing headers and imports. */
const CONTEXT_SCAN_LIMIT = 300;

// ---------------------------------------------------------------------------
// token estimate

function lineTokens(length: number): number {
  return Math.ceil(length / 4) + 1;
}

/**
 * Estimated tokens of `text`: for every line, ceil(characters / 4) + 1, EOLs
 * (`\n`, `\r\n`, `\r`) not counted as characters. The empty string is 0.
 * Additive over lines: the estimate of lines joined with `\n` is the sum of
 * the lines' estimates. One pass, no allocation.
 */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  let total = 0;
  let len = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      total += lineTokens(len);
      len = 0;
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    } else {
      len++;
    }
  }
  return total + lineTokens(len);
}

// ---------------------------------------------------------------------------
// options

function resolveOptions(options: Partial<ChunkOptions> | undefined): ChunkOptions {
  const d = DEFAULT_CHUNK_OPTIONS;
  const pick = (v: number | undefined, def: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.floor(v)) : def);
  const maxTokens = Math.max(1, pick(options?.maxTokens, d.maxTokens));
  const minTokens = Math.min(pick(options?.minTokens, d.minTokens), maxTokens);
  const targetTokens = Math.min(Math.max(pick(options?.targetTokens, d.targetTokens), minTokens), maxTokens);
  return options?.syntaxStarts ? { targetTokens, maxTokens, minTokens, syntaxStarts: options.syntaxStarts } : { targetTokens, maxTokens, minTokens };
}

// ---------------------------------------------------------------------------
// line classification

const CLOSER = /^(?:[})\]]|<\/|(?:end|fi|done|esac|endif|wend|else|elif|elsif|except|finally|catch|rescue|ensure)\b)/;
/** Lines that belong to the line below them: comments, decorators, attributes, preprocessor lines. */
const ATTACHED = /^(?:\/\/|\/\*|\*|#|--|;|@|<!--|\[)/;

interface LineInfo {
  blank: boolean;
  indent: number;
  /** Trimmed head (at most HASH_CHARS characters), '' for blank lines. */
  head: string;
}

function describeLine(line: string): LineInfo {
  let i = 0;
  let indent = 0;
  while (i < line.length && isSpace(line.charCodeAt(i))) {
    indent = line.charCodeAt(i) === 9 ? indent + 4 - (indent % 4) : indent + 1;
    i++;
  }
  if (i >= line.length) return { blank: true, indent: 0, head: '' };
  return { blank: false, indent, head: line.slice(i, i + HASH_CHARS).trimEnd() };
}

function fnv1a(text: string, h: number): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const FNV_OFFSET = 0x811c9dc5;

function kindOf(cur: LineInfo, prev: LineInfo | undefined): number {
  if (cur.blank || CLOSER.test(cur.head) || cur.head.startsWith('*')) return 0;
  const afterBoundary = prev === undefined || prev.blank || CLOSER.test(prev.head);
  if (!afterBoundary && ATTACHED.test(prev.head)) return 0;
  if (cur.indent === 0) return afterBoundary ? 4 : 3;
  return afterBoundary ? 2 : 1;
}

/** kindOf with the grammar's top-level starts: only they are kind 4; other lines inside a construct rank below them. */
function syntaxKind(starts: ReadonlySet<number>, i: number, cur: LineInfo, prev: LineInfo | undefined): number {
  if (cur.blank) return 0;
  if (starts.has(i)) return 4;
  return Math.min(kindOf(cur, prev), cur.indent === 0 ? 1 : 2);
}

/** Ranking class for subdivision cuts (higher is better); the hash breaks ties. */
function rankClass(kind: number, indent: number): number {
  const group = kind >= 3 ? 2 : kind >= 1 ? 1 : 0;
  return group * 8 * 1024 + (1023 - Math.min(indent, 1023)) * 8 + kind;
}

// ---------------------------------------------------------------------------
// chunking

/**
 * Split `doc` into content-defined chunks (see the module comment for the
 * scheme). Deterministic: the same text and options always give the same chunks.
 */
export function chunkDocument(doc: TextDocument, options?: Partial<ChunkOptions>): Chunk[] {
  const opt = resolveOptions(options);
  const text = doc.getText();
  if (text.length === 0) return [{ start: 0, end: 1, lines: [''], tokens: 0 }];
  const lines = splitLines(text);
  const n = lines.length;

  // prefix[i] = tokens of lines 0..i-1
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + lineTokens(lines[i]!.length);
  const total = prefix[n]!;
  const tok = (from: number, to: number): number => prefix[to]! - prefix[from]!;

  const chunks: Chunk[] = [];
  const push = (start: number, end: number): void => {
    chunks.push({ start, end, lines: lines.slice(start, end), tokens: tok(start, end) });
  };
  if (total <= opt.maxTokens) {
    push(0, n);
    return chunks;
  }

  // Per-line classification: rank (kind, indentation), hash, anchor.
  const k4 = Math.max(1, Math.round((opt.targetTokens - opt.minTokens) / TOP_LEVEL_SPACING));
  const k3 = k4 * KIND3_FACTOR;
  const infos = lines.map(describeLine);
  const rank = new Int32Array(n);
  const hash = new Uint32Array(n);
  const anchor = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const cur = infos[i]!;
    const kind = opt.syntaxStarts ? syntaxKind(opt.syntaxStarts, i, cur, infos[i - 1]) : kindOf(cur, infos[i - 1]);
    let h = fnv1a(cur.head, FNV_OFFSET);
    if (cur.head.length < SHORT_LINE || ATTACHED.test(cur.head)) h = fnv1a(infos[i + 1]?.head ?? '', fnv1a('\n', h));
    rank[i] = rankClass(kind, cur.indent);
    hash[i] = h;
    anchor[i] = (kind === 4 && h % k4 === 0) || (kind === 3 && h % k3 === 0) ? 1 : 0;
  }

  // Split [a, b) (more than maxTokens, no oversized line inside) at its best
  // line, recursively, until every piece fits.
  const margin = Math.max(opt.minTokens, Math.floor(Math.min(opt.targetTokens, opt.maxTokens) / 2));
  const subdivide = (a: number, b: number): void => {
    const stack: Array<[number, number]> = [[a, b]];
    const pieces: Array<[number, number]> = [];
    while (stack.length > 0) {
      const [from, to] = stack.pop()!;
      const total = tok(from, to);
      if (total <= opt.maxTokens || to - from <= 1) {
        pieces.push([from, to]);
        continue;
      }
      const half = total / 2;
      let best = -1;
      for (let c = from + 1; c < to; c++) {
        const x = tok(from, c);
        if (x < margin) continue;
        if (total - x < margin) break;
        if (
          best < 0 ||
          rank[c]! > rank[best]! ||
          (rank[c] === rank[best] && (hash[c]! > hash[best]! || (hash[c] === hash[best] && Math.abs(x - half) < Math.abs(tok(from, best) - half))))
        ) {
          best = c;
        }
      }
      if (best < 0) {
        // No line leaves `margin` on both sides (large lines): the most balanced cut.
        for (let c = from + 1; c < to; c++) {
          const x = tok(from, c);
          if (best < 0 || Math.max(x, total - x) < Math.max(tok(from, best), total - tok(from, best))) best = c;
        }
      }
      stack.push([best, to], [from, best]);
    }
    for (const [from, to] of pieces) push(from, to);
  };

  // Primary cuts: before the first anchor past minTokens (with minTokens left
  // after it); oversized lines are chunks of their own.
  let s = 0;
  while (s < n) {
    if (tok(s, n) <= opt.maxTokens) {
      push(s, n);
      break;
    }
    let cut = n;
    for (let i = s; i < n; i++) {
      if (tok(i, i + 1) > opt.maxTokens) {
        cut = i > s ? i : i + 1;
        break;
      }
      if (i > s && anchor[i] && tok(s, i) >= opt.minTokens && tok(i, n) >= opt.minTokens) {
        cut = i;
        break;
      }
    }
    if (tok(s, cut) > opt.maxTokens && cut - s > 1) subdivide(s, cut);
    else push(s, cut);
    s = cut;
  }
  return chunks;
}

// ---------------------------------------------------------------------------
// context

/**
 * What the model sees above a chunk (not under review): the file's import
 * lines above the chunk start (those inside the chunk are omitted, as are any
 * below it), and the header lines of the blocks enclosing the chunk's first
 * non-blank line that start above the chunk, outermost first (at most
 * `maxHeaderLines`: the outermost plus the innermost others). Both depend only
 * on the import block (first 300 lines) and on the lines between the enclosing
 * headers and the chunk start (at most 300 lines up), so edits elsewhere leave
 * them unchanged. Lines are trimmed at the end and cut to 240 characters.
 */
export function chunkContext(doc: TextDocument, chunk: Chunk, limits?: { maxImportLines?: number; maxHeaderLines?: number }): ChunkContext {
  const limit = (v: number | undefined, def: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.floor(v)) : def);
  const maxImportLines = limit(limits?.maxImportLines, 25);
  const maxHeaderLines = limit(limits?.maxHeaderLines, 4);
  const reader = new LineReader(doc);
  const start = Math.max(0, Math.min(chunk.start, reader.lineCount));
  const end = Math.max(start, Math.min(chunk.end, reader.lineCount));

  const imports = findImports(reader, CONTEXT_SCAN_LIMIT, maxImportLines)
    .filter((l) => l < start)
    .map((l) => reader.display(l, CONTEXT_LINE_CHARS));

  const headers: string[] = [];
  let first = start;
  while (first < end && reader.isBlank(first)) first++;
  if (first < end && maxHeaderLines > 0) {
    const above = findEnclosing(reader, first, CONTEXT_SCAN_LIMIT)
      .filter((h) => h.startLine < start)
      .map((h) => h.startLine)
      .reverse(); // outermost first
    const kept = above.length <= maxHeaderLines ? above : [above[0]!, ...above.slice(above.length - (maxHeaderLines - 1))].slice(0, maxHeaderLines);
    for (const l of kept) headers.push(reader.display(l, CONTEXT_LINE_CHARS));
  }
  return { imports, headers };
}
