import { describe, expect, it } from 'vitest';
import type { ApiMode } from '../../server/config/settings';
import { ModelError, ModelGateway, type EndpointConfig, type ProblemKind } from '../../server/model/gateway';
import { UsageTracker } from '../../server/model/usage';
import { Logger } from '../../server/util/log';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ModelChoices } from '../../server/model/model-choice';
import { htmlPage, openAIError, type RecordedRequest } from '../support/fake-openai';
import { useFake } from '../support/session';

const session = useFake();

interface Harness {
  gateway: ModelGateway;
  problems: Array<{ kind: ProblemKind; message: string }>;
  logs: string[];
  usage: UsageTracker;
  cfg: EndpointConfig;
}

function harness(over: Partial<EndpointConfig> = {}, choices?: ModelChoices): Harness {
  const cfg: EndpointConfig = {
    apiKey: 'test-key-0123456789',
    keySource: 'CODEX_LSP_API_KEY',
    baseUrl: session.fake.baseUrl,
    model: 'codex-mini',
    api: 'auto' as ApiMode,
    timeoutMs: 5000,
    fallbackModels: [],
    ...over,
  };
  const logs: string[] = [];
  const log = new Logger((level, m) => logs.push(`${level}: ${m}`));
  log.setLevel('debug');
  log.setSecrets([cfg.apiKey]);
  const problems: Harness['problems'] = [];
  const usage = new UsageTracker();
  const gateway = new ModelGateway(() => cfg, log, usage, { report: (kind, message) => problems.push({ kind, message }) }, {}, choices);
  return { gateway, problems, logs, usage, cfg };
}

const ask = { feature: 'hover', instructions: 'Explain.', input: 'const a = 1;', maxOutputTokens: 100 };
const diagnosticsSchema = {
  name: 'diagnostics',
  schema: { type: 'object', properties: { diagnostics: { type: 'array' } }, required: ['diagnostics'] },
};

function body(r: RecordedRequest | undefined): Record<string, unknown> {
  return (r?.body ?? {}) as Record<string, unknown>;
}

async function failure(p: Promise<unknown>): Promise<ModelError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ModelError) return err;
    throw err;
  }
  throw new Error('expected a ModelError');
}

describe('endpoint choice', () => {
  it('sends codex models to /responses with reasoning parameters and no temperature', async () => {
    const h = harness();
    session.fake.script({ text: 'It assigns one.', usage: { input: 50, cached: 10, output: 7 } });
    const a = await h.gateway.complete(ask);
    expect(a.text).toBe('It assigns one.');
    expect(a.api).toBe('responses');
    const b = body(session.fake.requests[0]);
    expect(session.fake.requests[0]?.path).toBe('/v1/responses');
    expect(b.instructions).toBe('Explain.');
    expect(b.input).toBe('const a = 1;');
    expect(b).not.toHaveProperty('temperature');
    expect(b).not.toHaveProperty('max_tokens');
    expect(b.max_output_tokens).toBeGreaterThan(100);
    expect(b.reasoning).toEqual({ effort: 'medium' });
    expect(b.store).toBe(false);
    expect(session.fake.requests[0]?.headers.authorization).toBe('Bearer test-key-0123456789');
    expect(h.usage.totals()).toMatchObject({ requests: 1, input: 50, cachedInput: 10, output: 7 });
  });

  it('sends other models to chat with temperature and max_tokens', async () => {
    const h = harness({ model: 'qwen2.5-coder' });
    await h.gateway.complete(ask);
    const b = body(session.fake.requests[0]);
    expect(session.fake.requests[0]?.path).toBe('/v1/chat/completions');
    expect(b.messages).toEqual([
      { role: 'system', content: 'Explain.' },
      { role: 'user', content: 'const a = 1;' },
    ]);
    expect(b.max_tokens).toBe(100);
    expect(b.temperature).toBe(0.2);
  });

  it('reasoning models on chat get max_completion_tokens and no temperature', async () => {
    const h = harness({ model: 'o4-mini', api: 'chat' });
    await h.gateway.complete(ask);
    const b = body(session.fake.requests[0]);
    expect(b).not.toHaveProperty('temperature');
    expect(b).not.toHaveProperty('max_tokens');
    expect(b.max_completion_tokens).toBeGreaterThan(100);
  });

  it('learns /responses when chat says the model is only served there (OpenAI codex)', async () => {
    session.fake.mode = 'openai-codex';
    const h = harness({ model: 'gpt-5-mini-custom' });
    const a = await h.gateway.complete(ask);
    expect(a.api).toBe('responses');
    expect(session.fake.requests.map((r) => r.endpoint)).toEqual(['chat', 'responses']);
    await h.gateway.complete({ ...ask, input: 'again' });
    expect(session.fake.requests.map((r) => r.endpoint)).toEqual(['chat', 'responses', 'responses']);
    expect(h.problems).toEqual([]);
  });

  it('learns chat when a local server has no /responses', async () => {
    session.fake.mode = 'chat-only';
    const h = harness();
    const a = await h.gateway.complete(ask);
    expect(a.api).toBe('chat');
    await h.gateway.complete({ ...ask, input: 'again' });
    expect(session.fake.requests.map((r) => r.endpoint)).toEqual(['responses', 'chat', 'chat']);
  });

  it('does not switch when the API is set explicitly, and says which endpoint is missing', async () => {
    session.fake.mode = 'responses-only';
    const h = harness({ api: 'chat' });
    const err = await failure(h.gateway.complete(ask));
    expect(err.kind).toBe('endpoint');
    expect(session.fake.requests.length).toBe(1);
    expect(h.problems[0]?.kind).toBe('endpoint');
    expect(h.problems[0]?.message).toMatch(/\/chat\/completions/);
  });
});

