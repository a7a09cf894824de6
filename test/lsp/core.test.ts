import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAIError } from '../support/fake-openai';
import { fileUri, inProcessServer, position, type LspTestClient, type SpawnOptions } from '../support/lsp-client';
import { REPO_ROOT, SERVER_BIN } from '../support/paths';
import { TEST_KEY as KEY, useSession } from '../support/session';

// Reviews are tested on their own; here every model call is a hover.
const session = useSession({ hover: { delayMs: 0 }, diagnostics: { enabled: false } });

/** Changes the client's settings and waits until the server has taken them. */
async function reconfigure(c: LspTestClient, settings: Record<string, unknown>): Promise<void> {
  const before = c.logs.filter((l) => /configuration changed/.test(l.message)).length;
  c.settings = settings;
  await c.changeConfiguration();
  await c.waitFor(() => c.logs.filter((l) => /configuration changed/.test(l.message)).length > before, 3000, 'the server to take the new settings');
}

function start(opts: SpawnOptions = {}, withKey = true): Promise<LspTestClient> {
  return session.start({ ...opts, withKey });
}

const TEXT = 'const total = items.reduce((sum, item) => sum + item.price, 0);\n';
const URI = fileUri('/work/project/cart.ts');
const POS = position(TEXT, 'reduce');

describe('command line', () => {
  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(execFileSync(process.execPath, [SERVER_BIN, '--version'], { encoding: 'utf8' }).trim()).toBe(pkg.version);
  });
  it('--help names --stdio and the key variables', () => {
    const out = execFileSync(process.execPath, [SERVER_BIN, '--help'], { encoding: 'utf8' });
    expect(out).toContain('--stdio');
    expect(out).toContain('CODEX_LSP_API_KEY');
  });
  it('a wrong argument is a usage error (exit 2) on stderr', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [SERVER_BIN, '--bogus'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      status = (err as { status: number }).status;
      stderr = (err as { stderr: string }).stderr;
    }
    expect(status).toBe(2);
    expect(stderr).toMatch(/unknown argument "--bogus"/);
  });
});

describe('stdout', () => {
  it('every console method of every library writes to stderr in --stdio mode', () => {
    const main = path.join(REPO_ROOT, 'dist', 'server', 'main.js');
    const script = `require(${JSON.stringify(main)}).routeConsoleToStderr(); console.log('a'); console.info('b'); console.dir({ c: 1 }); console.table([1]); console.count(); console.trace('t'); console.group('g'); console.timeLog && 0;`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out).toBe('');
  });
});

