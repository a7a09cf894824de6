/**
 * The server as wiring: features merged from their own objects, commands routed by name,
 * requests refused after shutdown, and the settings' sources (a client that never answers
 * workspace/configuration, several workspace folders each with its own project file).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DocumentSymbolRequest, SymbolKind, type Connection } from 'vscode-languageserver/node';
import { request, type Feature } from '../../server/features/feature';
import { createFeatures } from '../../server/features/registry';
import type { Services } from '../../server/features/services';
import { startServer } from '../../server/lsp/server';
import { fileUri, inProcessServer, position } from '../support/lsp-client';
import { useSession } from '../support/session';

const session = useSession({ hover: { delayMs: 0 }, diagnostics: { enabled: false } });
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(project?: unknown): string {
  const root = mkdtempSync(path.join(tmpdir(), 'codex-folder-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'src'));
  if (project !== undefined) writeFileSync(path.join(root, '.codex-lsp.json'), JSON.stringify(project));
  return root;
}

const TEXT = 'export const total = items.reduce((s, i) => s + i.price, 0);\n';

/** A feature as a newcomer would write one: a capability, a request, a command, document events. */
function outlineFeature(s: Services, seen: string[]): Feature {
  return {
    id: 'outline-test',
    capabilities: () => ({ documentSymbolProvider: true }),
    requests: [
      request(DocumentSymbolRequest.type, (params) => {
        const doc = s.documents.get(params.textDocument.uri);
        return doc
          ? [
              {
                name: `lines:${doc.lineCount}`,
                kind: SymbolKind.Function,
                range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
                selectionRange: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
              },
            ]
          : [];
      }),
    ],
    commands: { 'test.echo': (params) => ({ echoed: params.arguments ?? [] }) },
    documents: { opened: (doc) => seen.push(`opened ${doc.uri}`), closed: (uri) => seen.push(`closed ${uri}`) },
  };
}

function withFeatures(extra: (s: Services) => Feature[]) {
  return (connection: Connection, deps?: { env?: NodeJS.ProcessEnv }) =>
    startServer(connection, { ...deps, features: (s) => [...createFeatures(s), ...extra(s)] });
}

describe('features as units', () => {
  it('a feature registered in one line adds its capability, request, command and document events', async () => {
    const seen: string[] = [];
    const c = await inProcessServer({ startServer: withFeatures((s) => [outlineFeature(s, seen)]), env: { CODEX_LSP_BASE_URL: session.fake.baseUrl } });
    session.track(c);
    const caps = c.initializeResult!.capabilities;
    expect(caps.documentSymbolProvider).toBe(true);
    // The built-in features' parts are all still there, merged.
    expect(caps.hoverProvider).toBe(true);
    expect(caps.codeActionProvider).toMatchObject({ resolveProvider: true });
    expect(caps.executeCommandProvider?.commands).toEqual(
      expect.arrayContaining(['codex.usage', 'codex.showLastRequest', 'codex.applyCodeAction', 'codex.applyEdit', 'test.echo']),
    );
    const uri = fileUri('/work/project/a.ts');
    await c.open(uri, 'a\nb\nc\n', 'typescript');
    const symbols = await c.request<Array<{ name: string }>>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((x) => x.name)).toEqual(['lines:4']);
    expect(await c.request('workspace/executeCommand', { command: 'test.echo', arguments: [1, 'two'] })).toEqual({ echoed: [1, 'two'] });
    await c.close(uri);
    await c.waitFor(() => seen.length === 2, 2000, 'open and close events');
    expect(seen).toEqual([`opened ${uri}`, `closed ${uri}`]);
    await c.shutdown();
  });

  it('refuses two features that claim one command, or answer one request', async () => {
    const twice = (id: string): Feature => ({ id, commands: { 'codex.usage': () => null } });
    await expect(inProcessServer({ startServer: withFeatures(() => [twice('again')]) })).rejects.toThrow(/claims the command codex.usage/);
    const hover = (_s: Services): Feature => ({
      id: 'hover-2',
      requests: [request(DocumentSymbolRequest.type, () => []), request(DocumentSymbolRequest.type, () => [])],
    });
    await expect(inProcessServer({ startServer: withFeatures((s) => [hover(s)]) })).rejects.toThrow(/answers textDocument\/documentSymbol/);
  });

  it('answers an unknown command with an error that names the commands it runs, not the usage report', async () => {
    const c = await session.start();
    const err = await c.request('workspace/executeCommand', { command: 'codex.usgae' }).then(
      () => undefined,
      (e: unknown) => e as { code: number; message: string },
    );
    expect(err?.code).toBe(-32602);
    expect(err?.message).toContain('unknown command "codex.usgae"');
    expect(err?.message).toContain('codex.usage');
  });
});

