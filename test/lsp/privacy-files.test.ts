import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileUri, type LspTestClient, type SpawnOptions } from '../support/lsp-client';
import { SERVER_BIN } from '../support/paths';
import { TEST_KEY, useSession } from '../support/session';

const DEFAULTS = { hover: { delayMs: 0 }, diagnostics: { enabled: false }, logLevel: 'debug' };
const session = useSession(DEFAULTS);
const start = (settings: Record<string, unknown> = {}, opts: SpawnOptions = {}): Promise<LspTestClient> =>
  session.start({ ...opts, settings: { ...DEFAULTS, ...settings } });

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A real folder with real files and symbolic links: `{ 'a -> b': '' }` makes a link a pointing at b. */
function folder(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'codex-privacy-'));
  dirs.push(root);
  for (const [spec, text] of Object.entries(files)) {
    const link = /^(.*) -> (.*)$/.exec(spec);
    const name = link ? link[1]! : spec;
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    if (link) symlinkSync(link[2]!, path.join(root, name));
    else writeFileSync(path.join(root, name), text);
  }
  return root;
}

const CODE = 'export const port = Number(process.env.PORT ?? 8080);\n';

describe('files that stay private, tried as a new user would', () => {
  it('never sends built-in secret files in any letter case', async () => {
    const c = await start();
    for (const name of ['sub/.ENV', 'Credentials.json', 'SECRETS.yaml', 'Server.PEM', 'keys/Deploy.Key', '.Env.Local']) {
      const uri = fileUri(`/work/project/${name}`);
      await c.open(uri, CODE, 'plaintext');
      expect(await c.hover(uri, { line: 0, character: 14 }), name).toBeNull();
    }
    expect(session.fake.requests).toHaveLength(0);
    // A positive control: the same text in an ordinary file is sent.
    const ok = fileUri('/work/project/src/port.ts');
    await c.open(ok, CODE, 'typescript');
    expect(await c.hover(ok, { line: 0, character: 14 })).not.toBeNull();
    expect(session.fake.requests).toHaveLength(1);
  });

  it('matches user globs as written, or in any case with ignoreAnyCase', async () => {
    const uri = fileUri('/work/project/Fixtures/dump.ts');
    const c = await start({ ignore: ['fixtures/**'] });
    await c.open(uri, CODE, 'typescript');
    expect(await c.hover(uri, { line: 0, character: 14 })).not.toBeNull();
    expect(session.fake.requests).toHaveLength(1);
    const d = await start({ ignore: ['fixtures/**'], ignoreAnyCase: true });
    await d.open(uri, CODE, 'typescript');
    expect(await d.hover(uri, { line: 0, character: 14 })).toBeNull();
    expect(session.fake.requests).toHaveLength(1);
  });

  it('checks a file reached through a symbolic link under its real path too (hover and review)', async () => {
    const root = folder({
      '.env': 'API_TOKEN=abc\nexport const x = 1;\n',
      'settings.ts -> .env': '',
      '.aws/credentials': CODE,
      'conf -> .aws': '',
      'src/ok.ts': CODE,
    });
    const c = await start({ diagnostics: { enabled: true } }, { rootUri: fileUri(root) });
    for (const name of ['settings.ts', 'conf/credentials']) {
      const uri = fileUri(path.join(root, name));
      await c.open(uri, CODE, 'typescript');
      expect(await c.hover(uri, { line: 0, character: 14 }), name).toBeNull();
    }
    // A positive control: an ordinary file is hovered and reviewed.
    const ok = fileUri(path.join(root, 'src/ok.ts'));
    await c.open(ok, CODE, 'typescript');
    expect(await c.hover(ok, { line: 0, character: 14 })).not.toBeNull();
    await c.waitFor(() => session.fake.requests.some((r) => r.schemaName === 'diagnostics'), 3000, 'the ordinary file to be reviewed');
    await new Promise((r) => setTimeout(r, 300));
    expect(session.fake.requests.map((r) => /File: (\S+)/.exec(r.prompt)?.[1])).toEqual(['src/ok.ts', 'src/ok.ts']);
  });

  it('never sends binary content; says why at debug level', async () => {
    const c = await start({ diagnostics: { enabled: true } });
    const nul = fileUri('/work/project/src/blob.ts');
    await c.open(nul, 'export const a = 1;\u0000\u0001\u0002\n', 'typescript');
    expect(await c.hover(nul, { line: 0, character: 14 })).toBeNull();
    const noisy = fileUri('/work/project/src/image.ts');
    await c.open(noisy, `const x = 1;\n${'\u0003\ufffd\u0007\u0010ab'.repeat(200)}\n`, 'typescript');
    expect(await c.hover(noisy, { line: 0, character: 6 })).toBeNull();
    await c.waitFor(() => c.logs.filter((l) => /binary content/.test(l.message)).length >= 4, 3000, 'the reasons to be logged');
    expect(session.fake.requests).toHaveLength(0);
    expect(c.logs.find((l) => /NUL bytes/.test(l.message))?.type).toBe(4); // debug (Log)
  });
});

describe('codex-lsp review: links and binary files', () => {
  function cli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string }> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CODEX_LSP_API_KEY: TEST_KEY,
      CODEX_LSP_BASE_URL: session.fake.baseUrl,
      CODEX_LSP_CACHE_DIR: path.join(cwd, '.cache-test'),
      HOME: cwd,
    };
    for (const k of ['COMETAPI_KEY', 'COMETAPI_API_KEY', 'OPENAI_API_KEY', 'CODEX_LSP_MODEL']) delete env[k];
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [SERVER_BIN, 'review', ...args], { cwd, env });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('close', (code) => resolve({ code, stdout }));
    });
  }

  it('skips a file whose real path is private, whatever the link is called', async () => {
    session.fake.setDefault(() => ({ json: { diagnostics: [] } }));
    const root = folder({ '.env': 'API_TOKEN=abc\n', 'settings.ts -> .env': '', 'Server.PEM': CODE, 'a.ts': CODE });
    const r = await cli(['settings.ts', 'Server.PEM', 'a.ts'], root);
    expect(r.stdout).toMatch(/settings\.ts: skipped/);
    expect(session.fake.requests.map((q) => /File: (\S+)/.exec(q.prompt)?.[1])).toEqual(['a.ts']);
    expect(r.code).toBe(0);
  });
});
