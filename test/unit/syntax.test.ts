import { describe, expect, it } from 'vitest';
import { Syntax } from '../../server/syntax/syntax';
import { Logger } from '../../server/util/log';

const syntax = new Syntax(new Logger(() => undefined));

/** One small file per language: a documented function calling `helper`, and a type with a method. */
const SAMPLES: Record<string, { text: string; fn: string; sig: string; doc?: string; type: string; bodyLine: number }> = {
  typescript: {
    text: `import { x } from './x';\n\n/** Adds. */\nexport function add(a: number, b: number): number {\n  return helper(a) + b;\n}\n\nexport class Box {\n  get(): number {\n    return 1;\n  }\n}\n`,
    fn: 'add',
    sig: 'export function add(a: number, b: number): number',
    doc: '/** Adds. */',
    type: 'Box',
    bodyLine: 4,
  },
  typescriptreact: {
    text: `// Adds.\nexport function add(a: number): JSX.Element {\n  return <b>{helper(a)}</b>;\n}\n\nclass Box {}\n`,
    fn: 'add',
    sig: 'export function add(a: number): JSX.Element',
    doc: '// Adds.',
    type: 'Box',
    bodyLine: 2,
  },
  javascript: {
    text: `// Adds.\nconst add = (a, b) => {\n  return helper(a) + b;\n};\n\nclass Box {\n  get() { return 1; }\n}\n`,
    fn: 'add',
    sig: 'const add = (a, b) =>',
    doc: '// Adds.',
    type: 'Box',
    bodyLine: 2,
  },
  python: {
    text: `import os\n\n@cached\ndef add(a, b=1):\n    """Adds two."""\n    return helper(a) + b\n\nclass Box:\n    def get(self):\n        return 1\n`,
    fn: 'add',
    sig: 'def add(a, b=1):',
    doc: '"""Adds two."""',
    type: 'Box',
    bodyLine: 5,
  },
  go: {
    text: `package m\n\n// Add adds.\nfunc Add(a, b int) int {\n\treturn helper(a) + b\n}\n\ntype Box struct {\n\tv int\n}\n`,
    fn: 'Add',
    sig: 'func Add(a, b int) int',
    doc: '// Add adds.',
    type: 'Box',
    bodyLine: 4,
  },
  rust: {
    text: `/// Adds.\npub fn add(a: i32, b: i32) -> i32 {\n    helper(a) + b\n}\n\nstruct Box {\n    v: i32,\n}\n`,
    fn: 'add',
    sig: 'pub fn add(a: i32, b: i32) -> i32',
    doc: '/// Adds.',
    type: 'Box',
    bodyLine: 2,
  },
  java: {
    text: `class Box {\n  /** Adds. */\n  int add(int a, int b) {\n    return helper(a) + b;\n  }\n}\n`,
    fn: 'add',
    sig: 'int add(int a, int b)',
    doc: '/** Adds. */',
    type: 'Box',
    bodyLine: 3,
  },
  c: {
    text: `/* Adds. */\nint add(int a, int b) {\n  return helper(a) + b;\n}\n\nstruct Box {\n  int v;\n};\n`,
    fn: 'add',
    sig: 'int add(int a, int b)',
    doc: '/* Adds. */',
    type: 'Box',
    bodyLine: 2,
  },
  cpp: {
    text: `// Adds.\nint add(int a, int b) {\n  return helper(a) + b;\n}\n\nclass Box {\n public:\n  int v;\n};\n`,
    fn: 'add',
    sig: 'int add(int a, int b)',
    doc: '// Adds.',
    type: 'Box',
    bodyLine: 2,
  },
  csharp: {
    text: `class Box {\n  // Adds.\n  public int Add(int a, int b) {\n    return Helper(a) + b;\n  }\n}\n`,
    fn: 'Add',
    sig: 'public int Add(int a, int b)',
    doc: '// Adds.',
    type: 'Box',
    bodyLine: 3,
  },
  ruby: { text: `# Adds.\ndef add(a, b)\n  helper(a) + b\nend\n\nclass Box\nend\n`, fn: 'add', sig: 'def add(a, b)', doc: '# Adds.', type: 'Box', bodyLine: 2 },
  php: {
    text: `<?php\n// Adds.\nfunction add($a, $b) {\n  return helper($a) + $b;\n}\n\nclass Box {\n}\n`,
    fn: 'add',
    sig: 'function add($a, $b)',
    doc: '// Adds.',
    type: 'Box',
    bodyLine: 3,
  },
  lua: {
    text: `-- Adds.\nfunction add(a, b)\n  return helper(a) + b\nend\n\nlocal function twice(n)\n  return n * 2\nend\n`,
    fn: 'add',
    sig: 'function add(a, b)',
    doc: '-- Adds.',
    type: 'twice',
    bodyLine: 2,
  },
  shellscript: {
    text: `# Adds.\nadd() {\n  helper "$1"\n}\n\nfunction twice {\n  echo 2\n}\n`,
    fn: 'add',
    sig: 'add()',
    doc: '# Adds.',
    type: 'twice',
    bodyLine: 1,
  },
};