describe('lifecycle and robustness', () => {
  it('shutdown then exit ends the process with code 0', async () => {
    const c = await start();
    await c.shutdown();
    expect(c.exitCode).toBe(0);
  });

  it('answers unknown requests with MethodNotFound and keeps going', async () => {
    const c = await start();
    await expect(c.request('codex/doesNotExist', {})).rejects.toMatchObject({ code: -32601 });
    await c.open(URI, TEXT, 'typescript');
    expect(await c.hover(URI, POS)).not.toBeNull();
  });

  it('survives malformed frames, bodies that are not JSON, and requests with bad params', async () => {
    const c = await start();
    await c.open(URI, TEXT, 'typescript');
    c.sendRaw('Garbage-Header\r\n\r\n');
    c.sendRaw('Content-Length: 9\r\n\r\n{not json');
    c.sendRaw('Content-Length: 2\r\n\r\n{}');
    c.sendRaw('Content-Length: abc\r\n\r\n');
    await expect(c.request('textDocument/hover', { textDocument: { uri: URI } })).resolves.toBeNull();
    // jsonrpc itself answers params of the wrong shape with InvalidParams: an answer, not silence.
    await expect(c.request('textDocument/hover', null)).rejects.toMatchObject({ code: -32602 });
    await expect(c.request('textDocument/hover', { textDocument: { uri: URI }, position: { line: 'x', character: null } })).resolves.toBeNull();
    expect(await c.hover(URI, POS)).not.toBeNull();
    expect(c.exitCode).toBeUndefined();
    expect(c.logs.some((l) => /dropped malformed LSP input/.test(l.message)) || /dropped malformed LSP input/.test(c.stderr)).toBe(true);
  });

  it('writes nothing but LSP frames to stdout, even with debug logging of the SDK', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false }, logLevel: 'debug' } });
    await c.open(URI, TEXT, 'typescript');
    await c.hover(URI, POS);
    session.fake.script(openAIError(500, 'boom'));
    await c.hover(URI, position(TEXT, 'price'));
    expect(c.errors).toEqual([]);
    expect(c.logs.some((l) => l.message.startsWith('openai:'))).toBe(true);
    // The key is never logged, not even by the SDK at debug level.
    expect(c.logs.map((l) => l.message).join('\n')).not.toContain(KEY);
    expect(c.stderr).not.toContain(KEY);
  });

  it('a model that answers garbage gives a null hover and no crash', async () => {
    const c = await start();
    await c.open(URI, TEXT, 'typescript');
    // auto: each API is tried once; neither answers as an API.
    session.fake.script({ status: 200, body: 'not json at all' }, { status: 200, body: 'not json at all' });
    expect(await c.hover(URI, POS)).toBeNull();
    session.fake.script({ status: 200, body: { unexpected: true }, offSpec: true }, { status: 200, body: { unexpected: true }, offSpec: true });
    expect(await c.hover(URI, position(TEXT, 'price'))).toBeNull();
    // Told once, in words: what came back and where, never a JavaScript internal.
    const told = c.messages.filter((m) => /not an OpenAI-compatible API answer/.test(m.message));
    expect(told).toHaveLength(1);
    expect(told[0]?.message).toMatch(/answered with text that is not JSON \("not json at all"\)/);
    expect(c.logs.map((l) => l.message).join('\n')).not.toMatch(/Cannot use|TypeError|SyntaxError/);
    expect(await c.hover(URI, position(TEXT, 'sum +'))).not.toBeNull();
  });
});

describe('configuration', () => {
  it('pulls the codex section at start and again after didChangeConfiguration, without a restart', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false }, model: 'model-a', api: 'chat' } });
    await c.waitFor(() => c.configurationRequests.some((r) => r.items.some((i) => i.section === 'codex')), 3000, 'the pull');
    await c.waitFor(() => c.registrations.some((r) => r.method === 'workspace/didChangeConfiguration'), 3000, 'the registration');
    await c.open(URI, TEXT, 'typescript');
    await c.hover(URI, POS);
    expect(session.fake.requests[0]?.model).toBe('model-a');
    expect(session.fake.requests[0]?.endpoint).toBe('chat');
    await reconfigure(c, { hover: { delayMs: 0 }, diagnostics: { enabled: false }, model: 'model-b', api: 'chat' });
    await c.hover(URI, POS);
    expect(session.fake.requests[1]?.model).toBe('model-b');
  });

  it('takes initializationOptions, overridden by workspace/configuration', async () => {
    const c = await start({
      initializationOptions: { model: 'init-model', maxConcurrency: 3 },
      settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false } },
    });
    await c.open(URI, TEXT, 'typescript');
    await c.hover(URI, POS);
    expect(session.fake.requests[0]?.model).toBe('init-model');
    const d = await start({
      initializationOptions: { model: 'init-model' },
      settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false }, model: 'ws-model' },
    });
    await d.open(URI, TEXT, 'typescript');
    await d.hover(URI, POS);
    expect(session.fake.requests[1]?.model).toBe('ws-model');
  });

  it('takes pushed settings from a client without workspace/configuration', async () => {
    const c = await start({
      capabilities: {
        workspace: { configuration: false, didChangeConfiguration: { dynamicRegistration: false } },
        textDocument: { hover: { contentFormat: ['plaintext'] } },
      },
      initializationOptions: { hover: { delayMs: 0 }, diagnostics: { enabled: false } },
    });
    expect(c.configurationRequests).toEqual([]);
    await c.open(URI, TEXT, 'typescript');
    const h = (await c.hover(URI, POS)) as { contents: { kind: string } };
    expect(h.contents.kind).toBe('plaintext');
    c.settings = { hover: { enabled: false }, diagnostics: { enabled: false } };
    await c.changeConfiguration({ push: true });
    // Notifications are handled in order: a hover sent after the push sees the new settings.
    expect(await c.hover(URI, position(TEXT, 'price'))).toBeNull();
    expect(session.fake.requests.length).toBe(1);
  });

  it('logs a bad value and keeps the default, never fatal', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false }, timeoutMs: 'soon', maxConcurrency: -3, api: 'grpc' } });
    await c.open(URI, TEXT, 'typescript');
    expect(await c.hover(URI, POS)).not.toBeNull();
    const log = c.logs.map((l) => l.message).join('\n');
    expect(log).toMatch(/setting "timeoutMs" must be a whole number/);
    expect(log).toMatch(/setting "maxConcurrency"/);
    expect(log).toMatch(/setting "api"/);
    expect(session.fake.requests[0]?.endpoint).toBe('responses');
  });
});

