import type { TextDocument } from 'vscode-languageserver-textdocument';
import { findEnclosing, findImports } from '../text/hover-context';
import { LineReader, isSpace } from '../text/lines';

/**
 * Splits a document into line-range chunks for review, with *content-defined*
 * boundaries.
 *
 * Why: every chunk is one model request, cached by its exact prompt text. If
 * boundaries were placed "every N tokens from the top", one inserted line would
 * shift every later boundary, change every later chunk's text and re-send the
 * rest of the file. Here a boundary is decided by the content around it (plus
 * the distance from the previous boundary), so an edit only disturbs the chunk
 * it lands in; later chunks re-synchronise at the next boundary that is chosen
 * again (usually the very next one).
 *
 * Token estimate (additive per line, so a chunk's estimate is the sum of its
 * lines'): a line of L UTF-16 code units (EOL excluded) costs ceil(L / 4) + 1.
 *
 * Scheme (a two-level "TTTD"-style content-defined chunking over lines):
 *
 * 1. Every line gets a *kind* from its own text and the previous line:
 *    - 4 "top-level start": indentation 0, not a closer (`}` `)` `]` `end` `</`
 *      …, `else`/`catch`/`except`… continuations), not a comment continuation
 *      (`*`), preceded by a blank line or a closing line (or the file start).
 *      A doc comment or decorator above a declaration is such a start, the
 *      declaration itself (directly under the comment/decorator) is not.
 *    - 3 other indentation-0 line of the same sort (not directly under a comment
 *      or decorator line);
 *    - 2 indented start (indentation > 0, preceded by a blank or closing line);
 *    - 1 other indented line of the same sort;
 *    - 0 anything else (blank lines, closers, comment continuations, lines
 *      directly under a comment/decorator).
 *    and a 32-bit FNV-1a *hash* of its trimmed text and the next line's trimmed
 *    text (at most HASH_CHARS of each). The next line is included so that
 *    repeated starts (`/**`, `@Injectable()`) do not all decide alike.
 * 2. Walking down from the chunk start `s`, with acc(i) = tokens of lines
 *    s..i-1 and rest(i) = tokens of lines i..EOF, cut before the first line i
 *    with acc(i) >= minTokens and rest(i) >= minTokens whose kind is 4 and
 *    `hash % K4 === 0`, or whose kind is 3 and `hash % K3 === 0`. This depends
 *    only on that line (and its neighbours) and the min-size condition.
 *      K4 = max(1, round((target - min) / TOP_LEVEL_SPACING))   (5 by default)
 *      K3 = 4 * K4                                              (20 by default)
 *    so that, in code with a top-level start every ~TOP_LEVEL_SPACING tokens,
 *    the expected distance past minTokens is about target - min.
 * 3. If the next line would push the chunk over maxTokens, cut instead before
 *    the best line seen with acc >= min and rest >= min (the line that does not
 *    fit included), ranked by: indentation-0 kinds, then indented kinds, then
 *    kind 0; then smaller indentation; then the higher kind; then the higher
 *    hash (ties: the later line). The ranking is content-defined too, so the
 *    choice only moves when the edit pushes a better line into or out of the
 *    [min, max] window. With no such line, cut before the line that does not fit.
 * 4. A line larger than maxTokens by itself is always a chunk of its own (the
 *    chunk before it may then be smaller than minTokens).
 * 5. When the rest of the document (from the chunk start) fits in maxTokens it
 *    becomes the last chunk; in particular a document whose estimate is
 *    <= maxTokens is a single chunk.
 *
 * Guarantees: chunks cover every line exactly once, in order (blank lines and
 * the empty last line after a final EOL included). Every chunk is <= maxTokens
 * unless it is a single oversized line. Every chunk is >= minTokens except the
 * only chunk of a small document, a chunk right before an oversized line or a
 * line that does not fit after less than minTokens, and (rarely, when no cut
 * point qualifies near the end) the last chunk. Cost: O(document length); the
 * hash and the classification read at most HASH_CHARS characters per line.
 *
 * Empty document: one chunk `{ start: 0, end: 1, lines: [''], tokens: 0 }`
 * (a TextDocument always has at least one line; the reviewer skips chunks
 * without non-blank lines).
 */

export interface ChunkOptions {
  /** Aim for chunks about this size (default 2000). */
  targetTokens: number;
  /** Never larger, except a single line that is larger by itself (default 3000). */
  maxTokens: number;
  /** Never cut before this much, except at the end of the file (default 600). */
  minTokens: number;
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

export const DEFAULT_CHUNK_OPTIONS: Readonly<ChunkOptions> = Object.freeze({
  targetTokens: 2000,
  maxTokens: 3000,
  minTokens: 600,
});

/** Assumed typical distance, in tokens, between top-level starts (measured on TS/JS sources). */
export const TOP_LEVEL_SPACING = 280;
/** Kind-3 lines (indentation 0, not after a blank/closer) are this many times less likely to cut. */
export const KIND3_FACTOR = 4;
/** Lines shorter than this (trimmed), and comment/decorator lines, also hash the next line's text. */
const SHORT_LINE = 16;
/** A segment longer than maxTokens is split at its best line within the middle (1 - 2 × this) of its tokens. */
const SPLIT_MARGIN = 0.25;
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
  const pick = (v: number | undefined, def: number): number =>
    typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.floor(v)) : def;
  const maxTokens = Math.max(1, pick(options?.maxTokens, d.maxTokens));
  const minTokens = Math.min(pick(options?.minTokens, d.minTokens), maxTokens);
  const targetTokens = Math.min(Math.max(pick(options?.targetTokens, d.targetTokens), minTokens), maxTokens);
  return { targetTokens, maxTokens, minTokens };
}

