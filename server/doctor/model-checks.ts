import { ModelError, ModelGateway, hostOf, isLoopback, type EndpointConfig, type ProblemKind } from '../model/gateway';
import { initialApi, type ApiKind } from '../model/request-body';
import type { UsageSink } from '../model/usage-ledger';
import type { Logger } from '../util/log';
import { clip } from '../util/text';
import { identify, RECIPES, type ServerInfo } from './local-servers';
import type { Check } from './report';

/** The smallest real request: a few output tokens (OpenAI's /responses takes no fewer than 16). */
const PING = { feature: 'doctor', instructions: 'Answer with the single word: ok', input: 'ok?', maxOutputTokens: 16, effort: 'low' } as const;
const SCHEMA_PING = {
  ...PING,
  instructions: 'Answer with {"ok": true}.',
  schema: {
    name: 'doctor',
    schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false },
    strict: true,
  },
} as const;

/** Same words as the gateway's fail(): a model the endpoint says is retired. */
const RETIRED = /\b(deprecated|retired|decommissioned|discontinued|shut down|sunset|removed)\b/i;

function path(api: ApiKind): string {
  return api === 'chat' ? '/chat/completions' : '/responses';
}

interface Probe {
  ok: boolean;
  ms: number;
  error?: ModelError;
  api?: ApiKind;
}

/**
 * The checks that talk to the endpoint, through the same gateway (and so the same failure
 * classification, API negotiation and structured-output fallbacks) the editor uses.
 */
export class EndpointProbe {
  private readonly problems: Array<{ kind: ProblemKind; message: string }> = [];
  private cfg: EndpointConfig;
  private readonly gateway: ModelGateway;

  constructor(
    private readonly base: EndpointConfig,
    log: Logger,
    usage: UsageSink,
  ) {
    // One model at a time: the doctor checks the configured model and each fallback by itself.
    this.cfg = { ...base, fallbackModels: [] };
    this.gateway = new ModelGateway(() => this.cfg, log, usage, { report: (kind, message) => this.problems.push({ kind, message }) });
  }

  private async ping(model: string, schema = false): Promise<Probe> {
    this.cfg = { ...this.base, model, fallbackModels: [] };
    // Each model is judged afresh: a model found missing must not pause the next one's check.
    this.gateway.configurationChanged();
    const t0 = Date.now();
    try {
      const answer = await this.gateway.complete(schema ? { ...SCHEMA_PING, schema: { ...SCHEMA_PING.schema } } : { ...PING });
      return { ok: true, ms: Date.now() - t0, api: answer.api };
    } catch (err) {
      const error = err instanceof ModelError ? err : new ModelError('bad-request', String(err));
      // A cut-off answer is still an answer: the model is there and talking.
      if (error.kind === 'cut-off') return { ok: true, ms: Date.now() - t0, api: this.gateway.learned(model).api };
      return { ok: false, ms: Date.now() - t0, error };
    }
  }

