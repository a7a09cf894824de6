import type { HeaderBag } from './retry';
import { messageOf } from '../util/text';

/** Everything we need to know about a failed model call, whatever threw it. */
export interface Failure {
  status?: number;
  message: string;
  code?: string;
  param?: string;
  type?: string;
  headers?: HeaderBag;
  /** The request never got an HTTP answer (refused, reset, DNS, TLS). */
  network: boolean;
  /** Aborted by our signal (the caller or the deadline). */
  aborted: boolean;
  /** The error code of the network failure (ECONNREFUSED, ENOTFOUND, ...), when known. */
  networkCode?: string;
  /** An answer came, but the SDK could not read it (not JSON, not a completion). */
  garbage?: boolean;
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

function networkCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 6 && cur; depth++) {
    const r = rec(cur);
    const code = str(r?.code);
    if (code && /^E[A-Z_]+$|^UND_ERR/.test(code)) return code;
    cur = r?.cause;
  }
  return undefined;
}

/** Turns an error body we read ourselves (any provider's shape, or HTML) into a message. */
function messageFromBody(body: string | undefined): { message?: string; code?: string; param?: string; type?: string } {
  if (!body) return {};
  try {
    const j = rec(JSON.parse(body));
    const e = rec(j?.error);
    const detail = j?.detail;
    const message = str(e?.message) ?? str(j?.error) ?? str(j?.message) ?? str(detail) ?? (Array.isArray(detail) ? JSON.stringify(detail) : undefined);
    return { message, code: str(e?.code) ?? str(j?.code), param: str(e?.param) ?? str(j?.param), type: str(e?.type) ?? str(j?.type) };
  } catch {
    const text = body
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    return { message: text.slice(0, 300) || undefined };
  }
}

export function toFailure(err: unknown, errorBody?: string): Failure {
  const e = rec(err) ?? {};
  const name = (err instanceof Error ? err.constructor.name : undefined) ?? str(e.name) ?? '';
  const ename = str(e.name) ?? '';
  if (name === 'APIUserAbortError' || ename === 'AbortError' || name === 'AbortedError') {
    return { message: 'aborted', network: false, aborted: true };
  }
  if (name === 'APIConnectionTimeoutError') {
    return { message: 'request timed out', network: true, aborted: true };
  }
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status === undefined) {
    const code = networkCode(err);
    const base = messageOf(err);
    if (name === 'APIConnectionError' || code !== undefined) {
      return { message: code ? `${base} (${code})` : base, network: true, aborted: false, networkCode: code };
    }
    // A TypeError or SyntaxError from reading the body: the endpoint answered, but not in the format we speak.
    return { message: base, network: false, aborted: false, garbage: true };
  }
  const inner = e.error;
  const fromBody = messageFromBody(errorBody);
  const innerRec = rec(inner);
  let message = str(innerRec?.message) ?? str(inner) ?? fromBody.message;
  if (!message) message = err instanceof Error ? err.message.replace(/^\d{3}\s*/, '') : `HTTP ${status}`;
  return {
    status,
    message,
    code: str(e.code) ?? str(innerRec?.code) ?? fromBody.code,
    param: str(e.param) ?? str(innerRec?.param) ?? fromBody.param,
    type: str(e.type) ?? str(innerRec?.type) ?? fromBody.type,
    headers: e.headers as HeaderBag,
    network: false,
    aborted: false,
  };
}

const WRONG_ENDPOINT =
  /only supported in (the )?v1\/responses|not supported in (the )?v1\/chat\/completions|use the responses api|only available (via|in|on) (the )?responses|unsupported (endpoint|route|path)|invalid url|unknown (url|route|endpoint|path)|no route|not implemented/i;

export function isModelNotFound(f: Failure): boolean {
  if (f.code === 'model_not_found') return true;
  if (WRONG_ENDPOINT.test(f.message)) return false;
  return (
    /\bmodel\b[^\n]{0,120}?\b(does not exist|doesn't exist|not found|not exist|unknown|no such|not available|is not supported|isn't supported|invalid)\b/i.test(
      f.message,
    ) ||
    /\b(unknown|invalid|unsupported) model\b/i.test(f.message) ||
    /no available channel|无可用渠道|模型.{0,20}(不存在|不可用)/i.test(f.message)
  );
}

const RETIRED =
  /\bmodel\b[^\n]{0,120}?\b(has been|have been|was|were|is|is being|been)\s+(deprecated|retired|decommissioned|discontinued|shut down|sunset|removed)\b/i;

