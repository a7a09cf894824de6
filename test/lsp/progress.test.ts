/**
 * Work-done progress while the model thinks: shown once a model request has lasted about half a
 * second (never for a quick or cached answer), on the client's own workDoneToken where it sent
 * one, otherwise on a token the server creates; its cancel button closes the model request.
 * And AI actions answer with a message before the client's known limit.
 */
import { describe, expect, it } from 'vitest';
import type { CodeAction, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { answerByMs, clientLimit } from '../../server/features/client-limits';
import { fileUri, position, type LspTestClient, type SpawnOptions } from '../support/lsp-client';
import { useSession } from '../support/session';

const DEFAULTS = { hover: { delayMs: 0 }, diagnostics: { enabled: false }, cache: { enabled: false } };
const session = useSession(DEFAULTS);

const CAPS = {
  textDocument: {
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.rewrite'] } },
      dataSupport: true,
      resolveSupport: { properties: ['edit'] },
    },
  },
  workspace: { configuration: true, applyEdit: true },
  window: { workDoneProgress: true },
};

const TEXT = ['export function total(values: number[]): number {', '  let t = 0;', '  for (const v of values) t += v;', '  return t;', '}', ''].join('\n');
const URI = fileUri('/work/project/total.ts');
const REDUCED = '  return values.reduce((a, b) => a + b, 0);';

function start(opts: SpawnOptions = {}): Promise<LspTestClient> {
  return session.start({ capabilities: CAPS, ...opts, settings: { ...DEFAULTS, ...opts.settings } });
}

type Value = { kind?: string; title?: string; message?: string; cancellable?: boolean };
const values = (c: LspTestClient, token?: string | number): Value[] =>
  c.progress.filter((p) => token === undefined || p.token === token).map((p) => p.value as Value);

async function refactor(c: LspTestClient): Promise<CodeAction> {
  const actions = await c.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri: URI },
    range: { start: { line: 1, character: 2 }, end: { line: 3, character: 10 } },
    context: { diagnostics: [] },
  });
  return actions.find((a) => a.title === 'Refactor with codex')!;
}

function slowEdit(delayMs: number): void {
  session.fake.setDefault((r) =>
    r.schemaName === 'edit'
      ? { json: { edits: [{ quote: '  let t = 0;\n  for (const v of values) t += v;\n  return t;', replacement: REDUCED }], explanation: 'reduce' }, delayMs }
      : { text: 'Adds up the values.', delayMs },
  );
}

