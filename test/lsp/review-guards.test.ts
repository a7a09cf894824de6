/**
 * The review's guards, each tested so that deleting it turns a test red (issue 13): a review
 * overtaken by a newer one never shows; a file opened before the first settings arrive is reviewed
 * once; a file that becomes ignored loses its review in flight;
 * a review that could not run (over budget, endpoint failing) runs again once settings change;
 * and a model with no price is named when the daily budget cannot hold.
 *
 * Answers are held on a gate the test opens (no timed waits), and "nothing more was published"
 * is checked behind a barrier: a request sent after the event and answered, since the server
 * writes its messages in order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationRequest } from 'vscode-languageserver-protocol';
import { listing, openAIError, type RecordedRequest } from '../support/fake-openai';
import { fileUri, type LspTestClient, type SpawnOptions } from '../support/lsp-client';
import { useSession } from '../support/session';

// Room for every part of a review at once: held answers must not keep a newer review's parts queued.
const DEFAULTS = { hover: { delayMs: 0 }, maxConcurrency: 16 };
const session = useSession(DEFAULTS);
const start = (opts: SpawnOptions = {}): Promise<LspTestClient> => session.start({ ...opts, settings: { ...DEFAULTS, ...opts.settings } });

/** Held answers wait for this; opened by the test, and after every test so no handler is left waiting. */
let gate = newGate();
function newGate(): { open: () => void; opened: Promise<void> } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}
afterEach(() => {
  gate.open();
  gate = newGate();
});

const reviews = (): RecordedRequest[] => session.fake.requests.filter((r) => r.schemaName === 'diagnostics');

/** A file long enough to be reviewed in several parts; only the first part holds `load0(`. */
function longFile(): string {
  const lines: string[] = ["import { readFile } from 'node:fs/promises';", ''];
  for (let f = 0; lines.length < 1500; f++) {
    lines.push(`export async function load${f}(dir: string): Promise<number> {`);
    for (let k = 0; k < 3 + (f % 7); k++) lines.push(`  const v${k} = (await readFile(dir + '/f${f}-${k}.txt', 'utf8')).length * ${k};`);
    lines.push(`  return ${f};`, '}', '');
  }
  return lines.join('\n');
}
const LONG = longFile();
const isFirstPart = (r: RecordedRequest): boolean => r.prompt.includes('load0(');

/** A finding on `  return 0;` (in the first part, and unchanged by the edits below). */
function findingOnReturn0(r: RecordedRequest, message: string): unknown {
  const line = [...listing(r)].find(([, t]) => t === '  return 0;')?.[0];
  return { line, quote: 'return 0', severity: 'warning', message, replacement: null };
}

/** The review has answered its first part (the progress says "1/N parts") and holds the other N - 1. */
async function firstPartDone(c: LspTestClient): Promise<RecordedRequest[]> {
  const parts = await c.waitFor(
    () => c.progress.map((p) => /^1\/(\d+) parts$/.exec((p.value as { message?: string }).message ?? '')?.[1]).find((n) => n !== undefined),
    10_000,
    'the first part to be answered',
  );
  expect(Number(parts)).toBeGreaterThan(1);
  return c.waitFor(
    () => {
      const held = reviews().filter((r) => !isFirstPart(r));
      return held.length === Number(parts) - 1 && held;
    },
    5000,
    'the other parts to be asked',
  );
}

/** Everything the server sent before this returns was caused by what came before the call. */
async function barrier(c: LspTestClient): Promise<void> {
  await c.request('workspace/executeCommand', { command: 'codex.usage' });
}

const messagesPublished = (c: LspTestClient, uri: string): string[] => (c.diagnostics.get(uri) ?? []).flatMap((p) => p.diagnostics.map((d) => d.message));

describe('a review overtaken by a newer one', () => {
  it('is closed, and what it found on the old text never shows, even where that text is unchanged', async () => {
    const uri = fileUri('/work/project/src/overtaken.ts');
    const edited = LONG.replaceAll('.txt', '.json');
    // The old version's first part is answered at once with a finding; its other parts wait.
    // Every part of the new version differs from the old one, and is answered clean at once.
    session.fake.setDefault(async (r) => {
      if (r.prompt.includes('.json')) return { json: { diagnostics: [] } };
      if (isFirstPart(r)) return { json: { diagnostics: [findingOnReturn0(r, 'found on the old version')] } };
      await gate.opened;
      return { json: { diagnostics: [] } };
    });
    const c = await start();
    await c.open(uri, LONG, 'typescript');
    const held = await firstPartDone(c);
    await c.change(uri, edited);
    await c.save(uri);
    await c.waitForDiagnostics(uri, (p) => p.version === 2, 10_000);
    // The newer result, once shown, closes the older review's requests still open...
    await c.waitFor(() => held.every((r) => r.aborted), 5000, "the old review's requests to be closed");
    await barrier(c);
    // ...and the older review, woken by that, publishes nothing: its finding would still
    // anchor on the new text (`return 0;` is unchanged), so only the guard keeps it out.
    expect(messagesPublished(c, uri)).toEqual([]);
    expect(c.diagnostics.get(uri)?.map((p) => p.version)).toEqual([2]);
  });
});

