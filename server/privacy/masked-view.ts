import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Privacy } from './privacy';
import { splitLinesKeepingBreaks } from '../text/lines';

/** Lines around the focus (and at the top, for imports) that a windowed view keeps: a code action's target (300) and its context (30) fit. */
const WINDOW_LINES = 340;
/** Lines masked together and cached per document version. */
const CHUNK_LINES = 256;
/**
 * Lines of context masked with a chunk on each side, so a construct that spans a chunk
 * boundary (a private key, an XML element, a Secret's `data:`) is seen whole.
 */
const CONTEXT_LINES = 128;
/** Characters of a very long line kept around the focus (or from its start); the rest become spaces. */
const LONG_LINE_KEEP = 8 * 1024;

/** A chunk's masked text and where each of its lines starts (one string per chunk: lean in memory). */
interface Chunk {
  text: string;
  starts: Int32Array;
}

interface Masks {
  version: number;
  chunks: Map<number, Chunk>;
  whole?: TextDocument;
}

/** A document that fits the window and is at most this big is masked whole, once: one view for every request. */
const SMALL_TEXT = 512 * 1024;

const cache = new WeakMap<TextDocument, Masks>();

/**
 * The document as the model may see it: secrets masked with `*` before any line is cut,
 * numbered or chosen (so a cut or a line-number gutter cannot hide a secret from the
 * detectors), with every line and column where it was, so positions and ranges computed on
 * the view are valid on the document.
 *
 * With a focus (hover, code actions) only the lines a prompt can use are masked (the top for
 * imports, the lines above the focus where its enclosing blocks start, `linesAfter` below
 * it); the other lines are empty. Masked lines are kept per
 * document version in chunks, so the cost follows what is sent, not the size of the file.
 * Without a focus (review, which sends the whole file), or for a small file that fits the window
 * anyway, the whole text is masked once per version and that one view serves every request.
 */
export function maskedView(
  doc: TextDocument,
  privacy: Privacy,
  what: string,
  focus?: { line: number; character: number },
  linesAfter = WINDOW_LINES,
): TextDocument {
  let masks = cache.get(doc);
  if (!masks || masks.version !== doc.version) {
    masks = { version: doc.version, chunks: new Map() };
    cache.set(doc, masks);
  }
  const n = doc.lineCount;
  const f = Math.max(0, Math.min(n - 1, focus?.line ?? 0));
  const segments = merge([
    [0, Math.min(n, WINDOW_LINES)],
    [Math.max(0, f - WINDOW_LINES), Math.min(n, f + linesAfter + 1)],
  ]);
  const first = segments[0];
  const fits = segments.length === 1 && first !== undefined && first[0] === 0 && first[1] === n && doc.getText().length <= SMALL_TEXT;
  // Review (no focus) sends the whole file; a small file is masked whole once, whatever the focus.
  if (!focus || fits) {
    masks.whole ??= TextDocument.create(doc.uri, doc.languageId, doc.version, privacy.mask(doc.getText(), what));
    return masks.whole;
  }
  const out: string[] = [];
  let next = 0; // first line not yet written
  for (const [from, to] of segments) {
    if (from > next) out.push('\n'.repeat(from - next)); // empty lines keep the numbering
    for (let line = from; line < to; line++) {
      out.push(line === f ? focusLine(doc, privacy, what, masks, f, focus.character) : maskedLine(doc, privacy, what, masks, line));
    }
    next = to;
  }
  if (next < n) out.push('\n'.repeat(n - next - 1));
  return TextDocument.create(doc.uri, doc.languageId, doc.version, out.join(''));
}

function merge(ranges: Array<[number, number]>): Array<[number, number]> {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else if (r[1] > r[0]) out.push([r[0], r[1]]);
  }
  return out;
}

/** Line `line` masked, with its line break, from its chunk (masked once per version). */
function maskedLine(doc: TextDocument, privacy: Privacy, what: string, masks: Masks, line: number): string {
  const k = Math.floor(line / CHUNK_LINES);
  let chunk = masks.chunks.get(k);
  if (!chunk) {
    chunk = maskChunk(doc, privacy, what, k);
    masks.chunks.set(k, chunk);
  }
  const i = line - k * CHUNK_LINES;
  return i + 1 < chunk.starts.length ? chunk.text.slice(chunk.starts[i], chunk.starts[i + 1]) : '';
}

function maskChunk(doc: TextDocument, privacy: Privacy, what: string, k: number): Chunk {
  const first = k * CHUNK_LINES;
  const last = Math.min(doc.lineCount, first + CHUNK_LINES);
  const from = Math.max(0, first - CONTEXT_LINES);
  const to = Math.min(doc.lineCount, last + CONTEXT_LINES);
  const lines = splitLinesKeepingBreaks(doc.getText({ start: { line: from, character: 0 }, end: { line: to, character: 0 } }));
  // `end` at line `to` == lineCount clamps to the end of the text: the last line comes too.
  const masked = splitLinesKeepingBreaks(privacy.mask(lines.map(cutLongLine).join(''), what)).slice(first - from, last - from);
  const starts = new Int32Array(masked.length + 1);
  masked.forEach((l, i) => (starts[i + 1] = (starts[i] ?? 0) + l.length));
  return { text: masked.join(''), starts };
}

/** The focus line: when very long, masked around the focus column instead of from its start. */
function focusLine(doc: TextDocument, privacy: Privacy, what: string, masks: Masks, line: number, character: number): string {
  const text = splitLinesKeepingBreaks(doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }))[0] ?? '';
  const body = text.replace(/\r?\n$|\r$/, '');
  if (body.length <= LONG_LINE_KEEP * 2) return maskedLine(doc, privacy, what, masks, line);
  const from = Math.max(0, character - LONG_LINE_KEEP);
  const to = Math.min(body.length, character + LONG_LINE_KEEP);
  // Same length, so the focus column stays valid; the far parts are never shown anyway.
  return ' '.repeat(from) + privacy.mask(body.slice(from, to), what) + ' '.repeat(body.length - to) + text.slice(body.length);
}

/** A line longer than any prompt shows keeps its start; the rest become spaces (same length). */
function cutLongLine(line: string): string {
  const body = line.replace(/\r?\n$|\r$/, '');
  if (body.length <= LONG_LINE_KEEP * 2) return line;
  return body.slice(0, LONG_LINE_KEEP) + ' '.repeat(body.length - LONG_LINE_KEEP) + line.slice(body.length);
}
