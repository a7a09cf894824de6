import { describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic, PublishDiagnosticsParams, TextEdit } from 'vscode-languageserver-protocol';
import { listing, openAIError, type RecordedRequest } from '../support/fake-openai';
import { useSession } from '../support/session';
import { applyTextEdits, fileUri, type LspTestClient, type SpawnOptions } from '../support/lsp-client';

const DEFAULTS = { hover: { delayMs: 0 } };
const session = useSession(DEFAULTS);
/** A test's own settings are merged over the defaults. */
const start = (opts: SpawnOptions = {}): Promise<LspTestClient> =>
  session.start({ ...opts, settings: opts.settings === undefined ? undefined : { ...DEFAULTS, ...opts.settings } });

const reviews = (): RecordedRequest[] => session.fake.requests.filter((r) => r.schemaName === 'diagnostics');

/** Answers review requests with findings chosen by the listing's text. */
function reviewer(pick: (lines: Map<number, string>, r: RecordedRequest) => unknown[]): void {
  session.fake.setDefault((r) => (r.schemaName === 'diagnostics' ? { json: { diagnostics: pick(listing(r), r) } } : { text: 'x' }));
}

function lineOf(lines: Map<number, string>, needle: string): number {
  for (const [n, t] of lines) if (t.includes(needle)) return n;
  return -1;
}

async function latest(
  c: LspTestClient,
  uri: string,
  pred: (p: PublishDiagnosticsParams) => boolean = () => true,
  timeoutMs = 5000,
): Promise<PublishDiagnosticsParams> {
  return c.waitForDiagnostics(uri, pred, timeoutMs);
}

const CHECK = [
  "import { db } from './db';",
  '',
  'export function check(user: User, limit: number): boolean {',
  '  if (user.role = "admin") {',
  '    return true;',
  '  }',
  '  const rows = db.query("SELECT * FROM t WHERE id = " + user.id);',
  '  return rows.length < limit;',
  '}',
  '',
].join('\n');
const URI = fileUri('/work/project/src/check.ts');

