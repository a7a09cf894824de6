/**
 * Context beyond the current file, over stdio: hovering a call to a function defined in
 * another, unopened file of the workspace sends that function's signature and doc; ignored
 * and secret files are never read; the index follows edits.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../support/fake-openai';
import { position, RESOLVING_CLIENT, type LspTestClient, type SpawnOptions } from '../support/lsp-client';
import { useSession } from '../support/session';
import { runCli } from '../support/cli-run';

const DEFAULTS = { hover: { delayMs: 0 }, diagnostics: { enabled: false } };
const session = useSession(DEFAULTS);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'codex-ws-'));
  dirs.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

async function startIn(root: string, settings: Record<string, unknown> = {}, opts: SpawnOptions = {}): Promise<LspTestClient> {
  const uri = pathToFileURL(root).href;
  return session.start({ ...opts, rootUri: uri, workspaceFolders: [{ uri, name: 'ws' }], settings: { ...DEFAULTS, ...settings } });
}

const hovers = (): RecordedRequest[] => session.fake.requests.filter((r) => r.schemaName === undefined);
const uriOf = (root: string, rel: string): string => pathToFileURL(path.join(root, rel)).href;

async function indexed(c: LspTestClient): Promise<void> {
  await c.waitFor(() => c.logs.some((l) => /^index: \d+ files/.test(l.message)), 10_000, 'the index build');
}

const TS = {
  'src/money.ts': [
    "import { round } from './util/round';",
    '',
    '/** Converts cents to a display string in the given currency. */',
    'export function formatPrice(cents: number, currency: string): string {',
    '  return `${round(cents / 100, 2)} ${currency}`;',
    '}',
    '',
  ].join('\n'),
  'src/util/round.ts':
    '/** Rounds half away from zero. */\nexport function round(value: number, digits: number): number {\n  const f = 10 ** digits;\n  return Math.round(value * f) / f;\n}\n',
  'src/cart.ts': [
    "import { formatPrice } from './money';",
    '',
    'export function total(items: number[]): string {',
    "  return formatPrice(items.reduce((a, b) => a + b, 0), 'EUR');",
    '}',
    '',
  ].join('\n'),
};

