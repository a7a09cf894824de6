import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Range } from 'vscode-languageserver';
import { targetRegion, type TargetRegion } from '../../server/edits/block';

function doc(text: string, languageId = 'typescript'): TextDocument {
  return TextDocument.create('file:///x', languageId, 1, text);
}

/** Line (0-based) of the `nth` line containing `needle`. */
function lineOf(text: string, needle: string, nth = 0): number {
  const lines = text.split(/\r?\n/);
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes(needle) && seen++ === nth) return i;
  }
  throw new Error(`needle not found: ${needle}`);
}

function cursor(line: number, character = 0): Range {
  return { start: { line, character }, end: { line, character } };
}

/** The region for a cursor on the line containing `needle` (at `character`). */
function at(text: string, needle: string, character = 2, maxLines?: number): TargetRegion {
  return targetRegion(doc(text), cursor(lineOf(text, needle), character), maxLines);
}

/** The region's text, checking that offsets and range agree and cover full lines. */
function textOf(text: string, r: TargetRegion): string {
  const d = doc(text);
  expect(d.offsetAt(r.range.start)).toBe(r.start);
  expect(d.offsetAt(r.range.end)).toBe(r.end);
  expect(r.range.start.character).toBe(0);
  const after = text.slice(r.end, r.end + 2);
  expect(after === '' || after.startsWith('\n') || after === '\r\n').toBe(true);
  return text.slice(r.start, r.end);
}

const ts = [
  'import { x } from "x";', // 0
  '',
  'export function process(items: Item[]): number {', // 2
  '  let total = 0;',
  '  for (const item of items) {',
  '    if (item.ok) {', // 5
  '      total += item.value;', // 6
  '    } else {',
  '      total -= 1;',
  '    }',
  '  }',
  '',
  '  return total;', // 12
  '}', // 13
  '',
  'const answer = process([]);', // 15
  '',
  'class Counter {', // 17
  '  private n = 0;',
  '',
  '  increment(by: number): void {', // 20
  '    if (by > 0) {',
  '      this.n += by;',
  '    }',
  '  }', // 24
  '',
  '  reset(): void {',
  '    this.n = 0;',
  '  }',
  '}', // 29
  '',
].join('\n');

const processFn = ts.slice(ts.indexOf('export function process'), ts.indexOf('}\n\nconst answer') + 1);
const incrementMethod = ts.slice(ts.indexOf('  increment('), ts.indexOf('  }\n\n  reset') + 3);

