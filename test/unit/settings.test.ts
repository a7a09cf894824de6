import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { cacheDirFrom, readEnvironment } from '../../server/config/env';
import { ConfigStore } from '../../server/config/store';
import { DEFAULT_BASE_URL, DEFAULT_MODEL, defaultSettings, resolveSettings, SETTINGS, type Settings } from '../../server/config/settings';
import { Logger } from '../../server/util/log';
import { REPO_ROOT } from '../support/paths';

function quietLog(lines: string[] = []): Logger {
  return new Logger((level, m) => lines.push(`${level}: ${m}`));
}

describe('resolveSettings', () => {
  it('starts from the documented defaults', () => {
    const { settings, problems } = resolveSettings([]);
    expect(problems).toEqual([]);
    expect(settings.baseUrl).toBe(DEFAULT_BASE_URL);
    expect(settings.model).toBe(DEFAULT_MODEL);
    expect(settings.api).toBe('auto');
    expect(settings.timeoutMs).toBe(30000);
    expect(settings.maxConcurrency).toBe(4);
    expect(settings.hover.enabled).toBe(true);
    expect(settings.diagnostics).toEqual({ enabled: true, trigger: 'save', debounceMs: 1500 });
    expect(settings.codeActions).toEqual({ enabled: true, custom: [] });
    expect(settings.cache.enabled).toBe(true);
    expect(settings.apiKey).toBeUndefined();
  });

  it('falls back to gpt-5-codex-mini only while the model is the default codex-mini', () => {
    expect(resolveSettings([]).settings.fallbackModels).toEqual(['gpt-5-codex-mini']);
    expect(resolveSettings([{ source: 'env', values: { model: 'qwen2.5-coder' } }]).settings.fallbackModels).toEqual([]);
    // Set explicitly, it holds for any model; an empty list turns fallbacks off.
    expect(resolveSettings([{ source: 'ws', values: { model: 'gpt-5-codex', fallbackModels: ['gpt-5-codex-mini'] } }]).settings.fallbackModels).toEqual([
      'gpt-5-codex-mini',
    ]);
    expect(resolveSettings([{ source: 'ws', values: { fallbackModels: [] } }]).settings.fallbackModels).toEqual([]);
    // A bad value is reported and does not count as set.
    const bad = resolveSettings([{ source: 'ws', values: { model: 'local', fallbackModels: 'gpt-5-codex-mini' } }]);
    expect(bad.settings.fallbackModels).toEqual([]);
    expect(bad.problems).toEqual(['ws: setting "fallbackModels" must be a list of strings, got "gpt-5-codex-mini"; ignored']);
  });

  it('names the nearest valid key for a mistyped one, and says what an empty value falls back to', () => {
    const { problems, settings } = resolveSettings([
      { source: 'env', values: { model: 'from-env' } },
      { source: 'ws', values: { ignor: ['x'], hover: { enabeld: false }, timeoutMS: 5, cache: { maxDiskMb: 3 }, somethingElse: 1, model: '' } },
    ]);
    expect(settings.model).toBe('from-env');
    expect(problems).toEqual([
      'ws: setting "model" is empty; using "from-env"',
      'ws: unknown setting "ignor" ignored: did you mean "ignore"?',
      'ws: unknown setting "hover.enabeld" ignored: did you mean "hover.enabled"?',
      'ws: unknown setting "timeoutMS" ignored: did you mean "timeoutMs"?',
      'ws: unknown setting "cache.maxDiskMb" ignored: did you mean "cache.maxDiskMB"?',
      'ws: unknown setting "somethingElse" ignored',
    ]);
  });

  it('lets later layers win, nested or dotted', () => {
    const { settings } = resolveSettings([
      { source: 'a', values: { model: 'm1', hover: { enabled: false } } },
      { source: 'b', values: { model: 'm2', 'diagnostics.trigger': 'change' } },
    ]);
    expect(settings.model).toBe('m2');
    expect(settings.hover.enabled).toBe(false);
    expect(settings.diagnostics.trigger).toBe('change');
  });

  it('reports a bad value, naming key and source, and keeps the value from below', () => {
    const { settings, problems } = resolveSettings([
      { source: 'environment', values: { model: 'from-env' } },
      { source: 'workspace/configuration', values: { model: 42, timeoutMs: 'soon', api: 'graphql', maxConcurrency: 0 } },
    ]);
    expect(settings.model).toBe('from-env');
    expect(settings.timeoutMs).toBe(30000);
    expect(settings.api).toBe('auto');
    expect(settings.maxConcurrency).toBe(4);
    expect(problems.join('\n')).toMatch(/workspace\/configuration: setting "model" must be a string, got 42/);
    expect(problems.join('\n')).toMatch(/"timeoutMs" must be a whole number from 1000 to 600000/);
    expect(problems.join('\n')).toMatch(/"api" must be "auto" or "chat" or "responses"/);
  });

  it('accepts numbers and booleans sent as strings by some clients', () => {
    const { settings } = resolveSettings([{ source: 's', values: { timeoutMs: '5000', hover: { enabled: 'false' } } }]);
    expect(settings.timeoutMs).toBe(5000);
    expect(settings.hover.enabled).toBe(false);
  });

  it('never echoes a bad apiKey value', () => {
    const { problems } = resolveSettings([{ source: 's', values: { apiKey: 12345678901234 } }]);
    expect(problems.join('\n')).not.toContain('12345678901234');
  });

  it('reports unknown keys and non-object layers', () => {
    const { problems } = resolveSettings([
      { source: 's', values: { modle: 'x', hover: { enabeld: true } } },
      { source: 't', values: 'nonsense' },
    ]);
    expect(problems).toContain('s: unknown setting "modle" ignored: did you mean "model"?');
    expect(problems).toContain('s: unknown setting "hover.enabeld" ignored: did you mean "hover.enabled"?');
    expect(problems.some((p) => p.startsWith('t: expected an object'))).toBe(true);
  });

  it('validates custom actions and normalises their kind', () => {
    const ok = resolveSettings([{ source: 's', values: { codeActions: { custom: [{ title: 'Explain', prompt: 'Explain it' }] } } }]);
    expect(ok.settings.codeActions.custom).toEqual([{ title: 'Explain', prompt: 'Explain it', kind: 'refactor.rewrite' }]);
    const bad = resolveSettings([{ source: 's', values: { codeActions: { custom: [{ title: '' }] } } }]);
    expect(bad.settings.codeActions.custom).toEqual([]);
    expect(bad.problems.length).toBe(1);
  });

  it('strips a trailing slash from the base URL and refuses non-URLs', () => {
    expect(resolveSettings([{ source: 's', values: { baseUrl: 'http://127.0.0.1:8080/v1/' } }]).settings.baseUrl).toBe('http://127.0.0.1:8080/v1');
    const bad = resolveSettings([{ source: 's', values: { baseUrl: 'localhost:8080' } }]);
    // Never a silent fall back to the default endpoint: model calls stop.
    expect(bad.blocking).toMatch(/"baseUrl" must be an http\(s\) URL/);
    // A valid value from a higher source wins over a bad one below it.
    const fixed = resolveSettings([
      { source: 'env', values: { baseUrl: 'localhost:8080' } },
      { source: 'ws', values: { baseUrl: 'http://x/v1' } },
    ]);
    expect(fixed.blocking).toBeUndefined();
    expect(fixed.settings.baseUrl).toBe('http://x/v1');
  });

  it('declares every setting with a description', () => {
    for (const s of SETTINGS) expect(s.description.length).toBeGreaterThan(10);
    expect(SETTINGS.filter((s) => s.secret).map((s) => s.key)).toEqual(['apiKey']);
    expect(SETTINGS.filter((s) => s.critical).map((s) => s.key)).toEqual(['baseUrl']);
  });

  it('refuses custom actions with a key it does not know, rather than dropping it unsaid', () => {
    const { settings, problems } = resolveSettings([{ source: 's', values: { codeActions: { custom: [{ title: 'T', prompt: 'P', knd: 'quickfix' }] } } }]);
    expect(settings.codeActions.custom).toEqual([]);
    expect(problems).toEqual([
      's: setting "codeActions.custom" must be entries with only "title", "prompt" and "kind", got [{"title":"T","prompt":"P","knd":"quickfix"}]; ignored',
    ]);
    const kind = resolveSettings([{ source: 's', values: { codeActions: { custom: [{ title: 'T', prompt: 'P', kind: 'rewrite' }] } } }]);
    expect(kind.problems).toEqual([
      's: setting "codeActions.custom" must be a "kind" such as "refactor.rewrite", "quickfix" or "source", got [{"title":"T","prompt":"P","kind":"rewrite"}]; ignored',
    ]);
  });

  it('merges prices with the built-in ones, cached input defaulting to input', () => {
    const { settings, problems } = resolveSettings([{ source: 's', values: { prices: { mine: { input: 2, output: 8 } } } }]);
    expect(problems).toEqual([]);
    expect(settings.prices.mine).toEqual({ input: 2, cachedInput: 2, output: 8 });
    expect(settings.prices['codex-mini']).toEqual({ input: 1.5, cachedInput: 0.375, output: 6 });
    const bad = resolveSettings([{ source: 's', values: { prices: { mine: { input: -1, output: 8 } } } }]);
    expect(bad.problems).toEqual([expect.stringMatching(/^s: setting "prices" must be an object of \{"model"/)]);
  });

  it('ignores "$schema" (the editor\'s pointer to the JSON Schema) at the top of a source only', () => {
    expect(resolveSettings([{ source: 's', values: { $schema: 'https://x/schema.json' } }]).problems).toEqual([]);
    expect(resolveSettings([{ source: 's', values: { cache: { $schema: 'x' } } }]).problems).toEqual(['s: unknown setting "cache.$schema" ignored']);
  });

  it("hands out fresh defaults: a caller changing its lists changes no one else's", () => {
    const first = defaultSettings();
    first.ignore.push('mine/**');
    first.fallbackModels.push('x');
    first.prices.mine = { input: 1, cachedInput: 1, output: 1 };
    const second = defaultSettings();
    expect([second.ignore, second.fallbackModels, second.prices.mine]).toEqual([[], ['gpt-5-codex-mini'], undefined]);
  });

  it('infers the Settings type from the declaration (checked by `npm run typecheck`)', () => {
    const s = defaultSettings();
    expectTypeOf(s.diagnostics.trigger).toEqualTypeOf<'save' | 'change'>();
    expectTypeOf(s.logLevel).toEqualTypeOf<'error' | 'warn' | 'info' | 'debug'>();
    expectTypeOf(s.hover.delayMs).toEqualTypeOf<number>();
    expectTypeOf(s.codeActions.custom).toEqualTypeOf<Array<{ title: string; prompt: string; kind: string }>>();
    expectTypeOf(s.prices).toEqualTypeOf<Record<string, { input: number; cachedInput: number; output: number }>>();
    // @ts-expect-error: no such setting (a loose or hand-written type would let this through)
    const typo: unknown = s.hover.enabeld;
    // @ts-expect-error: not one of the declared values
    const level: Settings['logLevel'] = 'verbose';
    expect([typo, level]).toEqual([undefined, 'verbose']);
  });
});

describe('environment', () => {
  it('takes the key from the first non-empty variable in contract order', () => {
    expect(readEnvironment({ COMETAPI_KEY: 'k2', OPENAI_API_KEY: 'k4' }).keySource).toBe('COMETAPI_KEY');
    expect(readEnvironment({ CODEX_LSP_API_KEY: '', COMETAPI_KEY: ' ', COMETAPI_API_KEY: 'k3' }).keySource).toBe('COMETAPI_API_KEY');
    const e = readEnvironment({ CODEX_LSP_API_KEY: 'k1', COMETAPI_KEY: 'k2' });
    expect(e.layer.values).toMatchObject({ apiKey: 'k1' });
  });
  it('reads base URL and model', () => {
    expect(readEnvironment({ CODEX_LSP_BASE_URL: 'http://x/v1', CODEX_LSP_MODEL: 'm' }).layer.values).toEqual({ baseUrl: 'http://x/v1', model: 'm' });
  });
  it('pairs OPENAI_BASE_URL with a key from OPENAI_API_KEY only', () => {
    expect(readEnvironment({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://o/v1' }).layer.values).toMatchObject({ baseUrl: 'http://o/v1' });
    expect(readEnvironment({ COMETAPI_KEY: 'k', OPENAI_BASE_URL: 'http://o/v1' }).layer.values).not.toHaveProperty('baseUrl');
  });
  it('finds the cache folder', () => {
    expect(cacheDirFrom({ CODEX_LSP_CACHE_DIR: '/tmp/c' })).toBe('/tmp/c');
    expect(cacheDirFrom({ XDG_CACHE_HOME: '/tmp/x' })).toBe('/tmp/x/codex-lsp');
    expect(cacheDirFrom({ HOME: '/home/u' })).toBe('/home/u/.cache/codex-lsp');
  });
});

describe('ConfigStore', () => {
  it('orders sources: environment < initializationOptions < workspace, and notifies on change', () => {
    const lines: string[] = [];
    const store = new ConfigStore({ CODEX_LSP_MODEL: 'env-model', CODEX_LSP_API_KEY: 'env-key-123456' }, quietLog(lines));
    expect(store.settings.model).toBe('env-model');
    expect(store.current.keySource).toBe('CODEX_LSP_API_KEY');
    const seen: string[] = [];
    store.onChange((n) => seen.push(n.settings.model));
    store.setLayer('initializationOptions', 'initializationOptions', { model: 'init-model' });
    store.setLayer('workspace', 'workspace/configuration', { model: 'ws-model', apiKey: 'ws-key-123456' });
    expect(store.settings.model).toBe('ws-model');
    expect(store.current.keySource).toBe('the apiKey setting (workspace/configuration)');
    store.setLayer('workspace', 'workspace/configuration', { model: 'ws-model', apiKey: 'ws-key-123456' });
    expect(seen).toEqual(['init-model', 'ws-model']);
  });
  it('logs each distinct problem once, and never the key', () => {
    const lines: string[] = [];
    const store = new ConfigStore({ CODEX_LSP_API_KEY: 'sk-secret-value-123' }, quietLog(lines));
    store.setLayer('workspace', 'ws', { timeoutMs: -1 });
    store.setLayer('workspace', 'ws', { timeoutMs: -1, model: 'x' });
    expect(lines.filter((l) => l.includes('timeoutMs')).length).toBe(1);
    const log = quietLog(lines);
    log.setSecrets(['sk-secret-value-123']);
    log.warn('failed with key sk-secret-value-123');
    expect(lines.at(-1)).toBe('warn: failed with key [REDACTED]');
  });
});

describe('the README settings table', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('Settings (the `codex` section'), readme.indexOf('Example `workspace/configuration` answer'));
  const rows = [...table.matchAll(/^\| `([\w.]+)` \| (.*) \| (.*) \|$/gm)].map((m) => ({ key: m[1] as string, default: m[3] as string }));

  it("lists exactly the declared settings, in the declaration's order", () => {
    expect(rows.map((r) => r.key)).toEqual(SETTINGS.map((s) => s.key));
  });

  it('gives each plain default as declared', () => {
    let plain = 0;
    for (const row of rows) {
      const d = SETTINGS.find((s) => s.key === row.key)?.default;
      if (typeof d === 'object' || d === undefined) continue;
      plain++;
      // Strings may be shown with or without their quotes.
      expect([`\`${JSON.stringify(d)}\``, `\`${String(d)}\``], row.key).toContain(row.default);
    }
    expect(plain).toBeGreaterThan(15);
  });
});
