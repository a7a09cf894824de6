/**
 * Every setting, declared once (zod): its key (as in the `codex` settings section), type,
 * default, bounds, one-line description, and whether it is secret or critical. The `Settings`
 * type is inferred from this declaration; validation (settings.ts), the JSON Schema of
 * `.codex-lsp.json` and the VS Code extension's contributed settings (settings-json-schema.ts)
 * all come from it.
 *
 * Each leaf carries the message that completes "must be ..." in its zod error, so a problem
 * reads the same whatever check failed.
 */
import { z } from 'zod';

/** What a leaf says about itself beyond its zod type: kept out of the JSON Schema, which has no words for them. */
export interface SettingFlags {
  /** Never echoed in logs or messages. */
  secret?: boolean;
  /**
   * A bad value must not fall back to a default: for the endpoint, falling back would send
   * the user's code (and key) somewhere they did not choose. Model calls stop instead.
   */
  critical?: boolean;
}

/** Leaves (as opposed to sections such as `hover`) are registered here; the walk in SETTINGS relies on it. */
export const settingFlags = z.registry<SettingFlags>();

function setting<T extends z.ZodType>(schema: T, description: string, flags: SettingFlags = {}): T {
  const leaf = schema.meta({ description });
  settingFlags.add(leaf, flags);
  return leaf;
}

/**
 * A string with something in it, trimmed. Checked as a `\S` pattern rather than a length after
 * trimming, so the JSON Schema says it too and an editor flags "  " as the server does.
 */
function nonBlank(error: string, typeError = error) {
  return z.string({ error: typeError }).regex(/\S/, { error }).trim();
}

const text = () => nonBlank('a non-empty string', 'a string');

