/**
 * A fake OpenAI-compatible HTTP server for tests: real HTTP on 127.0.0.1, scripted replies,
 * every request recorded. Nothing here talks to the internet or needs a real key.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { reportViolation, schemaProblem, type SchemaRoot } from './openai-schema';

export type Endpoint = 'chat' | 'responses' | 'other';
export type FakeMode = 'both' | 'chat-only' | 'responses-only' | 'openai-codex';

/**
 * Local servers, as each behaves behind its OpenAI-compatible routes: chat only (no
 * /responses, answered with its own 404 body), its own marks in GET /v1/models, its own
 * error bodies. Two of them (here llama.cpp and LM Studio) answer without usage fields, as
 * some servers and versions do, so that path is covered too.
 */
export type LocalServerKind = 'ollama' | 'llamacpp' | 'vllm' | 'lmstudio';

interface LocalServerSpec {
  ownedBy: string;
  headers?: Record<string, string>;
  /** What POST /v1/responses answers. */
  noResponses: FakeReply;
  /** A model the server does not have. */
  unknownModel: (model: string) => FakeReply;
  /** Answers carry no `usage` (not OpenAI's shape, so not checked against it). */
  noUsage: boolean;
  /** Refuses a request naming `prompt_cache_key`, a field it does not know, with this answer. */
  refusesCacheKey?: FakeReply;
}

const LOCAL_SERVERS: Record<LocalServerKind, LocalServerSpec> = {
  // Ollama: Go's default 404 page; OpenAI-shaped errors from its compatibility layer.
  ollama: {
    ownedBy: 'library',
    noResponses: { status: 404, body: '404 page not found', headers: { 'content-type': 'text/plain' }, offSpec: true },
    unknownModel: (m) => ({
      status: 404,
      body: { error: { message: `model "${m}" not found, try pulling it first`, type: 'api_error', param: null, code: null } },
      offSpec: true,
    }),
    noUsage: false,
  },
  // llama.cpp's server: serves whatever model it loaded, whatever name is asked; its own error object.
  llamacpp: {
    ownedBy: 'llamacpp',
    headers: { server: 'llama.cpp' },
    noResponses: { status: 404, body: { error: { code: 404, message: 'File Not Found', type: 'not_found_error' } }, offSpec: true },
    unknownModel: () => ({ text: 'ok' }),
    noUsage: true,
  },
  // vLLM: FastAPI's {"detail"} for unknown routes, {"object": "error"} for its own errors. This
  // fake also refuses prompt_cache_key as an unknown field (pydantic's "extra_forbidden"), as
  // strictly validating servers do; the other fakes ignore it, as most local servers do.
  vllm: {
    ownedBy: 'vllm',
    noResponses: { status: 404, body: { detail: 'Not Found' }, offSpec: true },
    unknownModel: (m) => ({
      status: 404,
      body: { object: 'error', message: `The model \`${m}\` does not exist.`, type: 'NotFoundError', param: null, code: 404 },
      offSpec: true,
    }),
    noUsage: false,
    refusesCacheKey: {
      status: 400,
      body: {
        object: 'error',
        message: "[{'type': 'extra_forbidden', 'loc': ('body', 'prompt_cache_key'), 'msg': 'Extra inputs are not permitted'}]",
        type: 'BadRequestError',
        param: null,
        code: 400,
      },
      offSpec: true,
    },
  },
  // LM Studio: a bare {"error": "..."} string.
  lmstudio: {
    ownedBy: 'organization_owner',
    noResponses: { status: 404, body: { error: 'Unexpected endpoint or method. (POST /v1/responses)' }, offSpec: true },
    unknownModel: (m) => ({ status: 404, body: { error: `Model "${m}" not found. Please load it first.` }, offSpec: true }),
    noUsage: true,
  },
};

export interface RecordedRequest {
  endpoint: Endpoint;
  method: string;
  /** Path without the query string, e.g. /v1/chat/completions. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined if the body was not JSON. */
  body: unknown;
  raw: string;
  bytes: number;
  model?: string;
  /** chat: response_format.json_schema.name; responses: text.format.name. */
  schemaName?: string;
  /** All textual prompt content, joined with "\n". */
  prompt: string;
  /** True if the client went away before we finished answering. */
  aborted: boolean;
}

