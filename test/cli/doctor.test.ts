/**
 * `codex-lsp doctor`, run as a new user runs it: the built bin in a fresh home and project,
 * against the fake endpoint (and fakes that behave as Ollama, llama.cpp, vLLM and LM Studio).
 * Each broken setup must be named for what it is, with its fix, and exit 1.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAI, htmlPage, openAIError, type FakeHandler, type LocalServerKind } from '../support/fake-openai';
import { SERVER_BIN } from '../support/paths';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Line {
  id: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  text: string;
  fix?: string;
}

const KEY = 'test-key-doctor-0123456789';
const dirs: string[] = [];
let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await FakeOpenAI.start();
});
afterEach(() => fake.reset());
afterAll(async () => {
  await fake.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh home and project: nothing of the machine's user leaks in. */
function sandbox(files: Record<string, string> = {}): { home: string; project: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'codex-doctor-'));
  dirs.push(root);
  const home = path.join(root, 'home');
  const project = path.join(root, 'project');
  mkdirSync(home, { recursive: true });
  mkdirSync(project, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return { home, project };
}

function doctor(args: string[], env: Record<string, string | undefined>, box = sandbox()): Promise<Run> {
  const full: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(CODEX_|COMETAPI_|OPENAI_|XDG_)/.test(k)) full[k] = v;
  Object.assign(full, { HOME: box.home, CODEX_LSP_CACHE_DIR: path.join(box.home, 'cache') }, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete full[k];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_BIN, 'doctor', ...args], { cwd: box.project, env: full });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function json(
  env: Record<string, string | undefined>,
  box?: ReturnType<typeof sandbox>,
): Promise<{ code: number | null; lines: Map<string, Line>; raw: Run }> {
  const raw = await doctor(['--json'], env, box);
  const parsed = JSON.parse(raw.stdout) as { ok: boolean; checks: Line[] };
  expect(parsed.ok, raw.stdout).toBe(raw.code === 0);
  return { code: raw.code, lines: new Map(parsed.checks.map((c) => [c.id, c])), raw };
}

/** A fake model that answers the doctor's two requests: a word, and the JSON asked for. */
const answers: FakeHandler = (r) => (r.schemaName === 'doctor' || /"ok"/.test(r.prompt) ? { json: { ok: true } } : { text: 'ok' });