describe('targetRegion: cursor in a block', () => {
  it('takes the whole function for a cursor inside a nested if (definition preferred)', () => {
    const r = at(ts, 'total += item.value', 8);
    expect(r.kind).toBe('block');
    expect(textOf(ts, r)).toBe(processFn);
    expect(r.range).toEqual({ start: { line: 2, character: 0 }, end: { line: 13, character: 1 } });
  });

  it('takes a class method, not the class', () => {
    const r = at(ts, 'this.n += by');
    expect(r.kind).toBe('block');
    expect(textOf(ts, r)).toBe(incrementMethod);
  });

  it('takes the function from a line directly in its body', () => {
    expect(textOf(ts, at(ts, 'return total;'))).toBe(processFn);
  });

  it('takes the block of a header line under the cursor', () => {
    expect(textOf(ts, at(ts, 'export function process', 5))).toBe(processFn);
    expect(textOf(ts, at(ts, 'class Counter', 0))).toBe(ts.slice(ts.indexOf('class Counter'), ts.lastIndexOf('}') + 1));
    expect(textOf(ts, at(ts, 'increment(by'))).toBe(incrementMethod);
  });

  it('a control header under the cursor is the block, with its else branch', () => {
    const r = at(ts, 'if (item.ok)', 4);
    expect(textOf(ts, r)).toBe(['    if (item.ok) {', '      total += item.value;', '    } else {', '      total -= 1;', '    }'].join('\n'));
  });

  it('the closing brace of a function gives the function', () => {
    const r = targetRegion(doc(ts), cursor(13, 0));
    expect(textOf(ts, r)).toBe(processFn);
    expect(textOf(ts, targetRegion(doc(ts), cursor(24, 2)))).toBe(incrementMethod);
  });

  it('a class field takes the class', () => {
    const r = at(ts, 'private n = 0');
    expect(r.kind).toBe('block');
    expect(textOf(ts, r).startsWith('class Counter {')).toBe(true);
    expect(textOf(ts, r).endsWith('  }\n}')).toBe(true);
  });

  it('a top-level statement is its line', () => {
    const r = at(ts, 'const answer', 3);
    expect(r).toEqual({
      range: { start: { line: 15, character: 0 }, end: { line: 15, character: 27 } },
      start: ts.indexOf('const answer'),
      end: ts.indexOf('const answer') + 27,
      kind: 'line',
    });
    expect(at(ts, 'import { x }').kind).toBe('line');
  });

  it('a blank line takes the nearest non-blank line below', () => {
    // line 14 is blank; below it is the top-level statement
    const r = targetRegion(doc(ts), cursor(14));
    expect(r.kind).toBe('line');
    expect(textOf(ts, r)).toBe('const answer = process([]);');
    // a blank line inside the function (line 11): below is `return total;`, whose block is the function
    expect(textOf(ts, targetRegion(doc(ts), cursor(11)))).toBe(processFn);
    // a blank line between members: below is the method header
    expect(textOf(ts, targetRegion(doc(ts), cursor(19)))).toBe(incrementMethod);
  });

  it('a blank line at the end takes the nearest non-blank line above', () => {
    const text = 'let a = 1;\nlet b = 2;\n\n\n';
    const r = targetRegion(doc(text), cursor(3));
    expect(r.kind).toBe('line');
    expect(textOf(text, r)).toBe('let b = 2;');
  });

  it('an empty document is its only line', () => {
    expect(targetRegion(doc(''), cursor(0))).toEqual({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      start: 0,
      end: 0,
      kind: 'line',
    });
  });

  it('a block longer than maxLines falls back to the cursor line', () => {
    const body = Array.from({ length: 400 }, (_, i) => `  step${i}();`);
    const text = ['function huge() {', ...body, '}', ''].join('\n');
    const r = at(text, 'step200();');
    expect(r.kind).toBe('line');
    expect(textOf(text, r)).toBe('  step200();');
    // the same function fits a larger limit
    expect(at(text, 'step200();', 2, 500).kind).toBe('block');
    // and a small function with a small limit
    const small = 'function f() {\n  a();\n  b();\n}\n';
    expect(at(small, 'a();', 2, 3).kind).toBe('line');
    expect(textOf(small, at(small, 'a();', 2, 4))).toBe('function f() {\n  a();\n  b();\n}');
  });

  it('a multi-line signature belongs to the block', () => {
    const text = ['function make(', '  a: string,', '  b: number,', '): Thing {', '  return new Thing(a, b);', '}', ''].join('\n');
    const all = text.slice(0, text.lastIndexOf('}') + 1);
    expect(textOf(text, at(text, 'return new Thing'))).toBe(all);
    expect(textOf(text, at(text, 'function make(', 0))).toBe(all);
    expect(textOf(text, at(text, '): Thing {', 0))).toBe(all);
  });

  it('includes closing lines like `});`', () => {
    const text = ['describe("x", () => {', '  it("works", () => {', '    expect(1).toBe(1);', '  });', '});', ''].join('\n');
    expect(textOf(text, at(text, 'expect(1)'))).toBe('  it("works", () => {\n    expect(1).toBe(1);\n  });');
  });

  it('works with CRLF line endings', () => {
    const crlf = ts.replace(/\n/g, '\r\n');
    const r = at(crlf, 'total += item.value', 8);
    expect(textOf(crlf, r)).toBe(processFn.replace(/\n/g, '\r\n'));
    expect(r.range.end).toEqual({ line: 13, character: 1 });
  });
});

