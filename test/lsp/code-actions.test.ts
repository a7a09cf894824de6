import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { describe, expect, it } from 'vitest';
import type { CodeAction, Command, TextDocumentEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { openAIError, type RecordedRequest } from '../support/fake-openai';
import { applyTextEdits, fileUri, type LspTestClient, type SpawnOptions } from '../support/lsp-client';
import { useSession } from '../support/session';

const DEFAULTS = { hover: { delayMs: 0 }, diagnostics: { enabled: false } };
const session = useSession(DEFAULTS);

const RESOLVE_CAPS = {
  textDocument: {
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.rewrite', 'source'] } },
      dataSupport: true,
      resolveSupport: { properties: ['edit'] },
    },
  },
  workspace: { configuration: true, applyEdit: true, workspaceEdit: { documentChanges: true } },
  window: { workDoneProgress: true },
};

function start(opts: SpawnOptions = {}): Promise<LspTestClient> {
  return session.start({ capabilities: RESOLVE_CAPS, ...opts, settings: { ...DEFAULTS, ...opts.settings } });
}

const edits = (): RecordedRequest[] => session.fake.requests.filter((r) => r.schemaName === 'edit');

const CODE = [
  "import { sum } from './math';",
  '',
  'export function average(values: number[]): number {',
  '  let total = 0;',
  '  for (let i = 0; i <= values.length; i++) total += values[i];',
  '  return total / values.length;',
  '}',
  '',
].join('\n');
const URI = fileUri('/work/project/src/stats.ts');
const CURSOR = { start: { line: 4, character: 10 }, end: { line: 4, character: 10 } };

function answer(json: unknown): void {
  session.fake.setDefault((r) => (r.schemaName === 'edit' ? { json } : { text: 'x' }));
}

function editsOf(edit: WorkspaceEdit | undefined, uri = URI): TextEdit[] {
  if (edit?.documentChanges)
    return (edit.documentChanges as TextDocumentEdit[]).filter((d) => d.textDocument.uri === uri).flatMap((d) => d.edits as TextEdit[]);
  return edit?.changes?.[uri] ?? [];
}

async function list(c: LspTestClient, range = CURSOR, extra: Record<string, unknown> = {}): Promise<CodeAction[]> {
  return c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: URI }, range, context: { diagnostics: [], ...extra } });
}

describe('listing', () => {
  it('answers at once from local state: no model call, and respects context.only', async () => {
    const c = await start({
      settings: { codeActions: { custom: [{ title: 'Translate comments to English', prompt: 'Translate every comment to English.' }] } },
    });
    await c.open(URI, CODE, 'typescript');
    const all = await list(c);
    expect(all.map((a) => a.title)).toEqual(['Refactor with codex', 'Add documentation (codex)', 'Translate comments to English']);
    expect(all.every((a) => a.kind === 'refactor.rewrite' && a.edit === undefined && a.data !== undefined)).toBe(true);
    expect(await list(c, CURSOR, { only: ['quickfix'] })).toEqual([]);
    expect((await list(c, CURSOR, { only: ['refactor'] })).length).toBe(3);
    expect(session.fake.requests.length).toBe(0);
  });

  it('offers "Fix with codex" for other tools\' diagnostics', async () => {
    const c = await start();
    await c.open(URI, CODE, 'typescript');
    const d = {
      range: { start: { line: 4, character: 21 }, end: { line: 4, character: 40 } },
      message: 'Index may be out of bounds',
      source: 'tsc-strict',
      code: 'TS2532',
      severity: 1,
    };
    const actions = await list(c, d.range, { diagnostics: [d] });
    const fix = actions.find((a) => a.kind === 'quickfix')!;
    expect(fix.title).toBe('Fix with codex: Index may be out of bounds');
    expect(fix.diagnostics).toEqual([d]);
  });

  it('offers nothing in an ignored file, and no AI actions when they are off', async () => {
    const c = await start({ settings: { codeActions: { enabled: false } } });
    await c.open(URI, CODE, 'typescript');
    expect(await list(c)).toEqual([]);
    const d = await start();
    const env = fileUri('/work/project/.env.local');
    await d.open(env, 'A=1\n', 'dotenv');
    expect(await d.request('textDocument/codeAction', { textDocument: { uri: env }, range: CURSOR, context: { diagnostics: [] } })).toEqual([]);
  });
});

