/**
 * What a refused or failed call means, as data: the ModelError callers get, the problem to
 * tell the user (once, see ProblemReporter), and whether calls must stop until the
 * configuration changes (`pause`) or for a minute (`cool-down`). Pure; the gateway applies it.
 */
import { KEY_VARIABLES } from '../config/env';
import { DEFAULT_BASE_URL } from '../config/settings';
import { isAuth, isModelNotFound, isModelRetired, isNoChannel, isQuota, isWrongEndpoint, type Failure } from './failure';
import { apiPath, hostOf, isLoopback, ModelError, type EndpointConfig, type ProblemKind } from './gateway-types';
import type { ApiKind } from './request-body';
import { clip } from '../util/text';

export interface Verdict {
  error: ModelError;
  problem?: { kind: ProblemKind; message: string };
  hold?: 'pause' | 'cool-down';
}

/** Why no call may leave now, before any network: a blocking setting, no key, a key that must not go there. */
export function preflightVerdict(cfg: EndpointConfig, noKeyWording: string | undefined): Verdict | undefined {
  if (cfg.blocking) {
    return {
      error: new ModelError('config', cfg.blocking),
      problem: {
        kind: 'config',
        message: `codex-lsp: ${cfg.blocking}. AI features are off until it is fixed: a mistyped endpoint must not send your code to the default one.`,
      },
    };
  }
  // A server on this machine (Ollama, llama.cpp, vLLM, LM Studio) needs no key.
  if (!cfg.apiKey && !isLoopback(cfg.baseUrl)) {
    const message =
      noKeyWording ??
      `codex-lsp has no API key, so AI features are off. Set ${KEY_VARIABLES.slice(0, 2).join(' or ')} ` +
        `(also read: ${KEY_VARIABLES.slice(2).join(', ')}) in the environment the editor starts the server from, ` +
        `or the "codex.apiKey" setting, then restart the server or change the settings.`;
    return { error: new ModelError('no-key', 'no API key configured'), problem: { kind: 'no-key', message } };
  }
  if (
    cfg.apiKey &&
    cfg.keySource === 'OPENAI_API_KEY' &&
    // Project, service and admin keys, and legacy user keys (which embed base64 "OpenAI": T3BlbkFJ).
    (/^sk-(proj|svcacct|admin)-/.test(cfg.apiKey) || cfg.apiKey.includes('T3BlbkFJ')) &&
    hostOf(cfg.baseUrl).endsWith('cometapi.com')
  ) {
    // An OpenAI-issued key must not be handed to a third party by a default setting.
    const message =
      `codex-lsp found an OpenAI key in OPENAI_API_KEY, but the endpoint is CometAPI (${cfg.baseUrl}); the key was not sent. ` +
      `For OpenAI set CODEX_LSP_BASE_URL=https://api.openai.com/v1 (or OPENAI_BASE_URL); for CometAPI put its key in COMETAPI_KEY.`;
    return { error: new ModelError('key-mismatch', 'OpenAI key withheld from a non-OpenAI endpoint'), problem: { kind: 'key-mismatch', message } };
  }
  return undefined;
}

/** One clear message for an endpoint that is not an OpenAI-compatible API at all. */
export function notApiVerdict(cfg: EndpointConfig, api: ApiKind, what: string): Verdict {
  const at = `${cfg.baseUrl}${apiPath(api)}`;
  return {
    error: new ModelError('endpoint', `${at} answered with ${what}, not an OpenAI-compatible API answer`),
    problem: {
      kind: 'endpoint',
      message:
        `codex-lsp: ${at} answered with ${what}, not an OpenAI-compatible API answer. ` +
        `Is "codex.baseUrl" the API root, such as ${DEFAULT_BASE_URL} or http://127.0.0.1:8080/v1?`,
    },
  };
}

/**
 * The final failure of a call, after every retry and fallback: its kind, where the user must
 * act, and whether retrying can help. `detail` is the scrubbed message; `current` is false
 * for a call that started before the configuration changed, which says nothing about the new one.
 */