describe('targetRegion: Python and keyword-closed blocks', () => {
  const py = [
    'import os', // 0
    '',
    'class Store:', // 2
    '    def __init__(self):',
    '        self.items = []',
    '',
    '    def load(self, path):', // 6
    '        if os.path.exists(path):',
    '            with open(path) as f:',
    '                self.items = f.read().split()', // 9
    '        else:',
    '            self.items = []',
    '',
    '',
    '    def size(self):', // 14
    '        return len(self.items)',
    '',
    'store = Store()', // 17
    '',
  ].join('\n');
  const load = [
    '    def load(self, path):',
    '        if os.path.exists(path):',
    '            with open(path) as f:',
    '                self.items = f.read().split()',
    '        else:',
    '            self.items = []',
  ].join('\n');

  it('takes the def around the cursor, without the blank lines after it', () => {
    const r = at(py, 'f.read()', 16);
    expect(r.kind).toBe('block');
    expect(textOf(py, r)).toBe(load);
  });

  it('takes the def from its header line', () => {
    expect(textOf(py, at(py, 'def load', 4))).toBe(load);
  });

  it('an if header takes its else branch too', () => {
    expect(textOf(py, at(py, 'if os.path.exists', 8))).toBe(load.split('\n').slice(1).join('\n'));
  });

  it('the last def of a class ends at its last line', () => {
    expect(textOf(py, at(py, 'return len'))).toBe('    def size(self):\n        return len(self.items)');
  });

  it('a module-level statement is its line', () => {
    expect(at(py, 'store = Store()', 0).kind).toBe('line');
  });

  it('a def at the end of the file without a trailing newline', () => {
    const text = 'def f(x):\n    y = x + 1\n    return y';
    expect(textOf(text, at(text, 'y = x'))).toBe(text);
  });

  it('Ruby/Lua/shell blocks include their `end` / `fi`', () => {
    const rb = 'class A\n  def go(x)\n    if x\n      run\n    end\n  end\nend\n';
    expect(textOf(rb, at(rb, 'run'))).toBe('  def go(x)\n    if x\n      run\n    end\n  end');
    const sh = 'deploy() {\n  if [ -n "$1" ]; then\n    echo "$1"\n  fi\n}\n';
    expect(textOf(sh, at(sh, 'echo'))).toBe(sh.trimEnd());
  });
});

describe('targetRegion: selections', () => {
  const text = 'line zero\nline one\nline two\nline three\n';

  it('expands a selection to full lines', () => {
    const r = targetRegion(doc(text), { start: { line: 1, character: 3 }, end: { line: 2, character: 4 } });
    expect(r.kind).toBe('selection');
    expect(textOf(text, r)).toBe('line one\nline two');
    expect(r.range).toEqual({ start: { line: 1, character: 0 }, end: { line: 2, character: 8 } });
  });

  it('does not include the line a selection ends at character 0 of', () => {
    const r = targetRegion(doc(text), { start: { line: 1, character: 0 }, end: { line: 3, character: 0 } });
    expect(textOf(text, r)).toBe('line one\nline two');
  });

  it('a selection within one line takes that line', () => {
    const r = targetRegion(doc(text), { start: { line: 2, character: 1 }, end: { line: 2, character: 3 } });
    expect(textOf(text, r)).toBe('line two');
    expect(r.kind).toBe('selection');
  });

  it('accepts a reversed selection', () => {
    const r = targetRegion(doc(text), { start: { line: 2, character: 4 }, end: { line: 0, character: 2 } });
    expect(textOf(text, r)).toBe('line zero\nline one\nline two');
  });

  it('clamps a selection past the end of the document', () => {
    const r = targetRegion(doc(text), { start: { line: 2, character: 0 }, end: { line: 99, character: 5 } });
    // offset clamps to the end of the text, which is character 0 of the last (empty) line
    expect(textOf(text, r)).toBe('line two\nline three');
  });

  it('is not limited by maxLines', () => {
    const many = Array.from({ length: 50 }, (_, i) => `l${i}`).join('\n');
    const r = targetRegion(doc(many), { start: { line: 0, character: 0 }, end: { line: 49, character: 3 } }, 10);
    expect(r.kind).toBe('selection');
    expect(textOf(many, r)).toBe(many);
  });

  it('a selection that ends at character 0 keeps CRLF out of the range', () => {
    const crlf = text.replace(/\n/g, '\r\n');
    const r = targetRegion(doc(crlf), { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } });
    expect(textOf(crlf, r)).toBe('line zero\r\nline one');
  });
});