/**
 * The endpoint says the model itself is retired or deprecated, not a parameter ("the 'functions'
 * parameter for this model is deprecated"): the message names the model, or a parameter is not
 * what it is about.
 */
export function isModelRetired(f: Failure, model?: string): boolean {
  if (f.code === 'model_deprecated' || f.code === 'model_retired') return true;
  if (!RETIRED.test(f.message) || /\bparameter\b|\bparam\b|\bfield\b|\bargument\b/i.test(f.message)) return false;
  return model === undefined || f.message.toLowerCase().includes(model.toLowerCase().split('/').pop() as string);
}

/**
 * The model is gone for good at this endpoint (unknown, retired): worth trying a fallback model.
 * A gateway without a channel for it right now (new-api's 503) may recover, so it is not.
 */
export function isModelGone(f: Failure, model?: string): boolean {
  return (isModelNotFound(f) || isModelRetired(f, model)) && !isNoChannel(f) && !isQuota(f);
}

/**
 * The values a 400 names as supported for a parameter we sent, e.g. OpenAI's
 * `Unsupported value: 'minimal' is not supported with the 'gpt-5-codex' model. Supported values are: 'low', 'medium', and 'high'.`
 */
export function supportedValues(f: Failure, param: string): string[] | undefined {
  if (f.status !== 400 && f.status !== 422) return undefined;
  const names = [param, param.replace('.', '_')];
  const aboutIt = (f.param !== undefined && names.includes(f.param)) || names.some((n) => f.message.includes(n));
  if (!aboutIt) return undefined;
  const list = /supported values (?:are|is)\s*:?\s*([^\n]*)/i.exec(f.message)?.[1];
  if (!list) return undefined;
  const values = [...list.matchAll(/['"`]([\w-]+)['"`]/g)].map((m) => m[1] as string);
  return values.length > 0 ? values : undefined;
}

/** The endpoint itself is not there (a local server without /responses, or the other way round). */
export function isWrongEndpoint(f: Failure): boolean {
  if (f.status === undefined) return false;
  if (WRONG_ENDPOINT.test(f.message)) return true;
  return (f.status === 404 || f.status === 405 || f.status === 501) && !isModelNotFound(f) && !isModelRetired(f);
}

export function isSchemaUnsupported(f: Failure): boolean {
  if (f.status !== 400 && f.status !== 422 && f.status !== 501) return false;
  if (f.param === 'response_format' || f.param === 'text.format' || f.param === 'text') return true;
  return /response_format|json_schema|text\.format|structured output|grammar/i.test(f.message);
}

/** An exhausted balance: OpenAI's 429 insufficient_quota, and new-api/one-api gateways' 403 "user quota is not enough". */
export function isQuota(f: Failure): boolean {
  const codes = ['insufficient_quota', 'insufficient_user_quota', 'pre_consume_token_quota_failed', 'quota_exceeded'];
  return (
    (f.code !== undefined && codes.includes(f.code)) ||
    (f.type !== undefined && codes.includes(f.type)) ||
    /insufficient[_ ](user[_ ])?quota|quota (exceeded|is not enough)|exceeded your current quota|余额不足|额度不足/i.test(f.message)
  );
}

/** A gateway with no upstream for the model right now (new-api's 503 "no available channel"): may pass. */
export function isNoChannel(f: Failure): boolean {
  return /no available channel|无可用渠道/i.test(f.message) && f.status !== 404;
}

export function isAuth(f: Failure): boolean {
  return f.status === 401 || f.status === 403;
}

export function isRetryable(f: Failure): boolean {
  if (f.aborted) return false;
  if (f.network) return true;
  if (isModelNotFound(f) || isQuota(f)) return false;
  const s = f.status ?? 0;
  if (s === 429) return !isQuota(f);
  return s === 408 || s === 409 || s >= 500;
}

/**
 * The top-level body parameter a 400 complains about, when it names one we sent.
 * OpenAI says `Unsupported parameter: 'max_tokens' is not supported with this model.`
 * with `param`; other servers only name it in the message.
 */
export function unsupportedParam(f: Failure, sent: readonly string[]): string | undefined {
  if (f.status !== 400 && f.status !== 422) return undefined;
  if (f.param) {
    const top = f.param.split(/[.[]/)[0] ?? '';
    if (sent.includes(top)) return top;
  }
  if (!/unsupported|not supported|unrecognized|unknown|extra|not permitted|not allowed|does not support|invalid/i.test(f.message)) return undefined;
  for (const p of sent) {
    if (new RegExp(`(^|[^\\w])${p.replace('.', '\\.')}([^\\w]|$)`).test(f.message)) return p;
  }
  return undefined;
}
