/**
 * The server over stdio against answers as the real API gives them: cut off, refused,
 * phased, from a retired model. Nothing partial is shown as whole, used, or cached.
 */
import { describe, expect, it } from 'vitest';
import type { CodeAction, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { openAIError, type RecordedRequest } from '../support/fake-openai';
import { fileUri, position, RESOLVING_CLIENT, type LspTestClient, type SpawnOptions } from '../support/lsp-client';
import { useSession } from '../support/session';

const DEFAULTS = { hover: { delayMs: 0 }, diagnostics: { enabled: false } };
const session = useSession(DEFAULTS);
const start = (opts: SpawnOptions = {}): Promise<LspTestClient> => session.start({ ...opts, settings: { ...DEFAULTS, ...opts.settings } });

const CODE = ['export function check(user: { role: string }): boolean {', '  if (user.role = "admin") return true;', '  return false;', '}', ''].join('\n');
const URI = fileUri('/work/project/src/check.ts');
const reviews = (): RecordedRequest[] => session.fake.requests.filter((r) => r.schemaName === 'diagnostics');
const FINDING = { line: 2, quote: 'user.role = "admin"', severity: 'error', message: 'Assignment in condition', replacement: 'user.role === "admin"' };
/** What a review cut off at its output limit looks like: an unfinished list whose first finding is complete. */
const TRUNCATED = `{"diagnostics": [${JSON.stringify(FINDING)}, {"line": 3, "quote": "ret`;

async function published(c: LspTestClient, count: number, timeoutMs = 5000): Promise<PublishDiagnosticsParams[]> {
  await c.waitFor(() => (c.diagnostics.get(URI)?.length ?? 0) >= count, timeoutMs, `${count} publication(s)`);
  return c.diagnostics.get(URI) ?? [];
}

describe('cut-off answers', () => {
  it('a hover cut off even with twice the budget shows what came with a visible note, and is not cached', async () => {
    const c = await start();
    await c.open(URI, CODE, 'typescript');
    session.fake.setDefault(() => ({ text: 'Checks whether the user is an admin, but it', cutOff: 'length' }));
    const pos = position(CODE, 'role =');
    const h = (await c.hover(URI, pos)) as { contents: { value: string } };
    expect(h.contents.value).toBe('Checks whether the user is an admin, but it\n\n*(cut off: the answer is incomplete)*');
    expect(session.fake.requests.length).toBe(2);
    // Not cached: the same hover asks again, and a whole answer then replaces it.
    session.fake.setDefault(() => ({ text: 'Assigns instead of comparing.' }));
    expect(((await c.hover(URI, pos)) as { contents: { value: string } }).contents.value).toBe('Assigns instead of comparing.');
    expect(session.fake.requests.length).toBe(3);
  });

  it('a hover cut off before any text shows nothing', async () => {
    const c = await start();
    await c.open(URI, CODE, 'typescript');
    session.fake.setDefault(() => ({ text: '', cutOff: 'length', usage: { reasoning: 500 } }));
    expect(await c.hover(URI, position(CODE, 'role ='))).toBeNull();
    expect(
      c.logs.some((l) =>
        /hover: the model's answer was cut off by status "incomplete" \(max_output_tokens\), even with twice the output budget/.test(l.message),
      ),
    ).toBe(true);
  });

  it('a review cut off is not "no findings": earlier findings stay, nothing is cached, and the next save asks again', async () => {
    session.fake.setDefault(() => ({ json: { diagnostics: [FINDING] } }));
    const c = await start({ settings: { diagnostics: { enabled: true } } });
    await c.open(URI, CODE, 'typescript');
    expect((await published(c, 1)).at(-1)?.diagnostics.map((d) => d.message)).toEqual(['Assignment in condition']);

    // The file changes; its review is cut off both times.
    session.fake.setDefault(() => ({ text: TRUNCATED, cutOff: 'length' }));
    const edited = '// touched\n' + CODE;
    await c.change(URI, edited);
    await c.save(URI);
    await c.waitFor(() => c.logs.some((l) => /review of .*check\.ts lines 1-6: the model's answer was cut off/.test(l.message)), 5000, 'the cut-off review');
    const after = (await published(c, 2)).at(-1)!;
    // The finding from before stays (moved with its text); the cut-off one is not taken from the fragment.
    expect(after.diagnostics.map((d) => [d.message, d.range.start.line])).toEqual([['Assignment in condition', 2]]);
    const asked = reviews().length;
    expect(asked).toBe(3);

    // Next save: asked again (nothing cached), and a whole answer is shown.
    session.fake.setDefault(() => ({ json: { diagnostics: [] } }));
    await c.save(URI);
    await c.waitFor(() => reviews().length === asked + 1, 5000, 'the review asked again');
    await c.waitFor(() => c.diagnostics.get(URI)?.at(-1)?.diagnostics.length === 0, 5000, 'the clean result');
  });

  it('a cut-off review is not cached on disk either: a restarted server asks again', async () => {
    session.fake.setDefault(() => ({ text: TRUNCATED, cutOff: 'length' }));
    const c = await start({ settings: { diagnostics: { enabled: true } } });
    await c.open(URI, CODE, 'typescript');
    await c.waitFor(() => reviews().length === 2, 5000, 'the cut-off review');
    await published(c, 1);
    expect(c.diagnostics.get(URI)?.at(-1)?.diagnostics).toEqual([]);
    const cacheDir = c.cacheDir;
    await c.shutdown();
    session.fake.setDefault(() => ({ json: { diagnostics: [FINDING] } }));
    const d = await start({ settings: { diagnostics: { enabled: true } }, env: { CODEX_LSP_CACHE_DIR: cacheDir } });
    await d.open(URI, CODE, 'typescript');
    await d.waitFor(() => d.diagnostics.get(URI)?.at(-1)?.diagnostics.length === 1, 5000, 'the finding');
    expect(reviews().length).toBe(3);
  });

  it('an AI edit whose answer stays cut off is refused, saying why, and changes nothing', async () => {
    const c = await start({
      capabilities: RESOLVING_CLIENT,
    });
    await c.open(URI, CODE, 'typescript');
    session.fake.setDefault(() => ({
      text: '{"edits": [{"quote": "user.role = \\"admin\\"", "replacement": "user.role === \\"admin\\""}, {"quote": "return fa',
      cutOff: 'length',
    }));
    const range = { start: { line: 1, character: 4 }, end: { line: 1, character: 4 } };
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: URI }, range, context: { diagnostics: [] } });
    const resolved = await c.request<CodeAction>('codeAction/resolve', actions[0]!);
    expect(resolved.edit).toBeUndefined();
    await c.waitForMessage(/refused: the model's answer was cut off .*; nothing was changed\./);
  });
});

describe('phases and refusals on /responses', () => {
  it('shows only the final answer, not the commentary before it', async () => {
    const c = await start();
    await c.open(URI, CODE, 'typescript');
    session.fake.script({ commentary: 'I will look at the condition first.', text: 'Assigns instead of comparing.' });
    const h = (await c.hover(URI, position(CODE, 'role ='))) as { contents: { value: string } };
    expect(h.contents.value).toBe('Assigns instead of comparing.');
  });

  it('logs a refusal with its text, and caches nothing', async () => {
    const c = await start();
    await c.open(URI, CODE, 'typescript');
    session.fake.setDefault(() => ({ refusal: 'I cannot help with that request.' }));
    expect(await c.hover(URI, position(CODE, 'role ='))).toBeNull();
    expect(c.logs.some((l) => l.message === 'hover: the model refused: I cannot help with that request.')).toBe(true);
    session.fake.setDefault(() => ({ text: 'ok now' }));
    expect(await c.hover(URI, position(CODE, 'role ='))).not.toBeNull();
  });
});

describe('a retired model', () => {
  it('the default fallback answers, told once; usage names the model that answered', async () => {
    session.fake.setDefault((r) =>
      r.model === 'codex-mini'
        ? openAIError(404, 'The model `codex-mini` does not exist or you do not have access to it.', { code: 'model_not_found' })
        : { text: `from ${r.model}` },
    );
    const c = await start();
    await c.open(URI, CODE, 'typescript');
    const h = (await c.hover(URI, position(CODE, 'role ='))) as { contents: { value: string } };
    expect(h.contents.value).toBe('from gpt-5-codex-mini');
    await c.hover(URI, position(CODE, 'return false'));
    const told = c.messages.filter((m) => /fallbackModels/.test(m.message));
    expect(told).toHaveLength(1);
    expect(told[0]?.message).toMatch(/no longer serves the model "codex-mini".*"gpt-5-codex-mini" answers instead/);
    // One failed call for the retired model on each API, then the fallback only.
    expect(session.fake.requests.map((r) => r.model)).toEqual(['codex-mini', 'codex-mini', 'gpt-5-codex-mini', 'gpt-5-codex-mini']);
    const usage = await c.request<{ session: { rows: Array<{ model: string; requests: number }> } }>('workspace/executeCommand', { command: 'codex.usage' });
    expect(usage.session.rows.map((r) => [r.model, r.requests])).toEqual([['gpt-5-codex-mini', 2]]);
  });
});