describe('resolving', () => {
  it('computes the edit on codeAction/resolve; it applies cleanly, versioned', async () => {
    answer({ edits: [{ quote: 'i <= values.length', replacement: 'i < values.length' }], explanation: 'Off by one.' });
    const c = await start();
    await c.open(URI, CODE, 'typescript');
    const refactor = (await list(c))[0]!;
    const resolved = await c.request<CodeAction>('codeAction/resolve', refactor);
    const change = resolved.edit!.documentChanges![0] as TextDocumentEdit;
    expect(change.textDocument).toEqual({ uri: URI, version: 1 });
    expect(applyTextEdits(CODE, change.edits as TextEdit[])).toBe(CODE.replace('i <= values.length', 'i < values.length'));
    const r = edits()[0]!;
    expect(r.prompt).toContain('Task: Improve this code');
    expect(r.prompt).toContain('for (let i = 0; i <= values.length; i++) total += values[i];');
    expect(r.prompt).toContain('Language: typescript');
    // The enclosing function is the target of a cursor; the import is context.
    expect(r.prompt).toMatch(/Target code \(edit only this\):\n`+\nexport function average/);
    expect(r.prompt).toContain("import { sum } from './math';");
  });

  it("carries a custom action's prompt, and another tool's message, code and source, to the model", async () => {
    answer({ edits: [], explanation: 'nothing' });
    const c = await start({
      settings: { codeActions: { custom: [{ title: 'Make it async', prompt: 'Rewrite this function as async/await.', kind: 'refactor.rewrite.async' }] } },
    });
    await c.open(URI, CODE, 'typescript');
    const custom = (await list(c)).find((a) => a.title === 'Make it async')!;
    expect(custom.kind).toBe('refactor.rewrite.async');
    await c.request('codeAction/resolve', custom);
    expect(edits()[0]!.prompt).toContain('Task: Rewrite this function as async/await.');

    const col = CODE.split('\n')[4]!.indexOf('i <= values.length');
    const d = {
      range: { start: { line: 4, character: col }, end: { line: 4, character: col + 18 } },
      message: 'Index may be out of bounds',
      source: 'eslint',
      code: 'no-unsafe-index',
    };
    const fix = (await list(c, d.range, { diagnostics: [d] })).find((a) => a.kind === 'quickfix')!;
    await c.request('codeAction/resolve', fix);
    const p = edits()[1]!.prompt;
    expect(p).toContain('reported by eslint (no-unsafe-index): "Index may be out of bounds"');
    expect(p).toContain('at `i <= values.length`');
  });

  it('works on the current text when the document changed after listing', async () => {
    answer({ edits: [{ quote: 'return total / values.length;', replacement: 'return values.length === 0 ? 0 : total / values.length;' }], explanation: 'x' });
    // The same line also ends another function: the edit must land in the one the menu was for.
    const code = CODE + 'export function other(values: number[], total: number): number {\n  return total / values.length;\n}\n';
    const c = await start();
    await c.open(URI, code, 'typescript');
    const action = (await list(c))[0]!;
    const changed = '// header comment\n// another\n' + code;
    await c.change(URI, changed);
    const resolved = await c.request<CodeAction>('codeAction/resolve', action);
    const change = resolved.edit!.documentChanges![0] as TextDocumentEdit;
    expect(change.textDocument.version).toBe(2);
    const out = applyTextEdits(changed, change.edits as TextEdit[]);
    expect(out).toBe(changed.replace('return total / values.length;', 'return values.length === 0 ? 0 : total / values.length;'));
    expect(edits()[0]!.prompt).toMatch(/Target code \(edit only this\):\n`+\nexport function average/);
  });

  it('refuses, without a model call, when the listed code is gone', async () => {
    const c = await start();
    await c.open(URI, CODE, 'typescript');
    const action = (await list(c))[0]!;
    await c.change(URI, 'export const nothing = 0;\n');
    const resolved = await c.request<CodeAction>('codeAction/resolve', action);
    expect(resolved.edit).toBeUndefined();
    await c.waitForMessage(/the code changed since the menu was shown/);
    expect(session.fake.requests.length).toBe(0);
  });

  it("a fix for another tool's diagnostic follows the code when lines were added above", async () => {
    answer({ edits: [], explanation: 'nothing' });
    const c = await start();
    await c.open(URI, CODE, 'typescript');
    const col = CODE.split('\n')[3]!.indexOf('let total');
    const d = { range: { start: { line: 3, character: col }, end: { line: 3, character: col + 13 } }, message: 'prefer const', source: 'eslint' };
    const fix = (await list(c, d.range, { diagnostics: [d] })).find((a) => a.kind === 'quickfix')!;
    await c.change(URI, '// one\n// two\n' + CODE);
    await c.request('codeAction/resolve', fix);
    expect(edits()[0]!.prompt).toContain('at `let total = 0`');
  });

  it('keeps CRLF line endings when the model answers with \\n', async () => {
    const crlf = CODE.replace(/\n/g, '\r\n');
    answer({ edits: [{ quote: '  let total = 0;\n  for', replacement: '  let total = 0;\n  // sum up\n  for' }], explanation: 'x' });
    const c = await start();
    await c.open(URI, crlf, 'typescript');
    const resolved = await c.request<CodeAction>('codeAction/resolve', (await list(c))[0]!);
    const out = applyTextEdits(crlf, editsOf(resolved.edit));
    expect(out).toContain('  let total = 0;\r\n  // sum up\r\n  for');
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });
});