describe('problems the user must act on', () => {
  it('no key: one message naming the variables and the setting; hovers answer null; a key in the settings fixes it live', async () => {
    // A remote endpoint: one on this machine needs no key.
    const c = await start(
      { settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false } }, env: { CODEX_LSP_BASE_URL: 'https://api.example.invalid/v1' } },
      false,
    );
    const msg = await c.waitForMessage(/no API key/);
    expect(msg.message).toMatch(/CODEX_LSP_API_KEY/);
    expect(msg.message).toMatch(/COMETAPI_KEY/);
    expect(msg.message).toMatch(/codex\.apiKey/);
    await c.open(URI, TEXT, 'typescript');
    expect(await c.hover(URI, POS)).toBeNull();
    expect(await c.hover(URI, position(TEXT, 'price'))).toBeNull();
    expect(c.messages.filter((m) => /no API key/.test(m.message)).length).toBe(1);
    expect(session.fake.requests.length).toBe(0);
    await reconfigure(c, { hover: { delayMs: 0 }, diagnostics: { enabled: false }, apiKey: 'settings-key-123456', baseUrl: session.fake.baseUrl });
    expect(await c.hover(URI, POS)).not.toBeNull();
    expect(session.fake.requests[0]?.headers.authorization).toBe('Bearer settings-key-123456');
  });

  it('a rejected key: told once, model calls pause until the configuration changes', async () => {
    const c = await start();
    session.fake.setDefault(() => openAIError(401, `Incorrect API key provided: ${KEY}.`));
    await c.open(URI, TEXT, 'typescript');
    expect(await c.hover(URI, POS)).toBeNull();
    const msg = await c.waitForMessage(/rejected the API key/);
    expect(msg.message).toMatch(/CODEX_LSP_API_KEY/);
    expect(msg.message).not.toContain(KEY);
    expect(await c.hover(URI, position(TEXT, 'price'))).toBeNull();
    expect(session.fake.requests.length).toBe(1);
    session.fake.reset();
    await reconfigure(c, { hover: { delayMs: 0 }, diagnostics: { enabled: false }, timeoutMs: 20000 });
    expect(await c.hover(URI, POS)).not.toBeNull();
  });

  it('an unknown model: told once, naming it and how to pick another', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false }, model: 'codex-mini-latest' } });
    session.fake.setDefault(() =>
      openAIError(404, 'The model `codex-mini-latest` does not exist or you do not have access to it.', { code: 'model_not_found' }),
    );
    await c.open(URI, TEXT, 'typescript');
    expect(await c.hover(URI, POS)).toBeNull();
    const msg = await c.waitForMessage(/codex-mini-latest/);
    expect(msg.message).toMatch(/codex\.model/);
    expect(msg.message).toMatch(/2026-02-12/);
  });

  it('an unreachable endpoint: told once, the server keeps running', async () => {
    const c = await start({
      env: { CODEX_LSP_BASE_URL: 'http://127.0.0.1:9/v1' },
      settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false }, timeoutMs: 3000 },
    });
    await c.open(URI, TEXT, 'typescript');
    expect(await c.hover(URI, POS)).toBeNull();
    await c.waitForMessage(/cannot reach http:\/\/127\.0\.0\.1:9\/v1/);
    expect(await c.hover(URI, position(TEXT, 'price'))).toBeNull();
    expect(c.messages.filter((m) => /cannot reach/.test(m.message)).length).toBe(1);
    expect(c.exitCode).toBeUndefined();
  });

  it('quota exhausted: told once', async () => {
    const c = await start();
    session.fake.setDefault(() =>
      openAIError(429, 'You exceeded your current quota, please check your plan and billing details.', { code: 'insufficient_quota' }),
    );
    await c.open(URI, TEXT, 'typescript');
    expect(await c.hover(URI, POS)).toBeNull();
    await c.waitForMessage(/no quota left/);
  });
});