  async run(): Promise<Check[]> {
    const cfg = this.base;
    const host = hostOf(cfg.baseUrl);
    const server = await identify(cfg.baseUrl, cfg.apiKey);
    const who = server.kind ? `${server.kind} at ${host}` : host;
    const first = await this.ping(cfg.model);
    const checks: Check[] = [];

    // 1. Reachable at all, with this key.
    const endpoint = this.endpointCheck(first, who, server);
    checks.push(endpoint);
    if (endpoint.status === 'fail') {
      checks.push({ id: 'model', status: 'skip', text: `model "${cfg.model}": not checked (the endpoint did not answer)` });
      checks.push({ id: 'fallbacks', status: 'skip', text: 'fallback models: not checked (the endpoint did not answer)' });
      return checks;
    }

    // 2. The model, its API, and json_schema.
    let modelCheck: Check;
    if (first.ok) {
      const api = first.api ?? this.gateway.learned(cfg.model).api ?? initialApi(cfg.model);
      const noResponses = cfg.api === 'auto' && api === 'chat' && initialApi(cfg.model) === 'responses';
      const structured = await this.ping(cfg.model, true);
      const mode = this.gateway.learned(cfg.model).structured;
      let json: string;
      let status: Check['status'] = 'ok';
      let fix: string | undefined;
      if (!structured.ok) {
        status = 'warn';
        json = `structured answers failed (${clip(structured.error?.message ?? '', 140)})`;
        fix = 'reviews and code actions need JSON answers: choose a larger or instruction-tuned model with "codex.model".';
      } else if (mode === 'json_schema' || mode === undefined) json = 'json_schema accepted';
      else if (mode === 'json_object') json = 'json_schema refused, JSON mode used instead';
      else json = 'json_schema and JSON mode refused, the schema is described in the prompt instead';
      const text = `model "${cfg.model}" is served, on ${path(api)}${noResponses ? ` (${server.kind ?? 'this server'} has no /responses)` : ''}; ${json}`;
      if (noResponses && !fix) fix = `set "codex.api": "chat" to skip the /responses attempt at each start.`;
      modelCheck = { id: 'model', status, text, ms: first.ms + structured.ms };
      if (fix) modelCheck.fix = fix;
    } else {
      modelCheck = this.modelFailure(first.error as ModelError, server);
    }

    // 3. Fallbacks, each by itself.
    const fallbacks = cfg.fallbackModels.filter((m) => m !== cfg.model);
    const served: string[] = [];
    const missing: string[] = [];
    for (const m of fallbacks) {
      const p = await this.ping(m);
      if (p.ok) served.push(m);
      else missing.push(`"${m}" (${clip(p.error?.message ?? '', 100)})`);
    }
    if (!first.ok && modelCheck.status === 'fail' && served.length > 0) {
      // The configured model is gone, but a fallback answers in its place: working, worth fixing.
      modelCheck.status = 'warn';
      modelCheck.text += `; "${served[0]}" from "codex.fallbackModels" answers instead`;
      modelCheck.fix = `set "codex.model" (or CODEX_LSP_MODEL) to "${served[0]}".`;
    }
    checks.push(modelCheck);
    if (fallbacks.length === 0) {
      checks.push({ id: 'fallbacks', status: 'ok', text: 'fallback models: none configured ("codex.fallbackModels")' });
    } else if (missing.length === 0) {
      checks.push({ id: 'fallbacks', status: 'ok', text: `fallback models served: ${served.map((m) => `"${m}"`).join(', ')}` });
    } else {
      checks.push({
        id: 'fallbacks',
        status: 'warn',
        text: `fallback models not served by ${host}: ${missing.join(', ')}${served.length ? `; served: ${served.map((m) => `"${m}"`).join(', ')}` : ''}`,
        fix: `list in "codex.fallbackModels" only models ${host} serves${server.models.length ? ` (it lists: ${server.models.slice(0, 6).join(', ')})` : ''}.`,
      });
    }
    return checks;
  }