// ---------------------------------------------------------------------------
// line classification

const CLOSER = /^(?:[}\)\]]|<\/|(?:end|fi|done|esac|endif|wend|else|elif|elsif|except|finally|catch|rescue|ensure)\b)/;
/** Lines that belong to the line below them: comments, decorators, attributes, preprocessor lines. */
const ATTACHED = /^(?:\/\/|\/\*|\*|#|--|;|@|<!--|\[)/;

interface LineInfo {
  blank: boolean;
  indent: number;
  /** Trimmed head (at most HASH_CHARS characters), '' for blank lines. */
  head: string;
}

function describe(line: string): LineInfo {
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

/** Ranking class for forced cuts (higher is better); the hash breaks ties. */
function rankClass(kind: number, indent: number): number {
  const group = kind >= 3 ? 2 : kind >= 1 ? 1 : 0;
  return group * 8 * 1024 + (1023 - Math.min(indent, 1023)) * 8 + kind;
}

// ---------------------------------------------------------------------------
// chunking

/** Lines of `text` as TextDocument counts them (`\n`, `\r\n` and `\r` end a line). */
function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

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
  const infos = lines.map(describe);
  const rank = new Int32Array(n);
  const hash = new Uint32Array(n);
  const anchor = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const cur = infos[i]!;
    const kind = kindOf(cur, infos[i - 1]);
    let h = fnv1a(cur.head, FNV_OFFSET);
    if (cur.head.length < SHORT_LINE || ATTACHED.test(cur.head)) h = fnv1a(infos[i + 1]?.head ?? '', fnv1a('\n', h));
    rank[i] = rankClass(kind, cur.indent);
    hash[i] = h;
    anchor[i] = (kind === 4 && h % k4 === 0) || (kind === 3 && h % k3 === 0) ? 1 : 0;
    if (process.env.CHUNK_DEBUG2 && kind >= 3) console.log("k", i, kind, h % k4, anchor[i], JSON.stringify(cur.head.slice(0, 40)));
  }

  // Split [a, b) (more than maxTokens, no oversized line inside) at its best
  // line, recursively, until every piece fits.
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
      const margin = Math.max(opt.minTokens, Math.floor(total * SPLIT_MARGIN));
      const half = total / 2;
      let best = -1;
      for (let c = from + 1; c < to; c++) {
        const x = tok(from, c);
        if (x < margin) continue;
        if (total - x < margin) break;
        if (
          best < 0 ||
          rank[c]! > rank[best]! ||
          (rank[c] === rank[best] &&
            (hash[c]! > hash[best]! ||
              (hash[c] === hash[best] && Math.abs(x - half) < Math.abs(tok(from, best) - half))))
        ) {
          best = c;
        }
      }
      if (best < 0) {
        // No line leaves minTokens on both sides (large lines): the most balanced cut.
        for (let c = from + 1; c < to; c++) {
          const x = tok(from, c);
          if (best < 0 || Math.max(x, total - x) < Math.max(tok(from, best), total - tok(from, best))) best = c;
        }
      }
      if (process.env.CHUNK_DEBUG) console.log("split", from, to, total, margin, "->", best, tok(from, best), rank[best], hash[best]);
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
export function chunkContext(
  doc: TextDocument,
  chunk: Chunk,
  limits?: { maxImportLines?: number; maxHeaderLines?: number },
): ChunkContext {
  const limit = (v: number | undefined, def: number): number =>
    typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.floor(v)) : def;
  const maxImportLines = limit(limits?.maxImportLines, 25);
  const maxHeaderLines = limit(limits?.maxHeaderLines, 4);
  const reader = new LineReader(doc);
  const start = Math.max(0, Math.min(chunk.start, reader.lineCount));
  const end = Math.max(start, Math.min(chunk.end, reader.lineCount));

  const imports = findImports(reader, CONTEXT_SCAN_LIMIT, maxImportLines)
    .filter(l => l < start)
    .map(l => reader.display(l, CONTEXT_LINE_CHARS));

  const headers: string[] = [];
  let first = start;
  while (first < end && reader.isBlank(first)) first++;
  if (first < end && maxHeaderLines > 0) {
    const above = findEnclosing(reader, first, CONTEXT_SCAN_LIMIT)
      .filter(h => h.startLine < start)
      .map(h => h.startLine)
      .reverse(); // outermost first
    const kept = above.length <= maxHeaderLines
      ? above
      : [above[0]!, ...above.slice(above.length - (maxHeaderLines - 1))].slice(0, maxHeaderLines);
    for (const l of kept) headers.push(reader.display(l, CONTEXT_LINE_CHARS));
  }
  return { imports, headers };
}
