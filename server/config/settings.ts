/**
 * Every setting, declared once: its key (as in the `codex` settings section), type,
 * default and a one-line description. Validation, the README table and the VS Code
 * extension's contributed settings all come from this list.
 */

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type ApiMode = 'auto' | 'chat' | 'responses';
export type DiagnosticsTrigger = 'save' | 'change';

export interface CustomAction {
  title: string;
  prompt: string;
  kind: string;
}

/** US dollars per million tokens. */
export interface Price {
  input: number;
  cachedInput: number;
  output: number;
}

/**
 * List prices, dollars per million tokens. codex-mini: $1.50 input ($0.375 cached), $6.00 output.
 * gpt-5-codex-mini (OpenAI's named replacement for codex-mini-latest, the default fallback):
 * $0.25 input ($0.025 cached), $2.00 output.
 */
export const DEFAULT_PRICES: Record<string, Price> = {
  'codex-mini': { input: 1.5, cachedInput: 0.375, output: 6 },
  'gpt-5-codex-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
};

export interface Settings {
  apiKey: string | undefined;
  baseUrl: string;
  model: string;
  fallbackModels: string[];
  api: ApiMode;
  timeoutMs: number;
  clientTimeoutMs: number;
  maxConcurrency: number;
  hover: { enabled: boolean; delayMs: number };
  diagnostics: { enabled: boolean; trigger: DiagnosticsTrigger; debounceMs: number };
  codeActions: { enabled: boolean; custom: CustomAction[] };
  ignore: string[];
  ignoreAnyCase: boolean;
  cache: { enabled: boolean; maxDiskMB: number };
  context: { workspace: boolean; maxBytes: number; maxFiles: number; maxFileKB: number };
  prices: Record<string, Price>;
  budget: { dailyUSD: number };
  logLevel: LogLevel;
}

export const DEFAULT_BASE_URL = 'https://api.cometapi.com/v1';
export const DEFAULT_MODEL = 'codex-mini';
/** OpenAI retired codex-mini-latest on 2026-02-12 and names gpt-5-codex-mini as its replacement. */
export const DEFAULT_FALLBACK_MODELS: readonly string[] = ['gpt-5-codex-mini'];

type Check = (value: unknown) => { ok: true; value: unknown } | { ok: false; expected: string };

export interface SettingSpec {
  key: string;
  type: 'string' | 'number' | 'boolean' | 'array' | 'object';
  default: unknown;
  description: string;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  /** Never echoed in logs or messages. */
  secret?: boolean;
  /**
   * A bad value must not fall back to a default: for the endpoint, falling back would send
   * the user's code (and key) somewhere they did not choose. Model calls stop instead.
   */
  critical?: boolean;
  check: Check;
}

function str(opts: { allowEmpty?: boolean; url?: boolean } = {}): Check {
  return (v) => {
    if (typeof v !== 'string') return { ok: false, expected: 'a string' };
    const t = v.trim();
    if (!opts.allowEmpty && t === '') return { ok: false, expected: 'a non-empty string' };
    if (opts.url) {
      try {
        const u = new URL(t);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, expected: 'an http(s) URL' };
      } catch {
        return { ok: false, expected: 'an http(s) URL' };
      }
      return { ok: true, value: t.replace(/\/+$/, '') };
    }
    return { ok: true, value: t };
  };
}

function int(min: number, max: number): Check {
  return (v) => {
    // Clients written in Lua or Emacs Lisp sometimes send numbers as strings.
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || !Number.isInteger(n) || n < min || n > max) {
      return { ok: false, expected: `a whole number from ${min} to ${max}` };
    }
    return { ok: true, value: n };
  };
}

function decimal(min: number, max: number): Check {
  return (v) => {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) return { ok: false, expected: `a number from ${min} to ${max}` };
    return { ok: true, value: n };
  };
}

