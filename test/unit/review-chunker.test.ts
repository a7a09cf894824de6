import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Syntax } from '../../server/syntax/syntax';
import { Logger } from '../../server/util/log';
import { DEFAULT_CHUNK_OPTIONS, chunkContext, chunkDocument, estimateTokens, type Chunk, type ChunkOptions } from '../../server/review/chunker';
import { rng } from '../support/rng';

// ---------------------------------------------------------------------------
// helpers

function doc(text: string): TextDocument {
  return TextDocument.create('file:///x.ts', 'typescript', 1, text);
}

function docOf(lines: readonly string[]): TextDocument {
  return doc(lines.join('\n'));
}

/** Chunks cover every line exactly once, in order; lines/tokens are consistent with the document. */
function checkCover(d: TextDocument, chunks: readonly Chunk[]): void {
  expect(chunks.length).toBeGreaterThan(0);
  const all = d.getText().split(/\r\n|\r|\n/);
  expect(all.length).toBe(d.lineCount);
  let next = 0;
  for (const c of chunks) {
    expect(c.start).toBe(next);
    expect(c.end).toBeGreaterThan(c.start);
    expect(c.lines).toEqual(all.slice(c.start, c.end));
    expect(c.tokens).toBe(estimateTokens(c.lines.join('\n')));
    next = c.end;
  }
  expect(next).toBe(d.lineCount);
}

/** Chunks of `after` whose text is not among `before`'s (multiset): what would be re-sent. */
function changedChunks(before: readonly Chunk[], after: readonly Chunk[]): number {
  const left = new Map<string, number>();
  for (const c of before) {
    const k = c.lines.join('\n');
    left.set(k, (left.get(k) ?? 0) + 1);
  }
  let changed = 0;
  for (const c of after) {
    const k = c.lines.join('\n');
    const v = left.get(k) ?? 0;
    if (v > 0) left.set(k, v - 1);
    else changed++;
  }
  return changed;
}

function histogram(xs: readonly number[]): Record<number, number> {
  const h: Record<number, number> = {};
  for (const x of xs) h[x] = (h[x] ?? 0) + 1;
  return h;
}

interface GeneratedFile {
  lines: string[];
  /** Statement lines strictly inside function/method bodies (never a body's first or last line). */
  bodyLines: number[];
}

const WORDS = [
  'user',
  'order',
  'cache',
  'item',
  'value',
  'result',
  'config',
  'path',
  'node',
  'entry',
  'token',
  'range',
  'buffer',
  'index',
  'count',
  'request',
  'response',
  'state',
  'event',
  'handler',
];
const TYPES = ['string', 'number', 'boolean', 'string[]', 'Map<string, number>', 'Promise<void>', 'Record<string, unknown>', 'Item | undefined'];

/**
 * A realistic TypeScript-like file of about `targetLines` lines: license
 * header, imports, top-level functions (mostly 3–45 statements, sometimes
 * 120–320), interfaces, constants, section comments and classes with fields and
 * 1–12 methods; JSDoc comments, nested blocks and blank lines throughout.
 */