describe('definitions from other files', () => {
  it('TypeScript: a hover on a call sends the callee signature and doc from the unopened file that defines it', async () => {
    const root = workspace(TS);
    const c = await startIn(root);
    const cart = TS['src/cart.ts'];
    await c.open(uriOf(root, 'src/cart.ts'), cart, 'typescript');
    await indexed(c);
    await c.hover(uriOf(root, 'src/cart.ts'), position(cart, 'formatPrice(items'));
    const prompt = hovers()[0]!.prompt;
    expect(prompt).toContain('Used here, defined in other files (signatures):');
    expect(prompt).toContain(
      'src/money.ts:4\n/** Converts cents to a display string in the given currency. */\nexport function formatPrice(cents: number, currency: string): string',
    );
    // Nothing of the callee's body, and nothing from files the line does not use.
    expect(prompt).not.toContain('round(cents');
    expect(prompt).not.toContain('Rounds half away');
  });

  it('Python: the same, with the docstring', async () => {
    const files = {
      'pkg/pricing.py':
        'def apply_discount(amount: float, rate: float = 0.1) -> float:\n    """Returns the amount less the discount rate."""\n    return amount * (1 - rate)\n',
      'pkg/checkout.py': 'from pkg.pricing import apply_discount\n\n\ndef pay(total):\n    due = apply_discount(total)\n    return due\n',
    };
    const root = workspace(files);
    const c = await startIn(root);
    await c.open(uriOf(root, 'pkg/checkout.py'), files['pkg/checkout.py'], 'python');
    await indexed(c);
    await c.hover(uriOf(root, 'pkg/checkout.py'), position(files['pkg/checkout.py'], 'apply_discount(total'));
    expect(hovers()[0]!.prompt).toContain(
      'pkg/pricing.py:1\n"""Returns the amount less the discount rate."""\ndef apply_discount(amount: float, rate: float = 0.1) -> float:',
    );
  });

  it('never reads ignored or secret files, nor links, and redacts what it sends', async () => {
    const root = workspace({
      ...TS,
      '.gitignore': 'generated/\n',
      'generated/money.ts': 'export function formatPrice(x: number): string { return ""; }\n',
      // A secret file named like code, and a key in a signature's default value.
      'secrets.ts': 'export function formatPrice(key = "sk-live-abcdefghijklmnopqrstuvwx"): string { return key; }\n',
      'src/keys.ts': 'export function sign(payload: string, key = "AKIAIOSFODNN7EXAMPLF"): string {\n  return payload + key;\n}\n',
      'src/use.ts': "import { sign } from './keys';\nexport const s = sign('x');\n",
    });
    symlinkSync(path.join(root, 'src/money.ts'), path.join(root, 'src/linked.ts'));
    const c = await startIn(root, { ignore: ['secrets.ts'] });
    await c.open(uriOf(root, 'src/use.ts'), "import { sign } from './keys';\nexport const s = sign('x');\n", 'typescript');
    await indexed(c);
    await c.hover(uriOf(root, 'src/use.ts'), position("import { sign } from './keys';\nexport const s = sign('x');\n", "sign('x')"));
    const prompt = hovers()[0]!.prompt;
    expect(prompt).toContain('src/keys.ts:1');
    expect(prompt).not.toContain('AKIAIOSFODNN7EXAMPLF');
    await c.open(uriOf(root, 'src/cart.ts'), TS['src/cart.ts'], 'typescript');
    await c.hover(uriOf(root, 'src/cart.ts'), position(TS['src/cart.ts'], 'formatPrice(items'));
    const second = hovers()[1]!.prompt;
    expect(second).toContain('src/money.ts:4');
    expect(second).not.toMatch(/generated\/money\.ts|secrets\.ts|linked\.ts|sk-live/);
  });

  it('masks secrets before a signature or doc is cut: no fragment of a token escapes', async () => {
    const token = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    // The doc comment is longer than what is kept of it: the cut falls inside the token.
    const doc = `/** ${'x'.repeat(270)} ${token} */`;
    const use = "import { leak } from './a';\nleak();\n";
    const root = workspace({ 'src/a.ts': `${doc}\nexport function leak(): void {}\n`, 'src/b.ts': use });
    const c = await startIn(root);
    await c.open(uriOf(root, 'src/b.ts'), use, 'typescript');
    await indexed(c);
    await c.hover(uriOf(root, 'src/b.ts'), position(use, 'leak();'));
    const prompt = hovers()[0]!.prompt;
    expect(prompt).toContain('export function leak(): void');
    expect(prompt).not.toContain('A1b2C3d4');
  });

  it('an open document outside the workspace folders is not indexed', async () => {
    const root = workspace(TS);
    const outside = workspace({ 'elsewhere.ts': 'export function formatPrice(secretPlan: string): string {\n  return secretPlan;\n}\n' });
    const c = await startIn(root);
    await c.open(uriOf(outside, 'elsewhere.ts'), 'export function formatPrice(secretPlan: string): string {\n  return secretPlan;\n}\n', 'typescript');
    await c.open(uriOf(root, 'src/cart.ts'), TS['src/cart.ts'], 'typescript');
    await indexed(c);
    await new Promise((r) => setTimeout(r, 500));
    await c.hover(uriOf(root, 'src/cart.ts'), position(TS['src/cart.ts'], 'formatPrice(items'));
    expect(hovers()[0]!.prompt).toContain('src/money.ts:4');
    expect(hovers()[0]!.prompt).not.toContain('secretPlan');
  });

  it('follows edits of open files, and sends nothing when context.workspace is off', async () => {
    const root = workspace(TS);
    const c = await startIn(root);
    const cart = TS['src/cart.ts'];
    const money = uriOf(root, 'src/money.ts');
    await c.open(uriOf(root, 'src/cart.ts'), cart, 'typescript');
    await indexed(c);
    // The callee's file is opened and its signature edited: the hover sees the new one.
    await c.open(money, TS['src/money.ts'], 'typescript');
    await c.change(money, TS['src/money.ts'].replace('currency: string): string', 'currency: string, locale?: string): string'));
    await new Promise((r) => setTimeout(r, 600));
    await c.hover(uriOf(root, 'src/cart.ts'), position(cart, 'formatPrice(items'));
    expect(hovers()[0]!.prompt).toContain('export function formatPrice(cents: number, currency: string, locale?: string): string');

    const off = await startIn(root, { context: { workspace: false } });
    await off.open(uriOf(root, 'src/cart.ts'), cart, 'typescript');
    await off.hover(uriOf(root, 'src/cart.ts'), position(cart, 'formatPrice(items'));
    expect(hovers()[1]!.prompt).not.toContain('defined in other files');
    expect(off.logs.some((l) => /^index:/.test(l.message))).toBe(false);
  });

  it('stays within context.maxBytes', async () => {
    const many: Record<string, string> = {};
    const calls: string[] = [];
    for (let i = 0; i < 30; i++) {
      many[`lib/f${i}.ts`] =
        `/** Helper number ${i}, with a doc comment long enough to cost some bytes. */\nexport function helper${i}(first: string, second: number, third: boolean): string {\n  return first;\n}\n`;
      calls.push(`  helper${i}('a', 1, true);`);
    }
    const main = `export function run(): void {\n${calls.join('\n')}\n}\n`;
    const root = workspace({ ...many, 'main.ts': main });
    const c = await startIn(root, { context: { maxBytes: 600 } });
    await c.open(uriOf(root, 'main.ts'), main, 'typescript');
    await indexed(c);
    await c.hover(uriOf(root, 'main.ts'), position(main, 'helper5('));
    const prompt = hovers()[0]!.prompt;
    const section = prompt.slice(prompt.indexOf('Used here'), prompt.indexOf('Inside'));
    expect(section).toContain('export function helper5(');
    expect(Buffer.byteLength(section)).toBeLessThanOrEqual(600);
  });
});