describe('review diagnostics', () => {
  it('reviews on open and shows findings at exactly the quoted ranges, with source codex', async () => {
    reviewer((lines) => [
      {
        line: lineOf(lines, 'user.role'),
        quote: 'user.role = "admin"',
        severity: 'error',
        message: 'Assignment in condition',
        replacement: 'user.role === "admin"',
      },
      { line: lineOf(lines, 'db.query'), quote: '"SELECT * FROM t WHERE id = " + user.id', severity: 'warning', message: 'SQL injection', replacement: null },
    ]);
    const c = await start();
    await c.open(URI, CHECK, 'typescript');
    const p = await latest(c, URI, (d) => d.diagnostics.length === 2);
    const [a, b] = p.diagnostics as [Diagnostic, Diagnostic];
    expect(a.range).toEqual({ start: { line: 3, character: 6 }, end: { line: 3, character: 25 } });
    expect(a).toMatchObject({ severity: 1, source: 'codex', message: 'Assignment in condition' });
    expect(a.data).toMatchObject({ replacement: 'user.role === "admin"' });
    expect(b.range).toEqual({ start: { line: 6, character: 24 }, end: { line: 6, character: 63 } });
    expect(b.severity).toBe(2);
    expect(b.data).toBeUndefined();
    expect(p.version).toBe(1);
    const r = reviews()[0]!;
    expect(r.prompt).toContain('Language: typescript');
    expect(r.prompt).toContain('File: check.ts');
    expect(listing(r).get(4)).toBe('  if (user.role = "admin") {');
  });

  it('never sends secrets in a review, and anchors findings around them exactly', async () => {
    const aws = 'AKIA' + 'IOSFODNN7' + 'EXAMPLE';
    const text = `const key = '${aws}'; const x = eval(input);\nexport default x;\n`;
    reviewer(() => [{ line: 1, quote: 'eval(input)', severity: 'error', message: 'eval of input', replacement: 'JSON.parse(input)' }]);
    const c = await start();
    // (not secrets.ts: that name is in the default ignore list)
    const uri = fileUri('/work/project/settings.ts');
    await c.open(uri, text, 'typescript');
    const p = await latest(c, uri, (d) => d.diagnostics.length === 1);
    expect(reviews()[0]!.prompt).not.toContain(aws);
    const col = text.indexOf('eval(input)');
    expect(p.diagnostics[0]!.range).toEqual({ start: { line: 0, character: col }, end: { line: 0, character: col + 11 } });
    expect(p.diagnostics[0]!.data).toMatchObject({ replacement: 'JSON.parse(input)' });
  });

  it('names the language from the file when the client sends a generic id (eglot "prog")', async () => {
    const c = await start();
    await c.open(fileUri('/work/project/tool.py'), 'def f(x):\n    return x / 0\n', 'prog');
    await session.fake.waitForRequests(1);
    expect(reviews()[0]!.prompt).toContain('Language: python');
  });

  it('gets UTF-16 ranges right after emoji and CJK', async () => {
    const text = 'const s = "😀😀 日本語"; if (a = b) { go(); }\n';
    reviewer(() => [{ line: 1, quote: 'a = b', severity: 'error', message: 'assignment', replacement: 'a === b' }]);
    const c = await start();
    const uri = fileUri('/work/project/emoji.ts');
    await c.open(uri, text, 'typescript');
    const p = await latest(c, uri, (d) => d.diagnostics.length === 1);
    const col = text.indexOf('a = b');
    expect(p.diagnostics[0]!.range).toEqual({ start: { line: 0, character: col }, end: { line: 0, character: col + 5 } });
    expect(col).toBe(26);
  });

  it('uses what is usable in a bad answer and drops the rest: wrong types, missing fields, duplicates, out-of-range lines, empty quote', async () => {
    reviewer((lines) => {
      const n = lineOf(lines, 'user.role');
      return [
        { line: String(n), quote: 'user.role = "admin"', severity: 'ERROR', message: 'Assignment in condition', replacement: 'user.role === "admin"' },
        { line: n, quote: 'user.role = "admin"', severity: 'error', message: 'assignment in condition' },
        { line: 999, quote: 'x', severity: 'error', message: 'past the end' },
        { line: 'seven', quote: 'x', severity: 'error', message: 'bad line' },
        { quote: 'x', severity: 'error', message: 'no line' },
        { line: n, quote: 'user', severity: 'error' },
        { line: lineOf(lines, 'rows.length'), quote: '', severity: 'catastrophic', message: 'Off by one?' },
        'not an object',
      ];
    });
    const c = await start();
    await c.open(URI, CHECK, 'typescript');
    // What the review kept of the answer.
    const last = await latest(c, URI, (d) => d.diagnostics.length > 0);
    expect(last.diagnostics.map((d) => d.message)).toEqual(['Assignment in condition', 'Off by one?']);
    expect(last.diagnostics[1]!.severity).toBe(2);
    // An empty quote marks the line's non-blank extent, with no fix.
    expect(last.diagnostics[1]!.range).toEqual({ start: { line: 7, character: 2 }, end: { line: 7, character: 29 } });
    expect(last.diagnostics[1]!.data).toBeUndefined();
    expect(c.logs.some((l) => /dropped \d+ unusable finding/.test(l.message))).toBe(true);
  });

  it('survives malformed JSON, JSON after prose, and hundreds of findings', async () => {
    const c = await start();
    session.fake.script({ text: '{"diagnostics": [{"line": 4, "quote": "user.role' });
    await c.open(URI, CHECK, 'typescript');
    await session.fake.waitForRequests(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(c.logs.some((l) => /not the JSON that was asked for/.test(l.message))).toBe(true);

    session.fake.script({
      text: 'Here is my review:\n```json\n{"diagnostics": [{"line": 4, "quote": "user.role = \\"admin\\"", "severity": "error", "message": "fenced", "replacement": null}]}\n```',
    });
    const u2 = fileUri('/work/project/src/check2.ts');
    await c.open(u2, CHECK, 'typescript');
    expect((await latest(c, u2, (d) => d.diagnostics.length === 1)).diagnostics[0]!.message).toBe('fenced');

    const many = Array.from({ length: 300 }, (_, i) => ({ line: (i % 8) + 1, quote: '', severity: 'hint', message: `finding ${i}`, replacement: null }));
    session.fake.script({ json: { diagnostics: many } });
    const u3 = fileUri('/work/project/src/check3.ts');
    await c.open(u3, CHECK, 'typescript');
    const p3 = await latest(c, u3, (d) => d.diagnostics.length > 0);
    expect(p3.diagnostics.length).toBeLessThanOrEqual(25);
    expect(c.exitCode).toBeUndefined();
  });

  it('chooses the first of several occurrences on a line, and finds quotes the model put a line off', async () => {
    const text = 'let x = a + a;\nlet y = 1;\nfoo(x, y);\n';
    reviewer(() => [
      { line: 1, quote: 'a', severity: 'warning', message: 'twice', replacement: null },
      { line: 1, quote: 'foo(x, y)', severity: 'warning', message: 'off by two', replacement: null },
    ]);
    const c = await start();
    const uri = fileUri('/work/project/x.ts');
    await c.open(uri, text, 'typescript');
    const p = await latest(c, uri, (d) => d.diagnostics.length === 2);
    expect(p.diagnostics[0]!.range.start).toEqual({ line: 0, character: 8 });
    expect(p.diagnostics[1]!.range).toEqual({ start: { line: 2, character: 0 }, end: { line: 2, character: 9 } });
  });
});

describe('quick fixes', () => {
  it('offers the fix instantly, with no model call, and it applies exactly', async () => {
    reviewer((lines) => [
      {
        line: lineOf(lines, 'user.role'),
        quote: 'user.role = "admin"',
        severity: 'error',
        message: 'Assignment in condition',
        replacement: 'user.role === "admin"',
      },
      { line: lineOf(lines, 'rows.length'), quote: 'rows.length < limit', severity: 'warning', message: 'Should be <=', replacement: 'rows.length <= limit' },
    ]);
    const c = await start();
    await c.open(URI, CHECK, 'typescript');
    const p = await latest(c, URI, (d) => d.diagnostics.length === 2);
    const before = session.fake.requests.length;
    const d0 = p.diagnostics[0]!;
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: URI }, range: d0.range, context: { diagnostics: [d0] } });
    expect(session.fake.requests.length).toBe(before);
    const fix = actions.find((a) => a.kind === 'quickfix')!;
    expect(fix.isPreferred).toBe(true);
    expect(fix.diagnostics).toEqual([d0]);
    const change = fix.edit!.documentChanges![0] as { textDocument: { version: number }; edits: TextEdit[] };
    expect(change.textDocument.version).toBe(1);
    expect(applyTextEdits(CHECK, change.edits)).toBe(CHECK.replace('user.role = "admin"', 'user.role === "admin"'));

    const all = await c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: URI },
      range: d0.range,
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    expect(all.length).toBe(1);
    expect(all[0]!.kind).toBe('source.fixAll.codex');
    const edits = (all[0]!.edit!.documentChanges![0] as { edits: TextEdit[] }).edits;
    expect(applyTextEdits(CHECK, edits)).toBe(
      CHECK.replace('user.role = "admin"', 'user.role === "admin"').replace('rows.length < limit', 'rows.length <= limit'),
    );
    expect(session.fake.requests.length).toBe(before);
  });

  it('uses plain changes for clients without documentChanges, and finds fixes for clients that drop data', async () => {
    reviewer((lines) => [
      { line: lineOf(lines, 'user.role'), quote: 'user.role = "admin"', severity: 'error', message: 'Assignment', replacement: 'user.role === "admin"' },
    ]);
    const c = await start({ capabilities: { workspace: { configuration: true, workspaceEdit: { documentChanges: false } } } });
    await c.open(URI, CHECK, 'typescript');
    const p = await latest(c, URI, (d) => d.diagnostics.length === 1);
    const { data: _dropped, ...withoutData } = p.diagnostics[0]!;
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: URI },
      range: { start: { line: 3, character: 8 }, end: { line: 3, character: 8 } },
      context: { diagnostics: [withoutData] },
    });
    const fix = actions.find((a) => a.kind === 'quickfix')!;
    expect(fix.edit?.changes?.[URI]).toEqual([{ range: p.diagnostics[0]!.range, newText: 'user.role === "admin"' }]);
  });

  it('offers no fix once the quoted text has changed', async () => {
    reviewer((lines) => [
      { line: lineOf(lines, 'user.role'), quote: 'user.role = "admin"', severity: 'error', message: 'Assignment', replacement: 'user.role === "admin"' },
    ]);
    const c = await start();
    await c.open(URI, CHECK, 'typescript');
    const p = await latest(c, URI, (d) => d.diagnostics.length === 1);
    await c.change(URI, CHECK.replace('user.role = "admin"', 'user.role == "admin"'));
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: URI },
      range: p.diagnostics[0]!.range,
      context: { diagnostics: p.diagnostics },
    });
    expect(actions.filter((a) => a.kind === 'quickfix' && a.title !== 'Ignore this finding (codex)')).toEqual([]);
  });
});

