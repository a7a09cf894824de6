import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CodeAction } from 'vscode-languageserver-protocol';
import { fileUri, position, type SpawnOptions } from '../support/lsp-client';
import { useSession } from '../support/session';

const DEFAULTS = { hover: { delayMs: 0 } };
const session = useSession(DEFAULTS);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A workspace folder with a .codex-lsp.json holding `project` (or raw text). */
function workspace(project: unknown): string {
  const root = mkdtempSync(path.join(tmpdir(), 'codex-project-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, '.codex-lsp.json'), typeof project === 'string' ? project : JSON.stringify(project, null, 2));
  return root;
}

function start(root: string, opts: SpawnOptions = {}) {
  return session.start({ rootUri: fileUri(root), workspaceFolders: [{ uri: fileUri(root), name: 'w' }], ...opts, settings: { ...DEFAULTS, ...opts.settings } });
}

const TEXT = 'export const total = items.reduce((s, i) => s + i.price, 0);\n';

describe('.codex-lsp.json in the server', () => {
  it("applies the team's ignore globs: those files never reach the model", async () => {
    const root = workspace({ ignore: ['fixtures/**'] });
    const c = await start(root);
    const secret = fileUri(path.join(root, 'fixtures', 'customers.ts'));
    await c.open(secret, TEXT, 'typescript');
    expect(await c.hover(secret, position(TEXT, 'reduce'))).toBeNull();
    const normal = fileUri(path.join(root, 'src', 'cart.ts'));
    await c.open(normal, TEXT, 'typescript');
    await c.waitFor(() => session.fake.requests.length > 0, 3000, 'the ordinary file to be reviewed');
    await new Promise((r) => setTimeout(r, 300));
    expect(session.fake.requests.every((r) => !r.prompt.includes('customers'))).toBe(true);
  });

  it("offers the team's custom actions; editor settings still override the file", async () => {
    const root = workspace({ codeActions: { custom: [{ title: 'Team: add tracing', prompt: 'Add tracing spans.' }] }, hover: { enabled: false } });
    const c = await start(root, { settings: { hover: { enabled: true, delayMs: 0 }, diagnostics: { enabled: false } } });
    const uri = fileUri(path.join(root, 'src', 'cart.ts'));
    await c.open(uri, TEXT, 'typescript');
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 3 }, end: { line: 0, character: 3 } },
      context: { diagnostics: [] },
    });
    expect(actions.map((a) => a.title)).toContain('Team: add tracing');
    expect(await c.hover(uri, position(TEXT, 'reduce'))).not.toBeNull();
  });

  it('never takes the endpoint or the key from a project file, and says so', async () => {
    const root = workspace({ baseUrl: 'https://collector.example/v1', apiKey: 'sk-from-the-repo-123456' });
    const c = await start(root, { settings: { ...DEFAULTS, diagnostics: { enabled: false } } });
    const m = await c.waitForMessage(/"baseUrl" is not taken from a project file/);
    expect(m.message).toContain('.codex-lsp.json');
    const uri = fileUri(path.join(root, 'src', 'cart.ts'));
    await c.open(uri, TEXT, 'typescript');
    await c.hover(uri, position(TEXT, 'reduce'));
    expect(session.fake.requests.length).toBe(1);
    expect(session.fake.requests[0]!.headers.authorization).toBe('Bearer test-key-abcdef123456');
  });

  it('names the file and the place of a JSON error, and of a bad value', async () => {
    const root = workspace('{\n  "ignore": ["a",]\n  "model": 3\n}\n');
    const c = await start(root);
    const m = await c.waitForMessage(/not valid JSON/);
    expect(m.message).toMatch(/\.codex-lsp\.json: not valid JSON at line 2/);
    const root2 = workspace({ diagnostics: { trigger: 'sometimes' } });
    const d = await start(root2);
    const m2 = await d.waitForMessage(/diagnostics\.trigger/);
    expect(m2.message).toContain(path.join(root2, '.codex-lsp.json'));
  });

  it('reads the file again when it changes on disk, with no client file watcher', async () => {
    const root = workspace({});
    const c = await start(root, { settings: { ...DEFAULTS, diagnostics: { enabled: false } } });
    // No glob watcher is asked of the client: some clients would watch every folder for it.
    expect(c.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles')).toBe(false);
    const uri = fileUri(path.join(root, 'src', 'cart.ts'));
    await c.open(uri, TEXT, 'typescript');
    const reads = (): number => c.logs.filter((l) => /project settings from/.test(l.message)).length;
    await c.waitFor(() => reads() === 1, 3000, 'the first read');
    writeFileSync(path.join(root, '.codex-lsp.json'), JSON.stringify({ hover: { enabled: false } }));
    await c.waitFor(() => reads() > 1, 5000, 'the reload');
    // Editor settings (DEFAULTS) do not set hover.enabled: the file's false applies.
    expect(await c.hover(uri, position(TEXT, 'reduce'))).toBeNull();
  });

  // The server watches the folder itself; where it cannot (here the folder did not exist yet
  // when the server started, so there was nothing to watch), the editor's save of the file and
  // the client's own file events still make it read the file again.
  it('reads the file again when the editor saves it, where the folder could not be watched', async () => {
    const root = path.join(mkdtempSync(path.join(tmpdir(), 'codex-project-')), 'later');
    dirs.push(path.dirname(root));
    const c = await start(root, { settings: { ...DEFAULTS, diagnostics: { enabled: false } } });
    const uri = fileUri(path.join(root, 'cart.ts'));
    await c.open(uri, TEXT, 'typescript');
    expect(await c.hover(uri, position(TEXT, 'reduce'))).not.toBeNull();
    mkdirSync(root);
    const file = path.join(root, '.codex-lsp.json');
    const project = JSON.stringify({ hover: { enabled: false } });
    writeFileSync(file, project);
    await c.open(fileUri(file), project, 'json');
    await c.save(fileUri(file));
    await c.waitFor(() => c.logs.some((l) => l.message === `project settings from ${file}`), 5000, 'the saved file to be read');
    expect(await c.hover(uri, position(TEXT, 'price'))).toBeNull();
  });

  it('reads the file again when the client reports it changed (workspace/didChangeWatchedFiles)', async () => {
    const root = path.join(mkdtempSync(path.join(tmpdir(), 'codex-project-')), 'later');
    dirs.push(path.dirname(root));
    const c = await start(root, { settings: { ...DEFAULTS, diagnostics: { enabled: false } } });
    const uri = fileUri(path.join(root, 'cart.ts'));
    await c.open(uri, TEXT, 'typescript');
    expect(await c.hover(uri, position(TEXT, 'reduce'))).not.toBeNull();
    mkdirSync(root);
    const file = path.join(root, '.codex-lsp.json');
    writeFileSync(file, JSON.stringify({ ignore: ['cart.ts'] }));
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(file), type: 1 }] });
    await c.waitFor(() => c.logs.some((l) => l.message === `project settings from ${file}`), 5000, 'the reported file to be read');
    expect(await c.hover(uri, position(TEXT, 'price'))).toBeNull();
    expect(session.fake.requests.length).toBe(1);
  });

  it('notices a project file created after start', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'codex-project-'));
    dirs.push(root);
    const c = await start(root, { settings: { ...DEFAULTS, diagnostics: { enabled: false } } });
    const uri = fileUri(path.join(root, 'cart.ts'));
    await c.open(uri, TEXT, 'typescript');
    writeFileSync(path.join(root, '.codex-lsp.json'), JSON.stringify({ ignore: ['cart.ts'] }));
    await c.waitFor(() => c.logs.some((l) => /project settings from/.test(l.message)), 5000, 'the new file to be read');
    expect(await c.hover(uri, position(TEXT, 'reduce'))).toBeNull();
    expect(session.fake.requests.length).toBe(0);
  });
});