function generateTs(seed: number, targetLines: number): GeneratedFile {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  let id = 0;
  const name = (): string => `${pick(WORDS)}${pick(WORDS).replace(/^./, (c) => c.toUpperCase())}${++id}`;
  const out: string[] = [];
  const body: number[] = [];
  const pad = (depth: number): string => '  '.repeat(depth);

  out.push('/*', ' * Copyright (c) Example Corp.', ' * Licensed under the MIT license.', ' */', '');
  out.push("import { readFile, writeFile } from 'node:fs/promises';", "import * as path from 'node:path';");
  out.push('import {', '  createConnection,', '  ProposedFeatures,', '  TextDocuments,', "} from 'vscode-languageserver/node';");
  for (let i = 0; i < 6; i++) out.push(`import { ${name()} } from './module${i}';`);
  out.push('');

  const statements = (depth: number, count: number, inBody: boolean): void => {
    for (let k = 0; k < count; k++) {
      const x = r();
      const middle = inBody && k > 0 && k < count - 1;
      if (x < 0.08 && k > 0) {
        out.push('');
        continue;
      }
      if (x < 0.16 && depth < 5 && count - k > 3) {
        const kw = pick(['if', 'for', 'while', 'try']);
        const head =
          kw === 'if'
            ? `if (${name()}.${pick(WORDS)} > ${int(0, 99)}) {`
            : kw === 'for'
              ? `for (const ${pick(WORDS)} of ${name()}) {`
              : kw === 'while'
                ? `while (${name()}.hasNext()) {`
                : 'try {';
        out.push(pad(depth) + head);
        const inner = int(1, Math.min(8, count - k));
        statements(depth + 1, inner, false);
        if (kw === 'try') {
          out.push(pad(depth) + '} catch (err) {');
          out.push(pad(depth + 1) + `log.error('failed ${name()}', err);`);
        }
        out.push(pad(depth) + '}');
        k += inner;
        continue;
      }
      if (middle) body.push(out.length);
      if (x < 0.24) out.push(pad(depth) + `// ${pick(WORDS)} ${pick(WORDS)} must be ${pick(WORDS)}ed before ${pick(WORDS)} ${id}`);
      else if (x < 0.5) out.push(pad(depth) + `const ${name()} = ${name()}(${pick(WORDS)}, ${int(0, 999)});`);
      else if (x < 0.7) out.push(pad(depth) + `${name()}.${pick(WORDS)} = await this.${pick(WORDS)}(${pick(WORDS)}, '${name()}');`);
      else if (x < 0.85) out.push(pad(depth) + `${pick(WORDS)}s.push({ ${pick(WORDS)}: ${int(0, 9)}, ${pick(WORDS)}: ${name()} });`);
      else out.push(pad(depth) + `return ${name()}.${pick(WORDS)}(${int(1, 50)}) ?? ${pick(['null', 'undefined', '0', "''"])};`);
    }
  };
  const docComment = (depth: number): void => {
    out.push(pad(depth) + '/**');
    for (let k = int(1, 4); k > 0; k--) {
      out.push(pad(depth) + ` * ${pick(WORDS)} the ${pick(WORDS)} of ${name()} when ${pick(WORDS)} changes.`);
    }
    out.push(pad(depth) + ' */');
  };
  const bodySize = (): number => (r() < 0.06 ? int(120, 320) : int(3, 45));

  while (out.length < targetLines) {
    const x = r();
    if (x < 0.4) {
      if (r() < 0.6) docComment(0);
      out.push(`export ${r() < 0.4 ? 'async ' : ''}function ${name()}(${pick(WORDS)}: ${pick(TYPES)}, ${pick(WORDS)}: ${pick(TYPES)}): ${pick(TYPES)} {`);
      statements(1, bodySize(), true);
      out.push('}');
    } else if (x < 0.55) {
      if (r() < 0.5) docComment(0);
      out.push(`export interface ${name()} {`);
      for (let k = int(2, 14); k > 0; k--) out.push(`  ${name()}${r() < 0.3 ? '?' : ''}: ${pick(TYPES)};`);
      out.push('}');
    } else if (x < 0.65) {
      for (let k = int(1, 4); k > 0; k--) out.push(`const ${name().toUpperCase()} = ${int(1, 10000)};`);
    } else if (x < 0.7) {
      out.push('// ---------------------------------------------------------------------------', `// ${pick(WORDS)} ${pick(WORDS)}`);
    } else {
      if (r() < 0.5) docComment(0);
      out.push(`export class ${name()} ${r() < 0.3 ? `extends ${name()} ` : ''}{`);
      for (let k = int(0, 4); k > 0; k--) out.push(`  private ${name()}: ${pick(TYPES)} = ${pick(['null', '0', "''", 'new Map()'])};`);
      for (let m = int(1, 12); m > 0; m--) {
        out.push('');
        if (r() < 0.5) docComment(1);
        out.push(`  ${r() < 0.3 ? 'async ' : ''}${name()}(${pick(WORDS)}: ${pick(TYPES)}): ${pick(TYPES)} {`);
        statements(2, bodySize(), true);
        out.push('  }');
      }
      out.push('}');
    }
    out.push('');
  }
  return { lines: out, bodyLines: body };
}

/** `count` positions spread evenly over the generated file's mid-function lines. */
function spread(file: GeneratedFile, count: number): number[] {
  const b = file.bodyLines;
  return Array.from({ length: count }, (_, k) => b[Math.floor(((k + 0.5) * b.length) / count)]!);
}

const indentOf = (line: string): string => /^\s*/.exec(line)![0];

type Edit = 'modify' | 'insert' | 'delete';

function applyEdit(lines: readonly string[], at: number, edit: Edit): string[] {
  const out = [...lines];
  const line = lines[at]!;
  if (edit === 'modify') out[at] = `${line} // changed`;
  else if (edit === 'insert') out.splice(at + 1, 0, `${indentOf(line)}logger.debug('inserted', value, ${at});`);
  else out.splice(at, 1);
  return out;
}