describe('syntax trees for every language with a grammar', () => {
  for (const [language, s] of Object.entries(SAMPLES)) {
    it(`${language}: definitions with signature and doc, the enclosing function, top-level starts, called names`, async () => {
      expect(syntax.supports(language)).toBe(true);
      const parsed = await syntax.parse(language, s.text, `file:///sample/${language}`);
      // The grammar loads and the sample parses cleanly (else there are no top-level starts).
      expect(parsed?.topLevelStarts()?.size, 'top-level starts').toBeGreaterThan(0);
      const defs = parsed!.definitions();
      expect(defs.map((d) => d.name)).toContain(s.fn);
      const fn = defs.find((d) => d.name === s.fn);
      expect(fn!.signature).toBe(s.sig);
      if (s.doc) expect(fn!.doc).toBe(s.doc);
      expect(defs.map((d) => d.name)).toContain(s.type);
      // The line that calls helper is inside the function, and the function starts at a top-level start.
      const callLine = s.text.split('\n').findIndex((l) => /helper|Helper/.test(l));
      const enclosing = parsed!.enclosing(callLine);
      expect(enclosing[0]?.name).toBe(s.fn);
      expect(parsed!.headers(callLine)[0]?.startLine).toBe(fn!.startLine);
      // A top-level function starts a top-level construct, its doc comment included.
      const docAbove = s.doc !== undefined && !s.doc.startsWith('"""');
      if (language !== 'java' && language !== 'csharp') expect(parsed!.topLevelStarts()!.has(docAbove ? fn!.startLine - 1 : fn!.startLine)).toBe(true);
      const used = parsed!.namesUsed(callLine, callLine);
      expect(used.find((u) => /^[hH]elper$/.test(u.name))?.called).toBe(true);
    });
  }

  it('languages without a grammar, and texts too large, are left to the heuristics', async () => {
    expect(syntax.supports('haskell')).toBe(false);
    expect(await syntax.parse('haskell', 'main = print 1', 'h')).toBeUndefined();
    expect(await syntax.parse('typescript', 'x'.repeat(1_100_000), 'big')).toBeUndefined();
  });

  it('a method is found inside its class, nearest first', async () => {
    const text = `export class Box {\n  get(): number {\n    return compute();\n  }\n}\n`;
    const parsed = await syntax.parse('typescript', text, 'box');
    expect(parsed!.enclosing(2).map((d) => d.name)).toEqual(['get', 'Box']);
    expect(parsed!.headers(2).map((h) => h.startLine)).toEqual([1, 0]);
  });
});

describe('incremental parsing and tree lifetime', () => {
  it("a document's next text is parsed from its last tree, with the same answers as a fresh parse", async () => {
    const s = new Syntax(new Logger(() => undefined));
    const before = 'export function a(): number {\n  return 1;\n}\n\nexport function b(): number {\n  return a();\n}\n';
    const first = await s.parse('typescript', before, 'doc');
    expect(first!.definitions().map((d) => d.name)).toEqual(['a', 'b']);
    const after = before.replace('export function b', '/** Inserted. */\nexport function c(): void {}\n\nexport function b');
    const second = s.parseNow('typescript', after, 'doc')!;
    const fresh = new Syntax(new Logger(() => undefined));
    const reference = await fresh.parse('typescript', after, 'other');
    expect(second.definitions()).toEqual(reference!.definitions());
    expect([...second.topLevelStarts()!]).toEqual([...reference!.topLevelStarts()!]);
    // The replaced tree was released; its holder still gets right answers (from a fresh parse).
    expect(first!.enclosing(5).map((d) => d.name)).toEqual(['b']);
    // The same text again is the same tree.
    expect(s.parseNow('typescript', after, 'doc')).toBe(second);
  });

  it('a text that does not parse cleanly gives no top-level starts (the heuristics cut it instead)', async () => {
    const s = new Syntax(new Logger(() => undefined));
    const broken = await s.parse('typescript', 'export function a() {\n  return 1;\n}\nfunction draft(x) {\n\nexport function b() {}\n', 'broken');
    expect(broken!.topLevelStarts()).toBeUndefined();
  });
});
