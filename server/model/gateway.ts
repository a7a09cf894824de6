import type OpenAI from 'openai';
import { LRUCache } from 'lru-cache';
import { KEY_VARIABLES } from '../config/env';
import { DEFAULT_BASE_URL, type ApiMode } from '../config/settings';
import type { Logger } from '../util/log';
import { parseAnswer, shapeProblem } from './answer';
import {
  isAuth,
  isModelGone,
  isModelNotFound,
  isModelRetired,
  isNoChannel,
  isQuota,
  isRetryable,
  isSchemaUnsupported,
  isWrongEndpoint,
  supportedValues,
  toFailure,
  unsupportedParam,
  type Failure,
} from './failure';
import { extractJson } from './json-extract';
import type { ModelChoices } from './model-choice';
import {
  buildBody,
  initialApi,
  newParamState,
  NEXT_STRUCTURED,
  optionalKeys,
  type ApiKind,
  type ParamState,
  type PromptParts,
  type StructuredMode,
} from './request-body';
import { backoffMs, retryAfterMs, sleep } from './retry';
import { clip } from '../util/text';
import type { TokenUsage } from './usage';
import type { UsageSink } from './usage-ledger';

export type ModelErrorKind =
  | 'budget'
  | 'config'
  | 'no-key'
  | 'key-mismatch'
  | 'auth'
  | 'model-not-found'
  | 'quota'
  | 'rate-limit'
  | 'unreachable'
  | 'endpoint'
  | 'timeout'
  | 'cancelled'
  | 'bad-request'
  | 'server'
  | 'bad-answer'
  | 'cut-off';

export class ModelError extends Error {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly status?: number,
    /** For 'cut-off': the text that came before the cut (never to be shown as whole). */
    readonly partial?: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

/** Problems the user must act on; each is shown once until the configuration changes. */
export type ProblemKind =
  | 'project'
  | 'budget'
  | 'config'
  | 'no-key'
  | 'key-mismatch'
  | 'auth'
  | 'model-not-found'
  | 'model-fallback'
  | 'quota'
  | 'rate-limit'
  | 'unreachable'
  | 'endpoint';

export interface ProblemReporter {
  report(kind: ProblemKind, message: string): void;
}

export interface EndpointConfig {
  apiKey: string | undefined;
  keySource: string | undefined;
  baseUrl: string;
  model: string;
  api: ApiMode;
  timeoutMs: number;
  /** Tried in order when the endpoint says the model is missing or retired. */
  fallbackModels: readonly string[];
  /** A configuration error that stops every call (see ConfigSnapshot.blocking). */
  blocking?: string;
}

export interface ModelRequest extends PromptParts {
  feature: string;
  signal?: AbortSignal;
  /** The document the request is about (its uri), for "show the last request for this file". */
  source?: string;
}

/** A request as it leaves the machine: where to, and the exact body. */
export interface OutgoingRequest {
  url: string;
  api: ApiKind;
  model: string;
  feature: string;
  body: Record<string, unknown>;
  bytes: number;
}

export interface SentRequest extends OutgoingRequest {
  at: Date;
  source: string | undefined;
  /** The HTTP status, or the failure, of this attempt. */
  outcome: string;
}

export interface ModelAnswer {
  text: string;
  /** Present for schema requests: the JSON value found in the answer. */
  json?: unknown;
  usage: TokenUsage;
  api: ApiKind;
  model: string;
}

/** The error body of the failed HTTP answer, captured by our fetch wrapper for this call. */
interface CallContext {
  errorBody?: string;
  bytesSent: number;
}

/** Thrown inside the gateway when a model is gone and a fallback may answer instead. */
class ModelGone extends Error {
  constructor(readonly error: ModelError) {
    super(error.message);
  }
}

/**
 * Rides along in the request's fetch options to our fetch wrapper (the SDK spreads them into
 * the RequestInit); an AsyncLocalStorage would do the same but taxes every promise in the process.
 */
const CALL = Symbol('codex-lsp call context');
type InitWithCall = RequestInit & { [CALL]?: CallContext };
type SdkFetchOptions = NonNullable<NonNullable<Parameters<OpenAI['chat']['completions']['create']>[1]>['fetchOptions']>;

const MAX_RETRIES = 3;
/** Placeholder the SDK is given when there is no key; the fetch wrapper removes its header. */
const NO_KEY = 'codex-lsp-no-key';
const QUOTA_COOL_DOWN_MS = 60_000;

/**
 * The one door to the model. Picks the endpoint, negotiates parameters and structured
 * output, retries what is worth retrying inside the deadline, records usage, and turns
 * every failure into a ModelError whose kind callers can act on.
 */
export class ModelGateway {
  private client: OpenAI | undefined;
  private clientSignature = '';
  /** Learned per base URL + model: which API answers, which parameters are refused, whether json_schema works. */
  private readonly learnedApi = new Map<string, ApiKind>();
  private readonly paramStates = new Map<string, ParamState>();
  /** The last request sent per document (and the last of all, under ''): `codex.showLastRequest`. */
  private readonly sent = new LRUCache<string, SentRequest>({ max: 200 });
  private paused: ModelError | undefined;
  /** Bumped on every configuration change; a failure from an older configuration must not pause the new one. */
  private epoch = 0;
  private coolDownUntil = 0;
  private coolDownError: ModelError | undefined;

