/**
 * Emacs, headless, against the built server and the fake model: clients/emacs/codex-lsp.el
 * set up as a user would, then hover, review diagnostics, code actions (the instant quick
 * fix, an AI action by codeAction/resolve) and a settings reload,
 *  - with Emacs's built-in Eglot (test/editors/emacs/eglot-test.el), which also takes the
 *    path of clients without resolve support (a command, then workspace/applyEdit);
 *  - with lsp-mode, codex-lsp as an add-on client (test/editors/emacs/lsp-mode-test.el).
 *
 * Emacs: CODEX_EMACS (a path; when set, nothing else is tried), else `emacs` on PATH, 29 or
 * newer. lsp-mode: the folders in CODEX_EMACS_LOAD_PATH, else Debian's elpa-lsp-mode and its
 * dependencies unpacked into the cache folder. Each test is skipped, with a message, when
 * its editor is absent; `bash scripts/install-emacs.sh` installs both.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeOpenAI, type FakeReply, type RecordedRequest } from '../support/fake-openai';
import { REPO_ROOT, SERVER_BIN } from '../support/paths';

const EL = path.join(REPO_ROOT, 'clients', 'emacs', 'codex-lsp.el');
const EGLOT_DRIVER = path.join(REPO_ROOT, 'test', 'editors', 'emacs', 'eglot-test.el');
const LSP_MODE_DRIVER = path.join(REPO_ROOT, 'test', 'editors', 'emacs', 'lsp-mode-test.el');
const INSTALL_HINT = 'run `bash scripts/install-emacs.sh` (Emacs 30 from bookworm-backports), or set CODEX_EMACS';

interface EmacsLookup {
  path?: string;
  version?: string;
  reason?: string;
}

/** The Emacs to test with: CODEX_EMACS if set (and nothing else), else `emacs` on PATH; Emacs 29+ only (Eglot is built in). */
function findEmacs(env: NodeJS.ProcessEnv = process.env): EmacsLookup {
  const wanted = env['CODEX_EMACS'];
  const candidate = wanted !== undefined && wanted !== '' ? wanted : onPath('emacs', env['PATH'] ?? '');
  if (!candidate) return { reason: 'no `emacs` on PATH' };
  const probe = spawnSync(candidate, ['--batch', '-Q', '--eval', '(princ emacs-version)'], { encoding: 'utf8', timeout: 15_000 });
  if (probe.error || probe.status !== 0) {
    return { reason: `${candidate} does not run (${probe.error?.message ?? `exit ${probe.status}`})` };
  }
  const version = probe.stdout.trim();
  const major = Number.parseInt(version, 10);
  if (!(major >= 29)) return { reason: `${candidate} is Emacs ${version}; Eglot needs Emacs 29 or newer` };
  return { path: candidate, version };
}

