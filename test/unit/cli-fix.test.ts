import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Position } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { applyFixes, dominantEol, unifiedDiff } from '../../server/cli/fix';
import type { CliFinding, Severity } from '../../server/cli/format';
import { rng } from '../support/rng';

const pos = (line: number, character: number): Position => ({ line, character });

function fix(sl: number, sc: number, el: number, ec: number, replacement?: string, severity: Severity = 'warning'): CliFinding {
  const f: CliFinding = { range: { start: pos(sl, sc), end: pos(el, ec) }, severity, message: 'm' };
  if (replacement !== undefined) f.replacement = replacement;
  return f;
}

/** A finding replacing the first occurrence of `quote` in `text`, positions computed by the LSP library (the oracle). */
function at(text: string, quote: string, replacement: string | undefined, from = 0): CliFinding {
  const i = text.indexOf(quote, from);
  if (i < 0) throw new Error(`no ${quote}`);
  const doc = TextDocument.create('file:///t', 'plaintext', 1, text);
  const f: CliFinding = { range: { start: doc.positionAt(i), end: doc.positionAt(i + quote.length) }, severity: 'error', message: quote };
  if (replacement !== undefined) f.replacement = replacement;
  return f;
}

describe('applyFixes', () => {
  it('applies one replacement exactly', () => {
    const text = 'if (a = b) {\n  go();\n}\n';
    expect(applyFixes(text, [fix(0, 4, 0, 9, 'a === b')])).toMatchObject({ text: 'if (a === b) {\n  go();\n}\n', applied: 1, skipped: 0 });
  });

  it('applies several on one line and on several lines, whatever the order given', () => {
    const text = 'let x = 1, y = 2;\nlet z = x + y;\n';
    const fixes = [at(text, 'let z', 'const z'), at(text, 'x = 1', 'x = 10'), at(text, 'y = 2', 'y = 20'), at(text, 'let', 'var')];
    const r = applyFixes(text, fixes);
    expect(r).toMatchObject({ text: 'var x = 10, y = 20;\nconst z = x + y;\n', applied: 4, skipped: 0 });
  });

  it('ignores findings without a replacement (not counted), deletes with an empty one', () => {
    const text = 'a; debugger; b;\n';
    const r = applyFixes(text, [at(text, 'a;', undefined), at(text, ' debugger;', '')]);
    expect(r).toMatchObject({ text: 'a; b;\n', applied: 1, skipped: 0 });
  });

  it('counts UTF-16 characters: emoji (2 units) and CJK (1 unit) before a finding', () => {
    const text = 'const s = "😀😀 日本語"; if (a = b) {}\nconst t = "🎉"; x == y;\n';
    const f1 = at(text, 'a = b', 'a === b');
    const f2 = at(text, 'x == y', 'x === y');
    // The oracle agrees with plain JS string indexes: 😀 counts 2.
    expect(f1.range.start.character).toBe(text.indexOf('a = b'));
    const r = applyFixes(text, [f1, f2]);
    expect(r.text).toBe('const s = "😀😀 日本語"; if (a === b) {}\nconst t = "🎉"; x === y;\n');
    expect(r.applied).toBe(2);
  });

  it('multi-line ranges and multi-line replacements', () => {
    const text = 'function f() {\n  if (x) {\n    return 1;\n  }\n  return 2;\n}\n';
    const r = applyFixes(text, [fix(1, 2, 4, 11, 'return x ? 1 : 2;')]);
    expect(r.text).toBe('function f() {\n  return x ? 1 : 2;\n}\n');
    const r2 = applyFixes(text, [at(text, 'return 2;', 'log();\n  return 2;')]);
    expect(r2.text).toBe('function f() {\n  if (x) {\n    return 1;\n  }\n  log();\n  return 2;\n}\n');
  });

  it('keeps CRLF: line breaks in a replacement become \\r\\n, positions count \\r\\n as one break', () => {
    const text = 'a = 1\r\nif (a = b) {\r\n  go()\r\n}\r\n';
    const r = applyFixes(text, [fix(1, 4, 1, 9, 'a === b'), fix(2, 2, 2, 6, 'log()\n  go()\r\n  done()')]);
    expect(r.text).toBe('a = 1\r\nif (a === b) {\r\n  log()\r\n  go()\r\n  done()\r\n}\r\n');
    expect(r.text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('a whole-line range (to the start of the next line) in a CRLF file removes the line and its break', () => {
    const text = 'one\r\ntwo\r\nthree\r\n';
    expect(applyFixes(text, [fix(1, 0, 2, 0, '')]).text).toBe('one\r\nthree\r\n');
    expect(applyFixes(text, [fix(1, 0, 2, 0, 'TWO\n')]).text).toBe('one\r\nTWO\r\nthree\r\n');
  });

  it('lone \\r ends a line like LSP, and replacements follow it', () => {
    const text = 'x = 1\ry = 2\rz = 3';
    const r = applyFixes(text, [fix(1, 0, 1, 5, 'y = 20\ny2 = 0')]);
    expect(r.text).toBe('x = 1\ry = 20\ry2 = 0\rz = 3');
  });

  it('LF files get \\n even when the replacement brings \\r\\n; files without breaks keep the replacement as given', () => {
    expect(applyFixes('a\nb\n', [fix(0, 0, 0, 1, 'x\r\ny')]).text).toBe('x\ny\nb\n');
    expect(applyFixes('abc', [fix(0, 1, 0, 2, '1\r\n2')]).text).toBe('a1\r\n2c');
  });

  it('mixed line endings: the dominant one is used', () => {
    expect(dominantEol('a\r\nb\r\nc\nd')).toBe('\r\n');
    expect(dominantEol('a\nb\nc\r\nd')).toBe('\n');
    expect(dominantEol('a\rb\rc\nd')).toBe('\r');
    expect(dominantEol('abc')).toBeUndefined();
    const r = applyFixes('a\r\nb\r\nc\nd', [fix(3, 0, 3, 1, 'D\nE')]);
    expect(r.text).toBe('a\r\nb\r\nc\nD\r\nE');
  });

  it('skips (and counts) a fix overlapping one taken earlier in the list', () => {
    const text = 'const value = compute(a, b);\n';
    const first = at(text, 'compute(a, b)', 'computeFast(a, b)');
    const overlapping = at(text, 'a, b', 'b, a');
    const later = at(text, 'const', 'let');
    const r = applyFixes(text, [first, overlapping, later]);
    expect(r).toMatchObject({ text: 'let value = computeFast(a, b);\n', applied: 2, skipped: 1 });
    // The applied ones are told apart from the skipped one (the command line still reports it).
    expect(r.appliedFindings.length).toBe(2);
    // The list order decides which of two overlapping fixes wins.
    expect(applyFixes(text, [overlapping, first]).text).toBe('const value = compute(b, a);\n');
  });

  it('overlap across lines is detected; touching ranges are both applied', () => {
    const text = 'aaa\nbbb\nccc\n';
    expect(applyFixes(text, [fix(0, 1, 1, 2, 'X'), fix(1, 1, 2, 1, 'Y')])).toMatchObject({ text: 'aXb\nccc\n', applied: 1, skipped: 1 });
    expect(applyFixes(text, [fix(0, 0, 0, 2, 'X'), fix(0, 2, 0, 3, 'Y')])).toMatchObject({ text: 'XY\nbbb\nccc\n', applied: 2, skipped: 0 });
  });

  it('insertions: at the same place twice is ambiguous (second skipped), inside a replaced range conflicts, at its end is fine', () => {
    const text = 'abcdef';
    expect(applyFixes(text, [fix(0, 3, 0, 3, '1'), fix(0, 3, 0, 3, '2')])).toMatchObject({ text: 'abc1def', applied: 1, skipped: 1 });
    expect(applyFixes(text, [fix(0, 1, 0, 4, 'X'), fix(0, 2, 0, 2, 'I')])).toMatchObject({ text: 'aXef', applied: 1, skipped: 1 });
    expect(applyFixes(text, [fix(0, 2, 0, 2, 'I'), fix(0, 1, 0, 4, 'X')])).toMatchObject({ text: 'abIcdef', applied: 1, skipped: 1 });
    expect(applyFixes(text, [fix(0, 1, 0, 4, 'X'), fix(0, 4, 0, 4, 'I')])).toMatchObject({ text: 'aXIef', applied: 2, skipped: 0 });
    expect(applyFixes(text, [fix(0, 1, 0, 1, 'I'), fix(0, 1, 0, 4, 'X')])).toMatchObject({ text: 'aIbcdef', applied: 1, skipped: 1 });
  });

  it('clamps like LSP: past the end of a line means its end (before the break), past the last line means the end', () => {
    const text = 'ab\r\ncd\r\n';
    expect(applyFixes(text, [fix(0, 1, 0, 99, 'Z')]).text).toBe('aZ\r\ncd\r\n');
    expect(applyFixes(text, [fix(0, 99, 0, 99, ';')]).text).toBe('ab;\r\ncd\r\n');
    expect(applyFixes(text, [fix(9, 0, 9, 0, 'tail')]).text).toBe('ab\r\ncd\r\ntail');
    expect(applyFixes(text, [fix(-1, -5, 0, 1, 'A')]).text).toBe('Ab\r\ncd\r\n');
  });

  it('a range whose end is before its start is skipped', () => {
    expect(applyFixes('abc', [fix(0, 2, 0, 1, 'x')])).toMatchObject({ text: 'abc', applied: 0, skipped: 1 });
  });

  it('no findings: the text unchanged', () => {
    expect(applyFixes('x\n', [])).toMatchObject({ text: 'x\n', applied: 0, skipped: 0 });
    expect(applyFixes('', [fix(0, 0, 0, 0, 'new\n')])).toMatchObject({ text: 'new\n', applied: 1, skipped: 0 });
  });

  it('agrees with the LSP library on random texts and random positions (mixed line breaks, surrogates)', () => {
    const rnd = rng(7);
    const alphabet = ['a', 'b', ' ', '\n', '\r\n', '\r', '😀', '日'];
    for (let iter = 0; iter < 400; iter++) {
      let text = '';
      const len = Math.floor(rnd() * 30);
      for (let i = 0; i < len; i++) text += alphabet[Math.floor(rnd() * alphabet.length)];
      const doc = TextDocument.create('file:///r', 'plaintext', 1, text);
      const p1 = pos(Math.floor(rnd() * (doc.lineCount + 1)), Math.floor(rnd() * 8));
      const p2 = pos(Math.floor(rnd() * (doc.lineCount + 1)), Math.floor(rnd() * 8));
      const [s, e] = doc.offsetAt(p1) <= doc.offsetAt(p2) ? [p1, p2] : [p2, p1];
      const r = applyFixes(text, [{ range: { start: s, end: e }, severity: 'hint', message: 'r', replacement: 'Q' }]);
      const expected = TextDocument.applyEdits(doc, [{ range: { start: s, end: e }, newText: 'Q' }]);
      expect(r.text, JSON.stringify({ text, s, e })).toBe(expected);
    }
  });
});

// ---------------------------------------------------------------------------------------

/**
 * A strict applier of our own unified diffs (one file): every context and deleted line
 * must match exactly at the position the header says, counts must agree, and the
 * `\ No newline` markers must be where they belong. Returns the new text.
 */
function strictPatch(before: string, diff: string): string {
  const oldLines = before.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const lines = diff.split('\n');
  expect(lines.pop()).toBe(''); // ends with \n
  expect(lines[0]).toMatch(/^--- a\//);
  expect(lines[1]).toMatch(/^\+\+\+ b\//);
  let i = 2;
  let cursor = 0; // index into oldLines of the next unread line
  let out = '';
  let lastOldEnd = -1;
  while (i < lines.length) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(lines[i]!);
    expect(m, lines[i]).not.toBeNull();
    const oldStart = Number(m![1]);
    const oldCount = m![2] === undefined ? 1 : Number(m![2]);
    const newCount = m![4] === undefined ? 1 : Number(m![4]);
    const from = oldCount === 0 ? oldStart : oldStart - 1;
    expect(from).toBeGreaterThan(lastOldEnd - 1);
    for (; cursor < from; cursor++) out += oldLines[cursor]!;
    i++;
    let seenOld = 0;
    let seenNew = 0;
    while (i < lines.length && !lines[i]!.startsWith('@@')) {
      const l = lines[i]!;
      const tag = l[0];
      let body = `${l.slice(1)}\n`;
      if (lines[i + 1] === '\\ No newline at end of file') {
        body = l.slice(1);
        i++;
      }
      if (tag === ' ' || tag === '-') {
        expect(oldLines[cursor], `old line ${cursor + 1}`).toBe(body);
        cursor++;
        seenOld++;
      }
      if (tag === ' ' || tag === '+') {
        out += body;
        seenNew++;
      }
      expect([' ', '-', '+']).toContain(tag);
      i++;
    }
    expect(seenOld).toBe(oldCount);
    expect(seenNew).toBe(newCount);
    lastOldEnd = cursor;
  }
  for (; cursor < oldLines.length; cursor++) out += oldLines[cursor]!;
  return out;
}

const tmpRoots: string[] = [];
afterAll(() => {
  for (const d of tmpRoots) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'codex-lsp-diff-'));
  tmpRoots.push(d);
  return d;
}

const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };

interface Case {
  name: string;
  before: string;
  after: string;
  context?: number;
}

/**
 * Writes every case's `before` into a fresh directory (a git repository of its own, so git
 * applies relative to it), concatenates the diffs into one patch, and applies it for real
 * with `git apply` in one copy and `patch -p1` in another; both must produce every `after`.
 */
function applyWithTools(cases: Case[], context: number): void {
  const patch = cases.map((c) => unifiedDiff(c.name, c.before, c.after, context)).join('');
  for (const tool of ['git', 'patch'] as const) {
    const dir = scratch();
    execFileSync('git', ['init', '-q'], { cwd: dir, env: gitEnv });
    for (const c of cases) {
      mkdirSync(path.dirname(path.join(dir, c.name)), { recursive: true });
      writeFileSync(path.join(dir, c.name), c.before);
    }
    writeFileSync(path.join(dir, '..', `${path.basename(dir)}.patch`), patch);
    const patchFile = path.join(dir, '..', `${path.basename(dir)}.patch`);
    tmpRoots.push(patchFile);
    const args =
      tool === 'git'
        ? ['apply', ...(context === 0 ? ['--unidiff-zero'] : []), '--whitespace=nowarn', patchFile]
        : ['-p1', '--batch', '--no-backup-if-mismatch', '-i', patchFile];
    // First the dry runs the brief asks for, then the real thing.
    const check = spawnSync(tool, tool === 'git' ? ['apply', '--check', ...args.slice(1)] : ['--dry-run', ...args], {
      cwd: dir,
      env: gitEnv,
      encoding: 'utf8',
    });
    expect(check.status, `${tool} check: ${check.stderr}${check.stdout}\n${patch}`).toBe(0);
    const run = spawnSync(tool, args, { cwd: dir, env: gitEnv, encoding: 'utf8' });
    expect(run.status, `${tool}: ${run.stderr}${run.stdout}\n${patch}`).toBe(0);
    for (const c of cases) expect(readFileSync(path.join(dir, c.name), 'utf8'), `${tool} ${c.name}`).toBe(c.after);
  }
}

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a.ts', '', '')).toBe('');
    expect(unifiedDiff('a.ts', 'x\ny\n', 'x\ny\n')).toBe('');
  });

  it('writes the standard format', () => {
    const before = 'l1\nl2\nl3\nl4\nl5\nl6\nl7\n';
    const after = 'l1\nl2\nl3\nL4\nl5\nl6\nl7\n';
    expect(unifiedDiff('src/a.ts', before, after)).toBe(
      ['--- a/src/a.ts', '+++ b/src/a.ts', '@@ -1,7 +1,7 @@', ' l1', ' l2', ' l3', '-l4', '+L4', ' l5', ' l6', ' l7', ''].join('\n'),
    );
  });

  it('limits context, merges hunks whose context overlaps or touches, separates the others', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const before = `${lines.join('\n')}\n`;
    const change = (ns: number[]): string => `${lines.map((l, i) => (ns.includes(i + 1) ? l.toUpperCase() : l)).join('\n')}\n`;
    // Changes on lines 5 and 12: 6 unchanged lines between = 2 × 3 context: one hunk.
    const merged = unifiedDiff('f', before, change([5, 12]));
    expect(merged.match(/^@@.*$/gm)).toEqual(['@@ -2,14 +2,14 @@']);
    // Lines 5 and 13: 7 between: two hunks.
    const split = unifiedDiff('f', before, change([5, 13]));
    expect(split.match(/^@@.*$/gm)).toEqual(['@@ -2,7 +2,7 @@', '@@ -10,7 +10,7 @@']);
    // Context 1 and context 0.
    expect(unifiedDiff('f', before, change([5]), 1).match(/^@@.*$/gm)).toEqual(['@@ -4,3 +4,3 @@']);
    expect(unifiedDiff('f', before, change([5]), 0)).toBe('--- a/f\n+++ b/f\n@@ -5 +5 @@\n-line 5\n+LINE 5\n');
    // Changes at the edges clip the context.
    expect(unifiedDiff('f', before, change([1, 30])).match(/^@@.*$/gm)).toEqual(['@@ -1,4 +1,4 @@', '@@ -27,4 +27,4 @@']);
  });

  it('insertions and deletions: the empty side names the line before', () => {
    expect(unifiedDiff('f', 'a\nb\n', 'a\nx\nb\n', 0)).toBe('--- a/f\n+++ b/f\n@@ -1,0 +2 @@\n+x\n');
    expect(unifiedDiff('f', 'a\nx\nb\n', 'a\nb\n', 0)).toBe('--- a/f\n+++ b/f\n@@ -2 +1,0 @@\n-x\n');
    expect(unifiedDiff('f', '', 'a\nb\n')).toBe('--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff('f', 'a\nb\n', '')).toBe('--- a/f\n+++ b/f\n@@ -1,2 +0,0 @@\n-a\n-b\n');
  });

  it('marks a last line without a newline, on either side', () => {
    expect(unifiedDiff('f', 'a\nb', 'a\nb\n')).toBe('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n');
    expect(unifiedDiff('f', 'a\nb\n', 'a\nb')).toBe('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n');
    expect(unifiedDiff('f', 'a\nb', 'A\nb')).toBe('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-a\n+A\n b\n\\ No newline at end of file\n');
    expect(unifiedDiff('f', 'x', 'y')).toBe('--- a/f\n+++ b/f\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n');
  });

  it('keeps \\r as part of a line (CRLF files diff line by line)', () => {
    const d = unifiedDiff('f', 'a\r\nb\r\nc\r\n', 'a\r\nB\r\nc\r\n');
    expect(d).toBe('--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\r\n-b\r\n+B\r\n c\r\n');
  });

  it('prints deletions before insertions within a change', () => {
    const d = unifiedDiff('f', 'keep\na\nb\nkeep2\n', 'keep\nx\ny\nkeep2\n', 0);
    expect(d).toBe('--- a/f\n+++ b/f\n@@ -2,2 +2,2 @@\n-a\n-b\n+x\n+y\n');
  });

  it('quotes paths the way git does when they hold quotes, backslashes or control characters', () => {
    expect(unifiedDiff('we"ird\tname', 'a\n', 'b\n').split('\n').slice(0, 2)).toEqual(['--- "a/we\\"ird\\tname"', '+++ "b/we\\"ird\\tname"']);
    expect(unifiedDiff('with space/ünï.ts', 'a\n', 'b\n').split('\n').slice(0, 2)).toEqual(['--- a/with space/ünï.ts\t', '+++ b/with space/ünï.ts\t']);
  });

  it('is minimal for a moved block (Myers), not a rewrite of the whole middle', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\n';
    const after = 'a\nc\nd\ne\nb\nf\ng\n';
    const d = unifiedDiff('f', before, after, 0);
    expect(d.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toHaveLength(2);
    expect(strictPatch(before, d)).toBe(after);
  });

  it('is correct for random texts (strict applier, all context sizes)', () => {
    const rnd = rng(42);
    const pool = ['a\n', 'b\n', 'c\n', 'd\n', 'a', 'b', '\n', 'x\r\n', '😀\n'];
    const gen = (): string => {
      let s = '';
      const n = Math.floor(rnd() * 14);
      // Pieces without \n glue to their neighbours: any string is a valid text.
      for (let i = 0; i < n; i++) s += pool[Math.floor(rnd() * pool.length)];
      return s;
    };
    for (let iter = 0; iter < 1500; iter++) {
      const before = gen();
      const after = rnd() < 0.5 ? gen() : mutate(before, rnd);
      const context = Math.floor(rnd() * 4);
      const d = unifiedDiff('r.txt', before, after, context);
      if (before === after) expect(d).toBe('');
      else expect(strictPatch(before, d), JSON.stringify({ before, after, context, d })).toBe(after);
    }
  });

  it('falls back to a correct (non-minimal) diff for huge, completely different texts', () => {
    const before = `${Array.from({ length: 6000 }, (_, i) => `old ${i}`).join('\n')}\n`;
    const after = Array.from({ length: 5000 }, (_, i) => `new ${i}`).join('\n');
    const d = unifiedDiff('big', before, after);
    // Too different to search for a shortest diff: the whole text, replaced, in one hunk.
    expect(d.match(/^@@.*$/gm)).toEqual(['@@ -1,6000 +1,5000 @@']);
    expect(d.endsWith('+new 4999\n\\ No newline at end of file\n')).toBe(true);
    expect(strictPatch(before, d)).toBe(after);
    expect(strictPatch('', unifiedDiff('big', '', after))).toBe(after);
  });

  it('applies with git apply and patch on real files: typical fix diffs', () => {
    const src = Array.from({ length: 40 }, (_, i) => `const v${i} = ${i};`).join('\n');
    const cases: Case[] = [
      { name: 'src/app.ts', before: `${src}\n`, after: `${src.replace('v3 = 3', 'v3 = 33').replace('v30 = 30', 'v30 =\n  30')}\n` },
      { name: 'src/near.ts', before: `${src}\n`, after: `${src.replace('v3 = 3', 'v3 = 33').replace('v8 = 8', 'v8 = 88')}\n` },
      { name: 'src/crlf.ts', before: 'a\r\nif (a = b) {\r\n  go()\r\n}\r\n', after: 'a\r\nif (a === b) {\r\n  go()\r\n}\r\n' },
      { name: 'src/no-eol.ts', before: 'x\ny\nz', after: 'x\ny\nZ' },
      { name: 'src/add-eol.ts', before: 'x\ny\nz', after: 'x\ny\nz\n' },
      { name: 'src/drop-eol.ts', before: 'x\ny\nz\n', after: 'x\ny\nz' },
      { name: 'src/emoji 日本.ts', before: 'const s = "😀";\nif (a = b) {}\n', after: 'const s = "😀";\nif (a === b) {}\n' },
      { name: 'src/empty-before.ts', before: '', after: 'new\nfile\n' },
      { name: 'src/empty-after.ts', before: 'all\ngone\n', after: '' },
      { name: 'src/start.ts', before: 'a\nb\nc\n', after: 'header\na\nb\nc\n' },
      { name: 'deep/dir/end.ts', before: 'a\nb\nc\n', after: 'a\nb\nc\nfooter\n' },
      { name: 'src/we"ird\\name.ts', before: 'q\n', after: 'Q\n' },
    ];
    applyWithTools(cases, 3);
    applyWithTools(cases, 1);
    applyWithTools(cases, 0);
  });

  it('applies with git apply and patch on real files: random texts', () => {
    const rnd = rng(1234);
    const pool = ['alpha\n', 'beta\n', 'gamma\n', '{\n', '}\n', '\n', 'x = 1;\n'];
    const cases: Case[] = [];
    for (let i = 0; cases.length < 40; i++) {
      let before = '';
      const n = 1 + Math.floor(rnd() * 25);
      for (let j = 0; j < n; j++) before += pool[Math.floor(rnd() * pool.length)];
      if (rnd() < 0.2) before = before.slice(0, -1);
      const after = mutate(before, rnd);
      if (after === before) continue;
      cases.push({ name: `r/${i}.txt`, before, after });
    }
    applyWithTools(cases, 3);
    applyWithTools(cases, 2);
  });
});

/** A few random line edits: what a handful of replacements do to a file. */
function mutate(text: string, rnd: () => number): string {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const edits = 1 + Math.floor(rnd() * 3);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(rnd() * (lines.length + 1));
    const kind = rnd();
    if (kind < 0.3) lines.splice(i, 0, `ins${e}\n`);
    else if (kind < 0.6 && lines.length > 0) lines.splice(Math.min(i, lines.length - 1), 1);
    else if (lines.length > 0) {
      const j = Math.min(i, lines.length - 1);
      lines[j] = lines[j]!.endsWith('\n') ? `chg${e}\n` : `chg${e}`;
    }
  }
  return lines.join('');
}