const prices: Check = (v) => {
  const expected = 'an object of {"model": {"input": n, "cachedInput": n, "output": n}} in dollars per million tokens';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, expected };
  const out: Record<string, Price> = { ...DEFAULT_PRICES };
  for (const [model, p] of Object.entries(v as Record<string, unknown>)) {
    const r = p as Partial<Record<keyof Price, unknown>> | null;
    const ok = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
    if (!r || !ok(r.input) || !ok(r.output) || (r.cachedInput !== undefined && !ok(r.cachedInput))) return { ok: false, expected };
    out[model] = { input: r.input, output: r.output, cachedInput: ok(r.cachedInput) ? r.cachedInput : r.input };
  }
  return { ok: true, value: out };
};

const bool: Check = (v) => {
  if (typeof v === 'boolean') return { ok: true, value: v };
  if (v === 'true' || v === 'false') return { ok: true, value: v === 'true' };
  return { ok: false, expected: 'true or false' };
};

function oneOf(values: readonly string[]): Check {
  return (v) =>
    typeof v === 'string' && values.includes(v)
      ? { ok: true, value: v }
      : { ok: false, expected: values.map((x) => JSON.stringify(x)).join(' or ') };
}

const stringList: Check = (v) => {
  if (!Array.isArray(v)) return { ok: false, expected: 'a list of strings' };
  const out = v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
  if (out.length !== v.length) return { ok: false, expected: 'a list of non-empty strings' };
  return { ok: true, value: out };
};

const customActions: Check = (v) => {
  if (!Array.isArray(v)) return { ok: false, expected: 'a list of {"title", "prompt", "kind"?} objects' };
  const out: CustomAction[] = [];
  for (const item of v) {
    if (typeof item !== 'object' || item === null) return { ok: false, expected: 'a list of {"title", "prompt", "kind"?} objects' };
    const rec = item as Record<string, unknown>;
    const { title, prompt, kind } = rec;
    if (typeof title !== 'string' || title.trim() === '' || typeof prompt !== 'string' || prompt.trim() === '') {
      return { ok: false, expected: 'entries with a non-empty "title" and "prompt"' };
    }
    if (kind !== undefined && (typeof kind !== 'string' || !/^(quickfix|refactor|source)(\.[\w-]+)*$/.test(kind))) {
      return { ok: false, expected: 'a "kind" such as "refactor.rewrite", "quickfix" or "source"' };
    }
    out.push({ title: title.trim(), prompt: prompt.trim(), kind: typeof kind === 'string' ? kind : 'refactor.rewrite' });
  }
  return { ok: true, value: out };
};

function spec(s: Omit<SettingSpec, 'type'> & { type?: SettingSpec['type'] }): SettingSpec {
  const type = s.type ?? (typeof s.default === 'boolean' ? 'boolean' : typeof s.default === 'number' ? 'number' : 'string');
  return { ...s, type };
}