  constructor(
    private readonly config: () => EndpointConfig,
    private readonly log: Logger,
    private readonly usage: UsageSink,
    private readonly problems: ProblemReporter,
    private readonly wording: { noKey?: string } = {},
    /** Fallback models chosen because the configured one is gone; remembered a day on disk. */
    private readonly choices?: ModelChoices,
  ) {}

  /** The last request sent for a document, or the last of all without one. */
  lastSent(source?: string): SentRequest | undefined {
    return this.sent.get(source ?? '');
  }

  /**
   * The request a call would send now, without sending it: the endpoint, model, API and
   * parameters learned so far, the exact body. `codex-lsp review --show-prompts` shows it.
   */
  preview(req: ModelRequest): OutgoingRequest {
    const cfg = this.config();
    const model = this.currentModel(cfg);
    const api: ApiKind = cfg.api === 'auto' ? (this.learnedApi.get(`${cfg.baseUrl}\u0000${model}`) ?? initialApi(model)) : cfg.api;
    const body = buildBody(api, model, { ...req, cacheKey: req.cacheKey ?? `codex-lsp-${req.feature}` }, this.state(`${cfg.baseUrl}\u0000${model}\u0000${api}`));
    return { url: `${cfg.baseUrl}${path(api)}`, api, model, feature: req.feature, body, bytes: Buffer.byteLength(JSON.stringify(body)) };
  }

  private record(req: ModelRequest, cfg: EndpointConfig, api: ApiKind, model: string, body: Record<string, unknown>, bytes: number, outcome: string): void {
    const entry: SentRequest = { url: `${cfg.baseUrl}${path(api)}`, api, model, feature: req.feature, body, bytes, at: new Date(), source: req.source, outcome };
    this.sent.set('', entry);
    if (req.source) this.sent.set(req.source, entry);
  }

  /** The model calls go to now: the configured one, or the fallback that replaced it. */
  currentModel(cfg: EndpointConfig = this.config()): string {
    const chosen = this.choices?.get(cfg.baseUrl, cfg.model);
    // A choice no longer in the chain (the settings changed) is not used.
    return chosen !== undefined && cfg.fallbackModels.includes(chosen) ? chosen : cfg.model;
  }

  /** What was learned about a model at the configured endpoint: the API that answered, the structured-output mode in use. */
  learned(model: string, cfg: EndpointConfig = this.config()): { api: ApiKind | undefined; structured: StructuredMode | undefined } {
    const key = `${cfg.baseUrl}\u0000${model}`;
    const api = cfg.api === 'auto' ? this.learnedApi.get(key) : cfg.api;
    return { api, structured: api ? this.paramStates.get(`${key}\u0000${api}`)?.structured : undefined };
  }