describe('a file opened before the first settings arrive', () => {
  it('is reviewed once, not again by the settings change that ends the wait', async () => {
    const c = await start({ initialize: false });
    // The client answers workspace/configuration only when the test says so.
    const settingsGate = newGate();
    c.connection.onRequest(ConfigurationRequest.type, async () => {
      await settingsGate.opened;
      return [c.settings];
    });
    await c.initialize();
    const uri = fileUri('/work/project/early.ts');
    await c.open(uri, 'export const early = compute(1);\n', 'typescript');
    session.fake.setDefault(async () => {
      await gate.opened;
      return { json: { diagnostics: [] } };
    });
    settingsGate.open();
    await session.fake.waitForRequests(1);
    gate.open();
    await c.waitForDiagnostics(uri);
    // A second review would have shared the request and published in the same turn.
    await barrier(c);
    expect(c.diagnostics.get(uri)?.length).toBe(1);
  });
});

describe('a file that becomes ignored', () => {
  it('loses its review in flight: the requests are closed and what the review had found is not shown', async () => {
    const uri = fileUri('/work/project/src/held.ts');
    session.fake.setDefault(async (r) => {
      if (isFirstPart(r)) return { json: { diagnostics: [findingOnReturn0(r, 'found before the file was ignored')] } };
      await gate.opened;
      return { json: { diagnostics: [] } };
    });
    const c = await start();
    await c.open(uri, LONG, 'typescript');
    const held = await firstPartDone(c);
    c.settings = { ...DEFAULTS, ignore: ['held.ts'] };
    await c.changeConfiguration();
    await c.waitFor(() => held.every((r) => r.aborted), 5000, 'the review in flight to be closed');
    await barrier(c);
    gate.open();
    // A save is a trigger; an ignored file is not sent again.
    await c.save(uri);
    await barrier(c);
    expect(messagesPublished(c, uri)).toEqual([]);
    expect(reviews().length).toBe(held.length + 1);
  });

  it('loses the findings already shown, at once', async () => {
    const uri = fileUri('/work/project/src/shown.ts');
    session.fake.setDefault(() => ({
      json: { diagnostics: [{ line: 1, quote: 'eval(input)', severity: 'error', message: 'eval of input', replacement: null }] },
    }));
    const c = await start();
    await c.open(uri, 'export const x = eval(input);\n', 'typescript');
    await c.waitForDiagnostics(uri, (p) => p.diagnostics.length === 1);
    c.settings = { ...DEFAULTS, ignore: ['shown.ts'] };
    await c.changeConfiguration();
    const last = await c.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0);
    expect(last.version).toBe(1);
  });
});

describe('a review that could not run', () => {
  const code = 'export const answer = compute(42);\n';

  it('over the daily budget: reviewed once the budget is raised', async () => {
    const c = await start({ settings: { budget: { dailyUSD: 0.01 } } });
    // The first review costs $0.06 (40k input tokens of codex-mini): over the budget.
    session.fake.setDefault(() => ({ json: { diagnostics: [] }, usage: { input: 40_000, output: 0 } }));
    const first = fileUri('/work/project/first.ts');
    await c.open(first, code, 'typescript');
    await c.waitForDiagnostics(first);
    const second = fileUri('/work/project/second.ts');
    await c.open(second, code.replace('42', '43'), 'typescript');
    await c.waitForMessage(/reached the daily budget/);
    // Published though nothing was reviewed: the review is over, with its part left unreviewed.
    await c.waitForDiagnostics(second);
    expect(reviews().length).toBe(1);
    c.settings = { ...DEFAULTS, budget: { dailyUSD: 5 } };
    await c.changeConfiguration();
    await c.waitFor(() => reviews().some((r) => r.prompt.includes('compute(43)')), 5000, 'the second file to be reviewed');
  });

  it('the endpoint failing: reviewed again once the settings change', async () => {
    const c = await start({ settings: { model: 'broken-model' } });
    session.fake.setDefault((r) => (r.model === 'broken-model' ? openAIError(400, 'Your prompt is malformed') : { json: { diagnostics: [] } }));
    const uri = fileUri('/work/project/failing.ts');
    await c.open(uri, code, 'typescript');
    await c.waitFor(() => c.logs.some((l) => /malformed/.test(l.message)), 5000, 'the failed review');
    await c.waitForDiagnostics(uri);
    const failed = reviews().length;
    c.settings = { ...DEFAULTS, model: 'codex-mini' };
    await c.changeConfiguration();
    await c.waitFor(() => reviews().some((r) => r.model === 'codex-mini'), 5000, 'the review with the new settings');
    expect(failed).toBeGreaterThan(0);
    expect(reviews().filter((r) => r.model === 'codex-mini').length).toBe(1);
  });
});

describe('the daily budget and a model with no price', () => {
  it('says the budget cannot be applied, naming the model and where its price goes', async () => {
    const c = await start({ settings: { model: 'my-local-model', budget: { dailyUSD: 1 } } });
    session.fake.setDefault(() => ({ json: { diagnostics: [] }, usage: { input: 40_000, output: 1000 } }));
    const first = fileUri('/work/project/first.ts');
    await c.open(first, 'export const a = compute(1);\n', 'typescript');
    await c.waitForDiagnostics(first);
    expect(c.messages).toEqual([]);
    // The next review finds today's spend on a model it cannot price.
    const second = fileUri('/work/project/second.ts');
    await c.open(second, 'export const b = compute(2);\n', 'typescript');
    const m = await c.waitForMessage(/daily budget/);
    expect(m.message).toBe(
      'codex-lsp: the daily budget cannot be applied: "my-local-model" has no price. ' +
        'Add it to "codex.prices" ({"model": {"input": n, "cachedInput": n, "output": n}}, dollars per million tokens).',
    );
    // Unpriced spend counts as nothing: the review still runs.
    await c.waitFor(() => reviews().length === 2, 5000, 'the second review');
  });
});
