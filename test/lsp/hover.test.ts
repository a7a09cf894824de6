import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { describe, expect, it } from 'vitest';
import { useSession } from '../support/session';
import { fileUri, position, type LspTestClient, type SpawnOptions } from '../support/lsp-client';

const DEFAULTS = { hover: { delayMs: 0 }, diagnostics: { enabled: false } };
const session = useSession(DEFAULTS);
/** A test's own settings are merged over the defaults. */
const start = (opts: SpawnOptions = {}): Promise<LspTestClient> =>
  session.start({ ...opts, settings: opts.settings === undefined ? undefined : { ...DEFAULTS, ...opts.settings } });

const SOURCE = [
  "import { readFile } from 'node:fs/promises';",
  '',
  'export async function loadConfig(path: string): Promise<Config> {',
  "  const text = await readFile(path, 'utf8');",
  '  return JSON.parse(text) as Config;',
  '}',
  '',
].join('\n');
const URI = fileUri('/work/project/src/config.ts');

function markdown(h: unknown): string {
  const c = (h as { contents?: { kind?: string; value?: string } } | null)?.contents;
  expect(c?.kind).toBe('markdown');
  return c?.value ?? '';
}

describe('hover explanations', () => {
  it('explains the hovered symbol with the fake model, in Markdown, via /responses for codex-mini', async () => {
    const c = await start();
    expect(c.initializeResult?.capabilities.hoverProvider).toBe(true);
    expect(c.initializeResult?.serverInfo?.name).toBe('codex-lsp');
    await c.open(URI, SOURCE, 'typescript');
    session.fake.script({ text: '**`readFile`** reads the whole file as UTF-8 text.' });
    const h = await c.hover(URI, position(SOURCE, 'readFile(path'));
    expect(markdown(h)).toBe('**`readFile`** reads the whole file as UTF-8 text.');
    const req = session.fake.requests[0]!;
    expect(req.path).toBe('/v1/responses');
    expect(req.model).toBe('codex-mini');
    expect(req.prompt).toContain('Explain: `readFile`');
    expect(req.prompt).toContain("const text = await readFile(path, 'utf8');");
    expect(req.prompt).toContain('File: config.ts');
    expect(req.prompt).toContain('Language: typescript');
    // The user's folder layout does not leave the machine.
    expect(req.prompt).not.toContain('/work/project');
  });

  it('answers a repeated hover from memory, and a restarted server from disk, without a model call', async () => {
    const c = await start();
    await c.open(URI, SOURCE, 'typescript');
    const pos = position(SOURCE, 'JSON.parse');
    const first = markdown(await c.hover(URI, pos));
    expect(session.fake.requests.length).toBe(1);
    expect(markdown(await c.hover(URI, pos))).toBe(first);
    expect(session.fake.requests.length).toBe(1);
    const cacheDir = c.cacheDir;
    await c.shutdown();

    const d = await start({ env: { CODEX_LSP_CACHE_DIR: cacheDir } });
    await d.open(URI, SOURCE, 'typescript');
    expect(markdown(await d.hover(URI, pos))).toBe(first);
    expect(session.fake.requests.length).toBe(1);
    const usage = await d.request<{ session: { totals: { cacheHits: number; requests: number } } }>('workspace/executeCommand', {
      command: 'codex.usage',
      arguments: [],
    });
    expect(usage.session.totals).toMatchObject({ cacheHits: 1, requests: 0 });
  });

  it('with the cache off, every hover asks the model', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false }, cache: { enabled: false } } });
    await c.open(URI, SOURCE, 'typescript');
    const pos = position(SOURCE, 'JSON.parse');
    await c.hover(URI, pos);
    await c.hover(URI, pos);
    expect(session.fake.requests.length).toBe(2);
  });

  it('answers null without a model call for blank lines, positions past the end, unopened documents and lone braces', async () => {
    const c = await start();
    await c.open(URI, SOURCE, 'typescript');
    expect(await c.hover(URI, { line: 1, character: 0 })).toBeNull();
    expect(await c.hover(URI, { line: 99, character: 0 })).toBeNull();
    expect(await c.hover(URI, { line: 2, character: 500 })).toBeNull();
    expect(await c.hover(URI, { line: 5, character: 0 })).toBeNull();
    expect(await c.hover(fileUri('/never/opened.ts'), { line: 0, character: 0 })).toBeNull();
    expect(session.fake.requests.length).toBe(0);
  });

  it('never sends an ignored file, by default or by user glob', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false }, ignore: ['**/generated/**'] } });
    const env = fileUri('/work/project/.env');
    await c.open(env, 'DATABASE_URL=postgres://u:p@h/db\nAPI_TOKEN=abc\n', 'dotenv');
    expect(await c.hover(env, { line: 0, character: 2 })).toBeNull();
    const pem = fileUri('/work/project/certs/server.pem');
    await c.open(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n', 'plaintext');
    expect(await c.hover(pem, { line: 1, character: 1 })).toBeNull();
    const gen = fileUri('/work/project/src/generated/api.ts');
    await c.open(gen, 'export const x = 1;\n', 'typescript');
    expect(await c.hover(gen, { line: 0, character: 14 })).toBeNull();
    expect(session.fake.requests.length).toBe(0);
  });

  it('masks a private-key block and a token on a long line, whatever part of them the excerpt shows', async () => {
    const c = await start();
    const body = ['MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun', 'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK'];
    const gh = 'ghp_' + '1234567890abcdefghij' + 'klmnopqrstuvwxyzAB';
    const text = [
      'const KEY = `-----BEGIN RSA ' + 'PRIVATE KEY-----',
      ...body,
      '-----END RSA ' + 'PRIVATE KEY-----`;',
      `const headers = { note: "${'n'.repeat(220)}", auth: "token ${gh}" };`,
      'export const conn = tls.connect({ key: KEY, headers });',
    ].join('\n');
    await c.open(URI, text, 'typescript');
    await c.hover(URI, position(text, 'connect('));
    const prompt = session.fake.requests[0]!.prompt;
    expect(prompt).toContain('tls.connect');
    for (const b of body) expect(prompt).not.toContain(b.slice(0, 12));
    expect(prompt).not.toMatch(/ghp_[0-9a-z]{3}/);
  });

  it('redacts secrets from the prompt', async () => {
    const c = await start();
    const text = [
      "const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';",
      "const githubToken = 'ghp_1234567890abcdefghijklmnopqrstuvwxyzAB';",
      'const client = makeClient(AWS_KEY, githubToken);',
    ].join('\n');
    await c.open(URI, text, 'typescript');
    await c.hover(URI, position(text, 'makeClient'));
    const prompt = session.fake.requests[0]!.prompt;
    expect(prompt).toContain('makeClient');
    expect(prompt).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(prompt).not.toContain('ghp_1234567890abcdefghijklmnopqrstuvwxyzAB');
  });

  it('sends a bounded context for a hover in a 2,000-line file and a 5 MB file', async () => {
    const c = await start();
    const lines = ["import * as fs from 'node:fs';"];
    for (let i = 1; i < 2000; i++) lines.push(`export function f${i}(a: number): number { return a * ${i} + fs.constants.F_OK; }`);
    const big = lines.join('\n');
    const uri = fileUri('/work/project/src/big.ts');
    await c.open(uri, big, 'typescript');
    await c.hover(uri, position(big, 'f1000('));
    expect(session.fake.requests[0]!.bytes).toBeLessThan(16 * 1024);
    expect(session.fake.requests[0]!.prompt).toContain('f1000');

    const huge = 'const x = 1;\n'.repeat(400_000) + 'const target = compute(x);\n';
    expect(huge.length).toBeGreaterThan(5_000_000);
    const hugeUri = fileUri('/work/project/src/huge.ts');
    await c.open(hugeUri, huge, 'typescript');
    const h = await c.hover(hugeUri, { line: 400_000, character: 17 });
    expect(h).not.toBeNull();
    expect(session.fake.requests[1]!.bytes).toBeLessThan(16 * 1024);
    expect(session.fake.requests[1]!.prompt).toContain('compute');
  });

  it('shares one model call between identical hovers in flight', async () => {
    const c = await start();
    await c.open(URI, SOURCE, 'typescript');
    session.fake.setDefault(() => ({ text: 'shared answer', delayMs: 200 }));
    const pos = position(SOURCE, 'loadConfig');
    const [a, b] = await Promise.all([c.hover(URI, pos), c.hover(URI, pos)]);
    expect(markdown(a)).toBe('shared answer');
    expect(markdown(b)).toBe('shared answer');
    expect(session.fake.requests.length).toBe(1);
  });

  it('keeps model requests under maxConcurrency and answers them all', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false }, maxConcurrency: 2 } });
    const text = Array.from({ length: 8 }, (_, i) => `const value${i} = compute${i}(input${i});`).join('\n');
    await c.open(URI, text, 'typescript');
    session.fake.setDefault((r) => ({ text: `answer for ${r.prompt.includes('compute') ? 'x' : '?'}`, delayMs: 150 }));
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => c.hover(URI, position(text, `compute${i}`))));
    expect(answers.every((a) => a !== null)).toBe(true);
    expect(session.fake.requests.length).toBe(8);
    expect(session.fake.maxInFlight).toBeLessThanOrEqual(2);
    expect(session.fake.maxInFlight).toBe(2);
  });
});

