import OpenAI, { APIConnectionError, APIUserAbortError, AuthenticationError, NotFoundError, RateLimitError } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAI, openAIError, type RecordedRequest } from '../support/fake-openai';
import { drainViolations, schemaProblem } from '../support/openai-schema';

let fake: FakeOpenAI;
let client: OpenAI;

beforeAll(async () => {
  fake = await FakeOpenAI.start();
  client = new OpenAI({ apiKey: 'test-key', baseURL: fake.baseUrl, maxRetries: 0, timeout: 5000 });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

/** Catches the rejection so the assertions can look at the SDK's error object. */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

async function until(cond: () => boolean, timeoutMs = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('FakeOpenAI with the real openai SDK', () => {
  it('answers chat completions the SDK parses, with usage', async () => {
    fake.script({ text: 'hello there', usage: { input: 12, cached: 8, output: 3 } });
    const res = await client.chat.completions.create({
      model: 'codex-mini-latest',
      messages: [
        { role: 'system', content: 'You explain code.' },
        { role: 'user', content: [{ type: 'text', text: 'What does x do?' }] },
      ],
    });
    expect(res.choices[0]?.message.content).toBe('hello there');
    expect(res.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 });
    expect(res.usage?.prompt_tokens_details?.cached_tokens).toBe(8);

    const req = fake.requests[0];
    expect(req).toMatchObject({ endpoint: 'chat', method: 'POST', path: '/v1/chat/completions', model: 'codex-mini-latest', aborted: false });
    expect(req?.prompt).toBe('You explain code.\nWhat does x do?');
    expect(req?.headers['authorization']).toBe('Bearer test-key');
    expect(req?.bytes).toBe(Buffer.byteLength(req?.raw ?? ''));
  });

  it('answers the Responses API with output_text and usage', async () => {
    fake.script({ json: { diagnostics: [{ line: 1 }] } });
    const res = await client.responses.create({
      model: 'codex-mini-latest',
      instructions: 'Review the code.',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'const a = 1;' }] }],
      text: { format: { type: 'json_schema', name: 'diagnostics', schema: { type: 'object' }, strict: true } },
    });
    expect(JSON.parse(res.output_text)).toEqual({ diagnostics: [{ line: 1 }] });
    expect(res.status).toBe('completed');
    const req = fake.requests[0];
    expect(res.usage?.input_tokens).toBe(Math.ceil((req?.bytes ?? 0) / 4));
    expect(res.usage?.output_tokens_details.reasoning_tokens).toBe(0);
    expect(req).toMatchObject({ endpoint: 'responses', schemaName: 'diagnostics', prompt: 'Review the code.\nconst a = 1;' });
  });

  it('default handler answers by schema name and echoes a digest otherwise', async () => {
    const diag = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'review' }],
      response_format: { type: 'json_schema', json_schema: { name: 'diagnostics', schema: { type: 'object' } } },
    });
    expect(JSON.parse(diag.choices[0]?.message.content ?? '')).toEqual({ diagnostics: [] });

    const edit = await client.responses.create({
      model: 'm',
      input: 'fix it',
      text: { format: { type: 'json_schema', name: 'edit', schema: { type: 'object' } } },
    });
    expect(JSON.parse(edit.output_text)).toEqual({ edits: [], explanation: 'no change' });

    const fallback = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'Answer with JSON matching this JSON schema: {"type": "object", "properties": {"diagnostics": {}}}' }],
    });
    expect(JSON.parse(fallback.choices[0]?.message.content ?? '')).toEqual({ diagnostics: [] });

    const hover = await client.responses.create({ model: 'm', input: 'Explain:\nfunction add(a, b) { return a + b; }' });
    expect(hover.output_text).toBe('**Fake explanation.** function add(a, b) { return a + b; }');
  });

  it('surfaces a scripted OpenAI error as the SDK error class with status, message, code and param', async () => {
    fake.script(openAIError(401, 'Incorrect API key provided: sk-...xyz'));
    const err = await failure(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error', param: null });
    expect((err as Error).message).toBe('401 Incorrect API key provided: sk-...xyz');

    fake.script(openAIError(429, 'You exceeded your current quota', { code: 'insufficient_quota' }));
    const quota = await failure(client.responses.create({ model: 'm', input: 'x' }));
    expect(quota).toBeInstanceOf(RateLimitError);
    expect(quota).toMatchObject({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
  });

  it('delivers retry-after headers and the request id', async () => {
    fake.script(openAIError(429, 'Rate limit reached', { headers: { 'retry-after': '1', 'retry-after-ms': '50' } }));
    const err = await failure(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }));
    expect(err).toBeInstanceOf(RateLimitError);
    const headers = (err as RateLimitError).headers;
    expect(headers.get('retry-after')).toBe('1');
    expect(headers.get('retry-after-ms')).toBe('50');
    expect((err as RateLimitError).requestID).toMatch(/^req_fake_/);
    expect((err as RateLimitError).code).toBe('rate_limit_exceeded');
  });

  it('lets the SDK retry using retry-after-ms', async () => {
    const retrying = new OpenAI({ apiKey: 'test-key', baseURL: fake.baseUrl, maxRetries: 1 });
    fake.script(openAIError(500, 'boom', { headers: { 'retry-after-ms': '10' } }), { text: 'second time lucky' });
    const res = await retrying.responses.create({ model: 'm', input: 'x' });
    expect(res.output_text).toBe('second time lucky');
    expect(fake.requests).toHaveLength(2);
  });

  it('a dropped connection is an APIConnectionError', async () => {
    fake.script({ drop: true });
    const err = await failure(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }));
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).toMatchObject({ status: undefined, message: 'Connection error.' });
    await until(() => fake.inFlight() === 0);
    expect(fake.requests[0]?.aborted).toBe(false);
  });

  it('hang + client abort marks the request aborted and frees the in-flight slot', async () => {
    fake.script({ hang: true });
    const ac = new AbortController();
    const pending = failure(client.responses.create({ model: 'm', input: 'x' }, { signal: ac.signal }));
    await fake.waitForRequests(1);
    expect(fake.inFlight()).toBe(1);
    ac.abort();
    expect(await pending).toBeInstanceOf(APIUserAbortError);
    await until(() => fake.inFlight() === 0);
    expect(fake.requests[0]?.aborted).toBe(true);
  });

  it('delayMs is abort-aware', async () => {
    fake.script({ text: 'late', delayMs: 5000 });
    const ac = new AbortController();
    const pending = failure(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { signal: ac.signal }));
    await fake.waitForRequests(1);
    ac.abort();
    await pending;
    await until(() => fake.inFlight() === 0);
    expect(fake.requests[0]?.aborted).toBe(true);
  });

  it('chat-only mode refuses /responses with a non-JSON 404 and keeps the script for chat', async () => {
    fake.mode = 'chat-only';
    fake.script({ text: 'from chat' });
    const err = await failure(client.responses.create({ model: 'm', input: 'x' }));
    expect(err).toBeInstanceOf(NotFoundError);
    // Non-JSON bodies: the SDK puts the raw text in the message and leaves error/code undefined.
    expect(err).toMatchObject({ status: 404, error: undefined, code: undefined, message: '404 404 page not found' });
    const res = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(res.choices[0]?.message.content).toBe('from chat');
    expect(fake.requests.map((r: RecordedRequest) => r.endpoint)).toEqual(['responses', 'chat']);
  });

  it('responses-only and openai-codex modes refuse chat completions', async () => {
    fake.mode = 'responses-only';
    const html = await failure(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }));
    expect(html).toMatchObject({ status: 404, code: undefined });

    fake.mode = 'openai-codex';
    const codex = await failure(client.chat.completions.create({ model: 'codex-mini-latest', messages: [{ role: 'user', content: 'x' }] }));
    expect(codex).toBeInstanceOf(NotFoundError);
    expect(codex).toMatchObject({ status: 404, param: 'model', code: null, type: 'invalid_request_error' });
    expect((codex as Error).message).toContain('only supported in v1/responses');
    const ok = await client.responses.create({ model: 'codex-mini-latest', input: 'x' });
    expect(ok.output_text).toContain('Fake explanation');
  });

  it('per-endpoint queues win over the shared queue; handlers see the request', async () => {
    fake.script({ text: 'shared' });
    fake.scriptFor('responses', (req) => ({ text: `model=${req.model ?? '?'}` }));
    const r = await client.responses.create({ model: 'gpt-x', input: 'x' });
    expect(r.output_text).toBe('model=gpt-x');
    const c = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(c.choices[0]?.message.content).toBe('shared');
  });

  it('a string body is sent verbatim and unknown paths/methods are refused', async () => {
    // SDK quirks worth knowing: a 200 text/plain body resolves to the raw string on chat, a TypeError
    // on responses (it probes `'object' in rsp`), and a broken JSON body is a bare SyntaxError.
    fake.script(
      { status: 200, body: 'not json at all' },
      { status: 200, body: 'not json at all' },
      { status: 200, body: '{broken', headers: { 'content-type': 'application/json' } },
    );
    const chat: unknown = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(chat).toBe('not json at all');
    expect(await failure(client.responses.create({ model: 'm', input: 'x' }))).toBeInstanceOf(TypeError);
    expect(await failure(client.responses.create({ model: 'm', input: 'x' }))).toBeInstanceOf(SyntaxError);
    fake.reset();

    const unknown = await fetch(`${fake.baseUrl}/embeddings`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const get = await fetch(`${fake.baseUrl}/chat/completions`);
    expect(get.status).toBe(405);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('codex-mini-latest');
    // Bad JSON from a client is recorded, not fatal (and, sent on purpose here, not a schema violation).
    fake.checkSchemas = false;
    const bad = await fetch(`${fake.baseUrl}/chat/completions`, { method: 'POST', body: '{oops' });
    fake.checkSchemas = true;
    expect(bad.status).toBe(200);
    expect(fake.requests.at(-1)).toMatchObject({ body: undefined, raw: '{oops', prompt: '' });
  });

  it('streams SSE when asked, in a shape the SDK accepts', async () => {
    fake.script({ text: 'streamed chat' }, { text: 'streamed response' });
    const chat = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of chat) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('streamed chat');

    const stream = client.responses.stream({ model: 'm', input: 'x' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('streamed response');
  });

  it('counts concurrency in maxInFlight and waitForRequests times out clearly', async () => {
    fake.setDefault(() => ({ text: 'ok', delayMs: 60 }));
    await Promise.all([1, 2, 3].map(() => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })));
    expect(fake.maxInFlight).toBe(3);
    expect(fake.inFlight()).toBe(0);
    await expect(fake.waitForRequests(4, 50)).rejects.toThrow(/expected 4 request\(s\) within 50 ms, got 3/);
  });

  it('close() ends hanging requests', async () => {
    const other = await FakeOpenAI.start();
    other.script({ hang: true });
    const c = new OpenAI({ apiKey: 'k', baseURL: other.baseUrl, maxRetries: 0 });
    const pending = failure(c.responses.create({ model: 'm', input: 'x' }));
    await other.waitForRequests(1);
    await other.close();
    expect(await pending).toBeInstanceOf(APIConnectionError);
  });
});

