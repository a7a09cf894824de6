/**
 * Local models as a first-class path: the built server against fakes that behave as Ollama,
 * llama.cpp's server, vLLM and LM Studio (chat only, their own 404 for /responses, their own
 * error bodies, no usage fields in some), with no API key. Hover and review work as with a
 * cloud endpoint, and nothing is sent that only a cloud endpoint needs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeOpenAI, type LocalServerKind, type RecordedRequest } from '../support/fake-openai';
import { fileUri, position, spawnServer, type LspTestClient } from '../support/lsp-client';

const TEXT = ['export function last(values: number[]): number {', '  return values[values.length];', '}', ''].join('\n');
const URI = fileUri('/work/project/last.ts');

const clients: LspTestClient[] = [];
const fakes: FakeOpenAI[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

function listingLine(r: RecordedRequest, needle: string): number {
  for (const m of r.prompt.matchAll(/^\s*(\d+)\| ?(.*)$/gm)) if ((m[2] ?? '').includes(needle)) return Number(m[1]);
  return -1;
}

const CASES: Array<{ kind: LocalServerKind; model: string; api: 'auto' | 'chat' }> = [
  { kind: 'ollama', model: 'qwen2.5-coder:7b', api: 'chat' },
  { kind: 'llamacpp', model: 'codex-mini', api: 'auto' },
  { kind: 'vllm', model: 'Qwen/Qwen2.5-Coder-7B-Instruct', api: 'chat' },
  { kind: 'lmstudio', model: 'qwen2.5-coder-7b-instruct', api: 'auto' },
];

describe('local models', () => {
  for (const { kind, model, api } of CASES) {
    it(`${kind}: hover and review with no key (api ${api})`, async () => {
      const fake = await FakeOpenAI.start({ local: kind, models: [model] });
      fakes.push(fake);
      fake.setDefault((r) =>
        r.schemaName === 'diagnostics'
          ? {
              json: {
                diagnostics: [{ line: listingLine(r, 'values.length]'), quote: 'values[values.length]', severity: 'error', message: 'Reads one past the end' }],
              },
            }
          : { text: `LOCAL-HOVER from ${kind}` },
      );
      const c = await spawnServer({
        env: {
          CODEX_LSP_BASE_URL: fake.baseUrl,
          CODEX_LSP_MODEL: model,
          CODEX_LSP_API_KEY: undefined,
          COMETAPI_KEY: undefined,
          COMETAPI_API_KEY: undefined,
          OPENAI_API_KEY: undefined,
        },
        settings: { api, hover: { delayMs: 0 }, cache: { enabled: false } },
      });
      clients.push(c);
      await c.open(URI, TEXT, 'typescript');
      const published = await c.waitForDiagnostics(URI, (p) => p.diagnostics.length > 0, 8000);
      expect(published.diagnostics.map((d) => [d.message, d.source, d.range.start.line])).toEqual([['Reads one past the end', 'codex', 1]]);
      const hover = await c.hover(URI, position(TEXT, 'length]'));
      expect(JSON.stringify(hover?.contents)).toContain(`LOCAL-HOVER from ${kind}`);

      const posts = fake.requests.filter((r) => r.method === 'POST');
      // Answered on chat; /responses tried at most once (auto, a codex model), then remembered.
      expect(posts.filter((r) => r.endpoint === 'responses').length).toBeLessThanOrEqual(api === 'auto' && model.includes('codex') ? 1 : 0);
      expect(posts.filter((r) => r.endpoint === 'chat').length).toBeGreaterThanOrEqual(2);
      // No key: no Authorization header at all; and no message telling the user to set one.
      expect(posts.every((r) => r.headers.authorization === undefined)).toBe(true);
      expect(c.messages.map((m) => m.message)).toEqual([]);
      // No prompt cache on these servers: the one that refuses prompt_cache_key is asked once with
      // it, then never again (dropped and remembered); the others ignore it.
      if (kind === 'vllm') {
        expect(posts.filter((r) => 'prompt_cache_key' in (r.body as object)).length).toBe(1);
        expect(posts.at(-1)?.body).not.toHaveProperty('prompt_cache_key');
      }
      // Answers without usage fields are still counted (as zero), not crashed on.
      const usage = (await c.request('workspace/executeCommand', { command: 'codex.usage' })) as { session?: unknown };
      expect(usage).toBeTruthy();
    });
  }
});