describe('syntax and definitions in reviews and AI actions', () => {
  it('a review chunk carries the signatures of the functions it calls from other files', async () => {
    const root = workspace(TS);
    const c = await startIn(root, { diagnostics: { enabled: true } });
    await c.open(uriOf(root, 'src/cart.ts'), TS['src/cart.ts'], 'typescript');
    await c.waitFor(() => session.fake.requests.some((r) => r.schemaName === 'diagnostics'), 10_000, 'the review');
    const review = session.fake.requests.find((r) => r.schemaName === 'diagnostics')!;
    expect(review.prompt).toMatch(/Called here, defined in other files \(signatures, not under review\):\n`+\nsrc\/money\.ts:4\n/);
    expect(review.prompt).toContain('export function formatPrice(cents: number, currency: string): string');
  });

  it('the command line sends the same review prompts, context included: the editor answers them from its cache', async () => {
    const root = workspace(TS);
    const cache = path.join(root, '..', `${path.basename(root)}-cache`);
    dirs.push(cache);
    const run = await runCli(session.fake, ['src/cart.ts'], root, { cacheDir: cache });
    expect(run.code).toBe(0);
    const cli = session.fake.requests.filter((r) => r.schemaName === 'diagnostics');
    expect(cli).toHaveLength(1);
    expect(cli[0]!.prompt).toContain('export function formatPrice(cents: number, currency: string): string');
    // Something else open in the editor changes nothing in the review's prompt.
    const c = await startIn(root, { diagnostics: { enabled: true } }, { env: { CODEX_LSP_CACHE_DIR: cache } });
    await c.open(uriOf(root, 'src/util/round.ts'), TS['src/util/round.ts'], 'typescript');
    await c.open(uriOf(root, 'src/cart.ts'), TS['src/cart.ts'], 'typescript');
    await c.waitFor(() => (c.diagnostics.get(uriOf(root, 'src/cart.ts'))?.length ?? 0) > 0, 10_000, 'the review from the cache');
    const editorReviews = session.fake.requests.filter((r) => r.schemaName === 'diagnostics' && r.prompt.includes('cart.ts'));
    expect(editorReviews).toHaveLength(1);
  });

  it('an AI action targets the exact function around the cursor (from the syntax tree) and carries what it calls', async () => {
    // A blank line and a dedented string inside the function: line heuristics would stop early.
    const text = [
      "import { round } from './util/round';",
      '',
      'export function describe(cents: number): string {',
      '  const amount = round(cents / 100, 2);',
      '',
      '  const note = `',
      'total`;',
      '  return `${amount}${note}`;',
      '}',
      '',
      'export const other = 1;',
      '',
    ].join('\n');
    const root = workspace({ ...TS, 'src/describe.ts': text });
    const c = await startIn(
      root,
      {},
      {
        capabilities: RESOLVING_CLIENT,
      },
    );
    const uri = uriOf(root, 'src/describe.ts');
    await c.open(uri, text, 'typescript');
    await indexed(c);
    session.fake.setDefault(() => ({ json: { edits: [], explanation: 'nothing to do' } }));
    const cursor = { start: { line: 3, character: 4 }, end: { line: 3, character: 4 } };
    const actions = await c.request<Array<{ title: string }>>('textDocument/codeAction', {
      textDocument: { uri },
      range: cursor,
      context: { diagnostics: [] },
    });
    await c.request('codeAction/resolve', actions[0]);
    const prompt = session.fake.requests.find((r) => r.schemaName === 'edit')!.prompt;
    const target = /Target code \(edit only this\):\n(`+)\n([\s\S]*?)\n\1/.exec(prompt)?.[2];
    expect(target).toBe(text.split('\n').slice(2, 9).join('\n'));
    expect(prompt).toContain('Used by the target, defined in other files (signatures; do not edit):');
    expect(prompt).toContain('export function round(value: number, digits: number): number');
  });

  it('the index follows file events from the client (it asks for them): a changed and a deleted file', async () => {
    const root = workspace(TS);
    const c = await startIn(root, {}, { capabilities: { workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } } } });
    await c.waitFor(() => c.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles'), 5000, 'the watcher registration');
    const watch = c.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles')!.registerOptions as { watchers: Array<{ globPattern: string }> };
    expect(watch.watchers[0]?.globPattern).toMatch(/^\*\*\/\*\.\{ts,.*py.*\}$/);
    const cart = TS['src/cart.ts'];
    await c.open(uriOf(root, 'src/cart.ts'), cart, 'typescript');
    await indexed(c);
    writeFileSync(path.join(root, 'src/money.ts'), 'export function formatPrice(cents: bigint): string {\n  return String(cents);\n}\n');
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(root, 'src/money.ts'), type: 2 }] });
    await new Promise((r) => setTimeout(r, 300));
    await c.hover(uriOf(root, 'src/cart.ts'), position(cart, 'formatPrice(items'));
    expect(hovers()[0]!.prompt).toContain('export function formatPrice(cents: bigint): string');
    rmSync(path.join(root, 'src/money.ts'));
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(root, 'src/money.ts'), type: 3 }] });
    await new Promise((r) => setTimeout(r, 300));
    await c.hover(uriOf(root, 'src/cart.ts'), position(cart, "'EUR'"));
    expect(hovers()[1]!.prompt).not.toContain('formatPrice(cents');
  });
});