describe('the fake speaks the official API (test/fixtures/openai-api)', () => {
  it('answers every kind of reply in a shape the official response schemas accept, with no output_text in the raw JSON', async () => {
    const replies = [
      { text: 'plain' },
      { json: { diagnostics: [] }, usage: { input: 10, cached: 4, output: 30, reasoning: 20 } },
      { text: 'cut he', cutOff: 'length' as const },
      { text: '', cutOff: 'length' as const },
      { text: 'filtered', cutOff: 'content_filter' as const },
      { refusal: 'No.' },
      { commentary: 'Looking at it.', text: 'Final.' },
    ];
    for (const endpoint of ['chat', 'responses'] as const) {
      for (const reply of replies) {
        fake.script(reply);
        const raw =
          endpoint === 'chat'
            ? await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'low' }).asResponse()
            : await client.responses.create({ model: 'm', input: 'x', reasoning: { effort: 'low' } }).asResponse();
        const body = (await raw.json()) as Record<string, unknown>;
        expect(schemaProblem(endpoint === 'chat' ? 'CreateChatCompletionResponse' : 'Response', body), JSON.stringify(reply)).toBeUndefined();
        expect(body).not.toHaveProperty('output_text');
      }
    }
    // A reasoning item comes before the message, and usage counts reasoning and cached tokens.
    fake.script({ text: 'hi', usage: { input: 10, cached: 4, output: 30, reasoning: 20 } });
    const r = (await (await client.responses.create({ model: 'm', input: 'x', reasoning: { effort: 'low' } }).asResponse()).json()) as {
      output: Array<{ type: string }>;
      usage: unknown;
    };
    expect(r.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
    expect(r.usage).toMatchObject({ input_tokens_details: { cached_tokens: 4 }, output_tokens_details: { reasoning_tokens: 20 } });
    expect(drainViolations()).toEqual([]);
  });

  it('reports a request or an answer that is not the official shape, which fails the test that caused it', async () => {
    await fetch(`${fake.baseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', input: 'x', max_output_tokens: 'lots' }),
    });
    fake.script({ body: { id: 'r', object: 'response', output: 'not a list' } });
    await fetch(`${fake.baseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', input: 'x' }),
    });
    const seen = drainViolations();
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(/^request to \/v1\/responses: CreateResponse: \/max_output_tokens/);
    expect(seen[1]).toMatch(/^answer 200 from \/v1\/responses: Response:/);
    // Another provider's error body, marked as such, is not held to OpenAI's shape.
    fake.script({ status: 503, body: { error: { message: 'no available channel', type: 'new_api_error' } }, offSpec: true });
    await fetch(`${fake.baseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', input: 'x' }),
    });
    expect(drainViolations()).toEqual([]);
  });
});