export const SETTINGS: readonly SettingSpec[] = [
  spec({ key: 'apiKey', default: undefined, type: 'string', secret: true, check: str(), description: 'API key for the endpoint. Prefer the environment (CODEX_LSP_API_KEY or COMETAPI_KEY) over settings files.' }),
  spec({ key: 'baseUrl', default: DEFAULT_BASE_URL, critical: true, check: str({ url: true }), description: 'OpenAI-compatible base URL (ends in /v1 for most providers).' }),
  spec({ key: 'model', default: DEFAULT_MODEL, check: str(), description: 'Model name as the endpoint knows it.' }),
  spec({ key: 'fallbackModels', default: DEFAULT_FALLBACK_MODELS, type: 'array', check: stringList, description: 'Models tried in order when the endpoint says the model is missing or retired; the choice is told once and remembered for a day. The default ["gpt-5-codex-mini"] applies only while "model" is the default codex-mini (otherwise []).' }),
  spec({ key: 'api', default: 'auto', enum: ['auto', 'chat', 'responses'], check: oneOf(['auto', 'chat', 'responses']), description: 'Which endpoint to call: /chat/completions, /responses, or auto (picked per model, learned from the endpoint).' }),
  spec({ key: 'timeoutMs', default: 30_000, minimum: 1000, maximum: 600_000, check: int(1000, 600_000), description: 'Time limit for one model request, retries included.' }),
  spec({ key: 'clientTimeoutMs', default: 0, minimum: 0, maximum: 3_600_000, check: int(0, 3_600_000), description: 'How long the editor waits for an AI hover or code action before it gives up on the request; they answer 1.5 s earlier with a message instead of being dropped. 0: the editor\'s known limit, from its name (Helix 20000, Emacs Eglot and lsp-mode 10000, none for others).' }),
  spec({ key: 'maxConcurrency', default: 4, minimum: 1, maximum: 64, check: int(1, 64), description: 'Model requests in flight at once.' }),
  spec({ key: 'hover.enabled', default: true, check: bool, description: 'AI hover explanations.' }),
  spec({ key: 'hover.delayMs', default: 150, minimum: 0, maximum: 5000, check: int(0, 5000), description: 'Grace delay before a hover calls the model; a hover the editor cancels within it costs nothing. Cached answers skip it.' }),
  spec({ key: 'diagnostics.enabled', default: true, check: bool, description: 'AI review diagnostics.' }),
  spec({ key: 'diagnostics.trigger', default: 'save', enum: ['save', 'change'], check: oneOf(['save', 'change']), description: 'Review on open and save, or also after typing stops.' }),
  spec({ key: 'diagnostics.debounceMs', default: 1500, minimum: 100, maximum: 60_000, check: int(100, 60_000), description: 'Quiet time after the last change before a review (trigger "change").' }),
  spec({ key: 'codeActions.enabled', default: true, check: bool, description: 'AI code actions.' }),
  spec({ key: 'codeActions.custom', default: [], type: 'array', check: customActions, description: 'User-defined actions: [{"title": "...", "prompt": "...", "kind"?: "refactor.rewrite"}].' }),
  spec({ key: 'ignore', default: [], type: 'array', check: stringList, description: 'Globs of files never sent to the model, added to the built-in list (.env, *.pem, *.key, id_rsa*, ...); "!glob" re-includes.' }),
  spec({ key: 'cache.enabled', default: true, check: bool, description: 'Memory and disk cache of model answers.' }),
  spec({ key: 'cache.maxDiskMB', default: 200, minimum: 1, maximum: 100_000, check: int(1, 100_000), description: 'Size bound of the disk cache.' }),
  spec({ key: 'context.workspace', default: true, check: bool, description: 'Send the signatures and short docs of functions and types that the code uses from other files of the workspace (from a background index of the workspace; ignored files are never read).' }),
  spec({ key: 'context.maxBytes', default: 2048, minimum: 0, maximum: 16_384, check: int(0, 16_384), description: 'Byte budget per request for definitions from other files (0: none).' }),
  spec({ key: 'context.maxFiles', default: 5000, minimum: 0, maximum: 100_000, check: int(0, 100_000), description: 'At most this many files are indexed for definitions.' }),
  spec({ key: 'context.maxFileKB', default: 256, minimum: 1, maximum: 10_240, check: int(1, 10_240), description: 'Files larger than this are not indexed.' }),
  spec({ key: 'prices', default: DEFAULT_PRICES, type: 'object', check: prices, description: 'Dollars per million tokens per model, for the usage report and the budget: {"model": {"input": 1.5, "cachedInput": 0.375, "output": 6}}; added to the built-in codex-mini price.' }),
  spec({ key: 'budget.dailyUSD', default: 0, minimum: 0, maximum: 100_000, check: decimal(0, 100_000), description: 'Daily budget in dollars (0: none). Once today\'s estimated spend reaches it, automatic reviews pause; hovers and chosen code actions still run.' }),
  spec({ key: 'logLevel', default: 'info', enum: ['error', 'warn', 'info', 'debug'], check: oneOf(['error', 'warn', 'info', 'debug']), description: 'How much the server logs (window/logMessage).' }),
  spec({ key: 'ignoreAnyCase', default: false, check: bool, description: 'Match your "ignore" globs in any letter case (the built-in ones always do).' }),
];

const BY_KEY = new Map(SETTINGS.map((s) => [s.key, s]));

/** A source of settings: a nested object shaped like the `codex` section, and its name for messages. */
export interface SettingsLayer {
  source: string;
  values: unknown;
}

export interface ResolveReport {
  settings: Settings;
  problems: string[];
  /** Set when the highest source of a critical setting gave a bad value: model calls must stop. */
  blocking?: string;
}