export interface FakeUsage {
  input?: number;
  cached?: number;
  output?: number;
  /** Of `output`, how many were reasoning (reasoning models spend these before the answer). */
  reasoning?: number;
}

export interface FakeReply {
  status?: number;
  /** Object -> JSON body; string -> sent verbatim. */
  body?: unknown;
  /** A well-formed completion whose answer text is `text`, shaped for the endpoint called. */
  text?: string;
  /** Like `text` with JSON.stringify(json). */
  json?: unknown;
  usage?: FakeUsage;
  /**
   * The output limit cut the answer off: `text` is what came before the cut. Chat says
   * finish_reason "length" (or "content_filter"); /responses says status "incomplete".
   */
  cutOff?: 'length' | 'content_filter';
  /** The model refused: chat's message.refusal, or a refusal part on /responses. */
  refusal?: string;
  /** /responses only: a phase "commentary" message before the answer (which then has phase "final_answer"). */
  commentary?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  hang?: boolean;
  drop?: boolean;
  /**
   * The body is deliberately not the official shape (another provider's error, a broken
   * server): it is not checked against OpenAI's schemas.
   */
  offSpec?: boolean;
}

export type FakeHandler = (req: RecordedRequest) => FakeReply | Promise<FakeReply>;
type Scripted = FakeReply | FakeHandler;

export interface OpenAIErrorOptions {
  type?: string;
  code?: string | null;
  param?: string | null;
  headers?: Record<string, string>;
}

const CODEX_CHAT_REFUSAL = 'This model is only supported in v1/responses and not in v1/chat/completions.';

/** A reply carrying a real OpenAI error body: {"error": {message, type, param, code}}. */
export function openAIError(status: number, message: string, opts: OpenAIErrorOptions = {}): FakeReply {
  const defaults = defaultErrorShape(status, opts.code);
  const reply: FakeReply = {
    status,
    body: {
      error: {
        message,
        type: opts.type ?? defaults.type,
        param: opts.param === undefined ? null : opts.param,
        code: opts.code === undefined ? defaults.code : opts.code,
      },
    },
  };
  if (opts.headers) reply.headers = opts.headers;
  return reply;
}

/** A web page where the API should be: what a wrong baseUrl (a site's root, a proxy's login page) answers. */
export function htmlPage(status = 200): FakeReply {
  return {
    status,
    body: '<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body><h1>Welcome to our site</h1><script>window.app={}</script></body></html>',
    headers: { 'content-type': 'text/html; charset=utf-8' },
    offSpec: true,
  };
}

function defaultErrorShape(status: number, code: string | null | undefined): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 429) {
    // OpenAI uses a distinct type for an exhausted quota vs. a transient rate limit.
    return code === 'insufficient_quota'
      ? { type: 'insufficient_quota', code: 'insufficient_quota' }
      : { type: 'rate_limit_error', code: 'rate_limit_exceeded' };
  }
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

/** The default answer: plausible 200s for the server's three kinds of request. */
const defaultHandler: FakeHandler = (req) => {
  if (req.schemaName === 'diagnostics') return { json: { diagnostics: [] } };
  if (req.schemaName === 'edit') return { json: { edits: [], explanation: 'no change' } };
  // Fallback mode (schema described in the prompt, no structured output): answer the JSON as text.
  if (req.schemaName === undefined && looksLikeSchemaPrompt(req.prompt)) {
    if (/"diagnostics"/.test(req.prompt)) return { text: JSON.stringify({ diagnostics: [] }) };
    if (/"edits"/.test(req.prompt)) return { text: JSON.stringify({ edits: [], explanation: 'no change' }) };
  }
  return { text: `**Fake explanation.** ${promptDigest(req.prompt)}` };
};

function looksLikeSchemaPrompt(prompt: string): boolean {
  return /json schema/i.test(prompt) || /"type"\s*:\s*"object"/.test(prompt);
}

/** The numbered listing a review prompt showed the model: listing line number -> text. */
export function listing(r: RecordedRequest): Map<number, string> {
  const out = new Map<number, string>();
  for (const m of r.prompt.matchAll(/^\s*(\d+)\| ?(.*)$/gm)) out.set(Number(m[1]), m[2] ?? '');
  return out;
}