describe('progress while the model thinks', () => {
  it('a slow hover shows "codex: explaining…" on the client\'s workDoneToken, ended with the answer', async () => {
    slowEdit(1200);
    const c = await start();
    await c.open(URI, TEXT, 'typescript');
    const hover = await c.request<{ contents: { value: string } } | null>('textDocument/hover', {
      textDocument: { uri: URI },
      position: position(TEXT, 'values'),
      workDoneToken: 'hover-1',
    });
    expect(hover?.contents.value).toBe('Adds up the values.');
    await c.waitFor(() => values(c, 'hover-1').some((v) => v.kind === 'end'), 2000, 'the progress to end');
    expect(values(c, 'hover-1').map((v) => v.kind)).toEqual(['begin', 'end']);
    expect(values(c, 'hover-1')[0]).toMatchObject({ title: 'codex: explaining…', cancellable: true });
    // The client's own token: no window/workDoneProgress/create round trip.
    expect(c.workDoneCreates).toEqual([]);
  });

  // A quick request shows no progress at all: test/unit/thinking.test.ts, on a fake clock (over stdio it
  // would be a race against the machine's load).

  it('resolving an AI action: server-created "codex: writing the fix…", whose cancel button closes the model request', async () => {
    slowEdit(1500);
    const c = await start();
    await c.open(URI, TEXT, 'typescript');
    const done = c.request<CodeAction>('codeAction/resolve', await refactor(c));
    await c.waitFor(() => values(c).some((v) => v.kind === 'begin'), 3000, 'the progress to begin');
    expect(c.workDoneCreates.length).toBe(1);
    expect(values(c)[0]).toMatchObject({ kind: 'begin', title: 'codex: writing the fix…', message: 'Refactor with codex', cancellable: true });
    await c.notify('window/workDoneProgress/cancel', { token: c.workDoneCreates[0] });
    await expect(done).rejects.toThrow(/cancelled/);
    await c.waitFor(() => session.fake.requests.some((r) => r.aborted), 2000, 'the model request to be closed');
  });

  it('an action slower than the client waits: answered with a message before the limit, and the late answer is kept for the next try', async () => {
    slowEdit(2500);
    const c = await start({ settings: { clientTimeoutMs: 2000, cache: { enabled: true } } });
    await c.open(URI, TEXT, 'typescript');
    const t0 = Date.now();
    const first = await c.request<CodeAction & { edit?: WorkspaceEdit }>('codeAction/resolve', await refactor(c));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(first.edit).toBeUndefined();
    const msg = await c.waitForMessage(/has not answered within 1 s/);
    expect(msg.message).toMatch(/stops waiting after 2 s; nothing was changed\. The model is still answering and its answer is kept/);
    // The model's answer arrives after all; choosing the action again takes it, with no new request.
    await c.waitFor(() => session.fake.requests.length === 1 && session.fake.inFlight() === 0, 4000, 'the late answer');
    await new Promise((r) => setTimeout(r, 100));
    const again = await c.request<CodeAction & { edit?: WorkspaceEdit }>('codeAction/resolve', await refactor(c));
    expect(JSON.stringify(again.edit)).toContain('values.reduce');
    expect(session.fake.requests.filter((r) => r.schemaName === 'edit').length).toBe(1);
  });

  it('a hover slower than the client waits: a hover saying so before the limit, then the kept answer', async () => {
    slowEdit(2500);
    const c = await start({ settings: { clientTimeoutMs: 2000, cache: { enabled: true } } });
    await c.open(URI, TEXT, 'typescript');
    const first = await c.request<{ contents: { value: string } } | null>('textDocument/hover', {
      textDocument: { uri: URI },
      position: position(TEXT, 'values'),
    });
    expect(first?.contents.value).toMatch(
      /^codex: the model has not answered within 1 s, and the editor \(after "codex\.clientTimeoutMs"\) stops waiting after 2 s\. Its answer is kept: hover again in a moment\.$/,
    );
    await c.waitFor(() => session.fake.inFlight() === 0 && session.fake.requests.length === 1, 4000, 'the late answer');
    await new Promise((r) => setTimeout(r, 100));
    const again = await c.request<{ contents: { value: string } } | null>('textDocument/hover', {
      textDocument: { uri: URI },
      position: position(TEXT, 'values'),
    });
    expect(again?.contents.value).toBe('Adds up the values.');
    expect(session.fake.requests.length).toBe(1);
  });
});

describe('client limits', () => {
  it('known limits by clientInfo name; the setting wins; answered 1.5 s before', () => {
    expect(clientLimit(0, 'helix')).toEqual({ ms: 20_000, who: 'Helix' });
    expect(clientLimit(0, 'Eglot')?.ms).toBe(10_000);
    expect(clientLimit(0, 'emacs')?.ms).toBe(10_000);
    expect(clientLimit(0, 'Neovim')).toBeUndefined();
    expect(clientLimit(0, 'Visual Studio Code')).toBeUndefined();
    expect(clientLimit(0, undefined)).toBeUndefined();
    expect(clientLimit(60_000, 'helix')?.ms).toBe(60_000);
    expect(answerByMs({ ms: 20_000, who: 'Helix' })).toBe(18_500);
    expect(answerByMs({ ms: 2000, who: 'x' })).toBe(1000);
  });
});
