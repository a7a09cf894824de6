#!/usr/bin/env node
'use strict';
/**
 * Writes `contributes.configuration` of this package.json from the server's settings declaration
 * (server/config/settings-schema.ts, each setting's JSON Schema from settings-json-schema.ts, as
 * compiled into dist/ by `npm run build`), so the
 * VS Code settings are the server's settings: same keys, types, defaults, enums, bounds and
 * descriptions. test/unit/vscode-settings.test.ts fails when the two drift apart.
 *
 * Usage: node scripts/sync-settings.js [--check]
 */
const fs = require('node:fs');
const path = require('node:path');

const HERE = path.resolve(__dirname, '..');
const REPO = path.resolve(HERE, '..', '..');
const MANIFEST = path.join(HERE, 'package.json');

/**
 * What only VS Code needs, beyond what the declaration says (type, default, enum, bounds,
 * items, pattern, description all come from it).
 */
const EXTRA = {
  // Where code and key are sent, and spending, are the user's: a folder's .vscode/settings.json
  // (a cloned repository) cannot set them, as the server never takes them from .codex-lsp.json.
  baseUrl: { scope: 'application' },
  'budget.dailyUSD': { scope: 'application' },
  prices: { scope: 'application' },
  apiKey: {
    scope: 'application',
    markdownDescription:
      'API key for the endpoint. **settings.json is plain text**: prefer the environment (`CODEX_LSP_API_KEY`, else `COMETAPI_KEY`, `COMETAPI_API_KEY`, `OPENAI_API_KEY`) or the command **Codex: Set API Key**, which keeps the key in the OS keychain. A key here wins over both.',
  },
};

/** One contributed setting: the setting's JSON Schema, with VS Code's conventions and EXTRA. */
function property(spec, schema, order) {
  const { type, default: _declared, description: _described, ...rest } = schema;
  // No server default (apiKey) is null in VS Code: without an explicit default VS Code would send "" for a string.
  const p = { type: spec.default === undefined ? [type, 'null'] : type, default: spec.default === undefined ? null : spec.default };
  Object.assign(p, rest, { description: spec.description }, EXTRA[spec.key] ?? {});
  p.order = order;
  return p;
}

function properties(settings, settingJsonSchema) {
  const out = {};
  settings.forEach((spec, order) => {
    out[`codex.${spec.key}`] = property(spec, settingJsonSchema(spec), order);
  });
  return out;
}

function main() {
  const compiled = path.join(REPO, 'dist', 'server', 'config');
  if (!fs.existsSync(path.join(compiled, 'settings-json-schema.js'))) {
    throw new Error('dist/server/config/settings-json-schema.js is missing: run `npm run build` at the repository root first');
  }
  const { SETTINGS } = require(path.join(compiled, 'settings.js'));
  const { settingJsonSchema } = require(path.join(compiled, 'settings-json-schema.js'));
  const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  const before = JSON.stringify(manifest.contributes?.configuration);
  manifest.contributes = {
    ...manifest.contributes,
    configuration: { title: 'Codex', properties: properties(SETTINGS, settingJsonSchema) },
  };
  const after = JSON.stringify(manifest.contributes.configuration);
  if (process.argv.includes('--check')) {
    if (before !== after) {
      process.stderr.write('clients/vscode/package.json settings differ from the server schema: run `npm run sync-settings -w clients/vscode`\n');
      process.exit(1);
    }
    process.stdout.write('clients/vscode/package.json settings match the server schema\n');
    return;
  }
  fs.writeFileSync(MANIFEST, JSON.stringify(manifest, null, 2) + '\n');
  process.stdout.write(`wrote ${Object.keys(manifest.contributes.configuration.properties).length} settings to clients/vscode/package.json\n`);
}

main();