describe('codex-lsp doctor', () => {
  it('a working setup: every line ✓ in order, the key never printed, exit 0', async () => {
    fake.setDefault(answers);
    const box = sandbox({
      'home/.config/nvim/init.lua': "vim.lsp.enable('codex') -- cmd = { 'codex-lsp', '--stdio' }\n",
      'home/.vscode/extensions/codex-lsp.codex-lsp-vscode-0.1.0/package.json': '{}',
      'project/.codex-lsp.json': '{"ignore": ["*.secret"]}',
    });
    const run = await doctor([], { CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: fake.baseUrl }, box);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .filter((l) => /^[✓!✗-] /.test(l));
    expect(lines.map((l) => l.slice(0, 1)).join('')).toBe('✓✓✓✓✓✓✓✓✓--✓');
    expect(run.stdout).toMatch(/✓ API key found in CODEX_LSP_API_KEY \(not shown\)/);
    expect(run.stdout).toMatch(/✓ endpoint reachable: 127\.0\.0\.1:\d+ answered \(\d+ ms\)/);
    expect(run.stdout).toMatch(/✓ model "codex-mini" is served, on \/responses; json_schema accepted/);
    expect(run.stdout).toMatch(/✓ fallback models served: "gpt-5-codex-mini"/);
    expect(run.stdout).toMatch(/✓ cache folder .* is writable \(/);
    expect(run.stdout).toMatch(/✓ project file .*\.codex-lsp\.json is valid/);
    expect(run.stdout).toMatch(/✓ Neovim: codex-lsp is in .*init\.lua/);
    expect(run.stdout).toMatch(/✓ VS Code: the extension is installed/);
    expect(run.stdout).toMatch(/Nothing is broken\./);
    expect(run.stdout + run.stderr).not.toContain(KEY);
    // Tiny requests: the schema one named, each with a small output budget.
    const posts = fake.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => `${r.model}:${r.schemaName ?? 'text'}`)).toEqual(['codex-mini:text', 'codex-mini:doctor', 'gpt-5-codex-mini:text']);
    // The model list (free) is read once, to recognise the server.
    expect(fake.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual(['/v1/models']);
  });

  it('no key: ✗ with where to get one and what to set; nothing is sent', async () => {
    const run = await doctor([], { CODEX_LSP_BASE_URL: 'https://api.example.invalid/v1' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ no API key found \(looked in the environment: CODEX_LSP_API_KEY, COMETAPI_KEY/);
    expect(run.stdout).toMatch(/fix: create a CometAPI key at https:\/\/api\.cometapi\.com\/console\/token, then `export COMETAPI_KEY=<key>`/);
    expect(run.stdout).toMatch(/- endpoint: not checked \(no usable API key\)/);
    expect(fake.requests.length).toBe(0);
  });

  it('a rejected key: ✗ naming the variable it came from, never the key', async () => {
    fake.setDefault(() => openAIError(401, 'Incorrect API key provided: test-key*****6789.'));
    const { code, lines, raw } = await json({ COMETAPI_KEY: KEY, CODEX_LSP_BASE_URL: fake.baseUrl });
    expect(code).toBe(1);
    expect(lines.get('key')?.status).toBe('ok');
    expect(lines.get('endpoint')).toMatchObject({ status: 'fail', text: expect.stringMatching(/rejected the API key from COMETAPI_KEY \(HTTP 401\)/) });
    expect(lines.get('endpoint')?.fix).toMatch(/check the key/);
    expect(lines.get('model')?.status).toBe('skip');
    expect(raw.stdout).not.toContain(KEY);
    // 401 is final: one request, no switch of API, no fallback tried.
    expect(fake.requests.filter((r) => r.method === 'POST').length).toBe(1);
  });

  it('a wrong base URL: unparsable, nothing listening, or a server without the API', async () => {
    const bad = await json({ CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: 'api.cometapi.com/v1' });
    expect(bad.code).toBe(1);
    expect(bad.lines.get('base-url')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/https:\/\/api\.cometapi\.com\/v1/) });

    const dead = await json({ CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(dead.code).toBe(1);
    expect(dead.lines.get('endpoint')).toMatchObject({ status: 'fail', text: expect.stringMatching(/cannot reach http:\/\/127\.0\.0\.1:9\/v1/) });
    expect(dead.lines.get('endpoint')?.fix).toMatch(/start the local server/);

    const noApi = await json({ CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: fake.baseUrl.replace(/\/v1$/, '/api') });
    expect(noApi.code).toBe(1);
    expect(noApi.lines.get('endpoint')).toMatchObject({
      status: 'fail',
      text: expect.stringMatching(/has no \/chat\/completions or \/responses endpoint|HTTP 404/),
    });
    expect(noApi.lines.get('endpoint')?.fix).toMatch(/codex\.baseUrl/);
  });

  it('an HTML page where the API should be: named as such, with the API root to use', async () => {
    fake.setDefault(() => htmlPage());
    const { code, lines } = await json({ CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: fake.baseUrl });
    expect(code).toBe(1);
    expect(lines.get('endpoint')).toMatchObject({ status: 'fail', text: expect.stringMatching(/answered with an HTML page/) });
    expect(lines.get('endpoint')?.fix).toMatch(/API root.*https:\/\/api\.cometapi\.com\/v1/);
  });

  it('a retired model: named retired; with a fallback that answers, a warning and the model to set; without, ✗', async () => {
    const retired: FakeHandler = (r) =>
      r.model === 'codex-mini'
        ? openAIError(404, 'The model `codex-mini` has been deprecated, learn more here: https://platform.openai.com/docs/deprecations')
        : answers(r);
    fake.setDefault(retired);
    const withFallback = await json({ CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: fake.baseUrl });
    expect(withFallback.code).toBe(0);
    expect(withFallback.lines.get('model')).toMatchObject({
      status: 'warn',
      text: expect.stringMatching(/model "codex-mini" is retired .*"gpt-5-codex-mini" from "codex\.fallbackModels" answers instead/),
    });
    expect(withFallback.lines.get('model')?.fix).toMatch(/set "codex\.model" \(or CODEX_LSP_MODEL\) to "gpt-5-codex-mini"/);

    fake.setDefault(retired);
    const box = sandbox({ 'project/.codex-lsp.json': '{"fallbackModels": []}' });
    const without = await json({ CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: fake.baseUrl }, box);
    expect(without.code).toBe(1);
    expect(without.lines.get('model')).toMatchObject({ status: 'fail', text: expect.stringMatching(/model "codex-mini" is retired/) });
    expect(without.lines.get('model')?.fix).toMatch(/"gpt-5-codex-mini"/);
    // Of the models the endpoint lists, those like the configured one.
    expect(without.lines.get('model')?.fix).toMatch(/lists: codex-mini-latest\)/);
    expect(without.lines.get('fallbacks')?.text).toMatch(/none configured/);
  });

  it('json_schema refused: told which mode answers instead', async () => {
    fake.setDefault((r) => {
      const body = r.body as { response_format?: { type?: string }; text?: { format?: { type?: string } } };
      if (body.response_format?.type === 'json_schema' || body.text?.format?.type === 'json_schema')
        return openAIError(400, "Invalid parameter: 'text.format' of type 'json_schema' is not supported with this model.", { param: 'text.format' });
      return answers(r);
    });
    const { code, lines } = await json({ CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: fake.baseUrl });
    expect(code).toBe(0);
    expect(lines.get('model')?.text).toMatch(/json_schema refused, JSON mode used instead/);
  });

  it('the cache folder not writable, an invalid project file: ✗ each with its fix', async () => {
    fake.setDefault(answers);
    const box = sandbox({ 'home/blocker': 'a file where the cache folder should be', 'project/.codex-lsp.json': '{"diagnostics": {"trigger": "sometimes"}}' });
    const { code, lines } = await json(
      { CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: fake.baseUrl, CODEX_LSP_CACHE_DIR: path.join(box.home, 'blocker', 'cache') },
      box,
    );
    expect(code).toBe(1);
    expect(lines.get('cache')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/CODEX_LSP_CACHE_DIR/) });
    expect(lines.get('project')).toMatchObject({ status: 'fail', text: expect.stringMatching(/diagnostics\.trigger/) });
  });

  it('a project file that is not JSON: ✗ naming the line; a bad base URL is said once, on its own line', async () => {
    const box = sandbox({ 'project/.codex-lsp.json': '{\n  "ignore": ["a",]\n}\n' });
    const { code, lines } = await json({ CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: 'not a url' }, box);
    expect(code).toBe(1);
    expect(lines.get('project')).toMatchObject({
      status: 'fail',
      text: expect.stringMatching(/\.codex-lsp\.json: not valid JSON at line 2/),
      fix: expect.stringMatching(/^edit .*\.codex-lsp\.json as said/),
    });
    expect(lines.get('project')?.text).not.toMatch(/baseUrl/);
    expect(lines.get('base-url')).toMatchObject({ status: 'fail', text: expect.stringMatching(/"baseUrl" must be/) });
  });

  it('--help, and a usage error exits 2', async () => {
    const help = await doctor(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/codex-lsp doctor \[--json\]/);
    expect((await doctor(['--jsn'], {})).code).toBe(2);
  });
});