/** First 40 chars of the prompt's last non-empty line: lets tests tell answers apart. */
function promptDigest(prompt: string): string {
  const lines = prompt.split(/\r?\n/).filter((l) => l.trim() !== '');
  return (lines[lines.length - 1] ?? '').trim().slice(0, 40);
}

interface Waiter {
  n: number;
  resolve: (reqs: RecordedRequest[]) => void;
}

export class FakeOpenAI {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[] = [];
  mode: FakeMode;
  maxInFlight = 0;
  /**
   * Every chat/responses request body, and every answer, is checked against OpenAI's official
   * schemas (a violation fails the test, see schema-guard.ts). Off only for tests of the fake
   * itself that send raw HTTP, and in the benchmark, where it would be timed.
   */
  checkSchemas = true;
  /** Errors thrown by scripted handlers (answered as 500s); tests can assert it stays empty. */
  readonly handlerErrors: Error[] = [];

  private queue: Scripted[] = [];
  private endpointQueues: Record<'chat' | 'responses', Scripted[]> = { chat: [], responses: [] };
  private defaultReply: FakeHandler = defaultHandler;
  private inflight = 0;
  private waiters: Waiter[] = [];
  private readonly sockets = new Set<Socket>();
  private seq = 0;
  private closed = false;

  private constructor(
    private readonly server: http.Server,
    port: number,
    mode: FakeMode,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}/v1`;
    this.mode = mode;
  }

  /** Set by start({ local }): behave as that local server (see LOCAL_SERVERS). */
  local: LocalServerKind | undefined;
  /** Local servers: the models they have; others are answered with the server's "unknown model". */
  localModels: string[] = [];

  static async start(options: { mode?: FakeMode; local?: LocalServerKind; models?: string[] } = {}): Promise<FakeOpenAI> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const fake = new FakeOpenAI(server, port, options.local ? 'chat-only' : (options.mode ?? 'both'));
    fake.local = options.local;
    fake.localModels = options.models ?? [];
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (req, res) => fake.onRequest(req, res));
    // Malformed HTTP from a client must not crash the test process.
    server.on('clientError', (_err, socket) => socket.destroy());
    return fake;
  }

  /** Shared queue: one entry consumed per chat/responses request, in order. */
  script(...replies: Scripted[]): void {
    this.queue.push(...replies);
  }

  /** Per-endpoint queue, consulted before the shared one. */
  scriptFor(endpoint: 'chat' | 'responses', ...replies: Scripted[]): void {
    this.endpointQueues[endpoint].push(...replies);
  }

  setDefault(handler: FakeHandler): void {
    this.defaultReply = handler;
  }

  /** Scripted replies not consumed yet (shared + per endpoint). */
  pending(): number {
    return this.queue.length + this.endpointQueues.chat.length + this.endpointQueues.responses.length;
  }

  reset(): void {
    this.requests.length = 0;
    this.handlerErrors.length = 0;
    this.queue = [];
    this.endpointQueues = { chat: [], responses: [] };
    this.defaultReply = defaultHandler;
    this.mode = this.local ? 'chat-only' : 'both';
    // Requests still open from an earlier test keep counting, so the max starts from them.
    this.maxInFlight = this.inflight;
  }

  inFlight(): number {
    return this.inflight;
  }

  waitForRequests(n: number, timeoutMs = 5000): Promise<RecordedRequest[]> {
    if (this.requests.length >= n) return Promise.resolve(this.requests.slice());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        n,
        resolve: (reqs) => {
          clearTimeout(timer);
          resolve(reqs);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const seen = this.requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none';
        reject(new Error(`FakeOpenAI: expected ${n} request(s) within ${timeoutMs} ms, got ${this.requests.length} (${seen})`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Hanging requests and keep-alive sockets would otherwise keep close() waiting forever.
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await done;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.inflight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inflight);
    const state: ExchangeState = { settled: false, clientGone: false, dropped: false, record: undefined };
    const chunks: Buffer[] = [];

    const settle = (): void => {
      if (state.settled) return;
      state.settled = true;
      this.inflight--;
    };
    res.on('finish', settle);
    res.on('close', () => {
      // 'close' before 'finish' means the connection died under us: the client aborted.
      if (!res.writableFinished && !state.dropped && !this.closed) {
        state.clientGone = true;
        if (state.record) state.record.aborted = true;
        else this.record(this.buildRecord(req, Buffer.concat(chunks), true), state);
      }
      settle();
    });
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (state.record) return;
      this.record(this.buildRecord(req, Buffer.concat(chunks), state.clientGone), state);
      this.respond(state, res).catch((err: unknown) => {
        // Never let a bug in a reply take down the test run; answer 500 if we still can.
        this.handlerErrors.push(toError(err));
        sendJson(res, 500, { error: { message: `fake-openai: ${toError(err).message}`, type: 'server_error', param: null, code: null } });
      });
    });
  }

  private record(rec: RecordedRequest, state: ExchangeState): void {
    state.record = rec;
    if (this.checkSchemas && rec.method === 'POST' && rec.endpoint !== 'other' && !rec.aborted) {
      const problem = schemaProblem(rec.endpoint === 'chat' ? 'CreateChatCompletionRequest' : 'CreateResponse', rec.body);
      if (problem) reportViolation(`request to ${rec.path}: ${problem}: ${rec.raw.slice(0, 300)}`);
    }
    this.requests.push(rec);
    const ready = this.waiters.filter((w) => this.requests.length >= w.n);
    this.waiters = this.waiters.filter((w) => this.requests.length < w.n);
    for (const w of ready) w.resolve(this.requests.slice());
  }

  private buildRecord(req: http.IncomingMessage, buf: Buffer, aborted: boolean): RecordedRequest {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const endpoint: Endpoint = path === '/v1/chat/completions' ? 'chat' : path === '/v1/responses' ? 'responses' : 'other';
    const raw = buf.toString('utf8');
    const body = parseJson(raw);
    const rec: RecordedRequest = {
      endpoint,
      method,
      path,
      headers: { ...req.headers },
      body,
      raw,
      bytes: buf.length,
      prompt: extractPrompt(endpoint, body),
      aborted,
    };
    const model = isRecord(body) ? body['model'] : undefined;
    if (typeof model === 'string') rec.model = model;
    const schemaName = extractSchemaName(endpoint, body);
    if (schemaName !== undefined) rec.schemaName = schemaName;
    return rec;
  }

  private async respond(state: ExchangeState, res: http.ServerResponse): Promise<void> {
    const rec = state.record;
    if (!rec || state.clientGone) return;
    const requestId = `req_fake_${++this.seq}`;

    const local = this.local ? LOCAL_SERVERS[this.local] : undefined;
    if (rec.method === 'GET' && rec.path === '/v1/models') {
      const list = local ? modelsList(this.localModels, local.ownedBy) : modelsList();
      sendJson(res, 200, list, { 'x-request-id': requestId, ...local?.headers });
      return;
    }
    if (local && rec.endpoint === 'responses') {
      await this.deliver(local.noResponses, rec, state, res, requestId);
      return;
    }
    if (local?.refusesCacheKey && rec.endpoint === 'chat' && isRecord(rec.body) && 'prompt_cache_key' in rec.body) {
      await this.deliver(local.refusesCacheKey, rec, state, res, requestId);
      return;
    }
    if (local && rec.endpoint === 'chat' && rec.model !== undefined && !this.localModels.includes(rec.model)) {
      await this.deliver(local.unknownModel(rec.model), rec, state, res, requestId);
      return;
    }
    if (rec.method !== 'POST') {
      sendJson(res, 405, errorBody(`Method ${rec.method} not allowed on ${rec.path}`, 'invalid_request_error'), {
        allow: 'POST',
        'x-request-id': requestId,
      });
      return;
    }
    if (rec.endpoint === 'other') {
      sendJson(res, 404, errorBody(`Invalid URL (${rec.method} ${rec.path})`, 'invalid_request_error'), {
        'x-request-id': requestId,
      });
      return;
    }
    // Mode refusals come before the script, so they never consume a scripted reply.
    const refusal = this.modeRefusal(rec.endpoint);
    if (refusal) {
      await this.deliver(refusal, rec, state, res, requestId);
      return;
    }

    const next = this.endpointQueues[rec.endpoint].shift() ?? this.queue.shift() ?? this.defaultReply;
    let reply: FakeReply;
    try {
      reply = typeof next === 'function' ? await next(rec) : next;
    } catch (err) {
      this.handlerErrors.push(toError(err));
      reply = openAIError(500, `fake-openai handler threw: ${toError(err).message}`);
    }
    await this.deliver(reply, rec, state, res, requestId);
  }

  private modeRefusal(endpoint: 'chat' | 'responses'): FakeReply | undefined {
    const notFoundPage: FakeReply = {
      status: 404,
      body: '404 page not found',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    };
    if (this.mode === 'chat-only' && endpoint === 'responses') return notFoundPage;
    if (this.mode === 'responses-only' && endpoint === 'chat') {
      return { status: 404, body: '<html><body><h1>404 Not Found</h1></body></html>', headers: { 'content-type': 'text/html' } };
    }
    if (this.mode === 'openai-codex' && endpoint === 'chat') {
      return openAIError(404, CODEX_CHAT_REFUSAL, { param: 'model', code: null });
    }
    return undefined;
  }

  private async deliver(reply: FakeReply, rec: RecordedRequest, state: ExchangeState, res: http.ServerResponse, requestId: string): Promise<void> {
    if (reply.delayMs !== undefined && reply.delayMs > 0) {
      await waitOrClose(reply.delayMs, res);
      if (state.clientGone || res.destroyed) return;
    }
    if (reply.drop) {
      state.dropped = true;
      res.socket?.destroy();
      return;
    }
    // Leave the request open; the 'close' listener marks it aborted when the client gives up.
    if (reply.hang) return;

    const status = reply.status ?? 200;
    const headers: Record<string, string> = { 'x-request-id': requestId, ...reply.headers };
    if (reply.text !== undefined || reply.json !== undefined || reply.refusal !== undefined) {
      const text = reply.text ?? (reply.json !== undefined ? JSON.stringify(reply.json) : '');
      const usage = resolveUsage(reply.usage, rec, text);
      if (isRecord(rec.body) && rec.body['stream'] === true) {
        sendSse(res, status, headers, streamEvents(rec, text, usage));
      } else {
        const body = completionBody(rec, { ...reply, text }, usage);
        if (this.local && LOCAL_SERVERS[this.local].noUsage) delete body['usage'];
        else this.check(rec, status, body);
        sendJson(res, status, body, headers);
      }
      return;
    }
    if (typeof reply.body === 'string') {
      const type = reply.body.trimStart().startsWith('<') ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8';
      sendText(res, status, reply.body, { 'content-type': type, ...headers });
      return;
    }
    if (reply.body !== undefined) {
      if (!reply.offSpec) this.check(rec, status, reply.body);
      sendJson(res, status, reply.body, headers);
      return;
    }
    sendText(res, status, '', headers);
  }

  /** Answers must have the official shapes too: a 2xx a completion or response, an error OpenAI's error body. */
  private check(rec: RecordedRequest, status: number, body: unknown): void {
    if (rec.endpoint === 'other' || !this.checkSchemas) return;
    const root: SchemaRoot = status >= 400 ? 'ErrorResponse' : rec.endpoint === 'chat' ? 'CreateChatCompletionResponse' : 'Response';
    const problem = schemaProblem(root, body);
    if (problem) reportViolation(`answer ${status} from ${rec.path}: ${problem}: ${JSON.stringify(body).slice(0, 300)}`);
  }
}

interface ExchangeState {
  settled: boolean;
  clientGone: boolean;
  dropped: boolean;
  record: RecordedRequest | undefined;
}

interface ResolvedUsage {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
}

function resolveUsage(usage: FakeUsage | undefined, rec: RecordedRequest, text: string): ResolvedUsage {
  const reasoning = usage?.reasoning ?? 0;
  return {
    input: usage?.input ?? Math.ceil(rec.bytes / 4),
    cached: usage?.cached ?? 0,
    output: usage?.output ?? Math.ceil(text.length / 4) + reasoning,
    reasoning,
  };
}

function chatUsage(u: ResolvedUsage): Record<string, unknown> {
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function responsesUsage(u: ResolvedUsage): Record<string, unknown> {
  return {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: u.cached, cache_write_tokens: 0 },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: u.input + u.output,
  };
}

function modelOf(rec: RecordedRequest): string {
  return rec.model ?? 'fake-model';
}

type AnswerShape = Pick<FakeReply, 'cutOff' | 'refusal' | 'commentary'> & { text: string };

function completionBody(rec: RecordedRequest, answer: AnswerShape, usage: ResolvedUsage): Record<string, unknown> {
  if (rec.endpoint === 'responses') return responseObject(rec, answer, usage, 'completed');
  const refused = answer.refusal !== undefined;
  return {
    id: `chatcmpl-fake${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: modelOf(rec),
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: refused ? null : answer.text, refusal: answer.refusal ?? null, annotations: [] },
        logprobs: null,
        finish_reason: answer.cutOff ?? 'stop',
      },
    ],
    usage: chatUsage(usage),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