function onPath(name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

describe('findEmacs', () => {
  it('tries nothing else when CODEX_EMACS is set, so a missing Emacs skips with a reason', () => {
    const found = findEmacs({ CODEX_EMACS: '/nonexistent/emacs', PATH: process.env['PATH'] ?? '' });
    expect(found.path).toBeUndefined();
    expect(found.reason).toContain('/nonexistent/emacs');
    expect(findEmacs({ PATH: '/nonexistent' })).toEqual({ reason: 'no `emacs` on PATH' });
  });
});

interface LspModeLookup {
  /** The lsp-mode folder. */
  path?: string;
  version?: string;
  /** Folders to put on Emacs's load-path: lsp-mode and its dependencies. */
  loadPath: string[];
  reason?: string;
}

/**
 * lsp-mode and its dependencies: the folders in CODEX_EMACS_LOAD_PATH if set (and nothing
 * else), else the elpa-* packages scripts/install-emacs.sh unpacked into the cache folder.
 */
function findLspMode(env: NodeJS.ProcessEnv = process.env): LspModeLookup {
  let loadPath: string[];
  const given = env['CODEX_EMACS_LOAD_PATH'];
  if (given !== undefined && given !== '') {
    loadPath = given.split(path.delimiter).filter((d) => d !== '');
  } else {
    const editors = env['CODEX_EDITORS_DIR'] || path.join(REPO_ROOT, '.cache', 'editors');
    const src = path.join(editors, 'emacs', 'elpa', 'usr', 'share', 'emacs', 'site-lisp', 'elpa-src');
    loadPath = fs.existsSync(src)
      ? fs
          .readdirSync(src)
          .sort()
          .map((d) => path.join(src, d))
      : [];
  }
  const dir = loadPath.find((d) => fs.existsSync(path.join(d, 'lsp-mode.el')));
  if (!dir) return { loadPath: [], reason: 'lsp-mode not found' };
  const version = /lsp-mode-([0-9][^/]*)$/.exec(dir)?.[1];
  return version === undefined ? { path: dir, loadPath } : { path: dir, version, loadPath };
}

const emacs = findEmacs();
const lspMode = findLspMode();
// CI installs the editors and sets CODEX_REQUIRE_EDITORS=1: there a missing editor is a failure, not a skip.
if (process.env.CODEX_REQUIRE_EDITORS === '1' && (!emacs.path || !lspMode.path)) {
  it('Emacs and lsp-mode are installed (CODEX_REQUIRE_EDITORS=1)', () => {
    throw new Error(`${emacs.reason ?? lspMode.reason ?? 'not found'}; ${INSTALL_HINT}`);
  });
}
// Said once, plainly, so that a skipped editor test is not mistaken for a passing one.
if (!emacs.path) console.warn(`[emacs] Emacs tests skipped: ${emacs.reason}; ${INSTALL_HINT}.`);
else if (!lspMode.path)
  console.warn(
    `[emacs] lsp-mode test skipped: ${lspMode.reason}; run \`bash scripts/install-emacs.sh\` (unpacks Debian's lsp-mode into the cache folder), or set CODEX_EMACS_LOAD_PATH.`,
  );

const CODE = [
  '// Statistics helpers.',
  '',
  'export function average(values) {',
  '  let total = 0;',
  '  for (let i = 0; i <= values.length; i++) total += values[i];',
  '  return total / values.length;',
  '}',
  '',
].join('\n');

const EXPECTED = [
  '// Statistics helpers.',
  '',
  '/** The mean of values. */',
  'export function average(values) {',
  '  let total = 0; // running sum',
  '  for (let i = 0; i < values.length; i++) total += values[i];',
  '  return total / values.length;',
  '}',
  '',
].join('\n');

const FINDING = {
  line: 5,
  quote: 'i <= values.length',
  severity: 'error',
  message: 'Off-by-one: the loop reads one element past the end of values',
  replacement: 'i < values.length',
};

interface Result {
  ok: boolean;
  error: string | null;
  emacs: string;
  steps: Array<{ name: string; detail: string | null }>;
  text: string | null;
  events: string | null;
}

/** Answers for the three kinds of model request; the hover names the model, so settings can be traced. */
function answer(req: RecordedRequest): FakeReply {
  if (req.schemaName === 'diagnostics') return { json: { diagnostics: [FINDING] } };
  if (req.schemaName === 'edit') {
    if (req.prompt.includes('Add a documentation comment')) {
      return {
        json: {
          edits: [{ quote: 'export function average(values) {', replacement: '/** The mean of values. */\nexport function average(values) {' }],
          explanation: 'Documented.',
        },
      };
    }
    return { json: { edits: [{ quote: 'let total = 0;', replacement: 'let total = 0; // running sum' }], explanation: 'Commented.' } };
  }
  return { text: `**Fake hover from the model** (${req.model ?? 'no model'}): adds up the values.` };
}

interface Scenario {
  run: EmacsRun;
  result: Result | undefined;
  report: () => string;
}

/** One headless Emacs: the shipped codex-lsp.el, then DRIVER, on a fresh copy of CODE in a fresh home. */
async function scenario(fake: FakeOpenAI, driver: string, loadPath: string[] = []): Promise<Scenario> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-emacs-'));
  try {
    const bin = path.join(tmp, 'bin');
    const home = path.join(tmp, 'home');
    const project = path.join(tmp, 'project');
    for (const d of [bin, home, project]) fs.mkdirSync(d, { recursive: true });
    // What `npm link` would put on PATH: the built server from this checkout.
    fs.writeFileSync(path.join(bin, 'codex-lsp'), `#!/bin/sh\nexec "${process.execPath}" "${SERVER_BIN}" "$@"\n`, { mode: 0o755 });
    const file = path.join(project, 'stats.js');
    fs.writeFileSync(file, CODE);
    const resultFile = path.join(tmp, 'result.json');
    const env: NodeJS.ProcessEnv = {
      PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}`,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      TMPDIR: tmp,
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      CODEX_LSP_API_KEY: 'test-key',
      CODEX_LSP_BASE_URL: fake.baseUrl,
      CODEX_LSP_CACHE_DIR: path.join(tmp, 'answers'),
      CODEX_EMACS_FILE: file,
      CODEX_EMACS_RESULT: resultFile,
    };
    const args = ['--batch', '-Q', ...loadPath.flatMap((d) => ['-L', d]), '-l', EL, '-l', driver];
    const run = await runEmacs(emacs.path as string, args, env, 35_000);
    let result: Result | undefined;
    try {
      result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as Result;
    } catch {
      result = undefined;
    }
    const report = (): string =>
      [
        `emacs exit: ${run.code ?? run.signal}${run.timedOut ? ' (killed after the time limit)' : ''}`,
        `emacs output:\n${run.output}`,
        `steps: ${JSON.stringify(result?.steps ?? [], null, 1)}`,
        `buffer text:\n${result?.text ?? '(none)'}`,
        `LSP events (tail):\n${result?.events ?? '(none)'}`,
        `model requests: ${fake.requests.map((r) => `${r.schemaName ?? 'hover'}/${r.model}`).join(', ')}`,
      ].join('\n\n');
    if (process.env['CODEX_EDITORS_VERBOSE']) console.log(report());
    if (!(result?.ok === true && run.code === 0)) throw new Error(`the Emacs run failed: ${result?.error ?? 'no result'}\n\n${report()}`);
    return { run, result, report };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

describe.skipIf(!emacs.path)(`Emacs ${emacs.version ?? ''} (clients/emacs/codex-lsp.el)`, () => {
  it("never takes apiKey, baseUrl, prices or budget from a project's eglot-workspace-configuration", () => {
    const out = execFileSync(
      emacs.path as string,
      [
        '--batch',
        '-Q',
        '-l',
        EL,
        '--eval',
        '(princ (format "%S" (codex-lsp--without-user-only (list :model "m" :baseUrl "http://evil/v1" :apiKey "k" :prices nil :budget (list :dailyUSD 1) :hover (list :enabled t)))))',
      ],
      { encoding: 'utf8' },
    );
    expect(out).toBe('(:model "m" :hover (:enabled t))');
  });

  let fake: FakeOpenAI;

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
  });
  beforeEach(() => {
    fake.reset();
    fake.setDefault(answer);
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('Eglot: attaches, hovers, shows the review, applies a quick fix and AI actions, reloads settings', async () => {
    const { result, report } = await scenario(fake, EGLOT_DRIVER);
    expect(
      result!.steps.map((s) => s.name),
      report(),
    ).toEqual([
      'attached',
      'hover',
      'diagnostics',
      'code actions',
      'quick fix applied',
      'AI action resolved and applied',
      'settings reloaded',
      'AI action by command and workspace/applyEdit',
    ]);
    const steps = result!.steps;
    expect(steps[0]!.detail).toBe('codex-lsp');
    expect(steps[1]!.detail).toContain('Fake hover from the model** (emacs-test-model)');
    expect(steps[2]!.detail).toBe(`codex: ${FINDING.message}`);
    expect(steps[3]!.detail).toBe('Replace with `i < values.length` (codex) | Ignore this finding (codex) | Refactor with codex | Add documentation (codex)');
    expect(result!.text).toBe(EXPECTED);

    // codex-lsp-settings reached the server, first at start, then after the reload.
    const models = fake.requests.map((r) => r.model);
    expect(models[0]).toBe('emacs-test-model');
    expect(models).toContain('emacs-reloaded-model');
    // Two AI actions, two model calls; the quick fix is instant.
    const edits = fake.requests.filter((r) => r.schemaName === 'edit');
    expect(edits.length).toBe(2);
    // The Eglot entry covers prog-mode, whose languageId is "prog": the server names the language from the file.
    expect(edits[0]!.prompt).toContain('Language: javascript');
    expect(fake.handlerErrors).toEqual([]);
  }, 40_000);

  it.skipIf(!lspMode.path)(
    `lsp-mode ${lspMode.version ?? ''}: the add-on client attaches, hovers, shows the review, applies a quick fix and an AI action, reloads settings`,
    async () => {
      const { result, report } = await scenario(fake, LSP_MODE_DRIVER, lspMode.loadPath);
      expect(
        result!.steps.map((s) => s.name),
        report(),
      ).toEqual(['attached', 'hover', 'diagnostics', 'code actions', 'quick fix applied', 'AI action resolved and applied', 'settings reloaded']);
      const steps = result!.steps;
      expect(steps[0]!.detail).toBe('t'); // registered as an add-on
      expect(steps[1]!.detail).toContain('Fake hover from the model** (emacs-test-model)');
      expect(steps[2]!.detail).toBe(FINDING.message);
      expect(steps[3]!.detail).toContain('Replace with `i < values.length` (codex)');
      expect(result!.text).toBe(EXPECTED.replace('/** The mean of values. */\n', ''));
      expect(fake.requests[0]!.model).toBe('emacs-test-model');
      expect(fake.requests.map((r) => r.model)).toContain('emacs-reloaded-model');
      expect(fake.requests.filter((r) => r.schemaName === 'edit').length).toBe(1);
      expect(fake.handlerErrors).toEqual([]);
    },
    40_000,
  );
});

interface EmacsRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
}

function runEmacs(bin: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<EmacsRun> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => (output += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (output += b.toString('utf8')));
    // Emacs and the server it started are one process group: a hung run leaves nothing behind.
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      kill();
      resolve({ code, signal, output, timedOut });
    });
  });
}