describe('triggers, versions and cost', () => {
  it('trigger "change": a burst of 20 edits costs one review, of the final text', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, diagnostics: { trigger: 'change', debounceMs: 300 } } });
    await c.open(URI, CHECK, 'typescript');
    await session.fake.waitForRequests(1);
    let text = CHECK;
    for (let i = 0; i < 20; i++) {
      text = text.replace('return true;', `return true; // ${i}`);
      await c.change(URI, text);
      await new Promise((r) => setTimeout(r, 20));
    }
    await c.waitFor(() => reviews().length >= 2, 5000, 'the review after the burst');
    await new Promise((r) => setTimeout(r, 600));
    expect(reviews().length).toBe(2);
    expect(reviews()[1]!.prompt).toContain('// 19');
  });

  it('trigger "save" (the default): edits cost nothing, a save reviews', async () => {
    const c = await start();
    await c.open(URI, CHECK, 'typescript');
    await session.fake.waitForRequests(1);
    await c.change(URI, CHECK + '\nexport const z = 1;\n');
    await new Promise((r) => setTimeout(r, 2000));
    expect(reviews().length).toBe(1);
    await c.save(URI);
    await c.waitFor(() => reviews().length === 2, 3000, 'the review on save');
  });

  it('a new version aborts the review in flight for the old one, which never shows', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, diagnostics: { trigger: 'change', debounceMs: 200 } } });
    session.fake.script(async () => ({
      json: { diagnostics: [{ line: 4, quote: 'user.role = "admin"', severity: 'error', message: 'stale finding', replacement: null }] },
      delayMs: 1500,
    }));
    await c.open(URI, CHECK, 'typescript');
    await session.fake.waitForRequests(1);
    await c.change(URI, CHECK.replace('limit: number', 'limit: number, extra = 0'));
    await c.waitFor(() => session.fake.requests[0]!.aborted, 3000, 'the first review to be aborted');
    await c.waitFor(() => reviews().length === 2, 3000, 'the second review');
    await new Promise((r) => setTimeout(r, 1800));
    for (const p of c.diagnostics.get(URI) ?? []) expect(p.diagnostics.map((d) => d.message)).not.toContain('stale finding');
  });

  it('shown findings follow their text through edits, and vanish with it', async () => {
    reviewer((lines) => [
      { line: lineOf(lines, 'user.role'), quote: 'user.role = "admin"', severity: 'error', message: 'Assignment', replacement: 'user.role === "admin"' },
    ]);
    const c = await start();
    await c.open(URI, CHECK, 'typescript');
    await latest(c, URI, (d) => d.diagnostics.length === 1);
    const moved = '// one\n// two\n// three\n' + CHECK;
    await c.change(URI, moved);
    const p = await latest(c, URI, (d) => d.version === 2);
    expect(p.diagnostics[0]!.range.start).toEqual({ line: 6, character: 6 });
    await c.change(URI, moved.replace('user.role = "admin"', 'isAdmin(user)'));
    const q = await latest(c, URI, (d) => d.version === 3);
    expect(q.diagnostics).toEqual([]);
  });

  it('reopening an unchanged file costs nothing; closing clears its diagnostics', async () => {
    reviewer((lines) => [{ line: lineOf(lines, 'user.role'), quote: 'user.role = "admin"', severity: 'error', message: 'Assignment', replacement: null }]);
    const c = await start();
    await c.open(URI, CHECK, 'typescript');
    await latest(c, URI, (d) => d.diagnostics.length === 1);
    await c.close(URI);
    await latest(c, URI, (d) => d.diagnostics.length === 0);
    const n = session.fake.requests.length;
    await c.open(URI, CHECK, 'typescript');
    await c.waitFor(() => (c.diagnostics.get(URI)?.at(-1)?.diagnostics.length ?? 0) === 1, 3000, 'diagnostics from the cache');
    expect(session.fake.requests.length).toBe(n);
  });

  it('splits a 3,000-line file into chunks, and a one-line edit re-sends one chunk', async () => {
    const lines: string[] = ["import { readFile } from 'node:fs/promises';", ''];
    for (let f = 0; lines.length < 3000; f++) {
      lines.push(`export async function load${f}(dir: string): Promise<number> {`);
      for (let k = 0; k < 3 + (f % 9); k++) lines.push(`  const v${k} = (await readFile(dir + '/f${f}-${k}.txt', 'utf8')).length * ${k};`);
      lines.push(`  return ${f};`, '}', '');
    }
    const text = lines.join('\n');
    const uri = fileUri('/work/project/src/big.ts');
    const c = await start();
    await c.open(uri, text, 'typescript');
    await c.waitFor(() => c.diagnostics.get(uri)?.length, 10000, 'the first review');
    const first = reviews().length;
    expect(first).toBeGreaterThan(3);
    const sent = reviews().reduce((n, r) => n + r.bytes, 0);
    expect(sent).toBeLessThan(Buffer.byteLength(text) * 1.6);
    const edited = text.replace("'/f40-1.txt'", "'/f40-1.json'");
    const published = c.diagnostics.get(uri)?.length ?? 0;
    await c.change(uri, edited);
    await c.save(uri);
    // The review of the saved version is done when it publishes (after its one model call).
    await c.waitFor(
      () => (c.diagnostics.get(uri) ?? []).some((p, i) => i >= published && p.version === 2) && reviews().length > first,
      10000,
      'the second review',
    );
    expect(reviews().length - first).toBe(1);
    expect(reviews().at(-1)!.prompt).toContain('f40-1.json');
  });

  it('does not review a file above the size cap, and says so once', async () => {
    const c = await start();
    const huge = 'const a = 1;\n'.repeat(60_000);
    const uri = fileUri('/work/project/huge.ts');
    await c.open(uri, huge, 'typescript');
    await c.save(uri);
    await c.waitFor(() => c.logs.some((l) => /huge\.ts is not reviewed/.test(l.message)), 3000, 'the size-cap log line');
    await new Promise((r) => setTimeout(r, 200));
    expect(c.logs.filter((l) => /huge\.ts is not reviewed/.test(l.message)).length).toBe(1);
    expect(reviews().length).toBe(0);
  });

  it('never reviews an ignored file, nor lock files, minified files or commit messages, and nothing when diagnostics are off', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, ignore: ['secret-stuff/**'] } });
    await c.open(fileUri('/work/project/.env'), 'TOKEN=abc\n', 'dotenv');
    await c.open(fileUri('/work/project/package-lock.json'), '{"lockfileVersion": 3}\n', 'json');
    await c.open(fileUri('/work/project/dist/app.min.js'), 'var a=1;\n', 'javascript');
    await c.open(fileUri('/work/project/.git/COMMIT_EDITMSG'), 'Fix the thing\n', 'gitcommit');
    await c.open(fileUri('/work/project/node_modules/x/index.js'), 'module.exports = 1;\n', 'javascript');
    await c.open(fileUri('/work/project/secret-stuff/a.ts'), 'export const a = 1;\n', 'typescript');
    const d = await start({ settings: { diagnostics: { enabled: false } } });
    await d.open(URI, CHECK, 'typescript');
    // A positive control: an ordinary file next to them is reviewed.
    const ordinary = fileUri('/work/project/src/ok.ts');
    await c.open(ordinary, 'export const ok = compute();\n', 'typescript');
    await c.waitFor(() => reviews().length === 1, 3000, 'the ordinary file to be reviewed');
    await new Promise((r) => setTimeout(r, 500));
    expect(reviews().length).toBe(1);
    expect(reviews()[0]!.prompt).toContain('File: ok.ts');
  });

  it('keeps the last findings of a part the model could not review now', async () => {
    reviewer((lines) => [{ line: lineOf(lines, 'user.role'), quote: 'user.role = "admin"', severity: 'error', message: 'Assignment', replacement: null }]);
    const c = await start();
    await c.open(URI, CHECK, 'typescript');
    await latest(c, URI, (d) => d.diagnostics.length === 1);
    session.fake.setDefault(() => openAIError(400, 'Your prompt is malformed'));
    await c.change(URI, '\n' + CHECK);
    await c.save(URI);
    await c.waitFor(() => c.logs.some((l) => /malformed/.test(l.message)), 5000, 'the failed review');
    await new Promise((r) => setTimeout(r, 300));
    const last = c.diagnostics.get(URI)!.at(-1)!;
    expect(last.diagnostics.map((d) => d.message)).toEqual(['Assignment']);
    expect(last.diagnostics[0]!.range.start.line).toBe(4);
  });
});