/** A reasoning model's /responses output: a reasoning item first, then the message(s). The raw JSON has no output_text (the SDK computes it). */
function responseOutput(rec: RecordedRequest, answer: AnswerShape | undefined): Array<Record<string, unknown>> {
  if (answer === undefined) return [];
  const body = isRecord(rec.body) ? rec.body : {};
  const out: Array<Record<string, unknown>> = [];
  if (isRecord(body['reasoning'])) out.push({ type: 'reasoning', id: 'rs_fake', summary: [], encrypted_content: null });
  const cut = answer.cutOff !== undefined;
  if (answer.commentary !== undefined) {
    out.push({
      type: 'message',
      id: 'msg_fake_commentary',
      status: 'completed',
      role: 'assistant',
      phase: 'commentary',
      content: [{ type: 'output_text', text: answer.commentary, annotations: [], logprobs: [] }],
    });
  }
  const content =
    answer.refusal !== undefined
      ? [{ type: 'refusal', refusal: answer.refusal }]
      : answer.text === ''
        ? []
        : [{ type: 'output_text', text: answer.text, annotations: [], logprobs: [] }];
  // Cut off before any answer text: only the reasoning item came.
  if (content.length > 0 || !cut) {
    const message: Record<string, unknown> = { type: 'message', id: 'msg_fake', status: cut ? 'incomplete' : 'completed', role: 'assistant', content };
    if (answer.commentary !== undefined) message['phase'] = 'final_answer';
    out.push(message);
  }
  return out;
}

