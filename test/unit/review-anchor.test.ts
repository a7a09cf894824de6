import { describe, expect, it } from 'vitest';
import type { Range } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { follow, linesAt, MAX_QUOTE_CHARS, anchorFinding, linesOf, reanchor, type Anchor, type LineSource } from '../../server/review/anchor';

const r = (l0: number, c0: number, l1: number, c1: number): Range => ({
  start: { line: l0, character: c0 },
  end: { line: l1, character: c1 },
});

const TS = [
  /* 0 */ "import { readFile } from 'node:fs/promises';",
  /* 1 */ '',
  /* 2 */ 'export async function loadUser(id: string, cache: Map<string, User>) {',
  /* 3 */ '  const cached = cache.get(id);',
  /* 4 */ '  if (cached = undefined) {',
  /* 5 */ "    const raw = await readFile(`users/${id}.json`, 'utf8');",
  /* 6 */ '    const user = JSON.parse(raw);',
  /* 7 */ '    cache.set(id, user);',
  /* 8 */ '    return user;',
  /* 9 */ '  }',
  /* 10 */ '  return cached;',
  /* 11 */ '}',
  /* 12 */ '',
].join('\n');

const PY = [
  /* 0 */ 'import json',
  /* 1 */ '',
  /* 2 */ 'def load(path):',
  /* 3 */ '\twith open(path) as f:',
  /* 4 */ '\t\tdata = json.load(f)',
  /* 5 */ '\ttry:',
  /* 6 */ "\t\treturn data['items']",
  /* 7 */ '\texcept:',
  /* 8 */ '\t\treturn []',
  /* 9 */ '',
].join('\n');

const whole = (d: LineSource): { start: number; end: number } => ({ start: 0, end: d.lineCount });

/** The document text an anchor's range covers, computed independently through TextDocument. */
function covered(text: string, a: Anchor): string {
  const td = TextDocument.create('file:///x', 'plaintext', 1, text);
  return td.getText(a.range);
}

