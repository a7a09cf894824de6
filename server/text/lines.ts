import type { TextDocument } from 'vscode-languageserver-textdocument';

/**
 * Lines as LSP counts them: `\r\n`, `\n` and a lone `\r` each end a line (a `\r\n` is one
 * break, never two). This is the one place text is cut into lines; everything that splits
 * text into lines uses {@link splitLines}, {@link splitLinesKeepingBreaks} or
 * {@link lineTable}, so line numbers agree with the editor's everywhere.
 *
 * A text has one line more than it has line breaks: '' is one empty line, `a\n` is two lines
 * (`a` and an empty last line), exactly as `TextDocument.lineCount` counts them.
 */
const LINE_BREAK = /\r\n|\r|\n/;

/** The lines of `text` without their line breaks; never empty (`''` gives `['']`). */
export function splitLines(text: string): string[] {
  return text.split(LINE_BREAK);
}

/**
 * The lines of `text`, each with its own line break (`\r\n`, `\n` or `\r`), the last one
 * without when the text does not end in a break. Joined, they give `text` back. `''` gives
 * `[]` and `a\n` gives `['a\n']`: unlike {@link splitLines}, the empty line after a final
 * break is not listed, since it holds no character.
 */
export function splitLinesKeepingBreaks(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/** Where each line starts, and where its content ends (before its break), as offsets. */
export interface LineTable {
  starts: number[];
  ends: number[];
}

/** Start and content-end offsets of every line of `text` (one entry per {@link splitLines} line). */
export function lineTable(text: string): LineTable {
  const starts = [0];
  const ends: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 || c === 10) {
      ends.push(i);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  ends.push(text.length);
  return { starts, ends };
}

/**
 * Cheap, bounded access to single lines of a TextDocument.
 *
 * Never splits or copies the whole document: `doc.getText()` is only kept as a
 * reference (a string the document already holds) and indexed with
 * `charCodeAt`/`slice` on the few lines we need. Line boundaries come from
 * `doc.offsetAt`, which uses the document's own cached line-offset table.
 */

/** Larger than any line; `offsetAt` clamps it to the line's end (before the EOL). */
const LINE_END_CHARACTER = 0x7fffffff;

export interface LineBounds {
  /** Offset of the first character of the line. */
  start: number;
  /** Offset just past the last character of the line, EOL (`\n`, `\r\n`, `\r`) excluded. */
  end: number;
}

export class LineReader {
  readonly text: string;
  readonly lineCount: number;
  private readonly cache = new Map<number, LineBounds>();

  constructor(private readonly doc: TextDocument) {
    this.text = doc.getText();
    this.lineCount = doc.lineCount;
  }

  /** Bounds of line `line` (must be in range). */
  bounds(line: number): LineBounds {
    let b = this.cache.get(line);
    if (b === undefined) {
      const start = this.doc.offsetAt({ line, character: 0 });
      const end = this.doc.offsetAt({ line, character: LINE_END_CHARACTER });
      b = { start, end: Math.max(start, end) };
      this.cache.set(line, b);
    }
    return b;
  }

  /** Length of the line's text in UTF-16 code units, EOL excluded. */
  length(line: number): number {
    const b = this.bounds(line);
    return b.end - b.start;
  }

  /**
   * Offset of the first non-whitespace character of the line, or `end` if the
   * line is blank. Costs O(leading whitespace).
   */
  firstNonSpace(line: number): number {
    const { start, end } = this.bounds(line);
    let i = start;
    while (i < end && isSpace(this.text.charCodeAt(i))) i++;
    return i;
  }

  /**
   * Offset just past the last non-whitespace character (the line trimmed at the
   * end). Costs O(trailing whitespace).
   */
  trimmedEnd(line: number): number {
    const { start, end } = this.bounds(line);
    let i = end;
    while (i > start && isSpace(this.text.charCodeAt(i - 1))) i--;
    return i;
  }

  isBlank(line: number): boolean {
    return this.firstNonSpace(line) >= this.bounds(line).end;
  }

  /** Indentation width in columns (a tab advances to the next multiple of `tabSize`). */
  indent(line: number, tabSize = 4): number {
    const { start } = this.bounds(line);
    const stop = this.firstNonSpace(line);
    let col = 0;
    for (let i = start; i < stop; i++) {
      col = this.text.charCodeAt(i) === 9 ? col + tabSize - (col % tabSize) : col + 1;
    }
    return col;
  }

  /**
   * The line without leading indentation and trailing whitespace, but at most
   * `max` characters of it taken from the start (for classification only).
   */
  head(line: number, max: number): string {
    const from = this.firstNonSpace(line);
    const to = Math.min(this.trimmedEnd(line), from + max);
    return to > from ? this.text.slice(from, to) : '';
  }

  /**
   * The last (at most) `max` characters of the trimmed line, for classification
   * of the line ending (`{`, `:`, `=> {` …).
   */
  tail(line: number, max: number): string {
    const from = this.firstNonSpace(line);
    const to = this.trimmedEnd(line);
    return to > from ? this.text.slice(Math.max(from, to - max), to) : '';
  }

  /**
   * The line trimmed at the end, cut to `maxChars` from its start with a
   * trailing ellipsis when longer. Only the needed slice is read.
   */
  display(line: number, maxChars: number): string {
    const { start } = this.bounds(line);
    const to = this.trimmedEnd(line);
    if (to - start <= maxChars) return this.text.slice(start, to);
    let cut = start + Math.max(0, maxChars - 1);
    if (isHighSurrogate(this.text.charCodeAt(cut - 1))) cut--;
    return this.text.slice(start, cut) + ELLIPSIS;
  }
}

export const ELLIPSIS = '…';

/** Horizontal whitespace (space, tab, form feed, vertical tab, NBSP, BOM, Unicode spaces). */
export function isSpace(c: number): boolean {
  return (
    c === 32 ||
    c === 9 ||
    c === 11 ||
    c === 12 ||
    c === 0xa0 ||
    c === 0xfeff ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

export function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

export function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
