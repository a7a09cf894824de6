/**
 * codex-lsp in a real Neovim, headless: the shipped config (clients/neovim) starts the built
 * server against the fake model server; a Lua script (neovim/run.lua) hovers, waits for the
 * review diagnostics, applies the instant quick fix and an AI action resolved with
 * codeAction/resolve, and checks the buffer text. Neovim 0.12 (vim.lsp.enable with
 * lsp/codex.lua) and 0.10 (the README's vim.lsp.start snippet), each where installed:
 * `bash scripts/install-neovim.sh` puts them in .cache/editors; CODEX_NVIM_012 /
 * CODEX_NVIM_010 name other binaries. Without them these tests are skipped.
 * CODEX_NVIM_DEBUG=1 prints each run's steps, output and LSP log even when it passes.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAI, listing } from '../support/fake-openai';
import { REPO_ROOT, SERVER_BIN } from '../support/paths';

const EDITORS_DIR = process.env['CODEX_EDITORS_DIR'] || path.join(REPO_ROOT, '.cache', 'editors');
const CLIENT_DIR = path.join(REPO_ROOT, 'clients', 'neovim');
const RUN_LUA = path.join(REPO_ROOT, 'test', 'editors', 'neovim', 'run.lua');
/** One editor run, start to exit; the Lua watchdog fires a little earlier so the editor reports. */
const RUN_TIMEOUT_MS = 30_000;

interface Editor {
  label: '0.12' | '0.10';
  envName: string;
  /** The init a user of this version writes: the README's block (0.11+: plus lsp/codex.lua on the runtimepath). */
  init: 'init-0.11' | 'init-0.10';
}

const EDITORS: Editor[] = [
  { label: '0.12', envName: 'CODEX_NVIM_012', init: 'init-0.11' },
  { label: '0.10', envName: 'CODEX_NVIM_010', init: 'init-0.10' },
];

