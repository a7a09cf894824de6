/**
 * The HTTP side of the gateway: one OpenAI SDK client per endpoint and key, and one call
 * through it. The SDK does transport, auth and error statuses; our fetch wrapper counts the
 * bytes sent and keeps the error body the SDK would drop.
 */
import type OpenAI from 'openai';
import type { Logger } from '../util/log';
import type { EndpointConfig } from './gateway-types';
import type { ApiKind } from './request-body';

/** What our fetch wrapper learns about one call: the bytes sent, the error body of a failed answer. */
export interface CallContext {
  errorBody?: string;
  bytesSent: number;
}

/**
 * Rides along in the request's fetch options to our fetch wrapper (the SDK spreads them into
 * the RequestInit); an AsyncLocalStorage would do the same but taxes every promise in the process.
 */
const CALL = Symbol('codex-lsp call context');
type InitWithCall = RequestInit & { [CALL]?: CallContext };
type SdkFetchOptions = NonNullable<NonNullable<Parameters<OpenAI['chat']['completions']['create']>[1]>['fetchOptions']>;

/** Placeholder the SDK is given when there is no key; the fetch wrapper removes its header. */
const NO_KEY = 'codex-lsp-no-key';

export class SdkTransport {
  private client: OpenAI | undefined;
  private clientSignature = '';

  constructor(private readonly log: Logger) {}

  private async getClient(cfg: EndpointConfig): Promise<OpenAI> {
    const signature = `${cfg.baseUrl}\u0000${cfg.apiKey ?? ''}\u0000${this.log.enabled('debug')}`;
    if (this.client && this.clientSignature === signature) return this.client;
    // Loaded on first use: start-up stays fast, and the constructor throws without a key.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { OpenAI: OpenAIClass } = require('openai') as typeof import('openai');
    const sdkLog =
      (level: 'error' | 'warn' | 'info' | 'debug') =>
      (message: string, ...rest: unknown[]) => {
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

  /**
   * One HTTP call through the SDK (transport, auth, error statuses). The body of a 2xx is read
   * here, raw: the SDK would join every message into `output_text` and trip over an HTML page.
   */
  async send(
    cfg: EndpointConfig,
    api: ApiKind,
    body: Record<string, unknown>,
    signal: AbortSignal,
    deadline: number,
    ctx: CallContext,
  ): Promise<{ body: unknown; contentType: string }> {
    const client = await this.getClient(cfg);
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
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
