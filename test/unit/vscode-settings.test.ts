/**
 * The VS Code extension's contributed settings are the server's settings: same keys, types,
 * defaults, enums, bounds, items and descriptions (clients/vscode/package.json is written from
 * the settings declaration by `npm run sync-settings -w clients/vscode`; this test catches any
 * drift, and checks the generated bounds and types against what the server really accepts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSettings, resolveSettings, SETTINGS } from '../../server/config/settings';
import { settingJsonSchema } from '../../server/config/settings-json-schema';
import { explicitSection, manifestSettings, SECTION } from '../../clients/vscode/src/options';

const EXT_DIR = path.resolve(__dirname, '../../clients/vscode');
const SYNC_HINT = 'run `npm run build && npm run sync-settings -w clients/vscode` after changing server/config/settings-schema.ts';

interface Contributed {
  type: string | string[];
  default: unknown;
  description: string;
  markdownDescription?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  order?: number;
}

interface Manifest {
  name: string;
  main: string;
  engines: { vscode: string };
  activationEvents: string[];
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    configuration: { title: string; properties: Record<string, Contributed> };
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(EXT_DIR, 'package.json'), 'utf8')) as Manifest;
const properties = manifest.contributes.configuration.properties;

/** VS Code's fields that the declaration does not decide (see EXTRA in sync-settings.js). */
const VSCODE_ONLY = ['type', 'default', 'description', 'markdownDescription', 'scope', 'order'];

function generated(p: Contributed): Record<string, unknown> {
  return Object.fromEntries(Object.entries(p).filter(([k]) => !VSCODE_ONLY.includes(k)));
}

/** A user who wrote every contributed default into their settings.json, as the extension reads it. */
function everyDefaultSetExplicitly(): Record<string, unknown> {
  const { keys } = manifestSettings(manifest);
  const value = (key: string): unknown => properties[`${SECTION}.${key}`]?.default;
  return explicitSection(keys, { inspect: (key) => ({ globalValue: value(key) }), get: value });
}

