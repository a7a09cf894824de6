/**
 * Validation and layering of settings. What the settings are (keys, types, defaults, bounds,
 * descriptions) is declared once, in settings-schema.ts; this file walks that declaration
 * key by key, so one bad value never costs the user the rest of a source.
 */
import { z } from 'zod';
import { DEFAULT_MODEL, settingFlags, settingsSchema, type Settings } from './settings-schema';

export {
  DEFAULT_BASE_URL,
  DEFAULT_MODEL,
  DEFAULT_PRICES,
  settingsSchema,
  type ApiMode,
  type CustomAction,
  type DiagnosticsTrigger,
  type LogLevel,
  type Price,
  type Settings,
} from './settings-schema';

type Check = (value: unknown) => { ok: true; value: unknown } | { ok: false; expected: string };

/** One setting of the declaration, by its dotted key (`hover.enabled`). */
export interface SettingSpec {
  key: string;
  /** The leaf's zod schema: what the JSON Schema and the VS Code settings are generated from. */
  schema: z.ZodType;
  /** Undefined for a setting without a default (apiKey). */
  default: unknown;
  description: string;
  /** Never echoed in logs or messages. */
  secret: boolean;
  /** A bad value stops model calls instead of falling back (see SettingFlags). */
  critical: boolean;
  /** The leaf's validation, with the leniency some clients need (see `lenient`); `expected` completes "must be ...". */
  check: Check;
}

/** The type under the default/optional wrappers, which decides what a client may send as a string. */
function base(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodPrefault) s = s.unwrap() as z.ZodType;
  return s;
}

/**
 * Clients written in Lua or Emacs Lisp sometimes send numbers and booleans as strings. That is
 * a transport habit, not part of the settings' types, so it is applied here and not declared:
 * the JSON Schema and the VS Code settings keep asking for real numbers and booleans.
 */
function lenient(schema: z.ZodType): (v: unknown) => unknown {
  const b = base(schema);
  if (b instanceof z.ZodNumber) return (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v);
  if (b instanceof z.ZodBoolean) return (v) => (v === 'true' || v === 'false' ? v === 'true' : v);
  return (v) => v;
}

function spec(key: string, schema: z.ZodType): SettingSpec {
  const flags = settingFlags.get(schema) ?? {};
  const coerce = lenient(schema);
  const check: Check = (v) => {
    const r = schema.safeParse(coerce(v));
    return r.success ? { ok: true, value: r.data } : { ok: false, expected: r.error.issues[0]?.message ?? 'valid' };
  };
  return {
    key,
    schema,
    default: schema.parse(undefined),
    description: schema.description ?? '',
    secret: flags.secret === true,
    critical: flags.critical === true,
    check,
  };
}

/** The declaration's leaves in declaration order; a section (`hover`) contributes its leaves as `hover.*`. */
function leaves(shape: Readonly<Record<string, z.ZodType>>, prefix = ''): SettingSpec[] {
  const out: SettingSpec[] = [];
  for (const [name, schema] of Object.entries(shape)) {
    const key = prefix ? `${prefix}.${name}` : name;
    const inner = base(schema);
    if (settingFlags.has(schema)) out.push(spec(key, schema));
    else if (inner instanceof z.ZodObject) out.push(...leaves(inner.shape, key));
    else throw new Error(`settings declaration: "${key}" is neither a setting nor a section`);
  }
  return out;
}

export const SETTINGS: readonly SettingSpec[] = leaves(settingsSchema.shape);

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

function getPath(obj: unknown, dotted: string): unknown {
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
    // The editor's pointer to the JSON Schema of .codex-lsp.json, not a setting.
    if (key === '$schema') continue;
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
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length] as number;
}

/** The declared key nearest to a mistyped one (case, a letter or two, a wrong or missing section), if any is near. */
function nearestKey(key: string): string | undefined {
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
  // Every leaf is valid by now, so this cannot fail: it types the result without a cast, copies
  // the lists and objects (callers get their own, never the shared defaults), and would throw
  // (loudly) if the key-by-key walk above ever assembled something undeclared.
  const settings = settingsSchema.parse(out);
  const blocking = [...lastBad.values()][0];
  return blocking === undefined ? { settings, problems } : { settings, problems, blocking };
}

export function defaultSettings(): Settings {
  return resolveSettings([]).settings;
}