function httpUrl(u: string): boolean {
  try {
    const { protocol } = new URL(u);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

const url = () =>
  text()
    .refine(httpUrl, { error: 'an http(s) URL' })
    .overwrite((u) => u.replace(/\/+$/, ''));

function whole(min: number, max: number) {
  const error = `a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

function decimal(min: number, max: number) {
  const error = `a number from ${min} to ${max}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

const flag = (value: boolean) => z.boolean({ error: 'true or false' }).default(value);

function oneOf<const V extends readonly [string, ...string[]]>(values: V) {
  return z.enum(values, { error: values.map((x) => JSON.stringify(x)).join(' or ') });
}

function stringList() {
  const error = 'a list of non-empty strings';
  return z.array(nonBlank(error), { error: 'a list of strings' });
}

const CUSTOM_LIST = 'a list of {"title", "prompt", "kind"?} objects';
const NON_EMPTY = 'entries with a non-empty "title" and "prompt"';
const KIND = 'a "kind" such as "refactor.rewrite", "quickfix" or "source"';
const customAction = z.strictObject(
  {
    title: nonBlank(NON_EMPTY).meta({ description: 'Shown in the code action menu.' }),
    prompt: nonBlank(NON_EMPTY).meta({ description: 'What the model is asked to do with the selection or file.' }),
    kind: z
      .string({ error: KIND })
      .regex(/^(quickfix|refactor|source)(\.[\w-]+)*$/, { error: KIND })
      .default('refactor.rewrite')
      .meta({ description: 'Code action kind, such as "refactor.rewrite", "quickfix" or "source".' }),
  },
  {
    // A mistyped "kind" would otherwise be dropped without a word, and the action filed as a rewrite.
    error: (issue) => (issue.code === 'unrecognized_keys' ? 'entries with only "title", "prompt" and "kind"' : CUSTOM_LIST),
  },
);
export type CustomAction = z.output<typeof customAction>;

const PRICES = 'an object of {"model": {"input": n, "cachedInput": n, "output": n}} in dollars per million tokens';
const perMillion = () => z.number({ error: PRICES }).min(0, { error: PRICES });
const price = z
  .object({ input: perMillion(), cachedInput: perMillion().optional(), output: perMillion() }, { error: PRICES })
  .transform((p) => ({ input: p.input, cachedInput: p.cachedInput ?? p.input, output: p.output }));
/** US dollars per million tokens. */
export type Price = z.output<typeof price>;

/**
 * List prices, dollars per million tokens. codex-mini: $1.50 input ($0.375 cached), $6.00 output.
 * gpt-5-codex-mini (OpenAI's named replacement for codex-mini-latest, the default fallback):
 * $0.25 input ($0.025 cached), $2.00 output.
 */
export const DEFAULT_PRICES: Record<string, Price> = {
  'codex-mini': { input: 1.5, cachedInput: 0.375, output: 6 },
  'gpt-5-codex-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
};

export const DEFAULT_BASE_URL = 'https://api.cometapi.com/v1';
export const DEFAULT_MODEL = 'codex-mini';
/** OpenAI retired codex-mini-latest on 2026-02-12 and names gpt-5-codex-mini as its replacement. */
const DEFAULT_FALLBACK_MODELS: readonly string[] = ['gpt-5-codex-mini'];

/**
 * Sections (`hover`, ...) are strict objects that may be left out (prefault: their leaves'
 * defaults apply), so an unknown key inside one is reported like an unknown top-level key.
 */
export const settingsSchema = z.strictObject({
  apiKey: setting(text().optional(), 'API key for the endpoint. Prefer the environment (CODEX_LSP_API_KEY or COMETAPI_KEY) over settings files.', {
    secret: true,
  }),
  baseUrl: setting(url().default(DEFAULT_BASE_URL), 'OpenAI-compatible base URL (ends in /v1 for most providers).', { critical: true }),
  model: setting(text().default(DEFAULT_MODEL), 'Model name as the endpoint knows it.'),
  fallbackModels: setting(
    stringList().default(() => [...DEFAULT_FALLBACK_MODELS]),
    'Models tried in order when the endpoint says the model is missing or retired; the choice is told once and remembered for a day. The default ["gpt-5-codex-mini"] applies only while "model" is the default codex-mini (otherwise []).',
  ),
  api: setting(
    oneOf(['auto', 'chat', 'responses']).default('auto'),
    'Which endpoint to call: /chat/completions, /responses, or auto (picked per model, learned from the endpoint).',
  ),
  timeoutMs: setting(whole(1000, 600_000).default(30_000), 'Time limit for one model request, retries included.'),
  clientTimeoutMs: setting(
    whole(0, 3_600_000).default(0),
    "How long the editor waits for an AI hover or code action before it gives up on the request; they answer 1.5 s earlier with a message instead of being dropped. 0: the editor's known limit, from its name (Helix 20000, Emacs Eglot and lsp-mode 10000, none for others).",
  ),
  maxConcurrency: setting(whole(1, 64).default(4), 'Model requests in flight at once.'),
  hover: z
    .strictObject({
      enabled: setting(flag(true), 'AI hover explanations.'),
      delayMs: setting(
        whole(0, 5000).default(150),
        'Grace delay before a hover calls the model; a hover the editor cancels within it costs nothing. Cached answers skip it.',
      ),
    })
    .prefault({}),
  diagnostics: z
    .strictObject({
      enabled: setting(flag(true), 'AI review diagnostics.'),
      trigger: setting(oneOf(['save', 'change']).default('save'), 'Review on open and save, or also after typing stops.'),
      debounceMs: setting(whole(100, 60_000).default(1500), 'Quiet time after the last change before a review (trigger "change").'),
    })
    .prefault({}),
  codeActions: z
    .strictObject({
      enabled: setting(flag(true), 'AI code actions.'),
      custom: setting(
        z.array(customAction, { error: CUSTOM_LIST }).default(() => []),
        'User-defined actions: [{"title": "...", "prompt": "...", "kind"?: "refactor.rewrite"}].',
      ),
    })
    .prefault({}),
  ignore: setting(
    stringList().default(() => []),
    'Globs of files never sent to the model, added to the built-in list (.env, *.pem, *.key, id_rsa*, ...); "!glob" re-includes.',
  ),
  ignoreAnyCase: setting(flag(false), 'Match your "ignore" globs in any letter case (the built-in ones always do).'),
  cache: z
    .strictObject({
      enabled: setting(flag(true), 'Memory and disk cache of model answers.'),
      maxDiskMB: setting(whole(1, 100_000).default(200), 'Size bound of the disk cache.'),
    })
    .prefault({}),
  context: z
    .strictObject({
      workspace: setting(
        flag(true),
        'Send the signatures and short docs of functions and types that the code uses from other files of the workspace (from a background index of the workspace; ignored files are never read).',
      ),
      maxBytes: setting(whole(0, 16_384).default(2048), 'Byte budget per request for definitions from other files (0: none).'),
      maxFiles: setting(whole(0, 100_000).default(5000), 'At most this many files are indexed for definitions.'),
      maxFileKB: setting(whole(1, 10_240).default(256), 'Files larger than this are not indexed.'),
    })
    .prefault({}),
  prices: setting(
    z
      .record(z.string(), price, { error: PRICES })
      // Added to the built-in prices, not instead of them.
      .transform((own) => ({ ...DEFAULT_PRICES, ...own }))
      .default(() => ({ ...DEFAULT_PRICES })),
    'Dollars per million tokens per model, for the usage report and the budget: {"model": {"input": 1.5, "cachedInput": 0.375, "output": 6}}; added to the built-in codex-mini price.',
  ),
  budget: z
    .strictObject({
      dailyUSD: setting(
        decimal(0, 100_000).default(0),
        "Daily budget in dollars (0: none). Once today's estimated spend reaches it, automatic reviews pause; hovers and chosen code actions still run.",
      ),
    })
    .prefault({}),
  logLevel: setting(oneOf(['error', 'warn', 'info', 'debug']).default('info'), 'How much the server logs (window/logMessage).'),
});

export type Settings = z.output<typeof settingsSchema>;
export type LogLevel = Settings['logLevel'];
export type ApiMode = Settings['api'];
export type DiagnosticsTrigger = Settings['diagnostics']['trigger'];