describe('more problems, end to end', () => {
  it('rate limited even after retries: told once', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false }, timeoutMs: 1500 } });
    session.fake.setDefault(() => openAIError(429, 'Rate limit reached for requests', { headers: { 'retry-after': '30' } }));
    await c.open(URI, TEXT, 'typescript');
    expect(await c.hover(URI, POS)).toBeNull();
    await c.waitForMessage(/rate-limiting/);
  });

  it('a base URL without the endpoints: told to check it', async () => {
    const c = await start({ env: { CODEX_LSP_BASE_URL: session.fake.baseUrl.replace(/\/v1$/, '/nothing-here') } });
    await c.open(URI, TEXT, 'typescript');
    expect(await c.hover(URI, POS)).toBeNull();
    const m = await c.waitForMessage(/has no \/chat\/completions or \/responses endpoint/);
    expect(m.message).toMatch(/\/v1/);
  });

  it('an invalid base URL stops model calls instead of falling back to the default endpoint', async () => {
    const c = await start({ env: { CODEX_LSP_BASE_URL: '127.0.0.1:8080/v1' } });
    const m = await c.waitForMessage(/baseUrl/);
    expect(m.message).toMatch(/off until it is fixed/);
    await c.open(URI, TEXT, 'typescript');
    expect(await c.hover(URI, POS)).toBeNull();
    expect(c.logs.some((l) => /api\.cometapi\.com/.test(l.message) && /openai: /.test(l.message))).toBe(false);
  });
});

describe('shared cache', () => {
  it('two servers running at once share the disk cache', async () => {
    const a = await start();
    const b = await start({ env: { CODEX_LSP_CACHE_DIR: a.cacheDir } });
    await a.open(URI, TEXT, 'typescript');
    await b.open(URI, TEXT, 'typescript');
    const first = await a.hover(URI, POS);
    await new Promise((r) => setTimeout(r, 100));
    const second = await b.hover(URI, POS);
    expect(second).toEqual(first);
    expect(session.fake.requests.length).toBe(1);
  });
});

describe('in-process transport', () => {
  it('serves the same hover over in-memory streams', async () => {
    const c = await inProcessServer({
      env: { CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: session.fake.baseUrl },
      settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false } },
    });
    session.track(c);
    await c.open(URI, TEXT, 'typescript');
    const h = (await c.hover(URI, POS)) as { contents: { value: string } } | null;
    expect(h?.contents.value).toMatch(/Fake explanation/);
    await c.shutdown();
  });
});