describe('linesOf', () => {
  it('splits on \\n, \\r\\n and \\r, without line endings', () => {
    const d = linesOf('a\r\nb\nc\rd');
    expect(d.lineCount).toBe(4);
    expect([0, 1, 2, 3].map((i) => d.line(i))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('counts lines like TextDocument does', () => {
    for (const text of ['', 'x', 'x\n', 'x\r\n\r\n', TS, PY]) {
      expect(linesOf(text).lineCount).toBe(TextDocument.create('file:///x', 'plaintext', 1, text).lineCount);
    }
  });

  it('returns an empty string out of range instead of throwing', () => {
    const d = linesOf('a');
    expect(d.line(5)).toBe('');
    expect(d.line(-1)).toBe('');
  });
});

describe('anchorFinding: exact quote', () => {
  const d = linesOf(TS);

  it('finds the quote on the named line', () => {
    const a = anchorFinding(d, 4, 'cached = undefined', whole(d));
    expect(a).toEqual({ range: r(4, 6, 4, 24), exact: true, text: 'cached = undefined' });
    expect(covered(TS, a!)).toBe('cached = undefined');
  });

  it('takes the first occurrence when the quote occurs several times on the line', () => {
    // `string` occurs twice on line 2: `id: string` and `Map<string, User>`.
    const a = anchorFinding(d, 2, 'string', whole(d));
    expect(a?.range).toEqual(r(2, 35, 2, 41));
    expect(TS.split('\n')[2]!.indexOf('string')).toBe(35);
    expect(TS.split('\n')[2]!.lastIndexOf('string')).toBeGreaterThan(35);
  });

  it('is deterministic for a Python quote that repeats on the line', () => {
    const src = 'name = name.strip() if name else name\n';
    const ld = linesOf(src);
    const a = anchorFinding(ld, 0, 'name', whole(ld));
    expect(a).toEqual({ range: r(0, 0, 0, 4), exact: true, text: 'name' });
  });

  it('keeps tabs in the line: offsets count a tab as one code unit', () => {
    const p = linesOf(PY);
    const a = anchorFinding(p, 7, 'except:', whole(p));
    expect(a).toEqual({ range: r(7, 1, 7, 8), exact: true, text: 'except:' });
  });

  it('a quote that includes the indentation is still exact', () => {
    const a = anchorFinding(d, 8, '    return user;', whole(d));
    expect(a).toEqual({ range: r(8, 0, 8, 16), exact: true, text: '    return user;' });
  });
});

describe('anchorFinding: miscounted lines', () => {
  const d = linesOf(TS);

  it.each([
    [3, 'off by -1'],
    [5, 'off by +1'],
    [2, 'off by -2'],
    [6, 'off by +2'],
    [9, 'off by +5'],
  ])('finds the quote from line %i (%s)', (named) => {
    const a = anchorFinding(d, named, 'cached = undefined', whole(d));
    expect(a).toEqual({ range: r(4, 6, 4, 24), exact: true, text: 'cached = undefined' });
  });

  it('does not look further than 5 lines: marks the named line instead (not exact)', () => {
    const a = anchorFinding(d, 10, 'cached = undefined', whole(d));
    expect(a).toEqual({ range: r(10, 2, 10, 16), exact: false, text: 'return cached;' });
  });

  it('at equal distance the earlier line wins', () => {
    const src = ['x.close();', 'let y = 1;', 'x.close();'].join('\n');
    const ld = linesOf(src);
    expect(anchorFinding(ld, 1, 'x.close()', whole(ld))?.range).toEqual(r(0, 0, 0, 9));
  });

  it('nearest line wins over a farther one', () => {
    const src = ['return user;', 'a', 'b', 'c', 'return user;', 'd'].join('\n');
    const ld = linesOf(src);
    expect(anchorFinding(ld, 3, 'return user;', whole(ld))?.range).toEqual(r(4, 0, 4, 12));
  });

  it('an exact match nearby wins over a whitespace-insensitive one on the named line', () => {
    const src = ['if (a  ==  b) {}', 'if (a == b) {}'].join('\n');
    const ld = linesOf(src);
    expect(anchorFinding(ld, 0, 'a == b', whole(ld))).toEqual({ range: r(1, 4, 1, 10), exact: true, text: 'a == b' });
  });

  it('a very short quote is only looked for on the named line', () => {
    const src = ['let total = 0;', 'for (const x of xs) total += x;', 'print(total)'].join('\n');
    const ld = linesOf(src);
    // "=" is on line 0 and line 1, but the model named line 2: not found there -> line extent, no exact.
    expect(anchorFinding(ld, 2, '=', whole(ld))).toEqual({ range: r(2, 0, 2, 12), exact: false, text: 'print(total)' });
    expect(anchorFinding(ld, 2, '+=', whole(ld))?.exact).toBe(false);
    // On the named line itself it is found.
    expect(anchorFinding(ld, 1, '+=', whole(ld))).toEqual({ range: r(1, 26, 1, 28), exact: true, text: '+=' });
  });
});

describe('anchorFinding: window and file bounds', () => {
  const d = linesOf(TS);
  const chunk = { start: 3, end: 9 }; // lines 3..8 were under review

  it('past the end of the file -> null', () => {
    expect(anchorFinding(d, d.lineCount, 'x', chunk)).toBeNull();
    expect(anchorFinding(d, 500, 'cached = undefined', whole(d))).toBeNull();
    expect(anchorFinding(d, -1, 'cached = undefined', whole(d))).toBeNull();
    expect(anchorFinding(d, 4.5, 'cached = undefined', whole(d))).toBeNull();
  });

  it('past the chunk but in the file: only a real match inside the window is accepted', () => {
    // Line 10 is outside the window; the quote is on window line 8 (clamped start 8).
    expect(anchorFinding(d, 10, 'return user;', chunk)).toEqual({ range: r(8, 4, 8, 16), exact: true, text: 'return user;' });
    // Whitespace-insensitive counts as a real match too.
    expect(anchorFinding(d, 11, 'return   user ;', chunk)?.range).toEqual(r(8, 4, 8, 16));
    // Before the window, clamped to line 3.
    expect(anchorFinding(d, 0, 'cache.get(id)', chunk)?.range).toEqual(r(3, 17, 3, 30));
  });

  it('past the chunk and not found -> null (never marks a line outside the window)', () => {
    expect(anchorFinding(d, 10, 'return cached;', chunk)).toBeNull();
    expect(anchorFinding(d, 10, 'nothing like this', chunk)).toBeNull();
    expect(anchorFinding(d, 10, '', chunk)).toBeNull();
  });

  it('does not search outside the window even when the quote is there', () => {
    // `return cached;` is on line 10, within 5 lines of 8, but outside the window.
    expect(anchorFinding(d, 8, 'return cached;', chunk)).toEqual({ range: r(8, 4, 8, 16), exact: false, text: 'return user;' });
  });

  it('an empty or inverted window gives null', () => {
    expect(anchorFinding(d, 4, 'cached', { start: 4, end: 4 })).toBeNull();
    expect(anchorFinding(d, 4, 'cached', { start: 6, end: 2 })).toBeNull();
  });

  it('a window running past the end of the file is clamped', () => {
    expect(anchorFinding(d, 11, '}', { start: 10, end: 400 })).toEqual({ range: r(11, 0, 11, 1), exact: true, text: '}' });
  });
});

describe('anchorFinding: empty quote and fallbacks', () => {
  const d = linesOf(TS);

  it("an empty quote marks the line's non-blank extent (not exact)", () => {
    expect(anchorFinding(d, 6, '', whole(d))).toEqual({ range: r(6, 4, 6, 33), exact: false, text: 'const user = JSON.parse(raw);' });
    expect(anchorFinding(d, 6, '   \t ', whole(d))?.exact).toBe(false);
  });

  it('an empty quote on a blank line moves to the nearest non-blank line within 2 (earlier first)', () => {
    expect(anchorFinding(d, 1, '', whole(d))?.range).toEqual(r(0, 0, 0, 44));
    const src = ['', '', '', 'x = 1', ''].join('\n');
    const ld = linesOf(src);
    expect(anchorFinding(ld, 1, '', whole(ld))?.range).toEqual(r(3, 0, 3, 5));
    expect(anchorFinding(ld, 0, '', whole(ld))).toBeNull();
    // …but not outside the window.
    expect(anchorFinding(ld, 1, '', { start: 0, end: 3 })).toBeNull();
  });

  it('a quote that is not there marks the line (not exact, text = trimmed line)', () => {
    const p = linesOf(PY);
    expect(anchorFinding(p, 4, 'json.loads(f.read())', whole(p))).toEqual({
      range: r(4, 2, 4, 21),
      exact: false,
      text: 'data = json.load(f)',
    });
  });

  it('a quote not found on a blank line -> null', () => {
    expect(anchorFinding(d, 12, 'no such code here', whole(d))).toBeNull();
  });

  it('a huge quote is not searched: the line is marked instead', () => {
    const big = 'cached = undefined' + ' '.repeat(MAX_QUOTE_CHARS);
    expect(anchorFinding(d, 4, big, whole(d))).toEqual({ range: r(4, 2, 4, 27), exact: false, text: 'if (cached = undefined) {' });
    // Outside the window, a huge quote can only give null.
    expect(anchorFinding(d, 10, big, { start: 3, end: 9 })).toBeNull();
  });

  it('is fast on huge inputs', () => {
    const long = 'a'.repeat(200_000);
    const ld = linesOf(Array.from({ length: 20 }, () => long).join('\n'));
    const t0 = Date.now();
    anchorFinding(ld, 10, 'a'.repeat(1999) + 'b', whole(ld));
    anchorFinding(ld, 10, 'a a'.repeat(600) + 'b', whole(ld));
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('never throws on a broken line source', () => {
    const broken: LineSource = {
      lineCount: 5,
      line: () => {
        throw new Error('boom');
      },
    };
    expect(anchorFinding(broken, 1, 'x', { start: 0, end: 5 })).toBeNull();
    expect(reanchor(broken, { line: 1, text: 'xyz', exact: true })).toBeNull();
  });
});

describe('anchorFinding: whitespace-mangled quotes', () => {
  it('tabs in the document, spaces in the quote (Python)', () => {
    const src = 'def f(x):\n\tif x  ==\tNone:\n\t\treturn 0\n';
    const d = linesOf(src);
    const a = anchorFinding(d, 1, 'if x == None:', whole(d));
    expect(a).toEqual({ range: r(1, 1, 1, 15), exact: true, text: 'if x  ==\tNone:' });
    expect(covered(src, a!)).toBe('if x  ==\tNone:');
  });

  it('collapsed and extra spaces', () => {
    const src = 'const  total   =  items.reduce((a, b) => a + b, 0);';
    const d = linesOf(src);
    expect(anchorFinding(d, 0, 'const total = items.reduce', whole(d))).toEqual({
      range: r(0, 0, 0, 30),
      exact: true,
      text: 'const  total   =  items.reduce',
    });
    expect(anchorFinding(d, 0, 'items.reduce( (a,b)=>a+b , 0 )', whole(d))).toEqual({
      range: r(0, 18, 0, 50),
      exact: true,
      text: 'items.reduce((a, b) => a + b, 0)',
    });
  });

  it('leading/trailing whitespace of the quote does not widen the range', () => {
    const d = linesOf('    return user;');
    expect(anchorFinding(d, 0, '\treturn user;  ', whole(d))?.range).toEqual(r(0, 4, 0, 16));
  });

  it('never joins or splits words', () => {
    const d = linesOf('return x;');
    expect(anchorFinding(d, 0, 'returnx;', whole(d))?.exact).toBe(false);
    const e = linesOf('returnx;');
    expect(anchorFinding(e, 0, 'return x;', whole(e))?.exact).toBe(false);
  });

  it('whitespace-insensitive nearby lines too (off by one)', () => {
    const d = linesOf(PY);
    expect(anchorFinding(d, 5, "return   data[ 'items' ]", whole(d))).toEqual({
      range: r(6, 2, 6, 22),
      exact: true,
      text: "return data['items']",
    });
  });

  it('whitespace-insensitive: the nearest line wins, not the first in the text', () => {
    const d = linesOf(['a  ==  b;', 'x', 'y', 'z', 'a  ==  b;'].join('\n'));
    expect(anchorFinding(d, 3, 'a == b;', whole(d))?.range).toEqual(r(4, 0, 4, 9));
    expect(anchorFinding(d, 1, 'a == b;', whole(d))?.range).toEqual(r(0, 0, 0, 9));
  });

  it('a document line wrapped where the quote is not still matches, inside the window only', () => {
    const d = linesOf('x = 1;\nfoo(a,\n    b);\n');
    expect(anchorFinding(d, 1, 'foo(a, b);', whole(d))).toEqual({ range: r(1, 0, 2, 7), exact: true, text: 'foo(a,\n    b);' });
    expect(anchorFinding(d, 1, 'foo(a, b);', { start: 0, end: 2 })).toEqual({ range: r(1, 0, 1, 6), exact: false, text: 'foo(a,' });
  });

  it('a quote wrapped by the model over lines still matches the single document line', () => {
    const d = linesOf('  const user = await fetchUser(id, { cache: true });');
    expect(anchorFinding(d, 0, 'fetchUser(id,\n  { cache: true })', whole(d))).toEqual({
      range: r(0, 21, 0, 51),
      exact: true,
      text: 'fetchUser(id, { cache: true })',
    });
  });
});

describe('anchorFinding: multi-line quotes', () => {
  const d = linesOf(TS);

  it('matches a suffix, middle lines and a prefix exactly', () => {
    const quote = 'JSON.parse(raw);\n    cache.set(id, user);\n    return';
    const a = anchorFinding(d, 6, quote, whole(d));
    expect(a).toEqual({ range: r(6, 17, 8, 10), exact: true, text: quote });
    expect(covered(TS, a!)).toBe(quote);
  });

  it('CRLF in the quote is normalised', () => {
    const a = anchorFinding(d, 7, '    cache.set(id, user);\r\n    return user;', whole(d));
    expect(a).toEqual({ range: r(7, 0, 8, 16), exact: true, text: '    cache.set(id, user);\n    return user;' });
  });

  it('starts near the named line (miscounted)', () => {
    const a = anchorFinding(d, 4, 'cache.set(id, user);\n    return user;', whole(d));
    expect(a?.range).toEqual(r(7, 4, 8, 16));
  });

  it('falls back to a per-line whitespace-insensitive match (tabs vs spaces)', () => {
    const p = linesOf(PY);
    const quote = "try:\n    return data['items']\nexcept:";
    const a = anchorFinding(p, 5, quote, whole(p));
    expect(a).toEqual({ range: r(5, 1, 7, 8), exact: true, text: "try:\n\t\treturn data['items']\n\texcept:" });
    expect(covered(PY, a!)).toBe(a!.text);
  });

  it('whitespace-insensitive ignores blank lines around the quote', () => {
    const p = linesOf(PY);
    const a = anchorFinding(p, 7, '\n  except:\n    return []  \n\n', whole(p));
    expect(a).toEqual({ range: r(7, 1, 8, 11), exact: true, text: 'except:\n\t\treturn []' });
  });

  it('must lie inside the window', () => {
    expect(anchorFinding(d, 7, '    cache.set(id, user);\n    return user;', { start: 5, end: 8 })?.exact).toBe(false);
  });

  it('not found -> the named line extent, not exact', () => {
    const a = anchorFinding(d, 7, 'cache.set(id, user);\n    return cached;', whole(d));
    expect(a).toEqual({ range: r(7, 4, 7, 24), exact: false, text: 'cache.set(id, user);' });
  });

  it('a trailing newline in the quote is taken literally: the range ends at the next line start', () => {
    const src = 'function f(x) {\n  console.log(x);\n  return x;\n}';
    const ld = linesOf(src);
    const a = anchorFinding(ld, 1, 'console.log(x);\n', whole(ld));
    expect(a).toEqual({ range: r(1, 2, 2, 0), exact: true, text: 'console.log(x);\n' });
    expect(covered(src, a!)).toBe('console.log(x);\n');
    // With no next line in the window, the characters themselves are still found exactly.
    expect(anchorFinding(ld, 1, 'console.log(x);\n', { start: 0, end: 2 })?.range).toEqual(r(1, 2, 1, 17));
  });

  it('works on a CRLF document', () => {
    const crlf = TS.replace(/\n/g, '\r\n');
    const c = linesOf(crlf);
    const quote = 'JSON.parse(raw);\r\n    cache.set(id, user);';
    const a = anchorFinding(c, 6, quote, whole(c));
    expect(a).toEqual({ range: r(6, 17, 7, 24), exact: true, text: 'JSON.parse(raw);\n    cache.set(id, user);' });
    expect(covered(crlf, a!)).toBe('JSON.parse(raw);\r\n    cache.set(id, user);');
  });
});

describe('anchorFinding: UTF-16 offsets', () => {
  it('emoji before the quote count as two code units each', () => {
    const src = 'const s = "😀😀"; if (a = b) { go(); }';
    const d = linesOf(src);
    const a = anchorFinding(d, 0, 'a = b', whole(d));
    // `const s = "` = 11, two emoji = 4 code units, `"; if (` = 7 -> 22
    expect(a).toEqual({ range: r(0, 22, 0, 27), exact: true, text: 'a = b' });
    expect(src.slice(22, 27)).toBe('a = b');
    expect(covered(src, a!)).toBe('a = b');
  });

  it('CJK before the quote counts one code unit each', () => {
    const src = '# 注意：除以零\nresult = total / count  # 平均值';
    const d = linesOf(src);
    const a = anchorFinding(d, 1, 'total / count', whole(d));
    expect(a).toEqual({ range: r(1, 9, 1, 22), exact: true, text: 'total / count' });
    const b = anchorFinding(d, 0, '除以零', whole(d));
    expect(b).toEqual({ range: r(0, 5, 0, 8), exact: true, text: '除以零' });
  });

  it('emoji before a whitespace-mangled quote', () => {
    const src = 'log("🚀 start");  if (x  =  y) {}';
    const d = linesOf(src);
    const a = anchorFinding(d, 0, 'x = y', whole(d));
    // `log("` = 5, rocket = 2, ` start");  if (` = 15 -> 22
    expect(a?.range).toEqual(r(0, 22, 0, 29));
    expect(covered(src, a!)).toBe('x  =  y');
  });

  it('a quote that is an emoji', () => {
    const src = 'const label = "done ✅✅";';
    const d = linesOf(src);
    expect(anchorFinding(d, 0, '✅✅', whole(d))?.range).toEqual(r(0, 20, 0, 22));
  });
});

describe('reanchor', () => {
  const d = linesOf(TS);
  const first = anchorFinding(d, 4, 'cached = undefined', whole(d))!;
  const prev = { line: first.range.start.line, text: first.text, exact: first.exact };

  const edit = (lines: string[]): LineSource => linesOf(lines.join('\n'));
  const tsLines = TS.split('\n');

  it('same document: same place', () => {
    expect(reanchor(d, prev)).toEqual(first);
  });

  it('follows the text after 3 lines were inserted above', () => {
    const moved = edit([...tsLines.slice(0, 2), '// a', '// b', '// c', ...tsLines.slice(2)]);
    expect(reanchor(moved, prev)).toEqual({ range: r(7, 6, 7, 24), exact: true, text: 'cached = undefined' });
  });

  it('follows the text when the line was re-indented', () => {
    const moved = edit(tsLines.map((l, i) => (i === 4 ? '      if (cached = undefined) {' : l)));
    expect(reanchor(moved, prev)?.range).toEqual(r(4, 10, 4, 28));
  });

  it('the line was deleted -> null', () => {
    const moved = edit(tsLines.filter((_, i) => i !== 4));
    expect(reanchor(moved, prev)).toBeNull();
  });

  it('the quoted text was edited -> null', () => {
    const moved = edit(tsLines.map((l, i) => (i === 4 ? '  if (cached === undefined) {' : l)));
    expect(reanchor(moved, prev)).toBeNull();
  });

  it('looks at most 30 lines away', () => {
    const pad = (n: number): string[] => Array.from({ length: n }, (_, i) => `// pad ${i}`);
    expect(reanchor(edit([...pad(30), ...tsLines]), prev)?.range.start.line).toBe(34);
    expect(reanchor(edit([...pad(31), ...tsLines]), prev)).toBeNull();
  });

  it('nearest first, earlier line on a tie', () => {
    const moved = edit(['x = compute(a, b)', 'y', 'z', 'x = compute(a, b)', 'x = compute(a, b)']);
    expect(reanchor(moved, { line: 2, text: 'compute(a, b)', exact: true })?.range).toEqual(r(3, 4, 3, 17));
    expect(reanchor(moved, { line: 1, text: 'compute(a, b)', exact: true })?.range).toEqual(r(0, 4, 0, 17));
  });

  it('a line-extent finding matches a whole trimmed line only', () => {
    const p = linesOf(PY);
    const a = anchorFinding(p, 4, 'json.loads(f.read())', whole(p))!;
    expect(a.exact).toBe(false);
    const pl = PY.split('\n');
    const moved = edit(['#!/usr/bin/env python3', '', ...pl.slice(0, 4), '    data = json.load(f)', ...pl.slice(5)]);
    expect(reanchor(moved, { line: 4, text: a.text, exact: false })).toEqual({
      range: r(6, 4, 6, 23),
      exact: false,
      text: 'data = json.load(f)',
    });
    // Same text inside a longer line is not the line.
    const changed = edit([...pl.slice(0, 4), '\t\tdata = json.load(f) or {}', ...pl.slice(5)]);
    expect(reanchor(changed, { line: 4, text: a.text, exact: false })).toBeNull();
  });

  it('multi-line text is found again as a sequence', () => {
    const quote = 'JSON.parse(raw);\n    cache.set(id, user);';
    const a = anchorFinding(d, 6, quote, whole(d))!;
    const moved = edit(['// header', ...tsLines]);
    expect(reanchor(moved, { line: a.range.start.line, text: a.text, exact: true })).toEqual({
      range: r(7, 17, 8, 24),
      exact: true,
      text: quote,
    });
    const broken = edit(tsLines.map((l, i) => (i === 7 ? '    cache.set(id, user as User);' : l)));
    expect(reanchor(broken, { line: 6, text: a.text, exact: true })).toBeNull();
  });

  it('very short texts are only re-found on their own line', () => {
    const moved = edit(['', 'let a = 1;', 'a = 2;']);
    expect(reanchor(moved, { line: 0, text: '=', exact: true })).toBeNull();
    expect(reanchor(moved, { line: 2, text: '=', exact: true })?.range).toEqual(r(2, 2, 2, 3));
    expect(reanchor(edit(['}', '', '}']), { line: 1, text: '}', exact: false })).toBeNull();
  });

  it('respects an optional window', () => {
    const moved = edit(['// header', ...tsLines]);
    expect(reanchor(moved, prev, { start: 0, end: 5 })).toBeNull();
    expect(reanchor(moved, prev, { start: 0, end: 6 })?.range.start.line).toBe(5);
  });

  it('survives a document that shrank below the previous line', () => {
    const moved = edit(['  if (cached = undefined) {']);
    expect(reanchor(moved, { ...prev, line: 40 })).toBeNull();
    expect(reanchor(moved, { ...prev, line: 20 })?.range).toEqual(r(0, 6, 0, 24));
  });

  it('nonsense input gives null', () => {
    expect(reanchor(d, { line: 4, text: '', exact: true })).toBeNull();
    expect(reanchor(d, { line: Number.NaN, text: 'cached', exact: true })).toBeNull();
  });

  it('reads only nearby lines, not the whole document', () => {
    const base = linesOf(Array.from({ length: 100_000 }, (_, i) => `const v${i} = ${i};`).join('\n'));
    const seen = new Set<number>();
    const spy: LineSource = {
      lineCount: base.lineCount,
      line: (i) => {
        seen.add(i);
        return base.line(i);
      },
    };
    expect(reanchor(spy, { line: 50_000, text: 'gone', exact: true })).toBeNull();
    expect(seen.size).toBeLessThanOrEqual(61);
  });
});

describe('follow', () => {
  const before = linesOf('for (let i = 0; i <= n; i++) a();\nfor (let i = 0; i <= n; i++) b();\n');
  const placed = {
    range: { start: { line: 1, character: 16 }, end: { line: 1, character: 22 } },
    text: 'i <= n',
    exact: true,
    lines: linesAt(before, { start: { line: 1, character: 16 }, end: { line: 1, character: 22 } }),
  };

  it('moves with its whole line, not to the same short text on a neighbour', () => {
    const after = linesOf('// new\nfor (let i = 0; i <= n; i++) a();\nfor (let i = 0; i <= n; i++) b();\n');
    expect(follow(after, placed)?.range).toEqual({ start: { line: 2, character: 16 }, end: { line: 2, character: 22 } });
  });
  it('falls back to the text on its own line when that line was edited', () => {
    const after = linesOf('for (let i = 0; i <= n; i++) a();\nfor (let i = 0; i <= n; i++) c();\n');
    expect(follow(after, placed)?.range.start).toEqual({ line: 1, character: 16 });
  });
  it('is gone when its text is gone', () => {
    const after = linesOf('for (let i = 0; i <= n; i++) a();\nfor (const x of xs) c();\n');
    // The neighbour still has the text, but it is not this finding's line.
    expect(follow(after, placed)).toBeNull();
  });
});