const FILE = generateTs(1, 3000);
const BASE = chunkDocument(docOf(FILE.lines));
const { minTokens: MIN, maxTokens: MAX } = DEFAULT_CHUNK_OPTIONS;

// ---------------------------------------------------------------------------
// estimateTokens

describe('estimateTokens', () => {
  it('is ceil(chars / 4) + 1 per line, 0 for the empty string', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd')).toBe(2);
    expect(estimateTokens('abcde')).toBe(3);
    expect(estimateTokens('a\nb')).toBe(4);
    expect(estimateTokens('a\n')).toBe(3); // "a" and the empty last line
    expect(estimateTokens('abcd\r\nxy\rz')).toBe(estimateTokens('abcd\nxy\nz'));
  });

  it('is additive over lines', () => {
    const lines = FILE.lines.slice(0, 200);
    const sum = lines.reduce((t, l) => t + Math.ceil(l.length / 4) + 1, 0);
    expect(estimateTokens(lines.join('\n'))).toBe(sum);
    expect(estimateTokens(lines.join('\r\n'))).toBe(sum);
  });
});

// ---------------------------------------------------------------------------
// chunkDocument

describe('chunkDocument: invariants', () => {
  it('(h) an empty document is one chunk with one empty line', () => {
    const chunks = chunkDocument(doc(''));
    expect(chunks).toEqual([{ start: 0, end: 1, lines: [''], tokens: 0 }]);
  });

  it('a document of at most maxTokens is one chunk, blank lines and final EOL included', () => {
    const text = 'const a = 1;\n\n\nfunction f() {\n  return a;\n}\n';
    const d = doc(text);
    const chunks = chunkDocument(d);
    expect(chunks).toHaveLength(1);
    checkCover(d, chunks);
    expect(chunks[0]!.lines.at(-1)).toBe('');

    const exact = Array.from({ length: 100 }, (_, i) => `x${String(i).padStart(9, '0')}`); // 4 tokens per line
    expect(chunkDocument(docOf(exact), { maxTokens: 400 })).toHaveLength(1);
    expect(chunkDocument(docOf([...exact, 'y']), { maxTokens: 400, minTokens: 10 }).length).toBeGreaterThan(1);
  });

  it('(a) covers the 3,000-line file and keeps every chunk within [min, max]', () => {
    const d = docOf(FILE.lines);
    expect(FILE.lines.length).toBeGreaterThanOrEqual(3000);
    checkCover(d, BASE);
    expect(BASE.length).toBeGreaterThanOrEqual(10);
    BASE.forEach((c, i) => {
      expect(c.tokens).toBeLessThanOrEqual(MAX);
      if (i < BASE.length - 1) expect(c.tokens).toBeGreaterThanOrEqual(MIN);
    });
    const mean = BASE.reduce((t, c) => t + c.tokens, 0) / BASE.length;
    // About the target size.
    expect(mean).toBeGreaterThan(DEFAULT_CHUNK_OPTIONS.targetTokens * 0.6);
    expect(mean).toBeLessThan(DEFAULT_CHUNK_OPTIONS.targetTokens * 1.3);
  });

  it('respects custom options', () => {
    const opts: ChunkOptions = { minTokens: 100, targetTokens: 300, maxTokens: 500 };
    const d = docOf(FILE.lines);
    const chunks = chunkDocument(d, opts);
    checkCover(d, chunks);
    chunks.forEach((c, i) => {
      expect(c.tokens).toBeLessThanOrEqual(opts.maxTokens);
      if (i < chunks.length - 1) expect(c.tokens).toBeGreaterThanOrEqual(opts.minTokens);
    });
  });

  it('is deterministic', () => {
    expect(chunkDocument(docOf(FILE.lines))).toEqual(BASE);
  });

  it('(e) a 500-line file gives a few chunks', () => {
    const small = generateTs(7, 500);
    const d = docOf(small.lines);
    const chunks = chunkDocument(d);
    checkCover(d, chunks);
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.length).toBeLessThanOrEqual(6);
  });

  it('(g) CRLF and CR files give lines without \\r and the same chunks as LF', () => {
    const lf = chunkDocument(docOf(FILE.lines));
    for (const eol of ['\r\n', '\r']) {
      const d = doc(FILE.lines.join(eol));
      const chunks = chunkDocument(d);
      checkCover(d, chunks);
      for (const c of chunks) for (const l of c.lines) expect(l).not.toMatch(/[\r\n]/);
      expect(chunks).toEqual(lf);
    }
  });
});