function responseObject(
  rec: RecordedRequest,
  answer: AnswerShape | undefined,
  usage: ResolvedUsage | undefined,
  status: 'in_progress' | 'completed',
): Record<string, unknown> {
  const body = isRecord(rec.body) ? rec.body : {};
  const cut = answer?.cutOff;
  return {
    id: 'resp_fake',
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: cut ? 'incomplete' : status,
    error: null,
    incomplete_details: cut ? { reason: cut === 'length' ? 'max_output_tokens' : 'content_filter' } : null,
    instructions: typeof body['instructions'] === 'string' ? body['instructions'] : null,
    max_output_tokens: typeof body['max_output_tokens'] === 'number' ? body['max_output_tokens'] : null,
    model: modelOf(rec),
    output: responseOutput(rec, answer),
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: isRecord(body['reasoning']) ? { effort: body['reasoning']['effort'] ?? null, summary: null } : null,
    store: body['store'] !== false,
    temperature: typeof body['temperature'] === 'number' ? body['temperature'] : 1,
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    text: isRecord(body['text']) ? body['text'] : { format: { type: 'text' } },
    usage: usage ? responsesUsage(usage) : null,
    metadata: {},
  };
}

/** SSE events for `stream: true` requests, shaped like the real APIs so the SDK's stream parser accepts them. */
function streamEvents(rec: RecordedRequest, text: string, usage: ResolvedUsage): Array<{ event?: string; data: unknown }> {
  if (rec.endpoint === 'responses') {
    const item = { type: 'message', id: 'msg_fake', status: 'in_progress', role: 'assistant', content: [] };
    let seq = 0;
    const ev = (type: string, rest: Record<string, unknown>): { event: string; data: unknown } => ({
      event: type,
      data: { type, sequence_number: seq++, ...rest },
    });
    const base = { item_id: 'msg_fake', output_index: 0, content_index: 0 };
    const done = responseObject(rec, { text }, usage, 'completed');
    const doneItem = (done['output'] as Array<Record<string, unknown>>).find((o) => o['type'] === 'message');
    return [
      ev('response.created', { response: responseObject(rec, undefined, undefined, 'in_progress') }),
      ev('response.in_progress', { response: responseObject(rec, undefined, undefined, 'in_progress') }),
      ev('response.output_item.added', { output_index: 0, item }),
      ev('response.content_part.added', { ...base, part: { type: 'output_text', text: '', annotations: [] } }),
      ev('response.output_text.delta', { ...base, delta: text, logprobs: [] }),
      ev('response.output_text.done', { ...base, text, logprobs: [] }),
      ev('response.content_part.done', { ...base, part: { type: 'output_text', text, annotations: [] } }),
      ev('response.output_item.done', { output_index: 0, item: doneItem }),
      ev('response.completed', { response: done }),
    ];
  }
  const head = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: modelOf(rec) };
  const chunk = (delta: Record<string, unknown>, finish: string | null): { data: unknown } => ({
    data: { ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] },
  });
  const events: Array<{ data: unknown }> = [chunk({ role: 'assistant', content: '' }, null), chunk({ content: text }, null), chunk({}, 'stop')];
  const opts = isRecord(rec.body) ? rec.body['stream_options'] : undefined;
  if (isRecord(opts) && opts['include_usage'] === true) {
    events.push({ data: { ...head, choices: [], usage: chatUsage(usage) } });
  }
  events.push({ data: '[DONE]' });
  return events;
}

