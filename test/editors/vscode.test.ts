/**
 * The packaged extension in real VS Code: code-server 4.100.3 (VS Code 1.100.3) with the .vsix
 * installed as users install it, driven headless with playwright-core and Debian's chromium
 * (never a browser Playwright downloads). From the editor and the file on disk it checks the AI
 * hover, the codex finding in the Problems panel, the instant quick fix, and an AI action whose
 * edit comes from codeAction/resolve. A control run with the extension's document selector
 * broken must see none of it, so a broken extension cannot pass.
 *
 * `bash scripts/install-code-server.sh` installs code-server into .cache/editors and chromium
 * with apt; CODEX_CODE_SERVER and CODEX_CHROMIUM name others. Without them this is skipped
 * (CODEX_REQUIRE_EDITORS=1: it fails). CODEX_VSCODE_DEBUG=1 keeps screenshots and logs.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { FakeOpenAI, listing } from '../support/fake-openai';
import { REPO_ROOT } from '../support/paths';
import { packageVsix } from '../support/vsix';

const EDITORS_DIR = process.env['CODEX_EDITORS_DIR'] || path.join(REPO_ROOT, '.cache', 'editors');
const DEBUG = process.env['CODEX_VSCODE_DEBUG'] === '1';

function executable(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return file;
  } catch {
    return undefined;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const hit = executable(path.join(dir, name));
    if (hit) return hit;
  }
  return undefined;
}

const codeServer = executable(process.env['CODEX_CODE_SERVER'] || path.join(EDITORS_DIR, 'code-server-4.100.3', 'bin', 'code-server'));
const chromiumPath = executable(process.env['CODEX_CHROMIUM']) ?? onPath('chromium') ?? onPath('chromium-browser');

// The scenario: a Python file (no other language server in code-server for it) with an off-by-one loop.
const SOURCE = [
  '# Statistics helpers.',
  'def average(values):',
  '    total = 0',
  '    for i in range(len(values) + 1):',
  '        total += values[i]',
  '    return total / len(values)',
  '',
].join('\n');
const FIXED = SOURCE.replace('range(len(values) + 1)', 'range(len(values))');
const RETURN = '    return total / len(values)';
const GUARDED = '    return total / len(values) if values else 0.0';
const FINAL = FIXED.replace(RETURN, GUARDED);
const HOVER_TEXT = 'FAKE-HOVER: adds up values, reading one index past the end.';
const FINDING = 'Off by one: the loop reads values[len(values)]';
/** A finding without a replacement: its fix is an AI action, computed on codeAction/resolve. */
const EMPTY = 'Division by zero when values is empty';