describe('chunkDocument: (f) documents without structure', () => {
  it('one giant function without blank lines respects maxTokens', () => {
    const lines = ['function giant() {'];
    for (let i = 0; i < 6000; i++) lines.push(`  total${i % 7} += compute(${i}, values[${i % 13}]);`);
    lines.push('}');
    const d = docOf(lines);
    const t0 = performance.now();
    const chunks = chunkDocument(d);
    expect(performance.now() - t0).toBeLessThan(1000);
    checkCover(d, chunks);
    for (const c of chunks) expect(c.tokens).toBeLessThanOrEqual(MAX);
    chunks.slice(0, -1).forEach((c) => expect(c.tokens).toBeGreaterThanOrEqual(MIN));
  });

  it('10,000 one-character lines respect maxTokens and finish fast', () => {
    for (const lines of [
      Array.from({ length: 10_000 }, () => 'x'),
      Array.from({ length: 10_000 }, (_, i) => String.fromCharCode(97 + (i % 26))),
      Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? '' : ' ;')),
    ]) {
      const d = docOf(lines);
      const t0 = performance.now();
      const chunks = chunkDocument(d);
      expect(performance.now() - t0).toBeLessThan(1000);
      checkCover(d, chunks);
      for (const c of chunks) {
        expect(c.tokens).toBeLessThanOrEqual(MAX);
        expect(c.tokens).toBeGreaterThanOrEqual(MIN);
      }
    }
  });

  it('a minified one-line file is one chunk, even above maxTokens', () => {
    const line = 'var a=function(b){return b+1};'.repeat(40_000); // ~1.2 MB
    const d = doc(line);
    const t0 = performance.now();
    const chunks = chunkDocument(d);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.tokens).toBe(estimateTokens(line));
  });

  it('oversized lines are chunks of their own; everything else stays within maxTokens', () => {
    const big = 'x'.repeat(4 * MAX); // one line > maxTokens
    const lines: string[] = [];
    for (let i = 0; i < 5; i++) {
      lines.push(big, 'const small = 1;');
      for (let k = 0; k < 150 * i; k++) lines.push(`let v${k} = f(${k});`);
    }
    lines.push(big);
    const d = docOf(lines);
    const chunks = chunkDocument(d);
    checkCover(d, chunks);
    for (const c of chunks) {
      if (c.lines.includes(big)) expect(c.lines).toEqual([big]);
      else expect(c.tokens).toBeLessThanOrEqual(MAX);
    }
    // a minified bundle with a few long lines
    const bundle = Array.from({ length: 8 }, (_, i) => `!function(){${'a.b(c);'.repeat(2000 + i)}}();`);
    const bd = docOf(bundle);
    const bc = chunkDocument(bd);
    checkCover(bd, bc);
    expect(bc).toHaveLength(8);
  });

  it('lines close to maxTokens still give chunks within maxTokens', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(4 * 1400 + (i % 5) * 300, 'y'));
    const d = docOf(lines);
    const chunks = chunkDocument(d);
    checkCover(d, chunks);
    for (const c of chunks) expect(c.tokens).toBeLessThanOrEqual(MAX);
  });
});

// ---------------------------------------------------------------------------
// stability

/** For each position, how many chunks differ (would be re-sent) after the edit. */
function stability(file: GeneratedFile, base: readonly Chunk[], positions: readonly number[], edit: Edit): number[] {
  return positions.map((p) => changedChunks(base, chunkDocument(docOf(applyEdit(file.lines, p, edit)))));
}

