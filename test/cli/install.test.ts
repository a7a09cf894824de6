/**
 * Installed as users get it: the `npm pack` tarball installed globally into a clean prefix (a
 * fresh HOME, nothing linked), then the installed `codex-lsp` run: --version, `doctor`, and an
 * LSP session over stdio against the fake model.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileUri, position, spawnServer } from '../support/lsp-client';
import { REPO_ROOT } from '../support/paths';
import { useFake } from '../support/session';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const shared = useFake();

describe('the npm pack tarball, installed globally into a clean prefix', () => {
  let tmp = '';
  let prefix = '';
  let tarball = '';
  let env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-install-'));
    prefix = path.join(tmp, 'prefix');
    const home = path.join(tmp, 'home');
    fs.mkdirSync(home, { recursive: true });
    env = {
      PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env['PATH'] ?? ''}`,
      HOME: home,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    };
    // The build is `npm test`'s first step: the tarball packs dist/ as built (prepare is not run again here).
    const { stdout } = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: REPO_ROOT, timeout: 60_000 });
    tarball = path.join(tmp, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
    // The user's npm cache (HOME is fresh, the cache is not) keeps this quick; dependencies come from the registry.
    const cache = (await run(npm, ['config', 'get', 'cache'], { timeout: 30_000 })).stdout.trim();
    await run(npm, ['install', '-g', '--prefix', prefix, '--prefer-offline', '--cache', cache, tarball], {
      cwd: tmp,
      env: { ...process.env, ...env },
      timeout: 180_000,
    });
  }, 240_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('holds the launcher, the built server, the project-file schema, the README and the LICENSE, and no sources or tests', () => {
    const pkg = path.join(prefix, 'lib', 'node_modules', 'codex-lsp');
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const rel = path.relative(pkg, path.join(dir, e.name));
        if (e.isDirectory()) {
          if (e.name !== 'node_modules') walk(path.join(dir, e.name));
        } else files.push(rel);
      }
    };
    walk(pkg);
    expect(files).toContain('bin/codex-lsp.js');
    expect(files).toContain('dist/server/main.js');
    expect(files).toContain('README.md');
    expect(fs.readFileSync(path.join(pkg, 'LICENSE'), 'utf8')).toBe(fs.readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8'));
    // Where the README's offline "$schema" points: <npm root -g>/codex-lsp/schema/.
    expect(files).toContain('schema/codex-lsp.schema.json');
    expect(
      files.filter((f) => !/^(bin\/codex-lsp\.js|dist\/server\/.+\.js(\.map)?|schema\/codex-lsp\.schema\.json|README\.md|LICENSE|package\.json)$/.test(f)),
    ).toEqual([]);
  });

  it('runs: codex-lsp --version and doctor from the PATH', async () => {
    const version = (await run('codex-lsp', ['--version'], { env: { ...process.env, ...env } })).stdout.trim();
    expect(version).toBe((JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    shared.fake.setDefault((r) => (r.schemaName ? { json: { ok: true } } : { text: 'ok' }));
    const doctor = await run('codex-lsp', ['doctor', '--json'], {
      env: {
        ...process.env,
        ...env,
        CODEX_LSP_API_KEY: 'test-key-install',
        CODEX_LSP_BASE_URL: shared.fake.baseUrl,
        CODEX_LSP_CACHE_DIR: path.join(tmp, 'cache'),
      },
      cwd: tmp,
    });
    const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: Array<{ id: string; status: string }> };
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.id === 'model')?.status).toBe('ok');
  });

  it('speaks LSP over stdio: a hover answered by the model', async () => {
    shared.fake.setDefault(() => ({ text: 'INSTALLED-HOVER' }));
    const c = await spawnServer({
      serverModule: path.join(prefix, 'lib', 'node_modules', 'codex-lsp', 'bin', 'codex-lsp.js'),
      env: { CODEX_LSP_API_KEY: 'test-key-install', CODEX_LSP_BASE_URL: shared.fake.baseUrl, CODEX_LSP_CACHE_DIR: path.join(tmp, 'cache-lsp') },
      settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false } },
    });
    try {
      const text = 'const answer = compute(42);\n';
      const uri = fileUri('/work/project/a.ts');
      await c.open(uri, text, 'typescript');
      const hover = await c.hover(uri, position(text, 'compute'));
      expect(JSON.stringify(hover?.contents)).toContain('INSTALLED-HOVER');
    } finally {
      await c.dispose();
    }
  });
});