function script(fake: FakeOpenAI): void {
  fake.setDefault((r) => {
    if (r.schemaName === 'diagnostics') {
      const diagnostics = [];
      for (const [line, text] of listing(r)) {
        if (text.includes('range(len(values) + 1)'))
          diagnostics.push({ line, quote: 'range(len(values) + 1)', severity: 'error', message: FINDING, replacement: 'range(len(values))' });
        if (text.includes('return total / len(values)')) diagnostics.push({ line, quote: 'total / len(values)', severity: 'warning', message: EMPTY });
      }
      return { json: { diagnostics } };
    }
    // The edit takes a while, as a model's does: long enough for the progress to show.
    if (r.schemaName === 'edit') return { json: { edits: [{ quote: RETURN, replacement: GUARDED }], explanation: 'Guard the empty list.' }, delayMs: 2500 };
    return { text: HOVER_TEXT };
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

interface Workbench {
  server: ChildProcess;
  log: string[];
  url: string;
  project: string;
  file: string;
  userData: string;
}

/** code-server with its own home, settings and extensions folder, and the .vsix installed by its CLI. */
async function startCodeServer(tmp: string, vsix: string, fake: FakeOpenAI, breakSelector: boolean): Promise<Workbench> {
  const home = path.join(tmp, 'home');
  const userData = path.join(tmp, 'user-data');
  const extensions = path.join(tmp, 'extensions');
  const project = path.join(tmp, 'project');
  for (const d of [home, path.join(userData, 'User'), extensions, project]) fs.mkdirSync(d, { recursive: true });
  const file = path.join(project, 'stats.py');
  fs.writeFileSync(file, SOURCE);
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.ignoreRecommendations': true,
      'editor.hover.delay': 100,
      'codex.hover.delayMs': 0,
      ...(DEBUG ? { 'codex.trace.server': 'verbose' } : {}),
    }),
  );
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(CODEX_|COMETAPI_|OPENAI_|XDG_|VSCODE_)/.test(k)) env[k] = v;
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    CODEX_LSP_API_KEY: 'test-key-vscode',
    CODEX_LSP_BASE_URL: fake.baseUrl,
    CODEX_LSP_CACHE_DIR: path.join(tmp, 'answer-cache'),
  });
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
  execFileSync(codeServer!, [...common, '--install-extension', vsix], { env, stdio: 'pipe', timeout: 60_000 });
  if (breakSelector) {
    // The control: the same extension, its document selector pointing at a scheme no file has.
    const [dir] = fs.readdirSync(extensions).filter((n) => n.startsWith('codex-lsp.codex-lsp-vscode-'));
    const main = path.join(extensions, dir!, 'dist', 'extension.js');
    const code = fs.readFileSync(main, 'utf8');
    const broken = code.replace(/\{\s*scheme:\s*"file"\s*\},\s*\{\s*scheme:\s*"untitled"\s*\}/, '{ scheme: "nope" }');
    if (broken === code) throw new Error('the control could not find the document selector in dist/extension.js');
    fs.writeFileSync(main, broken);
  }
  const port = await freePort();
  const log: string[] = [];
  const server = spawn(
    codeServer!,
    [
      ...common,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--config',
      path.join(tmp, 'config.yaml'),
      project,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout!.on('data', (b: Buffer) => log.push(b.toString('utf8')));
  server.stderr!.on('data', (b: Buffer) => log.push(b.toString('utf8')));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(project)}`;
  const t0 = Date.now();
  for (;;) {
    if (log.join('').includes('HTTP server listening')) break;
    if (server.exitCode !== null) throw new Error(`code-server exited (${server.exitCode}):\n${log.join('')}`);
    if (Date.now() - t0 > 30_000) throw new Error(`code-server did not start in 30 s:\n${log.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { server, log, url, project, file, userData };
}

/** The text the editor shows (Monaco renders spaces as no-break spaces). */
async function editorText(page: Page): Promise<string> {
  return (await page.locator('.monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
}

async function goTo(page: Page, line: number, column: number): Promise<void> {
  await page.locator('.monaco-editor textarea').first().focus();
  await page.keyboard.press('Control+G');
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press('Enter');
}

/**
 * Chooses a row of the code action menu by keyboard (mouse clicks on its rows time out in
 * Playwright): down the list until the focused row is the one, then Enter.
 */
async function chooseAction(page: Page, title: string): Promise<string[]> {
  const widget = page.locator('.action-widget');
  // New diagnostics arriving while the menu is computed make VS Code drop the request ("No code
  // actions available"): a user presses again, and so does the test, up to three times.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+.');
    try {
      await widget.waitFor({ state: 'visible', timeout: 5_000 });
      break;
    } catch (err) {
      if (attempt === 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
  const rows = await widget.locator('.monaco-list-row').allInnerTexts();
  for (let i = 0; i < 30; i++) {
    const focused = await widget
      .locator('.monaco-list-row.focused')
      .innerText()
      .catch(() => '');
    if (focused.includes(title)) {
      await page.keyboard.press('Enter');
      return rows;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`no code action "${title}" in the menu: ${JSON.stringify(rows)}`);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What the server logged to the Output panel's "Codex" channel (code-server writes it under the user-data folder). */
function extensionLog(userData: string): string {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/codex/i.test(e.name) && e.name.endsWith('.log')) found.push(`--- ${p}\n${fs.readFileSync(p, 'utf8').slice(-4000)}`);
    }
  };
  try {
    walk(path.join(userData, 'logs'));
  } catch {
    // No logs yet.
  }
  return found.join('\n');
}

if (!codeServer || !chromiumPath) {
  const why = !codeServer
    ? 'code-server 4.100.3 not found (run `bash scripts/install-code-server.sh`, or set CODEX_CODE_SERVER)'
    : 'chromium not found (apt-get install chromium, or set CODEX_CHROMIUM)';
  if (process.env['CODEX_REQUIRE_EDITORS'] === '1') {
    it(`VS Code (code-server) is installed (CODEX_REQUIRE_EDITORS=1)`, () => {
      throw new Error(why);
    });
  } else {
    console.log(`test/editors/vscode.test.ts: skipped: ${why}`);
    describe.skip(`VS Code: ${why}`, () => {
      it('VS Code: hovers, reviews and applies code actions with the packaged extension', () => undefined);
    });
  }
} else {
  describe(`VS Code 1.100.3 (code-server, ${codeServer})`, () => {
    let tmp = '';
    let vsix = '';
    let fake: FakeOpenAI;
    let browser: Browser;
    const servers: ChildProcess[] = [];

    beforeAll(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-vscode-'));
      vsix = path.join(tmp, 'codex-lsp.vsix');
      await packageVsix(vsix);
      fake = await FakeOpenAI.start();
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      for (const s of servers) s.kill('SIGKILL');
      await fake?.close();
      if (tmp && !DEBUG) fs.rmSync(tmp, { recursive: true, force: true });
      else if (tmp) console.log(`test/editors/vscode.test.ts: kept ${tmp}`);
    });

    async function open(dir: string, breakSelector: boolean): Promise<{ page: Page; wb: Workbench; report: (why: string) => Promise<string> }> {
      fake.reset();
      script(fake);
      fs.mkdirSync(dir, { recursive: true });
      const wb = await startCodeServer(dir, vsix, fake, breakSelector);
      servers.push(wb.server);
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const report = async (why: string): Promise<string> => {
        const shot = path.join(dir, 'failure.png');
        await page.screenshot({ path: shot }).catch(() => undefined);
        return [
          why,
          `screenshot: ${shot}`,
          `model requests: ${fake.requests.map((r) => `${r.endpoint}:${r.schemaName ?? 'text'}`).join(', ') || 'none'}`,
          `--- code-server\n${wb.log.join('').slice(-3000)}`,
          extensionLog(wb.userData),
        ].join('\n');
      };
      await page.goto(wb.url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      // Open the file from the explorer, as a user does.
      await page.getByRole('treeitem', { name: 'stats.py' }).click({ timeout: 30_000 });
      await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
      return { page, wb, report };
    }

    it('VS Code: hover, Problems, the instant quick fix and an AI action, with the packaged extension', async () => {
      const { page, wb, report } = await open(path.join(tmp, 'run'), false);
      try {
        // The review of the opened file, in the Problems panel with source codex.
        await page.keyboard.press('Control+Shift+M');
        const problems = page.locator('.markers-panel');
        await waitFor('the codex finding in Problems', async () => (await problems.innerText()).includes(FINDING), 60_000);
        const row = await problems.locator('.monaco-list-row', { hasText: FINDING }).first().innerText();
        expect(row).toContain('codex');
        expect(row).toMatch(/Ln 4, Col 14/);

        // The AI hover, on `values` in `total += values[i]`.
        await goTo(page, 5, 20);
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I');
        await waitFor('the AI hover', async () => (await page.locator('.monaco-hover').allInnerTexts()).some((t) => t.includes(HOVER_TEXT)), 30_000);

        // The instant quick fix: applied in the editor, then saved to disk.
        await page.keyboard.press('Escape');
        await goTo(page, 4, 20);
        await chooseAction(page, 'Replace with `range(len(values))` (codex)');
        await waitFor('the quick fix in the editor', async () => (await editorText(page)).includes('range(len(values)):'), 10_000);
        await page.keyboard.press('Control+S');
        await waitFor('the fixed file on disk', async () => fs.readFileSync(wb.file, 'utf8') === FIXED, 10_000);
        const editsBefore = fake.requests.filter((r) => r.schemaName === 'edit').length;
        expect(editsBefore).toBe(0);

        // An AI action, "Fix with codex" on the finding without a replacement: its edit comes from
        // codeAction/resolve (one model call), applied and saved. First the review of the saved file.
        await waitFor('the review after saving', async () => fake.requests.filter((r) => r.schemaName === 'diagnostics').length >= 2, 30_000);
        await waitFor(
          'Problems after saving',
          async () => !(await problems.innerText()).includes(FINDING) && (await problems.innerText()).includes(EMPTY),
          30_000,
        );
        await goTo(page, 6, 20);
        const menu = await chooseAction(page, `Fix with codex: ${EMPTY}`);
        expect(menu.join('\n')).toContain('Refactor with codex');
        // While the model thinks, VS Code shows the server's work-done progress in the status bar.
        await waitFor('the progress in the status bar', async () => (await page.locator('.statusbar').innerText()).includes('codex: writing the fix…'), 10_000);
        await waitFor('the AI fix in the editor', async () => (await editorText(page)).includes('if values else 0.0'), 30_000);
        await page.keyboard.press('Control+S');
        await waitFor('the AI-fixed file on disk', async () => fs.readFileSync(wb.file, 'utf8') === FINAL, 10_000);
        expect(fake.requests.filter((r) => r.schemaName === 'edit').length).toBe(1);
        expect(fake.requests.every((r) => r.headers['authorization'] === 'Bearer test-key-vscode')).toBe(true);

        // "Codex: Show Last Request" from the command palette: the edit request, opened read-only.
        await page.keyboard.press('F1');
        await page.keyboard.type('Codex: Show Last Request');
        await waitFor(
          'the command in the palette',
          async () => (await page.locator('.quick-input-widget').innerText()).includes('Codex: Show Last Request'),
          10_000,
        );
        await page.keyboard.press('Enter');
        await waitFor(
          'the last request in an editor tab',
          async () => (await page.locator('.tabs-container').innerText()).includes('last-request.json.txt'),
          15_000,
        );
        await waitFor('the request in the editor', async () => (await editorText(page)).includes('the last request sent for'), 10_000);
        expect(await editorText(page)).toContain('"schema"');
        if (DEBUG) console.log(await report('passed'));
      } catch (err) {
        throw new Error(await report(err instanceof Error ? err.message : String(err)), { cause: err });
      } finally {
        await page.close();
      }
    }, 240_000);

    it('control: with a wrong document selector nothing reaches the model, so the run above would fail', async () => {
      const { page, report } = await open(path.join(tmp, 'control'), true);
      try {
        await page.keyboard.press('Control+Shift+M');
        // Long enough for the working extension to have reviewed the file (it takes a few seconds).
        await new Promise((r) => setTimeout(r, 15_000));
        expect(await page.locator('.markers-panel').innerText()).not.toContain(FINDING);
        expect(
          fake.requests.filter((r) => r.method === 'POST'),
          await report('requests in the control'),
        ).toEqual([]);
      } finally {
        await page.close();
      }
    }, 120_000);
  });
}
