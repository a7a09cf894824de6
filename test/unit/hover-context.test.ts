import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { buildHoverContext, type HoverContext, type HoverContextLimits } from '../../server/text/hover-context';

function doc(text: string, languageId = 'typescript'): TextDocument {
  return TextDocument.create('file:///x.ts', languageId, 1, text);
}

/** Position of the `nth` occurrence of `needle` (+ `delta` code units), in UTF-16 units as LSP sends it. */
function at(text: string, needle: string, delta = 0, nth = 0): { line: number; character: number } {
  let idx = -1;
  for (let k = 0; k <= nth; k++) {
    idx = text.indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`needle not found: ${needle}`);
  }
  const offset = idx + delta;
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  const character = offset - (before.lastIndexOf('\n') + 1);
  return { line, character };
}

function ctx(text: string, needle: string, delta = 0, limits?: Partial<HoverContextLimits>): HoverContext {
  const r = buildHoverContext(doc(text), at(text, needle, delta), limits);
  expect(r).not.toBeNull();
  return r!;
}

/** 1-based line numbers shown in the excerpt. */
function shownLines(excerpt: string): number[] {
  return excerpt
    .split('\n')
    .map((l) => /^(?:→ | {2}) *(\d+)\|/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
}

function hoveredRow(excerpt: string): string | undefined {
  return excerpt.split('\n').find((l) => l.startsWith('→ '));
}

const TS_FILE = `#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import {
  join,
  resolve,
} from 'node:path';
const os = require('os');
export * from './types';

export class Loader {
  private cache = new Map<string, string>();

  constructor(private readonly root: string) {}

  async load(name: string): Promise<string> {
    const p = join(this.root, name);
    if (!this.cache.has(p)) {
      const text = await readFile(p, 'utf8');
      this.cache.set(p, text);
    }
    return this.cache.get(p)!;
  }
}
`;

describe('buildHoverContext: languages', () => {
  it('TS function: symbol, enclosing header, imports, hovered line marked', () => {
    const r = ctx(TS_FILE, 'readFile(p', 2);
    expect(r.line).toBe(17);
    expect(r.symbol).toBe('readFile');
    expect(r.lineText).toBe("      const text = await readFile(p, 'utf8');");
    expect(r.enclosing).toBe('if (!this.cache.has(p)) {');
    expect(r.bytes).toBe(Buffer.byteLength(r.excerpt));
    // the hovered row is unmistakable
    expect(hoveredRow(r.excerpt)).toBe("→ 18|       const text = await readFile(p, 'utf8');");
    expect(r.excerpt.split('\n').filter((l) => l.startsWith('→')).length).toBe(1);
    // imports (incl. the multi-line one, require and re-export), never the shebang
    expect(r.excerpt).toContain("   2| import { readFile } from 'node:fs/promises';");
    expect(r.excerpt).toContain("   6| } from 'node:path';");
    expect(r.excerpt).toContain("   7| const os = require('os');");
    expect(r.excerpt).toContain("   8| export * from './types';");
    expect(r.excerpt).not.toContain('#!/usr/bin/env node');
    // no line twice, file order
    const lines = shownLines(r.excerpt);
    expect(new Set(lines).size).toBe(lines.length);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });

  it('TS: dotted member chain up to the cursor word; cursor right after a word', () => {
    expect(ctx(TS_FILE, 'cache.set', 7).symbol).toBe('this.cache.set'); // on `set`
    expect(ctx(TS_FILE, 'cache.set', 2).symbol).toBe('this.cache'); // on `cache`, not beyond
    expect(ctx(TS_FILE, 'this.cache.get', 0).symbol).toBe('this');
    // cursor just after `root` (on the `,`) still names `root`
    expect(ctx(TS_FILE, 'root, name', 4).symbol).toBe('this.root');
    const opt = 'function f(a) {\n  return a?.b.c;\n}\n';
    expect(ctx(opt, 'c;').symbol).toBe('a?.b.c');
    const rust = 'fn main() {\n    let s = std::io::stdin();\n}\n';
    expect(ctx(rust, 'stdin').symbol).toBe('std::io::stdin');
    // numbers do not form member chains
    const num = 'function f() {\n  return 1.5 + x;\n}\n';
    expect(ctx(num, '5 +').symbol).toBe('5');
  });

  it('keeps nearest opener and outer definitions for deeply nested code', () => {
    const body = Array.from({ length: 30 }, (_, i) => `    const v${i} = ${i};`).join('\n');
    const text = `import { x } from 'x';

export class Outer {
  method(a: number): number {
${body}
    for (const item of items) {
      if (item) {
        use(item);
      }
    }
    return a;
  }
}
`;
    const r = ctx(text, 'use(item)', 0, { nearbyBefore: 1, nearbyAfter: 1 });
    expect(r.symbol).toBe('use');
    expect(r.enclosing).toBe('if (item) {');
    expect(r.excerpt).toContain('export class Outer {');
    expect(r.excerpt).toContain('  method(a: number): number {');
    expect(r.excerpt).toContain('if (item) {');
    expect(r.excerpt).not.toContain('const v0 ');
    expect(r.excerpt).toContain("import { x } from 'x';");
  });

  it('multi-line signatures and Allman braces resolve to the signature line', () => {
    const ts = `export async function load(
  name: string,
  opts: Options,
): Promise<string> {
  const x = name.trim();
  return x;
}
`;
    const r = ctx(ts, 'name.trim', 0, { nearbyBefore: 0, nearbyAfter: 0 });
    expect(r.enclosing).toBe('export async function load(');
    expect(shownLines(r.excerpt)).toEqual([1, 2, 3, 4, 5]);

    const c = `#include <stdio.h>
#include "foo.h"

static int
main(void)
{
    printf("hi\\n");
    return 0;
}
`;
    const rc = ctx(c, 'printf', 2, { nearbyBefore: 0, nearbyAfter: 0 });
    expect(rc.symbol).toBe('printf');
    expect(rc.enclosing).toBe('main(void)');
    expect(rc.excerpt).toBe(['  1| #include <stdio.h>', '  2| #include "foo.h"', '…', '  5| main(void)', '  6| {', '→ 7|     printf("hi\\n");'].join('\n'));
  });

  it('Python method in a class: indentation-based enclosing', () => {
    const body = Array.from({ length: 20 }, (_, i) => `        step_${i} = ${i}`).join('\n');
    const py = `#!/usr/bin/env python3
import os
from typing import (
    Any,
    List,
)

class Greeter:
    """Says hi."""

    def greet(self, name):
        # a comment: not a header
${body}
        msg = f"hi {name}"
        return os.path.join(msg)

    def other(self):
        pass
`;
    const r = ctx(py, 'path.join', 5, { nearbyBefore: 2, nearbyAfter: 2 });
    expect(r.symbol).toBe('os.path.join');
    expect(r.enclosing).toBe('def greet(self, name):');
    expect(r.excerpt).toContain('class Greeter:');
    expect(r.excerpt).toContain('    def greet(self, name):');
    expect(r.excerpt).toContain('  2| import os');
    expect(r.excerpt).toContain('  6| )');
    expect(r.excerpt).not.toContain('python3');
    expect(r.excerpt).not.toContain('step_0');
    expect(hoveredRow(r.excerpt)).toContain('return os.path.join(msg)');
  });

  it('Go import block', () => {
    const go = `package main

import (
\t"fmt"
\t"os"
)

import "strings"

func main() {
\tif len(os.Args) > 1 {
\t\tfmt.Println(strings.ToUpper(os.Args[1]))
\t}
}
`;
    const r = ctx(go, 'Println', 1, { nearbyBefore: 0, nearbyAfter: 0 });
    expect(r.symbol).toBe('fmt.Println');
    expect(r.enclosing).toBe('if len(os.Args) > 1 {');
    expect(shownLines(r.excerpt)).toEqual([1, 3, 4, 5, 6, 8, 10, 11, 12]);
    // tabs are kept as-is
    expect(r.excerpt).toContain('  4| \t"fmt"');
    expect(r.lineText).toBe('\t\tfmt.Println(strings.ToUpper(os.Args[1]))');
  });

  it('C #include and other import syntaxes; indented imports are not file imports', () => {
    const c = `#include <stdio.h>
#  include "local.h"
#define N 3

int main(void) {
    return N;
}
`;
    const r = ctx(c, 'return N', 7);
    expect(r.symbol).toBe('N');
    expect(r.excerpt).toContain('#include <stdio.h>');
    expect(r.excerpt).toContain('#  include "local.h"');

    const misc = `package com.example;
using System.Text;
use std::collections::HashMap;
use App\\Models\\User;
require 'json'
local json = require("json")
extern crate serde;
import java.util.List;
${Array.from({ length: 40 }, (_, i) => `x${i} = ${i}`).join('\n')}
def f():
    import inner_thing
    return json
`;
    const rm = ctx(misc, 'return json', 7, { nearbyBefore: 0, nearbyAfter: 0 });
    expect(shownLines(rm.excerpt).slice(0, 8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rm.excerpt).not.toContain('inner_thing');
    expect(rm.enclosing).toBe('def f():');
  });

  it('respects maxImportLines and scanLimit', () => {
    const imports = Array.from({ length: 40 }, (_, i) => `import m${i} from 'm${i}';`).join('\n');
    const text = `${imports}\n${'\n'.repeat(50)}function f() {\n  return m0;\n}\n`;
    const r = ctx(text, 'return m0', 7, { maxImportLines: 5, nearbyBefore: 0, nearbyAfter: 0 });
    expect(shownLines(r.excerpt)).toEqual([1, 2, 3, 4, 5, 91, 92]);
    const none = ctx(text, 'return m0', 7, { scanLimit: 0, nearbyBefore: 0, nearbyAfter: 0 });
    expect(shownLines(none.excerpt)).toEqual([92]);
    expect(none.enclosing).toBeNull();
  });
});

describe('buildHoverContext: size and speed', () => {
  it('2,000-line generated file: only imports + headers + nearby lines', () => {
    const parts: string[] = ["import { a } from './a';", "import { b } from './b';", '', 'export class Big {'];
    for (let m = 0; parts.length < 2000; m++) {
      parts.push(`  method${m}(x: number): number {`);
      for (let k = 0; k < 8; k++) parts.push(`    const r${k} = x * ${k} + a(${m}) - b(${k});`);
      parts.push('    return x;', '  }', '');
    }
    parts.length = 2000;
    const text = parts.join('\n');
    const target = parts.findIndex((l, i) => i >= 1000 && l.includes('const r4'));
    const r = buildHoverContext(doc(text), { line: target, character: 12 })!;
    expect(r).not.toBeNull();
    expect(r.symbol).toBe('r4');
    expect(r.enclosing).toMatch(/^method\d+\(x: number\): number \{$/);
    const lines = shownLines(r.excerpt);
    const methodHeader = parts.findLastIndex((l, i) => i < target && /^ {2}method\d+/.test(l));
    const allowed = new Set([1, 2, methodHeader + 1]);
    for (let l = target + 1 - 12; l <= target + 1 + 12; l++) allowed.add(l);
    expect(lines.filter((l) => !allowed.has(l))).toEqual([]);
    expect(lines).toContain(1);
    expect(lines).toContain(2);
    expect(lines).toContain(methodHeader + 1);
    expect(lines).toContain(target + 1);
    // `export class Big {` (line 4) is ~1000 lines up: beyond scanLimit, not looked at
    expect(lines).not.toContain(4);
    expect(r.excerpt.split('\n').filter((l) => l === '…').length).toBeLessThanOrEqual(2);
    expect(r.bytes).toBeLessThan(4 * 1024); // far under 16 KB
    expect(r.bytes).toBe(Buffer.byteLength(r.excerpt));
  });

  it('5 MB file of normal lines: bounded and fast', () => {
    const lines: string[] = ["import { compute } from './compute';", 'export function run(offset: number) {'];
    let size = 0;
    for (let i = 0; size < 5 * 1024 * 1024; i++) {
      const l = `  const value${i} = compute(${i}) + offset;`;
      lines.push(l);
      size += l.length + 1;
    }
    lines.push('}');
    const text = lines.join('\n');
    const d = doc(text);
    const line = Math.floor(lines.length / 2);
    const t0 = performance.now();
    const r = buildHoverContext(d, { line, character: 10 });
    const elapsed = performance.now() - t0;
    expect(r).not.toBeNull();
    expect(r!.symbol).toBe(`value${line - 2}`);
    expect(r!.excerpt).toContain("import { compute } from './compute';");
    // the header is 170k lines up: beyond scanLimit, so no enclosing is reported
    expect(r!.enclosing).toBeNull();
    expect(shownLines(r!.excerpt).length).toBe(1 + 25);
    expect(r!.bytes).toBeLessThan(2000);
    expect(elapsed).toBeLessThan(500);
  });

  it('5 MB single-line minified file: window around the cursor, fast', () => {
    const chunks: string[] = [];
    let size = 0;
    for (let i = 0; size < 5 * 1024 * 1024; i++) {
      const c = `function f${i}(x){return x*${i}+g(x)};`;
      chunks.push(c);
      size += c.length;
    }
    const text = chunks.join('');
    const d = doc(text, 'javascript');
    const mid = Math.floor(chunks.length / 2);
    const needle = `function f${mid}(`;
    const offset = text.indexOf(needle) + 'function f'.length + 2;
    const origSplit = String.prototype.split;
    let bigSplits = 0;
    String.prototype.split = function (this: string, ...args: unknown[]) {
      if (this.length > 100_000) bigSplits++;
      return (origSplit as (...a: unknown[]) => string[]).apply(this, args);
    } as typeof String.prototype.split;
    let r: HoverContext | null;
    let elapsed: number;
    try {
      const t0 = performance.now();
      r = buildHoverContext(d, { line: 0, character: offset });
      elapsed = performance.now() - t0;
    } finally {
      String.prototype.split = origSplit;
    }
    expect(bigSplits).toBe(0);
    expect(r).not.toBeNull();
    expect(r!.symbol).toBe(`f${mid}`);
    expect(r!.lineText.length).toBeLessThanOrEqual(240);
    expect(r!.lineText.startsWith('…')).toBe(true);
    expect(r!.lineText.endsWith('…')).toBe(true);
    expect(r!.lineText).toContain(needle);
    expect(r!.excerpt).toBe(`→ 1| ${r!.lineText}`);
    expect(r!.bytes).toBeLessThan(400);
    expect(elapsed).toBeLessThan(500);

    // cursor near either end of the line: one-sided cut
    const head = buildHoverContext(d, { line: 0, character: 3 })!;
    expect(head.symbol).toBe('function');
    expect(head.lineText.startsWith('function f0(x)')).toBe(true);
    expect(head.lineText.endsWith('…')).toBe(true);
    expect(head.lineText.length).toBe(240);
    const tail = buildHoverContext(d, { line: 0, character: text.length })!;
    expect(tail.symbol).toBeNull(); // after the final `;`
    expect(tail.lineText.startsWith('…')).toBe(true);
    expect(tail.lineText.endsWith('+g(x)};')).toBe(true);
    expect(tail.lineText.length).toBe(240);
  });

  it('long non-hovered lines are cut at their start', () => {
    const long = `const data = [${'1, '.repeat(200)}];`;
    const text = `function f() {\n  ${long}\n  return data;\n}\n`;
    const r = ctx(text, 'return data', 8, { maxLineChars: 40 });
    const row = r.excerpt.split('\n').find((l) => l.includes('const data'))!;
    expect(row).toBe(`  2|   ${`  ${long}`.slice(2, 39)}…`);
    expect(row.length).toBe('  2| '.length + 40);
  });
});

describe('buildHoverContext: text encodings', () => {
  it('CRLF: no \\r anywhere; the line length excludes the EOL', () => {
    const text = 'import a from "a";\r\n\r\nfunction f() {\r\n  return a.b;\r\n}\r\n';
    const r = ctx(text, 'a.b', 2);
    expect(r.symbol).toBe('a.b');
    expect(r.enclosing).toBe('function f() {');
    expect(r.lineText).toBe('  return a.b;');
    expect(r.excerpt).not.toContain('\r');
    expect(r.excerpt).toBe(['  1| import a from "a";', '  2|', '  3| function f() {', '→ 4|   return a.b;', '  5| }', '  6|'].join('\n'));
    const len = '  return a.b;'.length;
    expect(buildHoverContext(doc(text), { line: 3, character: len })).not.toBeNull();
    expect(buildHoverContext(doc(text), { line: 3, character: len + 1 })).toBeNull(); // on the \r\n
  });

  it('emoji and CJK before the cursor: UTF-16 positions', () => {
    const text = 'function greet() {\n  const 名前 = "😀😀"; const 𝑥𝑦 = 1; return 名前 + 变量 + 𝑥𝑦;\n}\n';
    expect(ctx(text, '变量').symbol).toBe('变量');
    expect(ctx(text, '变量', 1).symbol).toBe('变量');
    expect(ctx(text, '名前', 0, undefined).symbol).toBe('名前');
    // astral letters (surrogate pairs), even if the position points between the two halves
    expect(ctx(text, '𝑥𝑦;', 0).symbol).toBe('𝑥𝑦');
    expect(ctx(text, '𝑥𝑦;', 1).symbol).toBe('𝑥𝑦');
    expect(ctx(text, '𝑥𝑦;', 3).symbol).toBe('𝑥𝑦');
    // inside the emoji string: not a word
    expect(ctx(text, '😀😀', 2).symbol).toBeNull();
  });

  it('cuts long lines without splitting surrogate pairs', () => {
    const text = `x = "${'😀'.repeat(300)}" + y\n`;
    const r = buildHoverContext(doc(text), { line: 0, character: 301 }, { maxLineChars: 41 })!;
    expect(r.lineText.length).toBeLessThanOrEqual(41);
    expect(r.lineText).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(Buffer.from(r.excerpt, 'utf8').toString('utf8')).toBe(r.excerpt);
  });
});

describe('buildHoverContext: nothing to explain', () => {
  const text = 'function f() {\n  const a = 1;   \n\n  return a;\n});\n  end\n*/\n#endif\n  } else {\n';

  it('blank line -> null', () => {
    expect(buildHoverContext(doc(text), { line: 2, character: 0 })).toBeNull();
    expect(buildHoverContext(doc('  \t  \nx'), { line: 0, character: 2 })).toBeNull();
    expect(buildHoverContext(doc(''), { line: 0, character: 0 })).toBeNull();
  });

  it('position past end of file -> null', () => {
    const d = doc(text);
    expect(buildHoverContext(d, { line: d.lineCount, character: 0 })).toBeNull();
    expect(buildHoverContext(d, { line: 1000, character: 0 })).toBeNull();
    expect(buildHoverContext(d, { line: -1, character: 0 })).toBeNull();
  });

  it('character past end of line -> null (end of line itself is fine)', () => {
    const d = doc(text);
    expect(buildHoverContext(d, { line: 0, character: 15 })).toBeNull();
    expect(buildHoverContext(d, { line: 0, character: -1 })).toBeNull();
    expect(buildHoverContext(d, { line: 0, character: 1.5 })).toBeNull();
    expect(buildHoverContext(d, { line: 0, character: 14 })).not.toBeNull();
    // trailing whitespace still belongs to the line
    expect(buildHoverContext(d, { line: 1, character: 17 })).not.toBeNull();
  });

  it('only `}` / `});` / `end` / comment delimiters -> null', () => {
    const d = doc(text);
    expect(buildHoverContext(doc('function f() {\n}\n'), { line: 1, character: 0 })).toBeNull();
    expect(buildHoverContext(d, { line: 4, character: 1 })).toBeNull(); // });
    expect(buildHoverContext(d, { line: 5, character: 3 })).toBeNull(); // end
    expect(buildHoverContext(d, { line: 6, character: 0 })).toBeNull(); // */
    expect(buildHoverContext(d, { line: 7, character: 2 })).toBeNull(); // #endif
    expect(buildHoverContext(doc('If x Then\nEnd If\n'), { line: 1, character: 1 })).toBeNull();
    expect(buildHoverContext(d, { line: 8, character: 5 })).not.toBeNull(); // } else {
  });

  it('cursor on whitespace inside a non-blank line -> context with symbol null', () => {
    const r = buildHoverContext(doc(text), { line: 1, character: 0 });
    expect(r).not.toBeNull();
    expect(r!.symbol).toBeNull();
    expect(r!.lineText).toBe('  const a = 1;');
    const mid = buildHoverContext(doc('let a  =  b;\n'), { line: 0, character: 6 })!;
    expect(mid.symbol).toBeNull();
    expect(hoveredRow(mid.excerpt)).toBe('→ 1| let a  =  b;');
  });
});

describe('buildHoverContext: budget', () => {
  const body = Array.from({ length: 30 }, (_, i) => `    total += compute(${i}, item, options);`);
  const text = [
    "import { compute } from './compute';",
    "import type { Options } from './options';",
    '',
    'export function sum(items: number[], options: Options): number {',
    '  let total = 0;',
    '  for (const item of items) {',
    ...body,
    '  }',
    '  return total;',
    '}',
    '',
  ].join('\n');
  const hovered = 6 + 15; // `compute(15, …)`

  it('drops the farthest nearby lines first, then imports; keeps hovered line and header', () => {
    const full = buildHoverContext(doc(text), { line: hovered, character: 14 })!;
    expect(full.excerpt.length).toBeGreaterThan(700);

    const r = buildHoverContext(doc(text), { line: hovered, character: 14 }, { maxChars: 700 })!;
    expect(r.excerpt.length).toBeLessThanOrEqual(700);
    const lines = shownLines(r.excerpt);
    expect(lines).toContain(hovered + 1);
    expect(lines).toContain(6); // for (...) {  (nearest header)
    expect(lines).toContain(4); // export function sum(...)  (outer definition)
    expect(lines).toContain(1); // imports kept while nearby lines are dropped
    expect(lines).toContain(2);
    // the nearby lines kept are the closest ones, symmetric around the cursor
    const nearby = lines.filter((l) => l > 6);
    const dist = nearby.map((l) => Math.abs(l - (hovered + 1)));
    expect(Math.max(...dist)).toBeLessThan(12);
    expect(nearby).toEqual(Array.from({ length: nearby.length }, (_, i) => nearby[0]! + i));

    // very small budget: everything but the hovered line and the nearest header goes
    const tiny = buildHoverContext(doc(text), { line: hovered, character: 14 }, { maxChars: 10 })!;
    expect(tiny.enclosing).toBe('for (const item of items) {');
    expect(tiny.excerpt).toBe(['   6|   for (const item of items) {', '…', `→ ${hovered + 1}|     total += compute(15, item, options);`].join('\n'));
  });

  it('imports are dropped last-first once nearby lines are gone; outer headers after imports', () => {
    const pos = { line: hovered, character: 14 };
    const noNearby = buildHoverContext(doc(text), pos, { nearbyBefore: 0, nearbyAfter: 0 })!;
    expect(shownLines(noNearby.excerpt)).toEqual([1, 2, 4, 6, hovered + 1]);

    const r = buildHoverContext(doc(text), pos, { maxChars: noNearby.excerpt.length - 1 })!;
    expect(shownLines(r.excerpt)).toEqual([1, 4, 6, hovered + 1]);
    expect(r.excerpt.length).toBeLessThanOrEqual(noNearby.excerpt.length - 1);

    const r2 = buildHoverContext(doc(text), pos, { maxChars: r.excerpt.length - 1 })!;
    expect(shownLines(r2.excerpt)).toEqual([4, 6, hovered + 1]);
    expect(r2.excerpt).toBe(
      [
        '   4| export function sum(items: number[], options: Options): number {',
        '…',
        '   6|   for (const item of items) {',
        '…',
        `→ ${hovered + 1}|     total += compute(15, item, options);`,
      ].join('\n'),
    );
  });
});