  /** Called on every configuration change: a rejected key or unknown model is tried again. */
  configurationChanged(): void {
    this.epoch++;
    this.paused = undefined;
    this.coolDownUntil = 0;
    this.coolDownError = undefined;
  }

  /** Whether a call would be refused right now without touching the network. */
  blockedReason(): ModelError | undefined {
    return this.preflight(this.config());
  }

  async complete(req: ModelRequest): Promise<ModelAnswer> {
    const cfg = this.config();
    const blocked = this.preflight(cfg);
    if (blocked) throw blocked;
    if (req.signal?.aborted) throw new ModelError('cancelled', 'cancelled');

    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), cfg.timeoutMs);
    // Not AbortSignal.any: on Node 20 a composite signal with a listener (the SDK adds one) is
    // kept alive for good, one per call. A plain controller linked by hand is released.
    const onCallerAbort = (): void => deadline.abort();
    req.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const signal = deadline.signal;
    try {
      return await this.withFallbacks(req, cfg, signal, Date.now() + cfg.timeoutMs, this.epoch);
    } catch (err) {
      if (req.signal?.aborted) throw new ModelError('cancelled', 'cancelled');
      const timedOut = err instanceof ModelError ? err.kind === 'timeout' || (err.kind === 'cancelled' && deadline.signal.aborted) : deadline.signal.aborted;
      if (timedOut) throw new ModelError('timeout', `no answer from ${hostOf(cfg.baseUrl)} within ${cfg.timeoutMs} ms (timeoutMs)`);
      if (err instanceof ModelError) throw err;
      throw new ModelError('bad-request', `model call failed: ${this.log.scrub(String(err))}`);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  private preflight(cfg: EndpointConfig): ModelError | undefined {
    if (cfg.blocking) {
      this.problems.report(
        'config',
        `codex-lsp: ${cfg.blocking}. AI features are off until it is fixed: a mistyped endpoint must not send your code to the default one.`,
      );
      return new ModelError('config', cfg.blocking);
    }
    // A server on this machine (Ollama, llama.cpp, vLLM, LM Studio) needs no key.
    if (!cfg.apiKey && !isLoopback(cfg.baseUrl)) {
      const msg =
        this.wording.noKey ??
        `codex-lsp has no API key, so AI features are off. Set ${KEY_VARIABLES.slice(0, 2).join(' or ')} ` +
        `(also read: ${KEY_VARIABLES.slice(2).join(', ')}) in the environment the editor starts the server from, ` +
        `or the "codex.apiKey" setting, then restart the server or change the settings.`;
      this.problems.report('no-key', msg);
      return new ModelError('no-key', 'no API key configured');
    }
    if (
      cfg.apiKey &&
      cfg.keySource === 'OPENAI_API_KEY' &&
      // Project, service and admin keys, and legacy user keys (which embed base64 "OpenAI": T3BlbkFJ).
      (/^sk-(proj|svcacct|admin)-/.test(cfg.apiKey) || cfg.apiKey.includes('T3BlbkFJ')) &&
      hostOf(cfg.baseUrl).endsWith('cometapi.com')
    ) {
      // An OpenAI-issued key must not be handed to a third party by a default setting.
      const msg =
        `codex-lsp found an OpenAI key in OPENAI_API_KEY, but the endpoint is CometAPI (${cfg.baseUrl}); the key was not sent. ` +
        `For OpenAI set CODEX_LSP_BASE_URL=https://api.openai.com/v1 (or OPENAI_BASE_URL); for CometAPI put its key in COMETAPI_KEY.`;
      this.problems.report('key-mismatch', msg);
      return new ModelError('key-mismatch', 'OpenAI key withheld from a non-OpenAI endpoint');
    }
    if (this.paused) return this.paused;
    if (this.coolDownError && Date.now() < this.coolDownUntil) return this.coolDownError;
    return undefined;
  }

  private async getClient(cfg: EndpointConfig): Promise<OpenAI> {
    const signature = `${cfg.baseUrl}\u0000${cfg.apiKey ?? ''}\u0000${this.log.enabled('debug')}`;
    if (this.client && this.clientSignature === signature) return this.client;
    // Loaded on first use: start-up stays fast, and the constructor throws without a key.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { OpenAI: OpenAIClass } = require('openai') as typeof import('openai');
    const sdkLog = (level: 'error' | 'warn' | 'info' | 'debug') => (message: string, ...rest: unknown[]) => {
      const extra = rest.length ? ' ' + rest.map((r) => (typeof r === 'string' ? r : safeJson(r))).join(' ') : '';
      if (level === 'error') this.log.error(`openai: ${message}${extra}`);
      else if (level === 'warn') this.log.warn(`openai: ${message}${extra}`);
      else this.log.debug(() => `openai: ${message}${extra}`);
    };
    this.client = new OpenAIClass({
      // The SDK insists on a key; without one (a loopback server) no Authorization header is sent.
      apiKey: cfg.apiKey ?? NO_KEY,
      baseURL: cfg.baseUrl,
      // Retries are ours: they must honour retry-after inside one deadline.
      maxRetries: 0,
      timeout: cfg.timeoutMs,
      // Never forward OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment to another provider.
      organization: null,
      project: null,
      logger: { error: sdkLog('error'), warn: sdkLog('warn'), info: sdkLog('info'), debug: sdkLog('debug') },
      logLevel: this.log.enabled('debug') ? 'debug' : 'warn',
      fetch: this.fetchWithCapture,
    });
    this.clientSignature = signature;
    return this.client;
  }

  /** Plain fetch that also keeps the error body (the SDK drops bodies without an `error` key). */
  private readonly fetchWithCapture = async (url: string | URL | Request, init?: InitWithCall): Promise<Response> => {
    const ctx = init?.[CALL];
    if (ctx && typeof init?.body === 'string') ctx.bytesSent += Buffer.byteLength(init.body);
    const headers = new Headers(init?.headers);
    if (headers.get('authorization') === `Bearer ${NO_KEY}`) {
      headers.delete('authorization');
      init = { ...init, headers };
    }
    const res = await fetch(url, init);
    if (!res.ok && ctx) {
      try {
        ctx.errorBody = (await res.clone().text()).slice(0, 8000);
      } catch {
        // The SDK reads the body itself; ours is only for a better message.
      }
    }
    return res;
  };

  private state(key: string): ParamState {
    let s = this.paramStates.get(key);
    if (!s) {
      s = newParamState();
      this.paramStates.set(key, s);
    }
    return s;
  }

  /**
   * The configured model, else the next of `fallbackModels` once the endpoint says a model is
   * gone (unknown, retired). The choice is remembered per endpoint and told to the user once.
   */
  private async withFallbacks(req: ModelRequest, cfg: EndpointConfig, signal: AbortSignal, deadline: number, epoch: number): Promise<ModelAnswer> {
    const chain = [...new Set([cfg.model, ...cfg.fallbackModels])];
    let index = chain.indexOf(this.currentModel(cfg));
    let gone: { model: string; why: string } | undefined;
    for (;;) {
      const model = chain[index] as string;
      const next = chain[index + 1];
      try {
        const answer = await this.negotiate(req, cfg, model, signal, deadline, epoch, next !== undefined);
        if (gone) this.rememberFallback(cfg, gone, model, epoch);
        return answer;
      } catch (err) {
        // An answer, even an unusable one, shows the model is served: the switch stands.
        if (gone && err instanceof ModelError && (err.kind === 'cut-off' || err.kind === 'bad-answer')) this.rememberFallback(cfg, gone, model, epoch);
        if (!(err instanceof ModelGone) || next === undefined) throw err instanceof ModelGone ? err.error : err;
        this.log.warn(`${hostOf(cfg.baseUrl)} does not serve "${model}" (${clip(err.error.message, 160)}); trying "${next}" from "codex.fallbackModels"`);
        gone ??= { model, why: err.error.message };
        index++;
      }
    }
  }

  /** Remembered and told only once the fallback has answered: a chain of dead models is not announced as a switch. */
  private rememberFallback(cfg: EndpointConfig, gone: { model: string; why: string }, model: string, epoch: number): void {
    if (epoch !== this.epoch) return;
    this.choices?.set(cfg.baseUrl, cfg.model, model);
    this.problems.report(
      'model-fallback',
      `codex-lsp: ${hostOf(cfg.baseUrl)} no longer serves the model "${gone.model}" (${clip(this.log.scrub(gone.why), 120)}), so "${model}" answers instead, ` +
        `from the "codex.fallbackModels" setting. To choose another, set "codex.model" (or CODEX_LSP_MODEL) and "codex.fallbackModels".`,
    );
  }

  private async negotiate(
    req: ModelRequest,
    cfg: EndpointConfig,
    model: string,
    signal: AbortSignal,
    deadline: number,
    epoch: number,
    hasFallback: boolean,
  ): Promise<ModelAnswer> {
    const client = await this.getClient(cfg);
    const endpointKey = `${cfg.baseUrl}\u0000${model}`;
    let api: ApiKind = cfg.api === 'auto' ? (this.learnedApi.get(endpointKey) ?? initialApi(model)) : cfg.api;
    let switched = false;
    /** The model-not-found that made us try the other API: the truth, if that API turns out not to exist. */
    let missingModel: Failure | undefined;
    let retries = 0;
    let budgetScale = 1;
    const tried = new Set<string>();

    for (let round = 0; round < 16; round++) {
      const stateKey = `${endpointKey}\u0000${api}`;
      const state = this.state(stateKey);
      const structured = req.schema ? state.structured : undefined;
      const body = buildBody(api, model, { ...req, cacheKey: req.cacheKey ?? `codex-lsp-${req.feature}` }, state, budgetScale);
      const ctx: CallContext = { bytesSent: 0 };
      let raw: { body: unknown; contentType: string };
      try {
        raw = await this.send(client, api, body, signal, deadline, ctx);
        this.record(req, cfg, api, model, body, ctx.bytesSent, 'answered');
      } catch (err) {
        const f = toFailure(err, ctx.errorBody);
        if (ctx.bytesSent > 0) this.record(req, cfg, api, model, body, ctx.bytesSent, f.status !== undefined ? `HTTP ${f.status}` : clip(f.message, 80));
        if (f.aborted || signal.aborted) throw new ModelError(req.signal?.aborted ? 'cancelled' : 'timeout', 'aborted');
        this.log.debug(() => `model call (${req.feature}, ${model}, ${api}) failed: ${describe(f)}`);

        // A retired model is retired on both APIs: only an unknown one is worth the other API.
        if (cfg.api === 'auto' && !switched && (isWrongEndpoint(f) || (isModelNotFound(f) && !isModelRetired(f, model))) && !isAuth(f)) {
          this.log.info(`${hostOf(cfg.baseUrl)} answered ${describe(f)} on ${path(api)}; trying ${path(other(api))}`);
          if (isModelNotFound(f)) missingModel = f;
          api = other(api);
          switched = true;
          continue;
        }
        if (structured && structured !== 'prompt' && state.structured === structured && (isSchemaUnsupported(f) || ['response_format', 'text'].includes(unsupportedParam(f, optionalKeys(body)) ?? ''))) {
          state.structured = NEXT_STRUCTURED[structured] as typeof structured;
          this.log.info(`${model} on ${path(api)} refused ${structured === 'json_schema' ? 'a json_schema answer format; asking for JSON mode' : 'JSON mode; describing the schema in the prompt'} instead (remembered)`);
          continue;
        }
        const effort = this.supportedEffort(f, body);
        if (effort && !tried.has(`effort:${effort.from}`)) {
          tried.add(`effort:${effort.from}`);
          state.effort.set(effort.from, effort.to);
          this.log.info(`${model} on ${path(api)} does not take reasoning effort "${effort.from}"; using "${effort.to}", which it names as supported (remembered)`);
          continue;
        }
        const param = unsupportedParam(f, optionalKeys(body));
        if (param && !tried.has(param)) {
          tried.add(param);
          state.dropped.add(param);
          this.log.info(`${model} on ${path(api)} refused the parameter "${param}"; retrying without it (remembered)`);
          continue;
        }
        if (isRetryable(f) && retries < MAX_RETRIES) {
          const wait = retryAfterMs(f.headers) ?? backoffMs(retries);
          if (Date.now() + wait < deadline - 50) {
            retries++;
            this.log.debug(() => `retry ${retries} in ${wait} ms after ${describe(f)}`);
            try {
              await sleep(wait, signal);
            } catch {
              throw new ModelError(req.signal?.aborted ? 'cancelled' : 'timeout', 'aborted');
            }
            continue;
          }
        }
        // A local server without /responses, asked there after "unknown model" on chat: the model is what is missing.
        const final = missingModel && isWrongEndpoint(f) ? missingModel : f;
        if (hasFallback && isModelGone(final, model)) throw new ModelGone(new ModelError('model-not-found', `${hostOf(cfg.baseUrl)} does not serve the model "${model}": ${clip(this.log.scrub(final.message), 200)}`, final.status));
        throw this.fail(final, cfg, model, final === f ? api : other(api), epoch === this.epoch);
      }

      const parsed = parseAnswer(api, raw.body, raw.contentType);
      // Paid for whatever it was: usage is recorded before the answer is judged.
      this.usage.recordCall(req.feature, model, parsed.usage);
      this.log.debug(
        () =>
          `model call (${req.feature}, ${model}, ${api}) answered: ${ctx.bytesSent} bytes sent, ` +
          `tokens in ${parsed.usage.input} (cached ${parsed.usage.cachedInput}) out ${parsed.usage.output}`,
      );
      if (parsed.notApi !== undefined) {
        if (cfg.api === 'auto' && !switched) {
          this.log.info(`${cfg.baseUrl}${path(api)} answered with ${parsed.notApi}; trying ${path(other(api))}`);
          api = other(api);
          switched = true;
          continue;
        }
        throw this.notAnApi(cfg, api, parsed.notApi);
      }
      if (cfg.api === 'auto' && this.learnedApi.get(endpointKey) !== api) {
        this.learnedApi.set(endpointKey, api);
        if (switched) this.log.info(`${model} at ${hostOf(cfg.baseUrl)} answers on ${path(api)}; using it from now on`);
      }
      if (parsed.cutOff !== undefined) {
        // Reasoning tokens count against the same limit as the answer: twice the room, once.
        if (budgetScale === 1 && Date.now() < deadline - 500) {
          budgetScale = 2;
          this.log.info(`${req.feature}: the answer was cut off by ${parsed.cutOff}; asking once more with twice the output budget`);
          continue;
        }
        throw new ModelError(
          'cut-off',
          `the model's answer was cut off by ${parsed.cutOff}${budgetScale > 1 ? ', even with twice the output budget' : ''}`,
          undefined,
          parsed.text,
        );
      }
      if (parsed.problem !== undefined) throw new ModelError('bad-answer', parsed.problem);
      const answer: ModelAnswer = { text: parsed.text, usage: parsed.usage, api, model };
      if (req.schema) {
        const json = extractJson(parsed.text);
        if (json === undefined) throw new ModelError('bad-answer', `the model's answer was not the JSON that was asked for: ${clip(parsed.text, 120)}`);
        const wrong = shapeProblem(json, req.schema);
        if (wrong !== undefined) throw new ModelError('bad-answer', `${wrong}: ${clip(parsed.text, 120)}`);
        answer.json = json;
      }
      return answer;
    }
    throw new ModelError('bad-request', `${hostOf(cfg.baseUrl)} kept refusing the request`);
  }

  /** A refused reasoning effort, and the supported value nearest to it that the endpoint named. */
  private supportedEffort(f: Failure, body: Record<string, unknown>): { from: string; to: string } | undefined {
    const sent = (body.reasoning as { effort?: unknown } | undefined)?.effort ?? body.reasoning_effort;
    if (typeof sent !== 'string') return undefined;
    const values = supportedValues(f, 'reasoning.effort');
    if (!values || values.includes(sent)) return undefined;
    const order = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];
    const at = order.indexOf(sent);
    const ranked = values.filter((v) => order.includes(v)).sort((a, b) => Math.abs(order.indexOf(a) - at) - Math.abs(order.indexOf(b) - at) || order.indexOf(b) - order.indexOf(a));
    const to = ranked[0] ?? values[0];
    return to === undefined ? undefined : { from: sent, to };
  }