function modelsList(ids = ['codex-mini-latest', 'gpt-4o-mini'], ownedBy = 'fake'): Record<string, unknown> {
  const created = 1_700_000_000;
  return {
    object: 'list',
    data: ids.map((id) => ({ id, object: 'model', created, owned_by: ownedBy })),
  };
}

function errorBody(message: string, type: string): Record<string, unknown> {
  return { error: { message, type, param: null, code: null } };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
}

function sendText(res: http.ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  const payload = Buffer.from(text, 'utf8');
  res.writeHead(status, { ...headers, 'content-length': String(payload.length) });
  res.end(payload);
}

function sendSse(res: http.ServerResponse, status: number, headers: Record<string, string>, events: Array<{ event?: string; data: unknown }>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  for (const e of events) {
    const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
    res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${data}\n\n`);
  }
  res.end();
}

/** Resolves after `ms`, or early if the response closes (the client gave up). */
function waitOrClose(ms: number, res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
  });
}

function extractSchemaName(endpoint: Endpoint, body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const name =
    endpoint === 'chat' ? dig(body, ['response_format', 'json_schema', 'name']) : endpoint === 'responses' ? dig(body, ['text', 'format', 'name']) : undefined;
  return typeof name === 'string' ? name : undefined;
}

function extractPrompt(endpoint: Endpoint, body: unknown): string {
  if (!isRecord(body)) return '';
  const parts: string[] = [];
  if (endpoint === 'chat') {
    const messages = body['messages'];
    if (Array.isArray(messages)) for (const m of messages) if (isRecord(m)) pushContent(parts, m['content']);
  } else if (endpoint === 'responses') {
    if (typeof body['instructions'] === 'string') parts.push(body['instructions']);
    const input = body['input'];
    if (typeof input === 'string') parts.push(input);
    else if (Array.isArray(input)) for (const item of input) if (isRecord(item)) pushContent(parts, item['content']);
  }
  return parts.join('\n');
}

/** Content is either a string or an array of parts carrying `text` (text, input_text, output_text). */
function pushContent(parts: string[], content: unknown): void {
  if (typeof content === 'string') {
    parts.push(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (isRecord(part) && typeof part['text'] === 'string') parts.push(part['text']);
  }
}

function dig(value: unknown, keys: string[]): unknown {
  let cur = value;
  for (const key of keys) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