describe('cancellation', () => {
  it('a hover cancelled during the grace delay never reaches the model and gets RequestCancelled', async () => {
    const c = await start({ settings: { hover: { delayMs: 400 }, diagnostics: { enabled: false } } });
    await c.open(URI, SOURCE, 'typescript');
    const source = new CancellationTokenSource();
    const p = c.hover(URI, position(SOURCE, 'loadConfig'), source.token);
    setTimeout(() => source.cancel(), 50);
    await expect(p).rejects.toMatchObject({ code: -32800 });
    await new Promise((r) => setTimeout(r, 500));
    expect(session.fake.requests.length).toBe(0);
  });

  it('$/cancelRequest closes the HTTP request behind the hover', async () => {
    const c = await start();
    await c.open(URI, SOURCE, 'typescript');
    session.fake.script({ hang: true });
    const source = new CancellationTokenSource();
    const p = c.hover(URI, position(SOURCE, 'loadConfig'), source.token);
    await session.fake.waitForRequests(1);
    source.cancel();
    await expect(p).rejects.toMatchObject({ code: -32800 });
    await c.waitFor(() => session.fake.requests[0]!.aborted, 3000, 'the fake to see the request aborted');
    expect(session.fake.inFlight()).toBe(0);
  });

  it('a hover that times out answers null and the server goes on', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false }, timeoutMs: 1000 } });
    await c.open(URI, SOURCE, 'typescript');
    session.fake.script({ hang: true });
    expect(await c.hover(URI, position(SOURCE, 'loadConfig'))).toBeNull();
    expect(c.logs.some((l) => /within 1000 ms/.test(l.message))).toBe(true);
    expect(markdown(await c.hover(URI, position(SOURCE, 'readFile(')))).toMatch(/Fake explanation/);
  });
});