describe('edits during a review', () => {
  it('trigger "save": typing during the review of an opened file still shows its findings, moved with their text', async () => {
    session.fake.setDefault((r) => ({
      json: {
        diagnostics: [
          {
            line: lineOf(listing(r), 'user.role'),
            quote: 'user.role = "admin"',
            severity: 'error',
            message: 'Assignment',
            replacement: 'user.role === "admin"',
          },
        ],
      },
      delayMs: 600,
    }));
    const c = await start();
    await c.open(URI, CHECK, 'typescript');
    await session.fake.waitForRequests(1);
    await c.change(URI, '// added while the review ran\n' + CHECK);
    const p = await latest(c, URI, (d) => d.diagnostics.length === 1, 5000);
    expect(p.version).toBe(2);
    expect(p.diagnostics[0]!.range.start).toEqual({ line: 4, character: 6 });
    expect(reviews().length).toBe(1);
    expect(session.fake.requests[0]!.aborted).toBe(false);
  });

  it('a result computed for an old version loses the findings whose text is gone', async () => {
    session.fake.setDefault((r) => ({
      json: {
        diagnostics: [
          { line: lineOf(listing(r), 'user.role'), quote: 'user.role = "admin"', severity: 'error', message: 'Assignment', replacement: null },
          { line: lineOf(listing(r), 'db.query'), quote: 'db.query', severity: 'warning', message: 'Injection', replacement: null },
        ],
      },
      delayMs: 600,
    }));
    const c = await start();
    await c.open(URI, CHECK, 'typescript');
    await session.fake.waitForRequests(1);
    await c.change(URI, CHECK.replace('user.role = "admin"', 'isAdmin(user)'));
    const p = await latest(c, URI, (d) => d.version === 2, 5000);
    expect(p.diagnostics.map((d) => d.message)).toEqual(['Injection']);
  });

  it('an edit during a review costs no second request for the parts that did not change', async () => {
    const lines: string[] = ["import { readFile } from 'node:fs/promises';", ''];
    for (let f = 0; lines.length < 1500; f++) {
      lines.push(`export async function load${f}(dir: string): Promise<number> {`);
      for (let k = 0; k < 3 + (f % 7); k++) lines.push(`  const v${k} = (await readFile(dir + '/f${f}-${k}.txt', 'utf8')).length * ${k};`);
      lines.push(`  return ${f};`, '}', '');
    }
    const text = lines.join('\n');
    const uri = fileUri('/work/project/src/mid.ts');
    session.fake.setDefault(() => ({ json: { diagnostics: [] }, delayMs: 400 }));
    const c = await start({ settings: { diagnostics: { trigger: 'change', debounceMs: 100 } } });
    await c.open(uri, text, 'typescript');
    await session.fake.waitForRequests(1);
    await c.change(uri, text.replace("'/f20-1.txt'", "'/f20-1.json'"));
    await c.waitFor(() => (c.diagnostics.get(uri)?.length ?? 0) >= 1, 15_000, 'a review to land');
    await new Promise((r) => setTimeout(r, 1500));
    const prompts = reviews().map((r) => r.prompt);
    // Every distinct prompt was sent once: the second review joined the first one's requests.
    expect(prompts.length).toBe(new Set(prompts).size);
  });

  it('closing during a review: the request is closed and nothing is shown after', async () => {
    session.fake.setDefault((r) => ({
      json: { diagnostics: [{ line: lineOf(listing(r), 'user.role'), quote: 'user.role', severity: 'error', message: 'late', replacement: null }] },
      delayMs: 500,
    }));
    const c = await start();
    await c.open(URI, CHECK, 'typescript');
    await session.fake.waitForRequests(1);
    await c.close(URI);
    await c.waitFor(() => session.fake.requests[0]!.aborted, 3000, 'the request to be closed');
    await new Promise((r) => setTimeout(r, 700));
    expect(c.diagnostics.get(URI)?.at(-1)?.diagnostics).toEqual([]);
  });
});