describe('usage', () => {
  type Report = {
    session: { totals: Record<string, number>; rows: Array<Record<string, unknown>>; cacheHitRate: number; cachedInputShare: number };
    today: { date: string; totals: Record<string, number>; budgetUSD: number | null; budgetReached: boolean };
  };

  it('codex.usage reports the tokens the endpoint counted, cache hits and dollars, per feature and model', async () => {
    const c = await start();
    await c.open(URI, TEXT, 'typescript');
    session.fake.script(
      { text: 'one', usage: { input: 120_000, cached: 40_000, output: 30_000 } },
      { text: 'two', usage: { input: 80_000, cached: 0, output: 20_000 } },
    );
    await c.hover(URI, POS);
    await c.hover(URI, position(TEXT, 'price'));
    await c.hover(URI, POS);
    const r = await c.request<Report>('workspace/executeCommand', { command: 'codex.usage' });
    expect(r.session.totals).toMatchObject({ requests: 2, cacheHits: 1, input: 200_000, cachedInput: 40_000, output: 50_000 });
    // codex-mini: 160k fresh input at $1.50/M, 40k cached at $0.375/M, 50k output at $6.00/M.
    expect(r.session.totals.usd).toBeCloseTo(0.24 + 0.015 + 0.3, 10);
    expect(r.session.rows[0]).toMatchObject({ feature: 'hover', model: 'codex-mini' });
    expect(r.session.cacheHitRate).toBeCloseTo(1 / 3);
    expect(r.session.cachedInputShare).toBeCloseTo(0.2);
    expect(r.today.totals).toMatchObject({ requests: 2, input: 200_000 });
    expect(r.today.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Only the result, unless asked to show it (for clients that drop command results, as Helix does).
    expect(c.messages).toEqual([]);
    await c.request('workspace/executeCommand', { command: 'codex.usage', arguments: ['show'] });
    const shown = await c.waitForMessage(/codex usage/);
    expect(shown.message).toMatch(
      /This session: 2 calls, 1 cache hit, tokens in 200000 \(cached 40000\) out 50000, about \$0\.56\. Today \(\d{4}-\d{2}-\d{2}, this machine\): 2 calls/,
    );
    await c.shutdown();
    expect(c.logs.some((l) => /session usage: 2 model calls, 1 cache hit, tokens in 200000 \(cached 40000\) out 50000, about \$0\.56/.test(l.message))).toBe(
      true,
    );
  });

  it("the day's usage persists across restarts and adds up over servers sharing the machine", async () => {
    const a = await start();
    await a.open(URI, TEXT, 'typescript');
    session.fake.script({ text: 'one', usage: { input: 1000, output: 100 } });
    await a.hover(URI, POS);
    await a.shutdown();
    const b = await start({ env: { CODEX_LSP_CACHE_DIR: a.cacheDir } });
    await b.open(URI, TEXT, 'typescript');
    session.fake.script({ text: 'two', usage: { input: 500, output: 50 } });
    await b.hover(URI, position(TEXT, 'price'));
    const r = await b.request<Report>('workspace/executeCommand', { command: 'codex.usage' });
    expect(r.session.totals).toMatchObject({ requests: 1, input: 500 });
    expect(r.today.totals).toMatchObject({ requests: 2, input: 1500, output: 150 });
  });

  it('asks for prompt caching with a prompt_cache_key per feature, and drops it where refused', async () => {
    const c = await start();
    await c.open(URI, TEXT, 'typescript');
    await c.hover(URI, POS);
    expect((session.fake.requests[0]!.body as Record<string, unknown>).prompt_cache_key).toMatch(/^codex-lsp-hover-[0-9a-f]{12}$/);
    session.fake.script(openAIError(400, 'Unrecognized request argument supplied: prompt_cache_key'));
    await c.hover(URI, position(TEXT, 'price'));
    expect((session.fake.requests.at(-1)!.body as Record<string, unknown>).prompt_cache_key).toBeUndefined();
  });
});

describe('budget guard', () => {
  it('once the daily budget is reached, automatic reviews pause with one message; hovers still run', async () => {
    const c = await start({ settings: { hover: { delayMs: 0 }, budget: { dailyUSD: 0.01 } } });
    const code = 'export const answer = compute(42);\n';
    const first = fileUri('/work/project/first.ts');
    // The first review costs $0.06 (40k input tokens): over the budget.
    session.fake.setDefault((r) =>
      r.schemaName === 'diagnostics' ? { json: { diagnostics: [] }, usage: { input: 40_000, output: 0 } } : { text: 'hover answer' },
    );
    await c.open(first, code, 'typescript');
    await c.waitFor(() => c.diagnostics.get(first)?.length, 5000, 'the first review');
    const reviewsBefore = session.fake.requests.filter((r) => r.schemaName === 'diagnostics').length;
    expect(reviewsBefore).toBe(1);
    const second = fileUri('/work/project/second.ts');
    await c.open(second, code.replace('42', '43'), 'typescript');
    const m = await c.waitForMessage(/daily budget/);
    expect(m.message).toMatch(/hovers and the code actions you choose still run/);
    expect(session.fake.requests.filter((r) => r.schemaName === 'diagnostics').length).toBe(1);
    const h = await c.hover(second, position(code, 'compute'));
    expect(h).not.toBeNull();
    const r = await c.request<{ today: { budgetReached: boolean; budgetUSD: number } }>('workspace/executeCommand', { command: 'codex.usage' });
    expect(r.today).toMatchObject({ budgetReached: true, budgetUSD: 0.01 });
  });
});
