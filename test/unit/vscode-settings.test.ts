/**
 * The VS Code extension's contributed settings are the server's settings: same keys, types,
 * defaults, enums, bounds and descriptions (clients/vscode/package.json is written from
 * SETTINGS by `npm run sync-settings -w clients/vscode`; this test catches any drift).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSettings, resolveSettings, SETTINGS, type SettingSpec } from '../../server/config/settings';
import { explicitSection, manifestSettings, SECTION } from '../../clients/vscode/src/options';

const EXT_DIR = path.resolve(__dirname, '../../clients/vscode');
const SYNC_HINT = 'run `npm run build && npm run sync-settings -w clients/vscode` after changing server/config/settings.ts';

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

/** The server accepts a fraction for this number setting? Then VS Code must too ("number"), else "integer". */
function acceptsFraction(spec: SettingSpec): boolean {
  const probe = (spec.minimum ?? (typeof spec.default === 'number' ? spec.default : 0)) + 0.5;
  return spec.check(probe).ok;
}

function expectedType(spec: SettingSpec): string | string[] {
  if (spec.default === undefined) return [spec.type, 'null'];
  if (spec.type === 'number') return acceptsFraction(spec) ? 'number' : 'integer';
  return spec.type;
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
    it(`codex.${spec.key}: type, default, enum, bounds, description`, () => {
      const p = properties[`${SECTION}.${spec.key}`];
      expect(p, SYNC_HINT).toBeDefined();
      if (!p) return;
      expect(p.type, SYNC_HINT).toEqual(expectedType(spec));
      // No server default (apiKey) is null in VS Code: without an explicit default VS Code would send "" for a string.
      expect(p.default, SYNC_HINT).toEqual(spec.default === undefined ? null : spec.default);
      expect(p.enum, SYNC_HINT).toEqual(spec.enum === undefined ? undefined : [...spec.enum]);
      expect(p.minimum, SYNC_HINT).toBe(spec.minimum);
      expect(p.maximum, SYNC_HINT).toBe(spec.maximum);
      expect(p.description, SYNC_HINT).toBe(spec.description);
      // The contributed default is one the server accepts as is.
      if (spec.default !== undefined) expect(spec.check(spec.default).ok).toBe(true);
    });
  }

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