export function getPath(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (typeof next !== 'object' || next === null) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1] as string] = value;
}

/** Accepts both nested objects and flat dotted keys (`{"hover.enabled": false}`), as some clients send. */
function lookup(values: unknown, key: string): unknown {
  if (typeof values !== 'object' || values === null) return undefined;
  const flat = (values as Record<string, unknown>)[key];
  if (flat !== undefined && key.includes('.')) return flat;
  return getPath(values, key);
}

function unknownPaths(values: unknown, prefix = ''): string[] {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (BY_KEY.has(key)) continue;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && SETTINGS.some((s) => s.key.startsWith(key + '.'))) {
      out.push(...unknownPaths(v, key));
    } else {
      out.push(key);
    }
  }
  return out;
}

/** Edit distance, for "did you mean": small strings only (setting keys). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length] as number;
}

/** The declared key nearest to a mistyped one (case, a letter or two, a wrong or missing section), if any is near. */
export function nearestKey(key: string): string | undefined {
  const lower = key.toLowerCase();
  let best: { key: string; d: number } | undefined;
  for (const s of SETTINGS) {
    const k = s.key.toLowerCase();
    const d = Math.min(distance(lower, k), distance(lower, k.split('.').pop() as string) + 1);
    if (!best || d < best.d) best = { key: s.key, d };
  }
  return best && best.d <= Math.max(2, Math.floor(key.length / 4)) ? best.key : undefined;
}

function describe(value: unknown, secret: boolean | undefined): string {
  if (secret) return 'a value';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? text.slice(0, 57) + '...' : text;
}

/**
 * Merges the layers in order (later wins). A value that fails validation is reported and
 * ignored, so the value from the sources below it (ultimately the default) stays in force.
 */
export function resolveSettings(layers: readonly SettingsLayer[]): ResolveReport {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  const lastBad = new Map<string, string>();
  let fallbacksSet = false;
  for (const s of SETTINGS) setPath(out, s.key, s.default);
  for (const layer of layers) {
    // An empty list is how some clients (Lua's `{}`) write an empty object.
    if (layer.values === undefined || layer.values === null || (Array.isArray(layer.values) && layer.values.length === 0)) continue;
    if (typeof layer.values !== 'object' || Array.isArray(layer.values)) {
      problems.push(`${layer.source}: expected an object of settings, got ${describe(layer.values, false)}; ignored`);
      continue;
    }
    for (const s of SETTINGS) {
      const raw = lookup(layer.values, s.key);
      if (raw === undefined || raw === null) continue;
      const res = s.check(raw);
      if (res.ok) {
        setPath(out, s.key, res.value);
        lastBad.delete(s.key);
        if (s.key === 'fallbackModels') fallbacksSet = true;
      } else if (s.critical) {
        const msg = `${layer.source}: setting "${s.key}" must be ${res.expected}, got ${describe(raw, s.secret)}`;
        problems.push(`${msg}; model calls are off until it is fixed`);
        lastBad.set(s.key, msg);
      } else if (raw === '' || (typeof raw === 'string' && raw.trim() === '')) {
        // Editors often send an empty string for a setting left blank: say what is used instead.
        problems.push(`${layer.source}: setting "${s.key}" is empty; using ${describe(getPath(out, s.key), s.secret)}`);
      } else {
        problems.push(`${layer.source}: setting "${s.key}" must be ${res.expected}, got ${describe(raw, s.secret)}; ignored`);
      }
    }
    for (const unknown of unknownPaths(layer.values)) {
      if (BY_KEY.has(unknown)) continue;
      const near = nearestKey(unknown);
      problems.push(`${layer.source}: unknown setting "${unknown}" ignored${near ? `: did you mean "${near}"?` : ''}`);
    }
  }
  // The default fallback is codex-mini's successor: for any other model it would be a surprise.
  if (!fallbacksSet && out.model !== DEFAULT_MODEL) out.fallbackModels = [];
  const blocking = [...lastBad.values()][0];
  return blocking === undefined ? { settings: out as unknown as Settings, problems } : { settings: out as unknown as Settings, problems, blocking };
}

export function defaultSettings(): Settings {
  return resolveSettings([]).settings;
}