function findNvim(e: Editor): string | undefined {
  const fromEnv = process.env[e.envName];
  if (fromEnv) {
    // Named explicitly: a wrong path is an error, not a reason to skip.
    if (!isExecutable(fromEnv)) throw new Error(`${e.envName}=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const wrapper = path.join(EDITORS_DIR, `nvim-${e.label}`, 'bin', 'nvim');
  return isExecutable(wrapper) ? wrapper : undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The ```lua block after `<!-- neovim-test: NAME -->` in clients/neovim/README.md: the test runs what users copy. */
function readmeBlock(name: string): string {
  const readme = fs.readFileSync(path.join(CLIENT_DIR, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- neovim-test: ${name} -->\\s*\`\`\`lua\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!m?.[1]) throw new Error(`clients/neovim/README.md has no \`\`\`lua block marked <!-- neovim-test: ${name} -->`);
  return m[1];
}

const CUSTOM_TITLE = 'Translate comments to English';
const CUSTOM_SETTINGS = `{ codeActions = { custom = { { title = '${CUSTOM_TITLE}', prompt = 'Translate every comment to English.' } } } }`;

/** The init.lua a user of this version writes, from the README; with a custom action in the settings. */
function userInit(e: Editor): string {
  const block = readmeBlock(e.init);
  if (e.init === 'init-0.11') {
    return [
      '-- lsp/codex.lua, as if copied to ~/.config/nvim/lsp/',
      `vim.opt.runtimepath:prepend(${luaString(CLIENT_DIR)})`,
      block,
      `vim.lsp.config('codex', { settings = { codex = ${CUSTOM_SETTINGS} } })`,
      '',
    ].join('\n');
  }
  const placeholder = 'settings = { codex = vim.empty_dict() },  -- your settings go here';
  if (!block.includes(placeholder)) throw new Error(`the README's 0.10 block no longer has \`${placeholder}\``);
  return block.replace(placeholder, `settings = { codex = ${CUSTOM_SETTINGS} },`);
}

// The scenario: a small TypeScript file with an off-by-one loop.
const SOURCE = [
  '// Statistics helpers.',
  'export function average(values: number[]): number {',
  '  let total = 0;',
  '  for (let i = 0; i <= values.length; i++) total += values[i];',
  '  return total / values.length;',
  '}',
  '',
].join('\n');
const FIXED = SOURCE.replace('i <= values.length', 'i < values.length');
const LOOP_AFTER_FIX = ['  let total = 0;', '  for (let i = 0; i < values.length; i++) total += values[i];'].join('\n');
const REDUCED = '  const total = values.reduce((sum, v) => sum + v, 0);';
const REFACTORED = FIXED.replace(LOOP_AFTER_FIX, REDUCED);
const HOVER_TEXT = 'FAKE-HOVER: adds up `values`, reading one index past the end.';
const FINDING = 'Off by one: the loop reads values[values.length]';

/** The fake model: a hover text, one finding (with a replacement) while its quote is there, one edit. */
function script(fake: FakeOpenAI): void {
  fake.setDefault((r) => {
    if (r.schemaName === 'diagnostics') {
      const diagnostics = [];
      for (const [line, text] of listing(r)) {
        if (text.includes('i <= values.length')) {
          diagnostics.push({ line, quote: 'i <= values.length', severity: 'error', message: FINDING, replacement: 'i < values.length' });
        }
      }
      return { json: { diagnostics } };
    }
    if (r.schemaName === 'edit') {
      return { json: { edits: [{ quote: LOOP_AFTER_FIX, replacement: REDUCED }], explanation: 'Sum with reduce.' } };
    }
    return { text: HOVER_TEXT };
  });
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  result?: NvimResult;
  lspLog: string;
}

interface NvimResult {
  nvim: string;
  ok: boolean;
  error?: string;
  steps: string[];
  messages: string[];
  filetype?: string;
  root_dir?: string | null;
  clients?: string[];
  hover?: string;
  diagnostics?: Array<{ lnum: number; col: number; end_col: number; message: string; severity: number; source: string }>;
  actions?: string[];
  afterQuickFix?: string;
  afterRefactor?: string;
  lastRequest?: string;
  lastRequestBuffer?: string;
  init_options?: string;
  settings?: string;
}

function runNvim(nvim: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, resultFile: string, lspLog: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(nvim, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    const done = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      let result: NvimResult | undefined;
      try {
        result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as NvimResult;
      } catch {
        result = undefined;
      }
      const log = fs.existsSync(lspLog) ? fs.readFileSync(lspLog, 'utf8') : '';
      resolve({ code, signal, stdout, stderr, timedOut, result, lspLog: log });
    };
    child.on('error', (err) => {
      stderr += `\nspawn failed: ${err.message}`;
      done(null, null);
    });
    child.on('exit', done);
  });
}

function report(run: RunResult, fake: FakeOpenAI): string {
  const tail = (s: string, n: number): string => (s.length > n ? '...' + s.slice(-n) : s);
  return [
    `exit code ${run.code}${run.signal ? `, signal ${run.signal}` : ''}${run.timedOut ? `, killed after ${RUN_TIMEOUT_MS} ms` : ''}`,
    `error: ${run.result ? (run.result.error ?? 'none') : '(no result file)'}`,
    'steps:',
    ...(run.result?.steps ?? []).map((s) => '  ' + s),
    `server messages: ${JSON.stringify(run.result?.messages ?? [])}`,
    `model requests: ${fake.requests.map((r) => `${r.endpoint}:${r.schemaName ?? 'text'}`).join(', ') || 'none'}`,
    `--- nvim stdout\n${tail(run.stdout, 4000)}`,
    `--- nvim stderr\n${tail(run.stderr, 4000)}`,
    `--- lsp.log\n${tail(run.lspLog, 6000)}`,
  ].join('\n');
}

for (const editor of EDITORS) {
  const nvim = findNvim(editor);
  if (!nvim) {
    const why = `Neovim ${editor.label} not found (run \`bash scripts/install-neovim.sh\`, or set ${editor.envName})`;
    // CI installs the editors and sets CODEX_REQUIRE_EDITORS=1: there a missing editor is a failure, not a skip.
    if (process.env.CODEX_REQUIRE_EDITORS === '1') {
      it(`Neovim ${editor.label} is installed (CODEX_REQUIRE_EDITORS=1)`, () => {
        throw new Error(why);
      });
      continue;
    }
    console.log(`test/editors/neovim.test.ts: skipped: ${why}`);
    describe.skip(`Neovim ${editor.label}: ${why}`, () => {
      it(`Neovim ${editor.label}: hovers, reviews and applies code actions with the shipped config`, () => undefined);
    });
    continue;
  }

  describe(`Neovim ${editor.label} (${nvim})`, () => {
    let fake: FakeOpenAI;
    let tmp: string;
    beforeAll(async () => {
      fake = await FakeOpenAI.start();
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), `codex-nvim-${editor.label}-`));
    });
    afterAll(async () => {
      await fake?.close();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it(
      `Neovim ${editor.label}: hovers, reviews and applies code actions with the shipped config`,
      async () => {
        script(fake);
        // A PATH shim: `codex-lsp` as `npm link` would provide it, running this checkout's build.
        const bin = path.join(tmp, 'bin');
        fs.mkdirSync(bin, { recursive: true });
        const shim = path.join(bin, 'codex-lsp');
        fs.writeFileSync(shim, `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(SERVER_BIN)} "$@"\n`, { mode: 0o755 });

        // A project (root marker .git) with the file to edit.
        const project = path.join(tmp, 'project');
        fs.mkdirSync(path.join(project, '.git'), { recursive: true });
        fs.mkdirSync(path.join(project, 'src'), { recursive: true });
        const file = path.join(project, 'src', 'stats.ts');
        fs.writeFileSync(file, SOURCE);

        // A fresh home: no user config, no shared answer cache.
        const home = path.join(tmp, 'home');
        const xdg = (name: string): string => path.join(home, name);
        for (const d of ['.config', '.local/share', '.local/state', '.cache']) fs.mkdirSync(xdg(d), { recursive: true });

        // The user's init: the README's block for this version, plus one setting of the user's
        // (a custom action), passed the way the README says.
        const init = path.join(tmp, 'init.lua');
        fs.writeFileSync(init, userInit(editor));

        const resultFile = path.join(tmp, 'result.json');
        const specFile = path.join(tmp, 'spec.json');
        fs.writeFileSync(
          specFile,
          JSON.stringify({
            file,
            watchdogMs: RUN_TIMEOUT_MS - 3_000,
            attachTimeoutMs: 10_000,
            requestTimeoutMs: 10_000,
            diagnosticsTimeoutMs: 10_000,
            hover: { line: 3, character: 10, expect: HOVER_TEXT },
            quickFix: { title: 'Replace with `i < values.length`', expect: FIXED },
            refactor: { title: 'Refactor with codex', line: 2, character: 4, expect: REFACTORED },
          }),
        );

        const env = cleanEnv();
        Object.assign(env, {
          PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? '/usr/bin:/bin'}`,
          HOME: home,
          XDG_CONFIG_HOME: xdg('.config'),
          XDG_DATA_HOME: xdg('.local/share'),
          XDG_STATE_HOME: xdg('.local/state'),
          XDG_CACHE_HOME: xdg('.cache'),
          CODEX_LSP_CACHE_DIR: path.join(tmp, 'answer-cache'),
          CODEX_LSP_API_KEY: 'test-key',
          CODEX_LSP_BASE_URL: fake.baseUrl,
          CODEX_TEST_SPEC: specFile,
          CODEX_TEST_RESULT: resultFile,
          CODEX_TEST_RUN: RUN_LUA,
        });
        const args = ['--headless', '--clean', '-u', init, '-c', 'lua dofile(os.getenv("CODEX_TEST_RUN"))'];
        const lspLog = path.join(xdg('.local/state'), 'nvim', 'lsp.log');
        const run = await runNvim(nvim, args, env, project, resultFile, lspLog);
        const why = report(run, fake);
        if (process.env['CODEX_NVIM_DEBUG']) console.log(why, JSON.stringify(run.result, null, 1));

        expect(run.result?.ok, why).toBe(true);
        expect(run.code, why).toBe(0);
        const r = run.result!;
        // 0.12 comes from Debian sid, which moves on: a newer Neovim there is tested the same way.
        const [major, minor] = r.nvim.split('.').map(Number) as [number, number];
        const [wantMajor, wantMinor] = editor.label.split('.').map(Number) as [number, number];
        if (editor.label === '0.10') expect(r.nvim.startsWith('0.10.'), why).toBe(true);
        else expect(major > wantMajor || (major === wantMajor && minor >= wantMinor), why).toBe(true);
        expect(r.filetype).toBe('typescript');
        // One codex client on the buffer, rooted at the project (the .git marker).
        expect(r.clients).toEqual(['codex']);
        expect([project, fs.realpathSync(project)]).toContain(r.root_dir);
        // Hover: the fake model's words.
        expect(r.hover).toContain(HOVER_TEXT);
        // The review's finding: exactly the quoted range, source codex.
        expect(r.diagnostics).toEqual([{ lnum: 3, col: 18, end_col: 36, message: FINDING, severity: 1, source: 'codex' }]);
        expect(r.actions).toContain('Replace with `i < values.length` (codex)');
        // The settings reached the server (workspace/configuration); init_options went as a JSON object.
        expect(r.actions).toContain(CUSTOM_TITLE);
        expect(r.init_options).toBe('{}');
        // The instant fix, then the AI refactor computed on the fixed text.
        expect(r.afterQuickFix).toBe(FIXED);
        expect(r.afterRefactor).toBe(REFACTORED);
        // codex.showLastRequest: the edit request, exactly as sent, opened in a buffer.
        expect(r.lastRequest).toMatch(
          /^codex-lsp: the last request sent for src\/stats\.ts, .*\nPOST http:\/\/127\.0\.0\.1:\d+\/v1\/(responses|chat\/completions) /,
        );
        expect(r.lastRequestBuffer).toBe(r.lastRequest);
        expect(fs.readFileSync(file, 'utf8')).toBe(SOURCE); // applied to the buffer, not saved

        // What reached the model: the hover, the review, one edit; paths relative to the root.
        // (Counts are lower bounds where a settings change may legitimately cause another call.)
        const kinds = fake.requests.map((q) => q.schemaName ?? 'hover');
        expect(kinds.filter((k) => k === 'hover').length, why).toBeGreaterThanOrEqual(1);
        expect(kinds.filter((k) => k === 'diagnostics').length, why).toBeGreaterThanOrEqual(1);
        expect(kinds.filter((k) => k === 'edit').length, why).toBe(1);
        const edit = fake.requests.find((q) => q.schemaName === 'edit')!;
        expect(edit.prompt).toContain('i < values.length');
        expect(edit.prompt).not.toContain(tmp);
        expect(fake.requests.every((q) => q.headers['authorization'] === 'Bearer test-key')).toBe(true);
        // Nothing the user would have to act on, and no complaint about the client's settings.
        expect(r.messages, why).toEqual([]);
        expect(run.lspLog, why).not.toMatch(/expected an object|unknown setting|must be/);
      },
      RUN_TIMEOUT_MS + 15_000,
    );
  });
}

/** The parent environment without anything that would leak a user's editor or codex setup into the run. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(CODEX_|COMETAPI_|OPENAI_|NVIM|VIM|MYVIMRC|XDG_)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function luaString(s: string): string {
  // JSON string escapes are valid in Lua string literals.
  return JSON.stringify(s);
}
