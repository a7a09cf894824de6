import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Range } from 'vscode-languageserver';
import { LineReader } from '../text/lines';
import { findEnclosing, type Header } from '../text/structure';

/**
 * The region of a document an AI code action is about, in whole lines.
 *
 * - A non-empty selection: its lines (a selection ending at character 0 of a line does not
 *   include that line). kind 'selection'. Not limited by `maxLines`.
 * - A cursor: the enclosing block. If the cursor line itself opens a block (`function
 *   foo() {`, `if (x) {`, the first or last line of a multi-line signature), that block;
 *   otherwise the nearest enclosing definition (function, method, class) found by
 *   `findEnclosing`, else the nearest enclosing header. On a closing line (`}`) the block
 *   is looked for from the line above it when that one is indented deeper (so the `}` of
 *   a function gives the function). kind 'block'.
 * - A block longer than `maxLines`, no header, or a block that would not contain the
 *   cursor line: the cursor line alone, kind 'line'. A blank cursor line is first moved to
 *   the nearest non-blank line below (within `maxLines` lines), else above.
 *
 * Where a block ends: scanning down from the line after the header's opener, the first
 * non-blank line indented no deeper than the header's first line. It is included when it
 * is a closing line (`}` and anything starting with `}`, `)`/`]` followed only by closing
 * punctuation, `end…`, `fi`, `done`, `esac`), otherwise the block ends at the last non-blank
 * line before it. A line that continues the construct (`} else {`, `} catch (e) {`,
 * `): void {`, `else:`, `elif x:`, `except E:`, Ruby/shell `else`/`elif`/`rescue`…) becomes
 * the new opener and the scan goes on. For Python-style headers (opener ending with `:`)
 * no closing line is included. At the end of the document the block ends at its last
 * non-blank line.
 *
 * Cost: O(lines scanned), each line read through `LineReader` (no split or copy of the
 * document); at most `maxLines` lines down and findEnclosing's 300 lines up.
 */

export interface TargetRegion {
  /** Full lines: character 0 of the first line to the end of the last line (before its line break). */
  range: Range;
  /** Offsets of range.start and range.end. */
  start: number;
  end: number;
  kind: 'selection' | 'block' | 'line';
}

const DEFAULT_MAX_LINES = 300;
/** How far up findEnclosing looks for headers. */
const SCAN_LIMIT = 300;
/** Characters of a line looked at to classify it. */
const CLASSIFY_CHARS = 200;

/** Definitions from a syntax tree (tree-sitter), nearest first: the exact block around a line. */
export interface DefinitionOutline {
  enclosing(line: number): ReadonlyArray<{ startLine: number; endLine: number }>;
}

export function targetRegion(doc: TextDocument, selection: Range, maxLines?: number, outline?: DefinitionOutline): TargetRegion {
  const reader = new LineReader(doc);
  const limit = typeof maxLines === 'number' && Number.isFinite(maxLines) && maxLines >= 1 ? Math.floor(maxLines) : DEFAULT_MAX_LINES;
  let a = doc.offsetAt(cleanPosition(selection?.start));
  let b = doc.offsetAt(cleanPosition(selection?.end));
  if (a > b) [a, b] = [b, a];
  const first = doc.positionAt(a);
  try {
    if (a !== b) {
      const last = doc.positionAt(b);
      const lastLine = last.character === 0 && last.line > first.line ? last.line - 1 : last.line;
      return regionOf(reader, first.line, lastLine, 'selection');
    }
    return (outline && definitionAround(reader, outline, first.line, limit)) ?? blockAround(reader, first.line, limit);
  } catch {
    return regionOf(reader, first.line, first.line, 'line');
  }
}

function cleanPosition(p: unknown): { line: number; character: number } {
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.floor(v)) : 0);
  const o = typeof p === 'object' && p !== null ? (p as { line?: unknown; character?: unknown }) : {};
  return { line: num(o.line), character: num(o.character) };
}

function regionOf(reader: LineReader, firstLine: number, lastLine: number, kind: TargetRegion['kind']): TargetRegion {
  const s = reader.bounds(firstLine);
  const e = reader.bounds(lastLine);
  return {
    range: { start: { line: firstLine, character: 0 }, end: { line: lastLine, character: e.end - e.start } },
    start: s.start,
    end: e.end,
    kind,
  };
}

/** The innermost definition around the cursor (or the nearest line with code) that fits in `limit` lines. */
function definitionAround(reader: LineReader, outline: DefinitionOutline, cursor: number, limit: number): TargetRegion | null {
  const anchor = reader.isBlank(cursor) ? nearestNonBlank(reader, cursor, limit) : cursor;
  if (anchor < 0) return null;
  const def = outline.enclosing(anchor).find((d) => d.endLine - d.startLine + 1 <= limit);
  return def ? regionOf(reader, def.startLine, Math.min(def.endLine, reader.lineCount - 1), 'block') : null;
}

