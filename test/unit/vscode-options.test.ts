/**
 * The VS Code extension's decisions, tested without VS Code (it cannot be downloaded here):
 * clients/vscode/src/options.ts is plain Node, and extension.ts only hands its results to
 * vscode-languageclient. The last test starts the repository's server exactly as the client
 * would (module, args, the flags the client appends, the environment) and gets a hover.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildClientOptions,
  buildServerOptions,
  DOCUMENT_SELECTOR,
  explicitSection,
  formatUsage,
  KEY_ENV,
  launchArgv,
  manifestSettings,
  resolveServerModule,
  type Inspected,
  serverEnv,
  serverModuleCandidates,
} from '../../clients/vscode/src/options';
import { fileUri, position } from '../support/lsp-client';
import { REPO_ROOT } from '../support/paths';
import { useSession } from '../support/session';

const EXT_DIR = path.join(REPO_ROOT, 'clients', 'vscode');
const PACKAGED = path.join(EXT_DIR, 'server', 'bin', 'codex-lsp.js');
const REPOSITORY = path.join(REPO_ROOT, 'bin', 'codex-lsp.js');

describe('document selector', () => {
  it('attaches to every file and untitled document, whatever the language', () => {
    expect(DOCUMENT_SELECTOR).toEqual([{ scheme: 'file' }, { scheme: 'untitled' }]);
    const { documentSelector } = buildClientOptions();
    expect(documentSelector).toEqual([{ scheme: 'file' }, { scheme: 'untitled' }]);
    for (const filter of documentSelector) expect(Object.keys(filter)).toEqual(['scheme']);
  });
});

describe('server module', () => {
  it('uses the bundled server of a packaged extension, the repository launcher in a checkout', () => {
    expect(serverModuleCandidates(EXT_DIR)).toEqual([PACKAGED, REPOSITORY]);
    expect(serverModuleCandidates(EXT_DIR, true)).toEqual([REPOSITORY, PACKAGED]);
    expect(resolveServerModule(EXT_DIR, { exists: () => true })).toBe(PACKAGED);
    expect(resolveServerModule(EXT_DIR, { exists: (f) => f === REPOSITORY })).toBe(REPOSITORY);
    expect(resolveServerModule(EXT_DIR, { preferRepository: true, exists: () => true })).toBe(REPOSITORY);
  });

  it('resolves, in this checkout, to the launcher of the built server (no second implementation)', () => {
    const module = resolveServerModule(EXT_DIR, { preferRepository: true });
    expect(module).toBe(REPOSITORY);
    expect(fs.existsSync(module)).toBe(true);
    expect(fs.readFileSync(module, 'utf8')).toContain("require('../dist/server/main.js')");
  });

  it('says what to do when there is no server', () => {
    expect(() => resolveServerModule('/nowhere/ext', { exists: () => false })).toThrow(/codex-lsp server not found .*npm ci/);
  });
});

describe('server launch', () => {
  const env = {
    PATH: '/usr/bin',
    CODEX_LSP_API_KEY: 'from-env',
    COMETAPI_KEY: 'comet',
    OPENAI_API_KEY: 'openai',
    CODEX_LSP_BASE_URL: 'http://localhost:1234/v1',
    CODEX_LSP_MODEL: 'local-model',
    CODEX_LSP_CACHE_DIR: '/tmp/cache',
    HTTPS_PROXY: 'http://proxy:3128',
  };

  it("runs the module with VS Code's own Node over stdio, in run and debug mode", () => {
    const { run, debug } = buildServerOptions({ extensionPath: EXT_DIR, env, preferRepository: true });
    for (const launch of [run, debug]) {
      expect(launch.module).toBe(REPOSITORY);
      expect(launch.transport).toBe('stdio');
      expect(launch).not.toHaveProperty('runtime');
      // vscode-languageclient appends --stdio itself for TransportKind.stdio: no duplicate here.
      expect(launch.args).toEqual([]);
    }
    expect(run.options.execArgv).toBeUndefined();
    expect(debug.options.execArgv).toEqual(expect.arrayContaining([expect.stringMatching(/^--inspect=\d+$/)]));
    const argv = launchArgv(run, 4242);
    expect(argv).toEqual([REPOSITORY, '--stdio', '--clientProcessId=4242']);
  });

  it('passes the environment through: keys, endpoint, model, cache folder, proxy', () => {
    const { run } = buildServerOptions({ extensionPath: EXT_DIR, env, preferRepository: true });
    expect(run.options.env).toEqual(env);
  });

  it('gives a key from secret storage as CODEX_LSP_API_KEY, over the environment; a blank one changes nothing', () => {
    const base = { ...env };
    expect(serverEnv(base, '  sk-stored  ')[KEY_ENV]).toBe('sk-stored');
    expect(serverEnv(base, '  ')[KEY_ENV]).toBe('from-env');
    expect(serverEnv(base, undefined)).toEqual(env);
    expect(base).toEqual(env); // never mutated: it is the extension host's process.env
    expect(serverEnv({ PATH: '/bin' }, 'sk-stored')).toEqual({ PATH: '/bin', CODEX_LSP_API_KEY: 'sk-stored' });
  });
});

describe('workspace/configuration answer', () => {
  /** A stand-in for vscode.WorkspaceConfiguration: `scopes` are what the user wrote where. */
  function reader(scopes: Record<string, Inspected>, defaults: Record<string, unknown> = {}, untrustedRestricted: ReadonlySet<string> = new Set()) {
    return {
      inspect: (key: string): Inspected => scopes[key] ?? {},
      get: (key: string): unknown => {
        const s = scopes[key] ?? {};
        // Like VS Code: in Restricted Mode a restricted setting's workspace values are not applied.
        const workspace = untrustedRestricted.has(key) ? undefined : (s.workspaceFolderValue ?? s.workspaceValue);
        return workspace ?? s.globalValue ?? defaults[key];
      },
    };
  }
  const KEYS = ['apiKey', 'baseUrl', 'model', 'hover.enabled', 'codeActions.custom'];

  it('sends only what the user set, nested, so VS Code defaults never outrank the environment', () => {
    const defaults = { apiKey: null, baseUrl: 'https://api.cometapi.com/v1', model: 'codex-mini', 'hover.enabled': true, 'codeActions.custom': [] };
    expect(explicitSection(KEYS, reader({}, defaults))).toEqual({});
    const custom = [{ title: 'Docstring', prompt: 'Add a docstring' }];
    expect(
      explicitSection(
        KEYS,
        reader(
          { model: { globalValue: 'gpt-x' }, 'hover.enabled': { workspaceValue: false }, 'codeActions.custom': { workspaceFolderValue: custom } },
          defaults,
        ),
      ),
    ).toEqual({ model: 'gpt-x', hover: { enabled: false }, codeActions: { custom } });
  });

  it('treats an empty apiKey as unset', () => {
    expect(explicitSection(KEYS, reader({ apiKey: { globalValue: '' } }))).toEqual({});
    expect(explicitSection(KEYS, reader({ apiKey: { globalValue: '  ' } }))).toEqual({});
    expect(explicitSection(KEYS, reader({ apiKey: { globalValue: 'sk-user' } }))).toEqual({ apiKey: 'sk-user' });
  });

  it('ignores the workspace values of restricted settings in an untrusted workspace', () => {
    const { restricted } = manifestSettings(JSON.parse(fs.readFileSync(path.join(EXT_DIR, 'package.json'), 'utf8')));
    expect([...restricted].sort()).toEqual(['apiKey', 'baseUrl']);
    const scopes = { baseUrl: { workspaceValue: 'https://evil.example/v1' }, model: { workspaceValue: 'm-ws' } };
    expect(explicitSection(KEYS, reader(scopes, {}, restricted), { trusted: false, restricted })).toEqual({ model: 'm-ws' });
    expect(explicitSection(KEYS, reader(scopes), { trusted: true, restricted })).toEqual({ baseUrl: 'https://evil.example/v1', model: 'm-ws' });
    const both = { baseUrl: { globalValue: 'https://mine.example/v1', workspaceValue: 'https://evil.example/v1' } };
    expect(explicitSection(KEYS, reader(both, {}, restricted), { trusted: false, restricted })).toEqual({ baseUrl: 'https://mine.example/v1' });
  });

  it('reads the keys from the manifest', () => {
    const { keys } = manifestSettings(JSON.parse(fs.readFileSync(path.join(EXT_DIR, 'package.json'), 'utf8')));
    expect(keys).toContain('hover.enabled');
    expect(keys).toContain('apiKey');
    expect(keys.every((k) => !k.startsWith('codex.'))).toBe(true);
    expect(manifestSettings(undefined)).toEqual({ keys: [], restricted: new Set() });
  });
});