  /** One clear message for an endpoint that is not an OpenAI-compatible API at all. */
  private notAnApi(cfg: EndpointConfig, api: ApiKind, what: string): ModelError {
    const message =
      `codex-lsp: ${cfg.baseUrl}${path(api)} answered with ${what}, not an OpenAI-compatible API answer. ` +
      `Is "codex.baseUrl" the API root, such as ${DEFAULT_BASE_URL} or http://127.0.0.1:8080/v1?`;
    this.problems.report('endpoint', message);
    return new ModelError('endpoint', `${cfg.baseUrl}${path(api)} answered with ${what}, not an OpenAI-compatible API answer`);
  }

  /**
   * One HTTP call through the SDK (transport, auth, error statuses). The body of a 2xx is read
   * here, raw: the SDK would join every message into `output_text` and trip over an HTML page.
   */
  private async send(
    client: OpenAI,
    api: ApiKind,
    body: Record<string, unknown>,
    signal: AbortSignal,
    deadline: number,
    ctx: CallContext,
  ): Promise<{ body: unknown; contentType: string }> {
    const fetchOptions = { [CALL]: ctx } as unknown as SdkFetchOptions;
    const options = { signal, timeout: Math.max(1, deadline - Date.now()), maxRetries: 0, fetchOptions };
    // The bodies are built dynamically from what the endpoint accepts, so the SDK's static
    // parameter types cannot describe them; the SDK still does the transport, auth and errors.
    const res =
      api === 'chat'
        ? await client.chat.completions.create(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, options).asResponse()
        : await client.responses.create(body as unknown as OpenAI.Responses.ResponseCreateParamsNonStreaming, options).asResponse();
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    try {
      return { body: JSON.parse(text) as unknown, contentType };
    } catch {
      return { body: text, contentType };
    }
  }