function blockAround(reader: LineReader, cursor: number, limit: number): TargetRegion {
  let anchor = cursor;
  if (reader.isBlank(cursor)) {
    anchor = nearestNonBlank(reader, cursor, limit);
    if (anchor < 0) return regionOf(reader, cursor, cursor, 'line');
  }
  const block = blockAt(reader, anchor, limit);
  return block ?? regionOf(reader, anchor, anchor, 'line');
}

/** The nearest non-blank line below `line` (at most `limit` lines away), else above; -1 if none. */
function nearestNonBlank(reader: LineReader, line: number, limit: number): number {
  const below = Math.min(reader.lineCount - 1, line + limit);
  for (let i = line + 1; i <= below; i++) if (!reader.isBlank(i)) return i;
  const above = Math.max(0, line - limit);
  for (let i = line - 1; i >= above; i--) if (!reader.isBlank(i)) return i;
  return -1;
}

function nextNonBlank(reader: LineReader, line: number, limit: number): number {
  const stop = Math.min(reader.lineCount - 1, line + limit);
  for (let i = line + 1; i <= stop; i++) if (!reader.isBlank(i)) return i;
  return -1;
}

function prevNonBlank(reader: LineReader, line: number, limit: number): number {
  const stop = Math.max(0, line - limit);
  for (let i = line - 1; i >= stop; i--) if (!reader.isBlank(i)) return i;
  return -1;
}

function blockAt(reader: LineReader, line: number, limit: number): TargetRegion | null {
  const header = headerOnLine(reader, line, limit) ?? enclosingHeader(reader, line, limit);
  if (header === null) return null;
  const end = blockEnd(reader, header, limit);
  if (end < 0) return null; // longer than maxLines
  if (header.startLine > line || end < line) return null; // odd indentation: not really around the cursor
  if (end - header.startLine + 1 > limit) return null;
  return regionOf(reader, header.startLine, end, 'block');
}

/** The header `line` is part of (its first line, its opener line or a line between), if any. */
function headerOnLine(reader: LineReader, line: number, limit: number): Header | null {
  const next = nextNonBlank(reader, line, limit);
  if (next < 0 || reader.indent(next) <= reader.indent(line)) return null;
  const h = findEnclosing(reader, next, SCAN_LIMIT)[0];
  return h !== undefined && h.startLine <= line && line <= h.openerLine ? h : null;
}

/** The nearest enclosing definition, else the nearest enclosing header. */
function enclosingHeader(reader: LineReader, line: number, limit: number): Header | null {
  let probe = line;
  if (isClosingLine(reader.head(line, CLASSIFY_CHARS))) {
    const above = prevNonBlank(reader, line, limit);
    if (above >= 0 && reader.indent(above) > reader.indent(line)) probe = above;
  }
  const headers = findEnclosing(reader, probe, SCAN_LIMIT);
  return headers.find((h) => h.definition) ?? headers[0] ?? null;
}

const CLOSING_KEYWORD =
  /^(?:end(?:\s+[\p{L}_][\p{L}\p{N}_]*)*|endif|endfor|endforeach|endwhile|endswitch|endfunction|endsub|endclass|endmodule|fi|done|esac)\s*[;.,)]*$/iu;

/** `}`…, `)`, `);`, `]`, `])`, `end`, `end if`, `fi`, `done`, `esac`… */
function isClosingLine(head: string): boolean {
  return head.startsWith('}') || /^[)\]][)\]};,.\s]*$/.test(head) || CLOSING_KEYWORD.test(head);
}

/** Lines at the header's indentation that continue its construct rather than end it. */
const CONTINUES_KEYWORD = /^(?:else|elsif|elif|elseif|rescue|ensure|when|catch|finally|except)\b/;

function tailOf(reader: LineReader, line: number): string {
  return reader
    .tail(line, CLASSIFY_CHARS)
    .replace(/\s(?:\/\/|#)\s.*$/, '')
    .trimEnd();
}

/**
 * Last line of the block opened by `header`, or -1 if it runs past `limit` lines from the
 * header's first line.
 */
function blockEnd(reader: LineReader, header: Header, limit: number): number {
  const base = reader.indent(header.startLine);
  const maxLine = header.startLine + limit - 1;
  let python = tailOf(reader, header.openerLine).endsWith(':');
  let last = header.openerLine;
  for (let i = header.openerLine + 1; i < reader.lineCount; i++) {
    if (i > maxLine) return -1;
    if (reader.isBlank(i)) continue;
    if (reader.indent(i) > base) {
      last = i;
      continue;
    }
    const head = reader.head(i, CLASSIFY_CHARS);
    const tail = tailOf(reader, i);
    const continues = python
      ? CONTINUES_KEYWORD.test(head) && tail.endsWith(':')
      : (/^[}\])]/.test(head) && /(?:\{|=>)$/.test(tail)) || CONTINUES_KEYWORD.test(head);
    if (continues) {
      python = tail.endsWith(':');
      last = i;
      continue;
    }
    if (!python && isClosingLine(head)) return i;
    return last;
  }
  return last;
}