describe('chunkDocument: stable boundaries', () => {
  const positions = spread(FILE, 20);

  it('(b) modifying one line in the middle of a function changes exactly one chunk (20 positions)', () => {
    const changed = stability(FILE, BASE, positions, 'modify');
    if (process.env.CHUNKER_REPORT) console.log('modify', histogram(changed));
    expect(changed).toEqual(positions.map(() => 1));
  });

  it('(c) inserting or deleting one line changes at most 2 chunks (20 positions each)', () => {
    const inserted = stability(FILE, BASE, positions, 'insert');
    const deleted = stability(FILE, BASE, positions, 'delete');
    if (process.env.CHUNKER_REPORT) console.log('insert', histogram(inserted), 'delete', histogram(deleted));
    for (const n of [...inserted, ...deleted]) {
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(2);
    }
    // Typically exactly one.
    expect(inserted.filter((n) => n === 1).length).toBeGreaterThanOrEqual(18);
    expect(deleted.filter((n) => n === 1).length).toBeGreaterThanOrEqual(18);
  });

  it('only the chunk holding the edit changes, the others keep their line ranges (shifted)', () => {
    const p = positions[10]!;
    const after = chunkDocument(docOf(applyEdit(FILE.lines, p, 'insert')));
    expect(after).toHaveLength(BASE.length);
    after.forEach((c, i) => {
      const b = BASE[i]!;
      if (b.end <= p) expect(c).toEqual(b);
      else if (b.start > p) expect({ ...c, start: c.start - 1, end: c.end - 1 }).toEqual(b);
      else expect(c.lines.length).toBe(b.lines.length + 1);
    });
  });

  it('(d) appending a function at the end leaves all chunks but the last unchanged', () => {
    const appended = [
      ...FILE.lines,
      '/**',
      ' * Appended later.',
      ' */',
      'export function appended(value: number): number {',
      ...Array.from({ length: 60 }, (_, i) => `  value = transform${i}(value, ${i * 7});`),
      '  return value;',
      '}',
      '',
    ];
    const after = chunkDocument(docOf(appended));
    expect(after.slice(0, BASE.length - 1)).toEqual(BASE.slice(0, -1));
    expect(after.at(-1)!.end).toBe(appended.length);
  });

  it('stays stable on other generated files (aggregate)', () => {
    const all: number[] = [];
    for (const seed of [2, 3, 4, 5]) {
      const f = generateTs(seed, 3000);
      const base = chunkDocument(docOf(f.lines));
      const pos = spread(f, 10);
      for (const edit of ['modify', 'insert', 'delete'] as const) all.push(...stability(f, base, pos, edit));
    }
    if (process.env.CHUNKER_REPORT) console.log('seeds 2-5', histogram(all));
    expect(Math.max(...all)).toBeLessThanOrEqual(3);
    expect(all.filter((n) => n === 1).length / all.length).toBeGreaterThanOrEqual(0.9);
  });

  it('reports the measured figures (CHUNKER_REPORT=1)', () => {
    if (!process.env.CHUNKER_REPORT) return;
    console.log(`lines ${FILE.lines.length}, chunks ${BASE.length}, tokens ${BASE.map((c) => c.tokens).join(' ')}`);
    const t = BASE.map((c) => c.tokens);
    console.log(
      `total ${t.reduce((a, b) => a + b, 0)}, min ${Math.min(...t)}, max ${Math.max(...t)}, mean ${(t.reduce((a, b) => a + b, 0) / t.length).toFixed(0)}`,
    );
  });
});

// ---------------------------------------------------------------------------
// chunkContext

