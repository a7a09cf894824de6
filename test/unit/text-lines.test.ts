import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { lineTable, splitLines, splitLinesKeepingBreaks } from '../../server/text/lines';
import { rng } from '../support/rng';

describe('splitLines', () => {
  it.each([
    ['', ['']],
    ['a', ['a']],
    ['a\n', ['a', '']],
    ['a\r\n', ['a', '']],
    ['a\r', ['a', '']],
    ['a\nb\r\nc\rd', ['a', 'b', 'c', 'd']],
    // \r\n is one break; \n\r and \r\r\n are two.
    ['\r\n\r\n', ['', '', '']],
    ['a\n\rb', ['a', '', 'b']],
    ['a\r\r\nb', ['a', '', 'b']],
    // Unicode line and paragraph separators are not line breaks for LSP.
    ['a\u2028b\u2029c\u0085d', ['a\u2028b\u2029c\u0085d']],
  ])('%j', (text, lines) => {
    expect(splitLines(text)).toEqual(lines);
  });
});

describe('splitLinesKeepingBreaks', () => {
  it.each([
    ['', []],
    ['a', ['a']],
    ['a\n', ['a\n']],
    ['a\r\nb', ['a\r\n', 'b']],
    ['a\r\rb\n', ['a\r', '\r', 'b\n']],
    ['\n\r\n\r', ['\n', '\r\n', '\r']],
  ])('%j', (text, lines) => {
    expect(splitLinesKeepingBreaks(text)).toEqual(lines);
  });
});

describe('lineTable', () => {
  it('gives where each line starts and where its content ends', () => {
    expect(lineTable('ab\r\nc\rd\n')).toEqual({ starts: [0, 4, 6, 8], ends: [2, 5, 7, 8] });
    expect(lineTable('')).toEqual({ starts: [0], ends: [0] });
  });
});

/** Texts made of pieces that stress the breaks: lone \r before \n, \n before \r, and so on. */
function randomText(rnd: () => number): string {
  const pool = ['a', 'bc', '\n', '\r', '\r\n', ' ', '😀', '\u2028'];
  let s = '';
  const n = Math.floor(rnd() * 12);
  for (let i = 0; i < n; i++) s += pool[Math.floor(rnd() * pool.length)];
  return s;
}

describe('the three agree with TextDocument (what the editor counts)', () => {
  it('on random texts', () => {
    const rnd = rng(7);
    for (let iter = 0; iter < 2000; iter++) {
      const text = randomText(rnd);
      const doc = TextDocument.create('file:///x', 'plaintext', 1, text);
      const lines = splitLines(text);
      const table = lineTable(text);
      const kept = splitLinesKeepingBreaks(text);
      const why = JSON.stringify(text);
      expect(lines.length, why).toBe(doc.lineCount);
      expect(table.starts.length, why).toBe(doc.lineCount);
      expect(kept.join(''), why).toBe(text);
      expect(kept.length, why).toBe(text === '' || /[\r\n]$/.test(text) ? doc.lineCount - 1 : doc.lineCount);
      lines.forEach((line, i) => {
        const start = doc.offsetAt({ line: i, character: 0 });
        const end = doc.offsetAt({ line: i, character: Number.MAX_SAFE_INTEGER });
        expect(line, why).toBe(text.slice(start, end));
        expect([table.starts[i], table.ends[i]], why).toEqual([start, end]);
        if (i < kept.length) expect(kept[i]!.startsWith(line) && /^(\r\n|\r|\n)?$/.test(kept[i]!.slice(line.length)), why).toBe(true);
      });
    }
  });
});