  /** Maps a final failure to its kind, tells the user where they must act, pauses where retrying cannot help. */
  private fail(f: Failure, cfg: EndpointConfig, model: string, api: ApiKind, current: boolean): ModelError {
    const host = hostOf(cfg.baseUrl);
    const detail = clip(this.log.scrub(f.message), 200);
    // A call that started before the configuration changed says nothing about the new configuration.
    if (!current) return new ModelError(isAuth(f) ? 'auth' : 'bad-request', `${host} (previous configuration): ${detail}`, f.status);
    if (isQuota(f)) {
      const err = new ModelError('quota', `${host}: quota exhausted: ${detail}`, f.status);
      this.coolDownError = err;
      this.coolDownUntil = Date.now() + QUOTA_COOL_DOWN_MS;
      this.problems.report(
        'quota',
        `codex-lsp: the account behind the API key has no quota left at ${host} (${detail}). Add credit or use another key; ` +
          `AI features try again every minute.`,
      );
      return err;
    }
    if (isNoChannel(f)) {
      const err = new ModelError('model-not-found', `${host} has no upstream for the model "${model}" right now: ${detail}`, f.status);
      this.coolDownError = err;
      this.coolDownUntil = Date.now() + QUOTA_COOL_DOWN_MS;
      this.problems.report(
        'model-not-found',
        `codex-lsp: ${host} has no channel serving the model "${model}" (${detail}). If the model name is wrong, set "codex.model" ` +
          `or CODEX_LSP_MODEL to a model your endpoint serves; otherwise the provider may be down for it: AI features try again every minute.`,
      );
      return err;
    }
    if (isAuth(f)) {
      const err = new ModelError('auth', `${host} rejected the API key (${f.status}): ${detail}`, f.status);
      this.paused = err;
      this.problems.report(
        'auth',
        `codex-lsp: ${host} rejected the API key from ${cfg.keySource ?? 'the settings'} (HTTP ${f.status}: ${detail}). ` +
          `AI features are paused until the configuration changes: check the key, or "codex.baseUrl" if the key is for another provider.`,
      );
      return err;
    }
    if (isModelNotFound(f) || isModelRetired(f)) {
      const err = new ModelError('model-not-found', `${host} does not serve the model "${model}"${isModelRetired(f) ? ' (retired)' : ''}: ${detail}`, f.status);
      this.paused = err;
      this.problems.report(
        'model-not-found',
        `codex-lsp: ${host} does not know the model "${model}" (${detail}). ` +
          `Pick a model your endpoint serves with the "codex.model" setting or CODEX_LSP_MODEL, and fallbacks with "codex.fallbackModels" ` +
          `(OpenAI retired codex-mini-latest on 2026-02-12 and names gpt-5-codex-mini as its replacement).`,
      );
      return err;
    }
    if (f.status === 429) {
      this.problems.report(
        'rate-limit',
        `codex-lsp: ${host} is rate-limiting requests (HTTP 429) even after retries. Requests resume on their own; ` +
          `lower "codex.maxConcurrency" if this keeps happening.`,
      );
      return new ModelError('rate-limit', `${host} rate limit: ${detail}`, 429);
    }
    if (f.garbage) {
      this.log.debug(() => `unreadable answer from ${cfg.baseUrl}${path(api)}: ${detail}`);
      return this.notAnApi(cfg, api, 'a body that could not be read as JSON');
    }
    if (f.network) {
      this.problems.report(
        'unreachable',
        `codex-lsp: cannot reach ${cfg.baseUrl} (${clip(f.networkCode ?? f.message, 80)}). Check the network, a proxy, or the "codex.baseUrl" setting.`,
      );
      return new ModelError('unreachable', `cannot reach ${cfg.baseUrl}: ${detail}`);
    }
    if (isWrongEndpoint(f)) {
      this.problems.report(
        'endpoint',
        `codex-lsp: ${cfg.baseUrl} has no ${cfg.api === 'auto' ? '/chat/completions or /responses' : path(api)} endpoint (HTTP ${f.status}). ` +
          `Check "codex.baseUrl" (most providers' URL ends in /v1)${cfg.api === 'auto' ? '' : ' and "codex.api"'}.`,
      );
      return new ModelError('endpoint', `${cfg.baseUrl}${path(api)}: HTTP ${f.status}: ${detail}`, f.status);
    }
    if ((f.status ?? 0) >= 500 || f.status === 408 || f.status === 409) {
      return new ModelError('server', `${host} failed (HTTP ${f.status}): ${detail}`, f.status);
    }
    return new ModelError('bad-request', `${host} refused the request (HTTP ${f.status ?? '?'}): ${detail}`, f.status);
  }
}

function other(api: ApiKind): ApiKind {
  return api === 'chat' ? 'responses' : 'chat';
}

function path(api: ApiKind): string {
  return api === 'chat' ? '/chat/completions' : '/responses';
}

/** A base URL on this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}


function describe(f: Failure): string {
  return f.status !== undefined ? `HTTP ${f.status} ${clip(f.message, 160)}` : clip(f.message, 160);
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