describe('bounds and privacy', () => {
  it('in a file over 512 KB, the target is the code under the cursor', async () => {
    answer({ edits: [], explanation: 'nothing' });
    const parts: string[] = [];
    for (let i = 0; i < 4000; i++) parts.push(`export function fn${i}(x: number): number {`, `  return x * ${i} + ${'1'.repeat(120)};`, '}');
    const big = parts.join('\n') + '\n';
    expect(big.length).toBeGreaterThan(512 * 1024);
    const c = await start();
    const uri = fileUri('/work/project/src/big.ts');
    await c.open(uri, big, 'typescript');
    const line = 3 * 3500 + 1;
    const action = (
      await c.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line, character: 4 }, end: { line, character: 4 } },
        context: { diagnostics: [] },
      })
    )[0]!;
    await c.request('codeAction/resolve', action);
    expect(edits()[0]!.prompt).toMatch(/Target code \(edit only this\):\n`+\nexport function fn3500\(x: number\)/);
  });

  it('a selection too large for one action is refused before any model call', async () => {
    const c = await start();
    const text = Array.from({ length: 2000 }, (_, i) => `export const v${i} = ${i};`).join('\n');
    await c.open(URI, text, 'typescript');
    const all = { start: { line: 0, character: 0 }, end: { line: 1999, character: 5 } };
    const action = (await list(c, all))[0]!;
    const resolved = await c.request<CodeAction>('codeAction/resolve', action);
    expect(resolved.edit).toBeUndefined();
    await c.waitForMessage(/too large for one action \(2000 lines/);
    expect(session.fake.requests.length).toBe(0);
  });

  it("no secret reaches the prompt, not even through another tool's message", async () => {
    answer({ edits: [], explanation: 'nothing' });
    const secret = 'q8Vn2xLr7' + 'TzK4mWpA9sD';
    const code = `export function connect(): Db {\n  const dbPassword = "${secret}";\n  return open(dbPassword);\n}\n`;
    const c = await start();
    await c.open(URI, code, 'typescript');
    const col = code.split('\n')[1]!.indexOf('"');
    const d = {
      range: { start: { line: 1, character: col }, end: { line: 1, character: col + secret.length + 2 } },
      message: `Hard-coded password "${secret}"`,
      source: 'secretlint',
    };
    const fix = (await list(c, d.range, { diagnostics: [d] })).find((a) => a.kind === 'quickfix')!;
    await c.request('codeAction/resolve', fix);
    const prompt = edits()[0]!.prompt;
    expect(prompt).toContain('reported by secretlint');
    expect(prompt).not.toContain(secret);
  });
});

describe('refusing what cannot be placed exactly', () => {
  async function refused(json: unknown, re: RegExp): Promise<void> {
    answer(json);
    const c = await start();
    await c.open(URI, CODE, 'typescript');
    const resolved = await c.request<CodeAction>('codeAction/resolve', (await list(c))[0]!);
    expect(resolved.edit).toBeUndefined();
    const m = await c.waitForMessage(re);
    expect(m.message).toMatch(/^codex: Refactor with codex: /);
    expect(c.applyEditRequests).toEqual([]);
  }

  it('a quote that is not in the file', () => refused({ edits: [{ quote: 'i <= items.length', replacement: 'x' }], explanation: '' }, /is not in the file/));
  it('a quote that occurs twice in the target, with nothing saying which', () =>
    refused({ edits: [{ quote: 'values', replacement: 'xs' }], explanation: '' }, /in the selected code and nothing says which/));

  it('a refused answer is not cached: asking again asks the model again', async () => {
    answer({ edits: [{ quote: 'nowhere', replacement: 'x' }], explanation: '' });
    const c = await start();
    await c.open(URI, CODE, 'typescript');
    const action = (await list(c))[0]!;
    await c.request('codeAction/resolve', action);
    await c.request('codeAction/resolve', action);
    expect(edits().length).toBe(2);
  });
  it('overlapping edits', () =>
    refused(
      {
        edits: [
          { quote: 'let total = 0;', replacement: 'let t = 0;' },
          { quote: 'total = 0', replacement: 'sum = 0' },
        ],
        explanation: '',
      },
      /overlap/,
    ));
  it('an empty edit list', () => refused({ edits: [], explanation: 'Already fine.' }, /no change proposed: Already fine/));
  it('replacements identical to their quotes', () =>
    refused({ edits: [{ quote: 'let total = 0;', replacement: 'let total = 0;' }], explanation: '' }, /change nothing/));
  it('an answer that is not the edit JSON', async () => {
    const c = await start();
    session.fake.setDefault(() => ({ text: 'Sure! Change the loop bound.' }));
    await c.open(URI, CODE, 'typescript');
    const resolved = await c.request<CodeAction>('codeAction/resolve', (await list(c))[0]!);
    expect(resolved.edit).toBeUndefined();
    await c.waitForMessage(/not the JSON that was asked for/);
  });
  it('a 400 from the endpoint', async () => {
    const c = await start();
    session.fake.setDefault(() => openAIError(400, 'Invalid request: prompt too long'));
    await c.open(URI, CODE, 'typescript');
    const resolved = await c.request<CodeAction>('codeAction/resolve', (await list(c))[0]!);
    expect(resolved.edit).toBeUndefined();
    await c.waitForMessage(/prompt too long/);
  });
});

describe('cancellation', () => {
  it('a cancelled resolve closes the model request and answers RequestCancelled', async () => {
    const c = await start();
    session.fake.setDefault(() => ({ hang: true }));
    await c.open(URI, CODE, 'typescript');
    const action = (await list(c))[0]!;
    const source = new CancellationTokenSource();
    const p = c.request<CodeAction>('codeAction/resolve', action, source.token);
    await session.fake.waitForRequests(1);
    source.cancel();
    await expect(p).rejects.toMatchObject({ code: -32800 });
    await c.waitFor(() => session.fake.requests[0]!.aborted, 3000, 'the model request to be closed');
  });
});

describe('capabilities', () => {
  it('advertises the base kinds, so custom actions of any kind are asked for', async () => {
    const c = await start();
    const provider = c.initializeResult?.capabilities.codeActionProvider as { codeActionKinds: string[]; resolveProvider: boolean };
    expect(provider.codeActionKinds).toEqual(expect.arrayContaining(['quickfix', 'refactor', 'source', 'source.fixAll.codex']));
    expect(provider.resolveProvider).toBe(true);
  });

  it('a client with resolve support but no data support gets the command path', async () => {
    const c = await start({
      capabilities: {
        textDocument: {
          codeAction: {
            codeActionLiteralSupport: { codeActionKind: { valueSet: ['refactor'] } },
            resolveSupport: { properties: ['edit'] },
            dataSupport: false,
          },
        },
        workspace: { configuration: true, applyEdit: true },
      },
    });
    await c.open(URI, CODE, 'typescript');
    const action = (await list(c))[0]!;
    expect(action.data).toBeUndefined();
    expect(action.command?.command).toBe('codex.applyCodeAction');
  });

  it('a client that can neither resolve nor apply edits gets no AI actions', async () => {
    const c = await start({
      capabilities: {
        textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['refactor'] } } } },
        workspace: { configuration: true, applyEdit: false },
      },
    });
    await c.open(URI, CODE, 'typescript');
    expect(await list(c)).toEqual([]);
  });
});

describe('clients without resolve support', () => {
  it('get a command that computes the edit and applies it with workspace/applyEdit', async () => {
    answer({ edits: [{ quote: 'i <= values.length', replacement: 'i < values.length' }], explanation: 'x' });
    const c = await start({
      capabilities: {
        textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor'] } } } },
        workspace: { configuration: true, applyEdit: true, workspaceEdit: { documentChanges: false } },
      },
    });
    await c.open(URI, CODE, 'typescript');
    const action = (await list(c))[0]!;
    expect(action.data).toBeUndefined();
    expect(action.command?.command).toBe('codex.applyCodeAction');
    expect(session.fake.requests.length).toBe(0);
    await c.request('workspace/executeCommand', action.command);
    expect(c.applyEditRequests.length).toBe(1);
    expect(applyTextEdits(CODE, editsOf(c.applyEditRequests[0]!.edit))).toBe(CODE.replace('i <= values.length', 'i < values.length'));
  });

  it('a refused edit through the command path applies nothing and says why', async () => {
    answer({ edits: [{ quote: 'nowhere to be found', replacement: 'x' }], explanation: '' });
    const c = await start({
      capabilities: {
        textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['refactor'] } } } },
        workspace: { configuration: true, applyEdit: true },
      },
    });
    await c.open(URI, CODE, 'typescript');
    const action = (await list(c))[0]!;
    await c.request('workspace/executeCommand', action.command);
    await c.waitForMessage(/is not in the file/);
    expect(c.applyEditRequests).toEqual([]);
  });

  it('an edit the editor does not apply is reported', async () => {
    answer({ edits: [{ quote: 'i <= values.length', replacement: 'i < values.length' }], explanation: 'x' });
    const c = await start({
      capabilities: {
        textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['refactor'] } } } },
        workspace: { configuration: true, applyEdit: true },
      },
    });
    c.applyEditResult = { applied: false, failureReason: 'the file is read-only' };
    await c.open(URI, CODE, 'typescript');
    await c.request('workspace/executeCommand', (await list(c))[0]!.command);
    await c.waitForMessage(/did not apply the edit \(the file is read-only\)/);
  });

  it('a cancelled command applies nothing', async () => {
    session.fake.setDefault(() => ({ json: { edits: [{ quote: 'i <= values.length', replacement: 'i < values.length' }], explanation: 'x' }, delayMs: 400 }));
    const c = await start({
      capabilities: {
        textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['refactor'] } } } },
        workspace: { configuration: true, applyEdit: true },
      },
    });
    await c.open(URI, CODE, 'typescript');
    const source = new CancellationTokenSource();
    const p = c.request('workspace/executeCommand', (await list(c))[0]!.command, source.token);
    await session.fake.waitForRequests(1);
    source.cancel();
    await expect(p).rejects.toMatchObject({ code: -32800 });
    await new Promise((r) => setTimeout(r, 600));
    expect(c.applyEditRequests).toEqual([]);
  });

  it('clients without code-action literals get plain commands', async () => {
    const c = await start({
      capabilities: { textDocument: { codeAction: { codeActionLiteralSupport: null } }, workspace: { configuration: true, applyEdit: true } },
    } as unknown as SpawnOptions);
    await c.open(URI, CODE, 'typescript');
    answer({ edits: [{ quote: 'i <= values.length', replacement: 'i < values.length' }], explanation: 'x' });
    const items = await c.request<Command[]>('textDocument/codeAction', { textDocument: { uri: URI }, range: CURSOR, context: { diagnostics: [] } });
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => typeof i.command === 'string' && i.title !== undefined)).toBe(true);
    // And the command does what it says.
    await c.request('workspace/executeCommand', items[0]);
    expect(applyTextEdits(CODE, editsOf(c.applyEditRequests[0]!.edit))).toBe(CODE.replace('i <= values.length', 'i < values.length'));
  });
});