describe('the protocol lifecycle', () => {
  it('answers every request after shutdown with InvalidRequest, and exits cleanly on exit', async () => {
    const c = await session.start();
    const uri = fileUri('/work/project/a.ts');
    await c.open(uri, TEXT, 'typescript');
    await c.request('shutdown', undefined);
    for (const [method, params] of [
      ['textDocument/hover', { textDocument: { uri }, position: position(TEXT, 'reduce') }],
      [
        'textDocument/codeAction',
        { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, context: { diagnostics: [] } },
      ],
      ['workspace/executeCommand', { command: 'codex.usage' }],
    ] as const) {
      const err = await c.request(method, params).then(
        () => undefined,
        (e: unknown) => e as { code: number; message: string },
      );
      expect(err, method).toMatchObject({ code: -32600 });
      expect(err?.message).toMatch(/shutting down/);
    }
    expect(session.fake.requests).toHaveLength(0);
    await c.notify('exit', undefined);
    await c.waitForExit(5000);
    expect(c.exitCode).toBe(0);
  });
});

describe('where settings come from', () => {
  it('goes on without a client that never answers workspace/configuration, says so once, and uses the project file', async () => {
    const root = folder({ model: 'project-model' });
    const c = await session.start({ answerConfiguration: false, rootUri: fileUri(root), workspaceFolders: [{ uri: fileUri(root), name: 'w' }] });
    const uri = fileUri(path.join(root, 'src', 'cart.ts'));
    await c.open(uri, TEXT, 'typescript');
    await c.waitFor(() => c.logs.some((l) => /has not answered workspace\/configuration/.test(l.message)), 10_000, 'the warning');
    const h = await c.hover(uri, position(TEXT, 'reduce'));
    expect(h).not.toBeNull();
    expect(session.fake.requests.at(-1)?.model).toBe('project-model');
    // Told once, however many requests come.
    await c.hover(uri, position(TEXT, 'price'));
    expect(c.logs.filter((l) => /has not answered workspace\/configuration/.test(l.message))).toHaveLength(1);
    expect(c.configurationRequests.length).toBeGreaterThan(0);
  });

  it('gives each workspace folder its own .codex-lsp.json and names files relative to their own folder', async () => {
    const a = folder({ model: 'model-a', ignore: ['private/**'] });
    const b = folder({ model: 'model-b' });
    const c = await session.start({
      rootUri: fileUri(a),
      workspaceFolders: [
        { uri: fileUri(a), name: 'a' },
        { uri: fileUri(b), name: 'b' },
      ],
    });
    expect(c.initializeResult?.capabilities.workspace?.workspaceFolders).toEqual({ supported: true, changeNotifications: true });
    const inA = fileUri(path.join(a, 'src', 'cart.ts'));
    const inB = fileUri(path.join(b, 'src', 'cart.ts'));
    const privateInB = fileUri(path.join(b, 'private', 'keys.ts'));
    for (const u of [inA, inB, privateInB]) await c.open(u, TEXT, 'typescript');

    expect(await c.hover(inA, position(TEXT, 'reduce'))).not.toBeNull();
    const fromA = session.fake.requests.at(-1)!;
    expect(fromA.model).toBe('model-a');
    expect(fromA.prompt).toContain('File: src/cart.ts');

    expect(await c.hover(inB, position(TEXT, 'reduce'))).not.toBeNull();
    const fromB = session.fake.requests.at(-1)!;
    expect(fromB.model).toBe('model-b');
    expect(fromB.prompt).toContain('File: src/cart.ts');

    // a's ignore glob is a's: b's private folder is b's business.
    expect(await c.hover(privateInB, position(TEXT, 'reduce'))).not.toBeNull();
    expect(session.fake.requests.at(-1)!.model).toBe('model-b');
    const privateInA = fileUri(path.join(a, 'private', 'keys.ts'));
    await c.open(privateInA, TEXT, 'typescript');
    const before = session.fake.requests.length;
    expect(await c.hover(privateInA, position(TEXT, 'reduce'))).toBeNull();
    expect(session.fake.requests.length).toBe(before);
  });

  it('follows folders the editor adds and removes', async () => {
    const a = folder({ model: 'model-a' });
    const added = folder({ model: 'model-added' });
    const c = await session.start({
      capabilities: { workspace: { workspaceFolders: true } },
      rootUri: fileUri(a),
      workspaceFolders: [{ uri: fileUri(a), name: 'a' }],
    });
    const inAdded = fileUri(path.join(added, 'src', 'x.ts'));
    await c.open(inAdded, TEXT, 'typescript');
    await c.hover(inAdded, position(TEXT, 'reduce'));
    // Outside every folder: the first folder's settings.
    expect(session.fake.requests.at(-1)!.model).toBe('model-a');

    await c.notify('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: fileUri(added), name: 'added' }], removed: [] } });
    await c.waitFor(() => c.logs.some((l) => l.message.includes('workspace folders:')), 3000, 'the folder change');
    await c.hover(inAdded, position(TEXT, 'price'));
    expect(session.fake.requests.at(-1)!.model).toBe('model-added');
    expect(session.fake.requests.at(-1)!.prompt).toContain('File: src/x.ts');

    await c.notify('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: fileUri(added), name: 'added' }] } });
    await c.waitFor(() => c.logs.filter((l) => l.message.includes('workspace folders:')).length === 2, 3000, 'the removal');
    await c.hover(inAdded, position(TEXT, 'items'));
    expect(session.fake.requests.at(-1)!.model).toBe('model-a');
  });

  it('a folder added with an ignore glob takes the findings of the open files it now ignores away', async () => {
    session.fake.setDefault((r) =>
      r.schemaName === 'diagnostics'
        ? { json: { diagnostics: [{ line: 1, quote: 'items.reduce', severity: 'warning', message: 'items may be undefined', replacement: null }] } }
        : { text: 'x' },
    );
    const a = folder({});
    const added = folder({ ignore: ['legacy/**'] });
    const c = await session.start({
      capabilities: { workspace: { workspaceFolders: true } },
      rootUri: fileUri(a),
      workspaceFolders: [{ uri: fileUri(a), name: 'a' }],
      settings: { hover: { delayMs: 0 }, diagnostics: { enabled: true } },
    });
    const vendored = fileUri(path.join(added, 'legacy', 'lib.ts'));
    await c.open(vendored, TEXT, 'typescript');
    await c.waitForDiagnostics(vendored, (p) => p.diagnostics.length === 1, 10_000);
    await c.notify('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: fileUri(added), name: 'added' }], removed: [] } });
    await c.waitForDiagnostics(vendored, (p) => p.diagnostics.length === 0, 5000);
  });

  it("logs a problem in the editor's settings once, however many folders it applies to", async () => {
    const a = folder();
    const b = folder();
    const c = await session.start({
      rootUri: fileUri(a),
      workspaceFolders: [
        { uri: fileUri(a), name: 'a' },
        { uri: fileUri(b), name: 'b' },
      ],
      settings: { hover: { delayMs: -5 }, diagnostics: { enabled: false } },
    });
    const uri = fileUri(path.join(b, 'src', 'cart.ts'));
    await c.open(uri, TEXT, 'typescript');
    expect(await c.hover(uri, position(TEXT, 'reduce'))).not.toBeNull();
    const told = c.logs.filter((l) => l.message.includes('hover.delayMs'));
    expect(told).toHaveLength(1);
    expect(told[0]?.message).toMatch(/^configuration: /);
  });
});