describe('parameter negotiation', () => {
  it('drops a parameter named in a 400 and remembers it', async () => {
    const h = harness({ model: 'local-model' });
    session.fake.script(
      openAIError(400, "Unsupported parameter: 'temperature' is not supported with this model.", { param: 'temperature', code: 'unsupported_parameter' }),
    );
    await h.gateway.complete(ask);
    expect(body(session.fake.requests[0])).toHaveProperty('temperature');
    expect(body(session.fake.requests[1])).not.toHaveProperty('temperature');
    await h.gateway.complete({ ...ask, input: 'x' });
    expect(body(session.fake.requests[2])).not.toHaveProperty('temperature');
    expect(session.fake.requests.length).toBe(3);
  });

  it('swaps max_tokens for max_completion_tokens when refused', async () => {
    const h = harness({ model: 'some-model' });
    session.fake.script(
      openAIError(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", { param: 'max_tokens' }),
    );
    await h.gateway.complete(ask);
    expect(body(session.fake.requests[1])).not.toHaveProperty('max_tokens');
    expect(body(session.fake.requests[1]).max_completion_tokens).toBe(100);
  });

  it('finds the parameter in the message when the body has no param (vLLM style)', async () => {
    const h = harness({ model: 'some-model' });
    session.fake.script({
      status: 400,
      body: { object: 'error', message: 'temperature is not supported for this model', type: 'BadRequestError', code: 400 },
      offSpec: true,
    });
    await h.gateway.complete(ask);
    expect(body(session.fake.requests[1])).not.toHaveProperty('temperature');
  });

  it('does not loop on a 400 that names nothing', async () => {
    const h = harness({ model: 'some-model' });
    session.fake.script(openAIError(400, 'Your prompt is malformed'));
    const err = await failure(h.gateway.complete(ask));
    expect(err.kind).toBe('bad-request');
    expect(session.fake.requests.length).toBe(1);
  });
});

describe('structured answers', () => {
  it('names the schema on both endpoints and parses the JSON', async () => {
    const h = harness();
    session.fake.script({ json: { diagnostics: [{ line: 1 }] } });
    const a = await h.gateway.complete({ ...ask, schema: diagnosticsSchema });
    expect(a.json).toEqual({ diagnostics: [{ line: 1 }] });
    expect(session.fake.requests[0]?.schemaName).toBe('diagnostics');
    const text = body(session.fake.requests[0]).text as { format: { type: string; name: string } };
    expect(text.format.type).toBe('json_schema');

    const c = harness({ model: 'local', api: 'chat' });
    session.fake.script({ json: { diagnostics: [] } });
    await c.gateway.complete({ ...ask, schema: diagnosticsSchema });
    expect(session.fake.requests[1]?.schemaName).toBe('diagnostics');
  });

  it('steps structured output down json_schema -> json_object -> schema in the prompt, each step remembered', async () => {
    const h = harness({ model: 'local', api: 'chat' });
    session.fake.script(
      openAIError(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", { param: 'response_format' }),
    );
    session.fake.script({ text: '{"diagnostics": []}' });
    await h.gateway.complete({ ...ask, schema: diagnosticsSchema });
    // JSON mode: the schema goes in the prompt, which says "JSON" as providers require.
    expect(body(session.fake.requests[1]).response_format).toEqual({ type: 'json_object' });
    expect(session.fake.requests[1]?.prompt).toMatch(/JSON schema, named "diagnostics"/);
    // Remembered: the next call starts in JSON mode.
    session.fake.script(openAIError(400, "'response_format.type' json_object is not supported by this model", { param: 'response_format' }));
    session.fake.script({ text: 'Here you go:\n```json\n{"diagnostics": [{"line": 2}]}\n```' });
    const a = await h.gateway.complete({ ...ask, input: 'next', schema: diagnosticsSchema });
    expect(body(session.fake.requests[2]).response_format).toEqual({ type: 'json_object' });
    expect(body(session.fake.requests[3])).not.toHaveProperty('response_format');
    expect(session.fake.requests[3]?.prompt).toMatch(/JSON schema, named "diagnostics"/);
    expect(a.json).toEqual({ diagnostics: [{ line: 2 }] });
    await h.gateway.complete({ ...ask, input: 'third', schema: diagnosticsSchema });
    expect(body(session.fake.requests[4])).not.toHaveProperty('response_format');
    expect(session.fake.requests.length).toBe(5);
  });

  it('asks /responses for JSON mode with text.format json_object', async () => {
    const h = harness({ api: 'responses' });
    session.fake.script(openAIError(400, "Invalid value: 'json_schema'. Supported values are: 'text' and 'json_object'.", { param: 'text.format.type' }));
    session.fake.script({ text: '{"diagnostics": []}' });
    await h.gateway.complete({ ...ask, schema: diagnosticsSchema });
    expect(body(session.fake.requests[1]).text).toEqual({ format: { type: 'json_object' } });
    expect(session.fake.requests[1]?.prompt).toMatch(/JSON/);
  });

  it('retries a refused reasoning effort with the value the endpoint names as supported, and remembers it', async () => {
    const h = harness();
    session.fake.script(
      openAIError(400, "Unsupported value: 'low' is not supported with the 'codex-mini' model. Supported values are: 'medium' and 'high'.", {
        param: 'reasoning.effort',
        code: 'unsupported_value',
      }),
    );
    await h.gateway.complete({ ...ask, effort: 'low' });
    expect(body(session.fake.requests[0]).reasoning).toEqual({ effort: 'low' });
    expect(body(session.fake.requests[1]).reasoning).toEqual({ effort: 'medium' });
    await h.gateway.complete({ ...ask, input: 'again', effort: 'low' });
    expect(body(session.fake.requests[2]).reasoning).toEqual({ effort: 'medium' });
    // Other efforts are untouched.
    await h.gateway.complete({ ...ask, input: 'high', effort: 'high' });
    expect(body(session.fake.requests[3]).reasoning).toEqual({ effort: 'high' });
    expect(h.logs.join('\n')).toMatch(/does not take reasoning effort "low"; using "medium"/);
  });

  it('reports garbage instead of JSON as a bad answer, with usage still counted', async () => {
    const h = harness();
    session.fake.script({ text: 'I think the code is fine!', usage: { input: 9, output: 3 } });
    const err = await failure(h.gateway.complete({ ...ask, schema: diagnosticsSchema }));
    expect(err.kind).toBe('bad-answer');
    expect(h.usage.totals()).toMatchObject({ input: 9, output: 3 });
  });

  it('checks a structured answer against its schema: a nested object is never promoted to be the answer', async () => {
    const h = harness();
    // Valid JSON, but not a diagnostics answer: only its inner finding has an object's shape.
    session.fake.script({ text: 'Findings: {"line": 3, "quote": "a", "severity": "error", "message": "m", "replacement": null}' });
    const err = await failure(h.gateway.complete({ ...ask, schema: diagnosticsSchema }));
    expect(err.kind).toBe('bad-answer');
    expect(err.message).toMatch(/no "diagnostics" list/);
    session.fake.script({ json: { diagnostics: 'none' } });
    expect((await failure(h.gateway.complete({ ...ask, input: 'b', schema: diagnosticsSchema }))).message).toMatch(/no "diagnostics" list/);
    session.fake.script({ json: [] });
    expect((await failure(h.gateway.complete({ ...ask, input: 'c', schema: diagnosticsSchema }))).message).toMatch(/not a JSON object/);
  });
});

describe('answers as the real API gives them', () => {
  const truncated = '{"diagnostics": [{"line": 3, "quote": "a = b", "severity": "error", "message": "Assignment", "replacement": null}, {"line": 7, "quo';

  it('a /responses answer cut off by max_output_tokens is asked once more with twice the budget', async () => {
    const h = harness();
    session.fake.script({ text: truncated, cutOff: 'length', usage: { input: 40, output: 2000, reasoning: 1900 } });
    session.fake.script({ json: { diagnostics: [] }, usage: { input: 40, output: 300 } });
    const a = await h.gateway.complete({ ...ask, schema: diagnosticsSchema });
    expect(a.json).toEqual({ diagnostics: [] });
    const first = body(session.fake.requests[0]).max_output_tokens as number;
    expect(body(session.fake.requests[1]).max_output_tokens).toBe(first * 2);
    // Both calls are paid for.
    expect(h.usage.totals()).toMatchObject({ requests: 2, input: 80, output: 2300 });
  });

  it('still cut off after the retry: a cut-off error carrying the partial text, never a "clean" answer', async () => {
    const h = harness();
    session.fake.script({ text: truncated, cutOff: 'length' }, { text: truncated, cutOff: 'length' });
    const err = await failure(h.gateway.complete({ ...ask, schema: diagnosticsSchema }));
    expect(err.kind).toBe('cut-off');
    expect(err.message).toMatch(/cut off by status "incomplete" \(max_output_tokens\), even with twice the output budget/);
    expect(err.partial).toBe(truncated);
    expect(session.fake.requests.length).toBe(2);
    expect(h.usage.totals().requests).toBe(2);
  });

  it('chat finish_reason "length" and "content_filter" count as cut off', async () => {
    const h = harness({ model: 'local', api: 'chat' });
    session.fake.script({ text: 'It adds one and', cutOff: 'length' }, { text: 'It adds one and then', cutOff: 'content_filter' });
    const err = await failure(h.gateway.complete(ask));
    expect(err.kind).toBe('cut-off');
    expect(err.message).toMatch(/content_filter/);
    expect(err.partial).toBe('It adds one and then');
    expect(body(session.fake.requests[1]).max_tokens).toBe((body(session.fake.requests[0]).max_tokens as number) * 2);
  });

  it('a cut-off with no time left for a retry is not retried', async () => {
    const h = harness({ model: 'local', api: 'chat', timeoutMs: 1000 });
    session.fake.script({ text: 'partial', cutOff: 'length', delayMs: 700 });
    const err = await failure(h.gateway.complete(ask));
    expect(err.kind).toBe('cut-off');
    expect(session.fake.requests.length).toBe(1);
  });

  it('takes only the final answer on /responses: reasoning items and commentary are skipped', async () => {
    const h = harness();
    session.fake.script({ commentary: 'Let me look at the loop first.', text: 'It counts the lines.' });
    const a = await h.gateway.complete(ask);
    expect(a.text).toBe('It counts the lines.');
  });

  it('reports a refusal on /responses with its text, as on chat', async () => {
    const h = harness();
    session.fake.script({ refusal: "I can't help with that." });
    const err = await failure(h.gateway.complete(ask));
    expect(err.kind).toBe('bad-answer');
    expect(err.message).toBe("the model refused: I can't help with that.");
    const chat = harness({ model: 'local', api: 'chat' });
    session.fake.script({ refusal: 'No.' });
    expect((await failure(chat.gateway.complete(ask))).message).toBe('the model refused: No.');
  });

  it('an HTML page where the API should be: one clear message naming the base URL, no JavaScript internals', async () => {
    const h = harness();
    session.fake.script(htmlPage(), htmlPage());
    const err = await failure(h.gateway.complete(ask));
    expect(err.kind).toBe('endpoint');
    // auto: the other API was tried once before giving up.
    expect(session.fake.requests.map((r) => r.endpoint)).toEqual(['responses', 'chat']);
    expect(err.message).toBe(`${session.fake.baseUrl}/chat/completions answered with an HTML page ("Welcome"), not an OpenAI-compatible API answer`);
    expect(h.problems).toEqual([
      {
        kind: 'endpoint',
        message: expect.stringMatching(
          /answered with an HTML page \("Welcome"\), not an OpenAI-compatible API answer\. Is "codex\.baseUrl" the API root, such as https:\/\/api\.cometapi\.com\/v1/,
        ),
      },
    ]);
    expect(h.logs.join('\n')).not.toMatch(/Cannot use|TypeError|SyntaxError/);
  });

  it('plain text or JSON without choices/output is not an API either', async () => {
    const h = harness({ api: 'responses' });
    session.fake.script({ status: 200, body: 'hello from nginx' });
    expect((await failure(h.gateway.complete(ask))).message).toMatch(/answered with text that is not JSON \("hello from nginx"\)/);
    const c = harness({ api: 'chat', model: 'local' });
    session.fake.script({ status: 200, body: { status: 'ok' }, offSpec: true });
    expect((await failure(c.gateway.complete(ask))).message).toMatch(/answered with JSON that is not a chat completion \(no "choices"\)/);
  });

  it('a /responses answer that failed says why', async () => {
    const h = harness();
    session.fake.script({
      body: {
        id: 'r',
        object: 'response',
        created_at: 1,
        status: 'failed',
        error: { code: 'server_error', message: 'The model crashed.' },
        incomplete_details: null,
        output: [],
        model: 'codex-mini',
        parallel_tool_calls: true,
        tools: [],
        tool_choice: 'auto',
        top_p: 1,
        temperature: 1,
        metadata: {},
        instructions: null,
      },
    });
    expect((await failure(h.gateway.complete(ask))).message).toBe('the model failed: The model crashed.');
  });
});

describe('retired or missing models', () => {
  it('falls back to the next model on model_not_found, tells once, and remembers the choice', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'codex-choice-'));
    const choices = new ModelChoices(path.join(dir, 'model-choices.json'), new Logger(() => undefined));
    const h = harness({ fallbackModels: ['gpt-5-codex-mini'] }, choices);
    session.fake.setDefault((r) =>
      r.model === 'codex-mini'
        ? openAIError(404, 'The model `codex-mini` does not exist or you do not have access to it.', { code: 'model_not_found' })
        : { text: `answer from ${r.model}` },
    );
    const a = await h.gateway.complete(ask);
    expect(a.model).toBe('gpt-5-codex-mini');
    expect(a.text).toBe('answer from gpt-5-codex-mini');
    expect(session.fake.requests.map((r) => r.model)).toEqual(['codex-mini', 'codex-mini', 'gpt-5-codex-mini']);
    expect(h.problems).toEqual([
      {
        kind: 'model-fallback',
        message: expect.stringMatching(/no longer serves the model "codex-mini".*"gpt-5-codex-mini" answers instead, from the "codex\.fallbackModels" setting/),
      },
    ]);
    expect(h.gateway.currentModel()).toBe('gpt-5-codex-mini');
    expect(h.usage.snapshot().map((r) => r.model)).toEqual(['gpt-5-codex-mini']);
    // Remembered: the next call goes straight to the fallback.
    await h.gateway.complete({ ...ask, input: 'again' });
    expect(session.fake.requests.length).toBe(4);
    // ... and on disk, for the next server on this machine.
    await choices.flush();
    const next = harness({ fallbackModels: ['gpt-5-codex-mini'] }, new ModelChoices(path.join(dir, 'model-choices.json'), new Logger(() => undefined)));
    expect(next.gateway.currentModel()).toBe('gpt-5-codex-mini');
    await next.gateway.complete({ ...ask, input: 'third' });
    expect(session.fake.requests.at(-1)?.model).toBe('gpt-5-codex-mini');
    expect(session.fake.requests.length).toBe(5);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a model the endpoint calls retired falls back without trying the other API', async () => {
    const h = harness({ fallbackModels: ['gpt-5-codex-mini'] });
    session.fake.setDefault((r) =>
      r.model === 'codex-mini'
        ? openAIError(404, 'The model `codex-mini` has been deprecated, learn more here: https://platform.openai.com/docs/deprecations')
        : { text: 'ok' },
    );
    await h.gateway.complete(ask);
    expect(session.fake.requests.map((r) => `${r.endpoint} ${r.model}`)).toEqual(['responses codex-mini', 'responses gpt-5-codex-mini']);
  });

  it('with no fallback left, the model is told as unknown and calls pause', async () => {
    const h = harness({ fallbackModels: ['gpt-5-codex-mini'] });
    session.fake.setDefault(() => openAIError(404, 'model not found', { code: 'model_not_found' }));
    const err = await failure(h.gateway.complete(ask));
    expect(err.kind).toBe('model-not-found');
    expect(err.message).toMatch(/gpt-5-codex-mini/);
    // Nothing answered: no switch is announced or remembered, the last model is told as unknown.
    expect(h.problems.map((p) => p.kind)).toEqual(['model-not-found']);
    expect(h.gateway.currentModel()).toBe('codex-mini');
  });

  it('a gateway without a channel for the model right now is not a retired model', async () => {
    const h = harness({ fallbackModels: ['gpt-5-codex-mini'] });
    session.fake.script({
      status: 503,
      body: { error: { message: 'no available channel for model codex-mini under group default', type: 'new_api_error', code: 'model_not_found' } },
      offSpec: true,
    });
    session.fake.setDefault(() => ({
      status: 503,
      body: { error: { message: 'no available channel for model codex-mini under group default', type: 'new_api_error', code: 'model_not_found' } },
      offSpec: true,
    }));
    await failure(h.gateway.complete(ask));
    expect(session.fake.requests.every((r) => r.model === 'codex-mini')).toBe(true);
  });
});