  private endpointCheck(p: Probe, who: string, server: ServerInfo): Check {
    const cfg = this.base;
    if (p.ok || !p.error) return { id: 'endpoint', status: 'ok', text: `endpoint reachable: ${who} answered`, ms: p.ms };
    const e = p.error;
    const local = isLoopback(cfg.baseUrl);
    const recipe = server.kind ? RECIPES[server.kind] : undefined;
    const fail = (text: string, fix: string): Check => ({ id: 'endpoint', status: 'fail', text, fix, ms: p.ms });
    switch (e.kind) {
      case 'auth':
        return fail(
          `${who} rejected the API key from ${cfg.keySource ?? 'the settings'} (HTTP ${e.status ?? '?'})`,
          cfg.baseUrl.includes('cometapi.com')
            ? 'check the key: create one at https://api.cometapi.com/console/token and put it in COMETAPI_KEY.'
            : `check the key, or "codex.baseUrl" (${cfg.baseUrl}) if the key is for another provider.`,
        );
      case 'unreachable':
        return fail(
          `cannot reach ${cfg.baseUrl}: ${clip(e.message.replace(/^cannot reach \S+: /, ''), 120)}`,
          local
            ? `start the local server${server.kind ? ` (${server.kind})` : ''}, or fix the port in "codex.baseUrl" / CODEX_LSP_BASE_URL.`
            : 'check the host name in "codex.baseUrl" / CODEX_LSP_BASE_URL (for CometAPI: https://api.cometapi.com/v1), the network, or a proxy.',
        );
      case 'timeout':
        return fail(`no answer from ${who} within ${cfg.timeoutMs} ms`, 'check the network or proxy; a slow local model may need a larger "codex.timeoutMs".');
      case 'endpoint':
        if (/HTML page|could not be read as JSON|not an OpenAI-compatible API/.test(e.message)) {
          return fail(
            `${clip(e.message, 200)}`,
            `set "codex.baseUrl" to the API root, which answers JSON: for CometAPI https://api.cometapi.com/v1; most providers' ends in /v1.`,
          );
        }
        if (cfg.api === 'responses' && local) {
          return fail(
            `${server.kind ?? 'this local server'} has no /responses endpoint (${clip(e.message, 120)})`,
            `set "codex.api": "chat"${recipe ? ` (${server.kind} serves /chat/completions at ${recipe.baseUrl})` : ''}.`,
          );
        }
        return fail(`${clip(e.message, 200)}`, `check "codex.baseUrl" (most providers' ends in /v1)${cfg.api === 'auto' ? '' : ' and "codex.api"'}.`);
      case 'quota':
        return fail(`${who}: ${clip(e.message, 160)}`, 'add credit to the account behind the key, or use another key.');
      case 'config':
      case 'no-key':
      case 'key-mismatch':
        return fail(clip(e.message, 200), this.problems.find((q) => q.kind === e.kind)?.message ?? 'see the checks above.');
      case 'model-not-found':
      case 'bad-answer':
      case 'bad-request':
      case 'cut-off':
        // It answered: reachable. What it said belongs to the model's line.
        return { id: 'endpoint', status: 'ok', text: `endpoint reachable: ${who} answered`, ms: p.ms };
      default:
        return {
          id: 'endpoint',
          status: 'warn',
          text: `${who}: ${clip(e.message, 200)}`,
          fix: 'this may pass; run codex-lsp doctor again in a minute.',
          ms: p.ms,
        };
    }
  }

  private modelFailure(e: ModelError, server: ServerInfo): Check {
    const cfg = this.base;
    // A gateway may list hundreds: those that share the model's first word come first.
    const stem = (cfg.model.toLowerCase().split('/').pop() ?? '').split(/[-:_.]/)[0] ?? '';
    const related = stem.length >= 3 ? server.models.filter((m) => m.toLowerCase().includes(stem)) : [];
    const shown = related.length > 0 ? related : server.models;
    const listed = shown.length ? ` (${hostOf(cfg.baseUrl)} lists: ${shown.slice(0, 6).join(', ')}${shown.length > 6 ? ', ...' : ''})` : '';
    const retired = RETIRED.test(e.message);
    if (e.kind === 'model-not-found' || retired) {
      const pull = server.kind && RECIPES[server.kind].pull ? `, or fetch it: ${RECIPES[server.kind].pull?.replace('<model>', cfg.model)}` : '';
      return {
        id: 'model',
        status: 'fail',
        text: `model "${cfg.model}" is ${retired ? 'retired' : 'not served'} at ${hostOf(cfg.baseUrl)}: ${clip(e.message.replace(/^.*?: /, ''), 160)}`,
        fix: `set "codex.model" (or CODEX_LSP_MODEL) to a model the endpoint serves${listed}${retired && cfg.model === 'codex-mini' ? ', such as "gpt-5-codex-mini"' : ''}${pull}.`,
      };
    }
    return {
      id: 'model',
      status: 'fail',
      text: `model "${cfg.model}": ${clip(e.message, 200)}`,
      fix: `check "codex.model"${listed} and "codex.api".`,
    };
  }
}