export function failureVerdict(f: Failure, cfg: EndpointConfig, model: string, api: ApiKind, detail: string, current: boolean): Verdict {
  const host = hostOf(cfg.baseUrl);
  if (!current) return { error: new ModelError(isAuth(f) ? 'auth' : 'bad-request', `${host} (previous configuration): ${detail}`, f.status) };
  if (isQuota(f)) {
    return {
      error: new ModelError('quota', `${host}: quota exhausted: ${detail}`, f.status),
      hold: 'cool-down',
      problem: {
        kind: 'quota',
        message:
          `codex-lsp: the account behind the API key has no quota left at ${host} (${detail}). Add credit or use another key; ` +
          `AI features try again every minute.`,
      },
    };
  }
  if (isNoChannel(f)) {
    return {
      error: new ModelError('model-not-found', `${host} has no upstream for the model "${model}" right now: ${detail}`, f.status),
      hold: 'cool-down',
      problem: {
        kind: 'model-not-found',
        message:
          `codex-lsp: ${host} has no channel serving the model "${model}" (${detail}). If the model name is wrong, set "codex.model" ` +
          `or CODEX_LSP_MODEL to a model your endpoint serves; otherwise the provider may be down for it: AI features try again every minute.`,
      },
    };
  }
  if (isAuth(f)) {
    return {
      error: new ModelError('auth', `${host} rejected the API key (${f.status}): ${detail}`, f.status),
      hold: 'pause',
      problem: {
        kind: 'auth',
        message:
          `codex-lsp: ${host} rejected the API key from ${cfg.keySource ?? 'the settings'} (HTTP ${f.status}: ${detail}). ` +
          `AI features are paused until the configuration changes: check the key, or "codex.baseUrl" if the key is for another provider.`,
      },
    };
  }
  if (isModelNotFound(f) || isModelRetired(f)) {
    return {
      error: new ModelError('model-not-found', `${host} does not serve the model "${model}"${isModelRetired(f) ? ' (retired)' : ''}: ${detail}`, f.status),
      hold: 'pause',
      problem: {
        kind: 'model-not-found',
        message:
          `codex-lsp: ${host} does not know the model "${model}" (${detail}). ` +
          `Pick a model your endpoint serves with the "codex.model" setting or CODEX_LSP_MODEL, and fallbacks with "codex.fallbackModels" ` +
          `(OpenAI retired codex-mini-latest on 2026-02-12 and names gpt-5-codex-mini as its replacement).`,
      },
    };
  }
  if (f.status === 429) {
    return {
      error: new ModelError('rate-limit', `${host} rate limit: ${detail}`, 429),
      problem: {
        kind: 'rate-limit',
        message:
          `codex-lsp: ${host} is rate-limiting requests (HTTP 429) even after retries. Requests resume on their own; ` +
          `lower "codex.maxConcurrency" if this keeps happening.`,
      },
    };
  }
  if (f.garbage) return notApiVerdict(cfg, api, 'a body that could not be read as JSON');
  if (f.network) {
    return {
      error: new ModelError('unreachable', `cannot reach ${cfg.baseUrl}: ${detail}`),
      problem: {
        kind: 'unreachable',
        message: `codex-lsp: cannot reach ${cfg.baseUrl} (${clip(f.networkCode ?? f.message, 80)}). Check the network, a proxy, or the "codex.baseUrl" setting.`,
      },
    };
  }
  if (isWrongEndpoint(f)) {
    return {
      error: new ModelError('endpoint', `${cfg.baseUrl}${apiPath(api)}: HTTP ${f.status}: ${detail}`, f.status),
      problem: {
        kind: 'endpoint',
        message:
          `codex-lsp: ${cfg.baseUrl} has no ${cfg.api === 'auto' ? '/chat/completions or /responses' : apiPath(api)} endpoint (HTTP ${f.status}). ` +
          `Check "codex.baseUrl" (most providers' URL ends in /v1)${cfg.api === 'auto' ? '' : ' and "codex.api"'}.`,
      },
    };
  }
  if ((f.status ?? 0) >= 500 || f.status === 408 || f.status === 409) {
    return { error: new ModelError('server', `${host} failed (HTTP ${f.status}): ${detail}`, f.status) };
  }
  return { error: new ModelError('bad-request', `${host} refused the request (HTTP ${f.status ?? '?'}): ${detail}`, f.status) };
}