describe('retries', () => {
  it('retries a 429 after retry-after-ms', async () => {
    const h = harness();
    session.fake.script(openAIError(429, 'Rate limit reached', { headers: { 'retry-after-ms': '30' } }));
    const a = await h.gateway.complete(ask);
    expect(a.text).toMatch(/Fake explanation/);
    expect(session.fake.requests.length).toBe(2);
  });

  it('retries 500, 502, 408 and 409, at least twice', async () => {
    const h = harness();
    session.fake.script(openAIError(500, 'oops'), openAIError(502, 'bad gateway'), openAIError(408, 'timeout'), openAIError(409, 'conflict'));
    await expect(h.gateway.complete(ask)).rejects.toBeInstanceOf(ModelError);
    // 1 attempt + 3 retries, all failing
    expect(session.fake.requests.length).toBe(4);
    session.fake.reset();
    session.fake.script(openAIError(503, 'busy'), openAIError(503, 'busy'));
    const a = await h.gateway.complete({ ...ask, input: 'b' });
    expect(a.text).toMatch(/Fake/);
    expect(session.fake.requests.length).toBe(3);
  });

  it('retries a dropped connection', async () => {
    const h = harness();
    session.fake.script({ drop: true });
    const a = await h.gateway.complete(ask);
    expect(a.text).toMatch(/Fake/);
    expect(session.fake.requests.length).toBe(2);
  });

  it('gives up at once when retry-after is beyond the deadline, and tells the user', async () => {
    const h = harness({ timeoutMs: 2000 });
    session.fake.script(openAIError(429, 'Rate limit reached', { headers: { 'retry-after': '60' } }));
    const t0 = Date.now();
    const err = await failure(h.gateway.complete(ask));
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(err.kind).toBe('rate-limit');
    expect(h.problems.map((p) => p.kind)).toEqual(['rate-limit']);
  });

  it('does not retry an exhausted quota', async () => {
    const h = harness();
    session.fake.script(openAIError(429, 'You exceeded your current quota, please check your plan and billing details.', { code: 'insufficient_quota' }));
    const err = await failure(h.gateway.complete(ask));
    expect(err.kind).toBe('quota');
    expect(session.fake.requests.length).toBe(1);
    expect(h.problems[0]?.kind).toBe('quota');
    // Cooling down: the next call does not reach the endpoint.
    expect((await failure(h.gateway.complete(ask))).kind).toBe('quota');
    expect(session.fake.requests.length).toBe(1);
  });

  it('bounds the whole call, retries included, by timeoutMs and closes the request', async () => {
    const h = harness({ timeoutMs: 1000 });
    session.fake.script({ hang: true });
    const t0 = Date.now();
    const err = await failure(h.gateway.complete(ask));
    const took = Date.now() - t0;
    expect(err.kind).toBe('timeout');
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(4000);
    await new Promise((r) => setTimeout(r, 100));
    expect(session.fake.requests[0]?.aborted).toBe(true);
    expect(session.fake.inFlight()).toBe(0);
  });

  it('keeps retrying 503s only while time remains', async () => {
    const h = harness({ timeoutMs: 1200 });
    session.fake.setDefault(() => ({ ...openAIError(503, 'overloaded'), delayMs: 300 }));
    const t0 = Date.now();
    const err = await failure(h.gateway.complete(ask));
    expect(['server', 'timeout']).toContain(err.kind);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(session.fake.requests.length).toBeGreaterThanOrEqual(2);
  });
});