describe('codex-lsp doctor with local servers', () => {
  const locals: Array<{ kind: LocalServerKind; name: string; model: string }> = [
    { kind: 'ollama', name: 'Ollama', model: 'qwen2.5-coder:7b' },
    { kind: 'llamacpp', name: 'llama.cpp', model: 'qwen2.5-coder-7b-instruct-q4_k_m.gguf' },
    { kind: 'vllm', name: 'vLLM', model: 'Qwen/Qwen2.5-Coder-7B-Instruct' },
    { kind: 'lmstudio', name: 'LM Studio', model: 'qwen2.5-coder-7b-instruct' },
  ];
  for (const l of locals) {
    it(`${l.name}: recognised, no key needed, chat only`, async () => {
      const local = await FakeOpenAI.start({ local: l.kind, models: [l.model] });
      try {
        local.setDefault(answers);
        const { code, lines, raw } = await json({ CODEX_LSP_BASE_URL: local.baseUrl, CODEX_LSP_MODEL: l.model });
        expect(code, raw.stdout).toBe(0);
        expect(lines.get('key')?.text).toMatch(/no API key, and none needed/);
        expect(lines.get('endpoint')?.text).toContain(`${l.name} at 127.0.0.1:`);
        expect(lines.get('model')?.text).toMatch(/is served, on \/chat\/completions; json_schema accepted/);
        expect(local.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
      } finally {
        await local.close();
      }
    });
  }

  it('a local server without /responses: named, with the setting that skips it; forced to /responses, ✗ with the fix', async () => {
    const local = await FakeOpenAI.start({ local: 'llamacpp', models: ['codex-mini'] });
    try {
      local.setDefault(answers);
      // codex models start on /responses; llama.cpp answers its own 404 there.
      const auto = await json({ CODEX_LSP_BASE_URL: local.baseUrl });
      expect(auto.code, auto.raw.stdout).toBe(0);
      expect(auto.lines.get('model')?.text).toMatch(/served, on \/chat\/completions \(llama\.cpp has no \/responses\)/);
      expect(auto.lines.get('model')?.fix).toMatch(/"codex\.api": "chat"/);

      const box = sandbox({ 'project/.codex-lsp.json': '{"api": "responses"}' });
      const forced = await json({ CODEX_LSP_BASE_URL: local.baseUrl }, box);
      expect(forced.code).toBe(1);
      expect(forced.lines.get('endpoint')).toMatchObject({ status: 'fail', text: expect.stringMatching(/llama\.cpp has no \/responses endpoint/) });
      expect(forced.lines.get('endpoint')?.fix).toMatch(/set "codex\.api": "chat"/);
    } finally {
      await local.close();
    }
  });

  it('Ollama without the model: ✗ naming what it has and how to pull it', async () => {
    const local = await FakeOpenAI.start({ local: 'ollama', models: ['llama3.2:3b'] });
    try {
      const { code, lines } = await json({ CODEX_LSP_BASE_URL: local.baseUrl, CODEX_LSP_MODEL: 'qwen2.5-coder:7b' });
      expect(code).toBe(1);
      expect(lines.get('model')).toMatchObject({ status: 'fail', text: expect.stringMatching(/model "qwen2\.5-coder:7b" is not served/) });
      expect(lines.get('model')?.fix).toMatch(/lists: llama3\.2:3b.*ollama pull qwen2\.5-coder:7b/);
    } finally {
      await local.close();
    }
  });
});