describe('configuration', () => {
  it('a file that could not be reviewed is reviewed once it can be: reviews turned on, a key supplied', async () => {
    const c = await start({ settings: { diagnostics: { enabled: false } } });
    await c.open(URI, CHECK, 'typescript');
    await new Promise((r) => setTimeout(r, 300));
    expect(reviews().length).toBe(0);
    c.settings = { hover: { delayMs: 0 }, diagnostics: { enabled: true } };
    await c.changeConfiguration();
    await c.waitFor(() => reviews().length === 1, 3000, 'the review after turning reviews on');

    const d = await session.start({ withKey: false, settings: { hover: { delayMs: 0 } }, env: { CODEX_LSP_BASE_URL: 'https://api.example.invalid/v1' } });
    const other = fileUri('/work/project/src/other.ts');
    await d.open(other, CHECK, 'typescript');
    await d.waitForMessage(/no API key/);
    d.settings = { apiKey: 'a-key-from-settings-123', baseUrl: session.fake.baseUrl };
    await d.changeConfiguration();
    await d.waitFor(() => reviews().length === 2, 3000, 'the review once a key is there');
  });
});

describe('fixes after edits', () => {
  const LOOPS = ['for (let i = 0; i <= n; i++) a();', 'for (let i = 0; i <= n; i++) b();', ''].join('\n');

  it('a quick fix from an older version is placed by its text, not its old range', async () => {
    reviewer(() => [{ line: 2, quote: 'i <= n', severity: 'error', message: 'off by one', replacement: 'i < n' }]);
    const c = await start();
    const uri = fileUri('/work/project/loops.ts');
    await c.open(uri, LOOPS, 'typescript');
    const p = await latest(c, uri, (d) => d.diagnostics.length === 1);
    const d0 = p.diagnostics[0]!;
    const edited = '// a comment\n' + LOOPS;
    await c.change(uri, edited);
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d0.range, context: { diagnostics: [d0] } });
    const fix = actions.find((a) => a.kind === 'quickfix' && a.edit);
    expect(fix?.title).toBe('Replace with `i < n` (codex)');
    const out = applyTextEdits(edited, (fix!.edit!.documentChanges![0] as { edits: TextEdit[] }).edits);
    expect(out).toBe('// a comment\nfor (let i = 0; i <= n; i++) a();\nfor (let i = 0; i < n; i++) b();\n');
  });

  it('fixes keep CRLF documents CRLF, also across lines', async () => {
    const crlf = 'if (a) {\r\n  run(a)\r\n}\r\n';
    reviewer(() => [{ line: 2, quote: '  run(a)\n}', severity: 'warning', message: 'missing semicolon and return', replacement: '  run(a);\n  return;\n}' }]);
    const c = await start();
    const uri = fileUri('/work/project/crlf.ts');
    await c.open(uri, crlf, 'typescript');
    const p = await latest(c, uri, (d) => d.diagnostics.length === 1);
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: p.diagnostics[0]!.range,
      context: { diagnostics: p.diagnostics },
    });
    const fix = actions.find((a) => a.kind === 'quickfix' && a.edit)!;
    expect(applyTextEdits(crlf, (fix.edit!.documentChanges![0] as { edits: TextEdit[] }).edits)).toBe('if (a) {\r\n  run(a);\r\n  return;\r\n}\r\n');
  });

  it('fix-all skips overlapping fixes, and is never offered on an automatic trigger (fix on save)', async () => {
    reviewer(() => [
      { line: 1, quote: 'i <= n', severity: 'error', message: 'off by one', replacement: 'i < n' },
      { line: 1, quote: 'let i = 0; i <= n', severity: 'warning', message: 'overlapping', replacement: 'let i = 1; i <= n' },
      { line: 2, quote: 'b()', severity: 'hint', message: 'rename', replacement: 'c()' },
    ]);
    const c = await start();
    const uri = fileUri('/work/project/loops2.ts');
    await c.open(uri, LOOPS, 'typescript');
    await latest(c, uri, (d) => d.diagnostics.length === 3);
    const params = { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    const auto = await c.request<CodeAction[]>('textDocument/codeAction', { ...params, context: { diagnostics: [], only: ['source.fixAll'], triggerKind: 2 } });
    expect(auto).toEqual([]);
    const invoked = await c.request<CodeAction[]>('textDocument/codeAction', {
      ...params,
      context: { diagnostics: [], only: ['source.fixAll'], triggerKind: 1 },
    });
    const edits = (invoked[0]!.edit!.documentChanges![0] as { edits: TextEdit[] }).edits;
    expect(edits.length).toBe(2);
    // Sorted by position, the wider fix comes first; the one inside it is skipped.
    expect(applyTextEdits(LOOPS, edits)).toBe('for (let i = 1; i <= n; i++) a();\nfor (let i = 0; i <= n; i++) c();\n');
  });
});