describe('chunkContext', () => {
  const IMPORTS = [
    "import { readFile } from 'node:fs/promises';",
    'import {',
    '  join,',
    '  resolve,',
    "} from 'node:path';",
    "import type { Config } from './config';",
  ];
  const classLines: string[] = [...IMPORTS, '', '/** A store. */', 'export class Store extends Base {', '  private readonly map = new Map<string, number>();'];
  for (let m = 0; m < 30; m++) {
    classLines.push('', `  /** Method ${m}. */`, `  async method${m}(key: string, value: number): Promise<void> {`);
    classLines.push(`    if (key.length > ${m}) {`);
    for (let k = 0; k < 6; k++) classLines.push(`      await this.persist${k}(key, value * ${m + k}, 'store-${m}-${k}');`);
    classLines.push('    }', `    this.map.set(key, value + ${m});`, '  }');
  }
  classLines.push('}', '');
  const d = docOf(classLines);
  const classLine = classLines.indexOf('export class Store extends Base {');
  const chunkAt = (start: number, end: number): Chunk => {
    const lines = classLines.slice(start, end);
    return { start, end, lines, tokens: estimateTokens(lines.join('\n')) };
  };

  it('the first chunk gets no imports (they are in it) and no headers', () => {
    const chunks = chunkDocument(d, { minTokens: 150, targetTokens: 400, maxTokens: 600 });
    checkCover(d, chunks);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunkContext(d, chunks[0]!)).toEqual({ imports: [], headers: [] });
  });

  it('a chunk in the middle of the class gets the imports and the class header', () => {
    const chunks = chunkDocument(d, { minTokens: 150, targetTokens: 400, maxTokens: 600 });
    const mid = chunks.filter((c) => c.start > classLine + 1 && c.start < classLine + 250);
    expect(mid.length).toBeGreaterThan(0);
    for (const c of mid) {
      const ctx = chunkContext(d, c);
      expect(ctx.imports).toEqual(IMPORTS);
      expect(ctx.headers[0]).toBe('export class Store extends Base {');
    }
  });

  it('a chunk starting inside a method gets class and method headers, outermost first', () => {
    const inner = classLines.indexOf("      await this.persist3(key, value * 8, 'store-5-3');");
    expect(inner).toBeGreaterThan(0);
    const ctx = chunkContext(d, chunkAt(inner, inner + 20));
    expect(ctx.headers).toEqual([
      'export class Store extends Base {',
      '  async method5(key: string, value: number): Promise<void> {',
      '    if (key.length > 5) {',
    ]);
    expect(chunkContext(d, chunkAt(inner, inner + 20), { maxHeaderLines: 2 }).headers).toEqual([
      'export class Store extends Base {',
      '    if (key.length > 5) {',
    ]);
    expect(chunkContext(d, chunkAt(inner, inner + 20), { maxHeaderLines: 0 }).headers).toEqual([]);
  });

  it('omits import lines inside the chunk and headers at or below its start', () => {
    // chunk starting in the middle of the multi-line import
    expect(chunkContext(d, chunkAt(2, 40)).imports).toEqual(IMPORTS.slice(0, 2));
    expect(chunkContext(d, chunkAt(20, 40), { maxImportLines: 3 }).imports).toEqual(IMPORTS.slice(0, 3));
    // a chunk starting at the class header: the header is in the chunk
    expect(chunkContext(d, chunkAt(classLine, classLine + 30)).headers).toEqual([]);
  });

  it('leading blank lines are skipped; an all-blank chunk has no headers', () => {
    const blank = classLines.indexOf('', classLine + 5);
    const ctx = chunkContext(d, chunkAt(blank, blank + 10));
    expect(ctx.headers).toEqual(['export class Store extends Base {']);
    const blanks = docOf(['class A {', '  x = 1;', '', '', '  y = 2;', '}']);
    expect(chunkContext(blanks, { start: 2, end: 4, lines: ['', ''], tokens: 2 }).headers).toEqual([]);
  });

  it('contexts of unchanged chunks do not change when another chunk is edited', () => {
    const opts = { minTokens: 150, targetTokens: 400, maxTokens: 600 };
    const before = chunkDocument(d, opts);
    const at = classLines.indexOf("      await this.persist2(key, value * 22, 'store-20-2');");
    const edited = applyEdit(classLines, at, 'modify');
    const d2 = docOf(edited);
    const after = chunkDocument(d2, opts);
    const key = (c: Chunk): string => c.lines.join('\n');
    const beforeCtx = new Map(before.map((c) => [key(c), JSON.stringify(chunkContext(d, c))]));
    let same = 0;
    for (const c of after) {
      const old = beforeCtx.get(key(c));
      if (old === undefined) continue;
      same++;
      expect(JSON.stringify(chunkContext(d2, c))).toBe(old);
    }
    expect(same).toBe(after.length - 1);
  });
});

describe('chunk boundaries from a syntax tree', () => {
  it('cuts only where a top-level construct starts, even where lines look top-level inside a function', async () => {
    const out: string[] = [];
    for (let f = 0; f < 60; f++) {
      out.push(`def load_${f}(path):`, '    text = """');
      // Lines at column 0 after a blank line, inside a string inside the function: the line
      // heuristics take them for top-level starts.
      for (let k = 0; k < 12; k++) out.push('', `SECTION_${f}_${k} = value ${k} of part ${f}, long enough to weigh something`);
      out.push('"""', `    return len(text) + ${f}`, '');
    }
    const text = out.join('\n');
    const parsed = await new Syntax(new Logger(() => undefined)).parse('python', text, 'file:///t.py');
    const starts = parsed!.topLevelStarts()!;
    const doc = TextDocument.create('file:///t.py', 'python', 1, text);
    const withSyntax = chunkDocument(doc, { syntaxStarts: starts });
    expect(withSyntax.length).toBeGreaterThan(3);
    for (const c of withSyntax.slice(1)) expect(starts.has(c.start), `chunk at line ${c.start}`).toBe(true);
    // Without the tree, some cut falls inside a function.
    const heuristic = chunkDocument(doc);
    expect(heuristic.slice(1).some((c) => !starts.has(c.start))).toBe(true);
  });
});