describe('final errors', () => {
  it('401: no retry, told once, paused until the configuration changes; the key never appears', async () => {
    const h = harness();
    session.fake.script(openAIError(401, 'Incorrect API key provided: test-key-0123456789.'));
    const err = await failure(h.gateway.complete(ask));
    expect(err.kind).toBe('auth');
    expect(session.fake.requests.length).toBe(1);
    expect((await failure(h.gateway.complete(ask))).kind).toBe('auth');
    expect(session.fake.requests.length).toBe(1);
    expect(h.problems.length).toBe(1);
    expect(h.problems[0]?.message).toMatch(/rejected the API key from CODEX_LSP_API_KEY/);
    expect(h.problems[0]?.message).not.toContain('test-key-0123456789');
    expect(h.logs.join('\n')).not.toContain('test-key-0123456789');
    h.gateway.configurationChanged();
    await h.gateway.complete(ask);
    expect(session.fake.requests.length).toBe(2);
  });

  it('403 is final too, and does not switch endpoint', async () => {
    const h = harness();
    session.fake.script(openAIError(403, 'Forbidden'));
    expect((await failure(h.gateway.complete(ask))).kind).toBe('auth');
    expect(session.fake.requests.length).toBe(1);
  });

  it('an unknown model is told once, naming it', async () => {
    const h = harness({ model: 'codex-mini-latest' });
    session.fake.setDefault(() =>
      openAIError(404, 'The model `codex-mini-latest` does not exist or you do not have access to it.', { code: 'model_not_found' }),
    );
    const err = await failure(h.gateway.complete(ask));
    expect(err.kind).toBe('model-not-found');
    expect(h.problems.length).toBe(1);
    expect(h.problems[0]?.message).toMatch(/"codex-mini-latest"/);
    expect(h.problems[0]?.message).toMatch(/codex\.model|CODEX_LSP_MODEL/);
    // Tried the other endpoint once (auto), then stopped.
    expect(session.fake.requests.length).toBe(2);
    await failure(h.gateway.complete(ask));
    expect(session.fake.requests.length).toBe(2);
  });

  it('recognises one-api style "no available channel" as an unknown model', async () => {
    const h = harness({ api: 'responses' });
    session.fake.script({
      status: 503,
      body: { error: { message: '当前分组 default 下对于模型 codex-mini 无可用渠道', type: 'new_api_error', code: 'model_not_found' } },
      offSpec: true,
    });
    expect((await failure(h.gateway.complete(ask))).kind).toBe('model-not-found');
  });

  it('a new-api 403 "user quota is not enough" is a quota problem, not a rejected key', async () => {
    const h = harness();
    session.fake.script({
      status: 403,
      body: { error: { message: 'user quota is not enough', type: 'new_api_error', code: 'insufficient_user_quota' } },
      offSpec: true,
    });
    expect((await failure(h.gateway.complete(ask))).kind).toBe('quota');
    expect(h.problems.map((p) => p.kind)).toEqual(['quota']);
  });

  it('"no available channel" cools down instead of pausing for good', async () => {
    const h = harness({ api: 'responses' });
    session.fake.script({
      status: 503,
      body: { error: { message: 'no available channel for model codex-mini under group default', type: 'new_api_error', code: 'model_not_found' } },
      offSpec: true,
    });
    expect((await failure(h.gateway.complete(ask))).kind).toBe('model-not-found');
    expect(h.problems[0]?.message).toMatch(/try again every minute/);
    expect(session.fake.requests.length).toBe(1);
  });

  it('a 401 from a call made with the old key does not pause the corrected configuration', async () => {
    const h = harness();
    session.fake.script({ ...openAIError(401, 'Incorrect API key provided'), delayMs: 200 });
    const p = h.gateway.complete(ask);
    await session.fake.waitForRequests(1);
    h.cfg.apiKey = 'fixed-key-0123456789';
    h.gateway.configurationChanged();
    expect((await failure(p)).kind).toBe('auth');
    const a = await h.gateway.complete({ ...ask, input: 'after the fix' });
    expect(a.text).toMatch(/Fake/);
    expect(session.fake.requests.at(-1)?.headers.authorization).toBe('Bearer fixed-key-0123456789');
    expect(h.problems).toEqual([]);
  });

  it('a legacy OpenAI key (T3BlbkFJ) from OPENAI_API_KEY is not sent to CometAPI either', async () => {
    const legacy = 'sk-' + 'a'.repeat(20) + 'T3BlbkFJ' + 'b'.repeat(20);
    const h = harness({ apiKey: legacy, keySource: 'OPENAI_API_KEY', baseUrl: 'https://api.cometapi.com/v1' });
    expect((await failure(h.gateway.complete(ask))).kind).toBe('key-mismatch');
    // The same key sent where the user pointed it explicitly is fine.
    const ok = harness({ apiKey: legacy, keySource: 'OPENAI_API_KEY' });
    expect((await ok.gateway.complete(ask)).text).toMatch(/Fake/);
  });

  it('a dead endpoint is reported as unreachable', async () => {
    const h = harness({ baseUrl: 'http://127.0.0.1:9/v1', timeoutMs: 4000 });
    const err = await failure(h.gateway.complete(ask));
    expect(err.kind).toBe('unreachable');
    expect(h.problems[0]?.kind).toBe('unreachable');
    expect(h.problems[0]?.message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\/v1/);
  });

  it('no key: told what to set, and nothing is sent', async () => {
    const h = harness({ apiKey: undefined, keySource: undefined, baseUrl: 'https://api.example.invalid/v1' });
    expect((await failure(h.gateway.complete(ask))).kind).toBe('no-key');
    expect(session.fake.requests.length).toBe(0);
    expect(h.problems[0]?.message).toMatch(/CODEX_LSP_API_KEY/);
    expect(h.problems[0]?.message).toMatch(/COMETAPI_KEY/);
    expect(h.problems[0]?.message).toMatch(/codex\.apiKey/);
  });

  it('a server on this machine needs no key: the call goes out with no Authorization header', async () => {
    const h = harness({ apiKey: undefined, keySource: undefined, api: 'chat' });
    expect(h.gateway.blockedReason()).toBeUndefined();
    const answer = await h.gateway.complete(ask);
    expect(answer.text.length).toBeGreaterThan(0);
    expect(session.fake.requests[0]?.headers.authorization).toBeUndefined();
    expect(h.problems).toEqual([]);
  });

  it('an OpenAI-issued key from OPENAI_API_KEY is not sent to CometAPI', async () => {
    const h = harness({ apiKey: 'sk-proj-abcdefghijklmnopqrstuvwxyz', keySource: 'OPENAI_API_KEY', baseUrl: 'https://api.cometapi.com/v1' });
    expect((await failure(h.gateway.complete(ask))).kind).toBe('key-mismatch');
    expect(h.problems[0]?.kind).toBe('key-mismatch');
  });
});

describe('cancellation', () => {
  it('an aborted call closes the HTTP request', async () => {
    const h = harness();
    session.fake.script({ hang: true });
    const c = new AbortController();
    const p = h.gateway.complete({ ...ask, signal: c.signal });
    await session.fake.waitForRequests(1);
    c.abort();
    expect((await failure(p)).kind).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 100));
    expect(session.fake.requests[0]?.aborted).toBe(true);
    expect(session.fake.inFlight()).toBe(0);
  });

  it('an abort during backoff stops the retries', async () => {
    const h = harness();
    session.fake.script(openAIError(503, 'busy', { headers: { 'retry-after': '3' } }));
    const c = new AbortController();
    const p = h.gateway.complete({ ...ask, signal: c.signal });
    await session.fake.waitForRequests(1);
    setTimeout(() => c.abort(), 50);
    expect((await failure(p)).kind).toBe('cancelled');
    expect(session.fake.requests.length).toBe(1);
  });
});