describe('many files', () => {
  it('60 files opened at once are all reviewed, never above maxConcurrency', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, maxConcurrency: 3 } });
    session.fake.setDefault((r) =>
      r.schemaName === 'diagnostics'
        ? { json: { diagnostics: [{ line: 1, quote: 'export', severity: 'hint', message: 'seen', replacement: null }] }, delayMs: 30 }
        : { text: 'x' },
    );
    const uris = Array.from({ length: 60 }, (_, i) => fileUri(`/work/project/many/f${i}.ts`));
    await Promise.all(uris.map((u, i) => c.open(u, `export const v${i} = compute(${i});\n`, 'typescript')));
    await c.waitFor(() => uris.every((u) => (c.diagnostics.get(u)?.at(-1)?.diagnostics.length ?? 0) === 1), 20000, 'all 60 files to get diagnostics');
    expect(reviews().length).toBe(60);
    expect(session.fake.maxInFlight).toBeLessThanOrEqual(3);
  });

  it('the most recently touched documents go first', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, maxConcurrency: 1 } });
    session.fake.setDefault((r) => ({ json: { diagnostics: [] }, delayMs: r.prompt.includes('file0') ? 300 : 10 }));
    for (let i = 0; i < 5; i++) await c.open(fileUri(`/work/project/order/file${i}.ts`), `export const file${i} = ${i};\n`, 'typescript');
    await c.waitFor(() => reviews().length === 5, 5000, 'five reviews');
    const order = reviews().map((r) => /file(\d)/.exec(r.prompt)?.[1]);
    expect(order).toEqual(['0', '4', '3', '2', '1']);
  });
});