describe('VS Code contributed settings mirror the server schema', () => {
  it('has exactly the server keys, in the server order, under "codex."', () => {
    expect(Object.keys(properties), SYNC_HINT).toEqual(SETTINGS.map((s) => `${SECTION}.${s.key}`));
    expect(Object.values(properties).map((p) => p.order)).toEqual(SETTINGS.map((_, i) => i));
  });

  for (const spec of SETTINGS) {
    it(`codex.${spec.key}: type, default, enum, bounds, items, description`, () => {
      const p = properties[`${SECTION}.${spec.key}`];
      expect(p, SYNC_HINT).toBeDefined();
      if (!p) return;
      const schema = settingJsonSchema(spec);
      expect(p.type, SYNC_HINT).toEqual(spec.default === undefined ? [schema.type, 'null'] : schema.type);
      // No server default (apiKey) is null in VS Code: without an explicit default VS Code would send "" for a string.
      expect(p.default, SYNC_HINT).toEqual(spec.default === undefined ? null : spec.default);
      expect(p.description, SYNC_HINT).toBe(spec.description);
      const { type: _t, default: _d, description: _s, ...rest } = schema;
      expect(generated(p), SYNC_HINT).toEqual(rest);
      // The contributed default is one the server accepts as is.
      if (spec.default !== undefined) expect(spec.check(spec.default).ok).toBe(true);
    });
  }

  // The generated schema says what the declaration says; these say it is what the server does.
  it('contributes the bounds the server enforces, and "integer" exactly where it refuses a fraction', () => {
    const numbers = SETTINGS.filter((s) => typeof s.default === 'number');
    expect(numbers.length).toBeGreaterThanOrEqual(10);
    for (const spec of numbers) {
      const p = properties[`${SECTION}.${spec.key}`] as Contributed;
      const { minimum, maximum } = p as Required<Contributed>;
      expect([spec.check(minimum).ok, spec.check(minimum - 1).ok, spec.check(maximum).ok, spec.check(maximum + 1).ok], spec.key).toEqual([
        true,
        false,
        true,
        false,
      ]);
      expect(p.type === 'integer', spec.key).toBe(!spec.check(minimum + 0.5).ok);
    }
  });

  it('contributes the enums the server enforces', () => {
    const enums = SETTINGS.filter((s) => properties[`${SECTION}.${s.key}`]?.enum);
    expect(enums.map((s) => s.key)).toEqual(['api', 'diagnostics.trigger', 'logLevel']);
    for (const spec of enums) {
      for (const v of properties[`${SECTION}.${spec.key}`]?.enum ?? []) expect(spec.check(v).ok, `${spec.key}: ${v}`).toBe(true);
      expect(spec.check('sometimes').ok).toBe(false);
    }
  });

  it('sends the server nothing it complains about, even with every default written out', () => {
    const { settings, problems, blocking } = resolveSettings([{ source: 'workspace/configuration', values: everyDefaultSetExplicitly() }]);
    expect(problems).toEqual([]);
    expect(blocking).toBeUndefined();
    expect(settings).toEqual(defaultSettings());
  });

  it('leaves the environment in force when the user set nothing in VS Code', () => {
    const { keys } = manifestSettings(manifest);
    const nothingSet = explicitSection(keys, { inspect: () => ({}), get: (key) => properties[`${SECTION}.${key}`]?.default });
    expect(nothingSet).toEqual({});
    const { settings } = resolveSettings([
      { source: 'environment', values: { baseUrl: 'http://localhost:8080/v1', model: 'local' } },
      { source: 'workspace/configuration', values: nothingSet },
    ]);
    expect(settings.baseUrl).toBe('http://localhost:8080/v1');
    expect(settings.model).toBe('local');
  });

  it('tells the user where the key belongs: the environment or the keychain, not plain-text settings', () => {
    const p = properties['codex.apiKey'];
    expect(p?.markdownDescription).toMatch(/plain text/);
    expect(p?.markdownDescription).toContain('CODEX_LSP_API_KEY');
    expect(p?.markdownDescription).toContain('Codex: Set API Key');
    // An untrusted folder cannot redirect the endpoint or set the key.
    expect(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations).toEqual(['codex.baseUrl', 'codex.apiKey']);
    for (const key of manifest.capabilities.untrustedWorkspaces.restrictedConfigurations) expect(properties[key]).toBeDefined();
  });
});

describe('VS Code extension manifest', () => {
  it('activates after start-up, never with "*"', () => {
    expect(manifest.activationEvents).toEqual(['onStartupFinished']);
    expect(manifest.main).toBe('./dist/extension.js');
  });

  it('contributes the commands extension.ts registers', () => {
    const source = fs.readFileSync(path.join(EXT_DIR, 'src', 'extension.ts'), 'utf8');
    const registered = [...source.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
    expect(manifest.contributes.commands.map((c) => c.command).sort()).toEqual(registered);
    expect(registered).toEqual(['codex.restartServer', 'codex.setApiKey', 'codex.showLastRequestForFile', 'codex.showUsage']);
  });

  it('uses the vscode-languageclient line that speaks the server protocol (3.17), typed for the oldest VS Code it supports', () => {
    expect(manifest.dependencies['vscode-languageclient']).toMatch(/^\^9\./);
    const engine = /^\^(\d+)\.(\d+)\./.exec(manifest.engines.vscode);
    const types = /^~(\d+)\.(\d+)\./.exec(manifest.devDependencies['@types/vscode'] ?? '');
    expect(engine && types && [engine[1], engine[2]]).toEqual(types && [types[1], types[2]]);
    // VS Code 1.90 is the first on Node 20 (Electron 29), which the server needs.
    expect(Number(engine?.[2])).toBeGreaterThanOrEqual(90);
  });
});