describe('usage report', () => {
  const row = { feature: 'hover', model: 'codex-mini', requests: 3, cacheHits: 1, input: 1200, cachedInput: 200, output: 300, usd: 0.0034 };
  it('summarises session and today, with a table per feature and model and the budget', () => {
    const report = {
      session: { totals: { ...row, feature: '*', model: '*' }, rows: [row], cacheHitRate: 0.25, cachedInputShare: 0.16 },
      today: { totals: { ...row, feature: '*', model: '*', usd: 1.5 }, rows: [row], date: '2026-01-02', budgetUSD: 2, budgetReached: false },
      prices: {},
    };
    const { summary, text } = formatUsage(report);
    expect(summary).toBe(
      'Codex: This session: 3 model calls, 1 from cache, tokens in 1200 (cached 200) out 300, about $0.0034. ' +
        'Today (2026-01-02): 3 model calls, 1 from cache, tokens in 1200 (cached 200) out 300, about $1.50.',
    );
    expect(text).toMatch(/feature\s+model\s+calls\s+cache hits\s+input\s+cached input\s+output\s+cost/);
    expect(text).toMatch(/hover\s+codex-mini\s+3\s+1\s+1200\s+200\s+300\s+\$0\.0034/);
    expect(text).toContain('Daily budget: $2.00');
  });

  it('reads an older or unknown report without failing', () => {
    expect(formatUsage({ session: { totals: { requests: 0 }, rows: [] } }).text).toContain('(no model calls)');
    expect(formatUsage(null).summary).toMatch(/no usage report/);
    expect(formatUsage({ other: 1 }).text).toContain('"other": 1');
  });
});

describe('the server as the extension starts it', () => {
  const session = useSession({ hover: { delayMs: 0 }, diagnostics: { enabled: false } });

  it("accepts the client's command line and answers a hover from the model", async () => {
    const { run } = buildServerOptions({ extensionPath: EXT_DIR, env: {}, preferRepository: true });
    const [module, ...args] = launchArgv(run, process.pid);
    const c = await session.start({ serverModule: module, args });
    expect(c.initializeResult?.serverInfo?.name).toBe('codex-lsp');
    const text = 'const answer = compute(42);\n';
    const uri = fileUri('/work/project/src/answer.ts');
    await c.open(uri, text, 'typescript');
    session.fake.script({ text: '`compute` returns the answer.' });
    const hover = await c.hover(uri, position(text, 'compute'));
    expect(JSON.stringify(hover)).toContain('`compute` returns the answer.');
    expect(c.stderr).not.toMatch(/unknown argument|missing --stdio/);
  });
});