describe('pull diagnostics and progress', () => {
  it('serves textDocument/diagnostic and asks for a refresh when a review lands; no pushes', async () => {
    // Slow enough that the client has answered the progress create request before the review ends.
    session.fake.setDefault((r) => ({
      json: {
        diagnostics: [
          {
            line: lineOf(listing(r), 'user.role'),
            quote: 'user.role = "admin"',
            severity: 'error',
            message: 'Assignment',
            replacement: 'user.role === "admin"',
          },
        ],
      },
      delayMs: 300,
    }));
    const c = await start({
      capabilities: {
        textDocument: { diagnostic: { dynamicRegistration: false }, publishDiagnostics: {} },
        workspace: { configuration: true, diagnostics: { refreshSupport: true } },
        window: { workDoneProgress: true },
      },
    });
    expect(c.initializeResult?.capabilities.diagnosticProvider).toMatchObject({ interFileDependencies: false, workspaceDiagnostics: false });
    await c.open(URI, CHECK, 'typescript');
    await c.waitFor(() => c.diagnosticRefreshes > 0, 5000, 'a refresh request');
    const report = await c.request<{ kind: string; resultId: string; items: Diagnostic[] }>('textDocument/diagnostic', { textDocument: { uri: URI } });
    expect(report.kind).toBe('full');
    expect(report.items.map((d) => d.message)).toEqual(['Assignment']);
    const again = await c.request<{ kind: string }>('textDocument/diagnostic', { textDocument: { uri: URI }, previousResultId: report.resultId });
    expect(again.kind).toBe('unchanged');
    expect(c.diagnostics.get(URI)).toBeUndefined();
    // Work-done progress: "Reviewing check.ts".
    expect(c.workDoneCreates.length).toBeGreaterThan(0);
    await c.waitFor(() => c.progress.some((p) => (p.value as { kind?: string }).kind === 'end'), 3000, 'the progress to end');
    const kinds = c.progress.map((p) => (p.value as { kind?: string }).kind);
    expect(kinds[0]).toBe('begin');
    expect(kinds.at(-1)).toBe('end');
    expect(kinds.filter((k) => k === 'begin').length).toBe(kinds.filter((k) => k === 'end').length);
    expect(c.progress.some((p) => (p.value as { title?: string }).title === 'Reviewing check.ts')).toBe(true);
  });
});
