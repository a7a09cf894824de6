#!/usr/bin/env node
'use strict';
/**
 * Writes `contributes.configuration` of this package.json from the server's settings schema
 * (server/config/settings.ts `SETTINGS`, as compiled into dist/ by `npm run build`), so the
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

/** JSON-schema details VS Code's settings editor and settings.json validation use, beyond the shared fields. */
const EXTRA = {
  // Where code and key are sent, and spending, are the user's: a folder's .vscode/settings.json
  // (a cloned repository) cannot set them, as the server never takes them from .codex-lsp.json.
  baseUrl: { scope: 'application' },
  'budget.dailyUSD': { scope: 'application' },
  apiKey: {
    scope: 'application',
    markdownDescription:
      'API key for the endpoint. **settings.json is plain text**: prefer the environment (`CODEX_LSP_API_KEY`, else `COMETAPI_KEY`, `COMETAPI_API_KEY`, `OPENAI_API_KEY`) or the command **Codex: Set API Key**, which keeps the key in the OS keychain. A key here wins over both.',
  },
  'codeActions.custom': {
    items: {
      type: 'object',
      required: ['title', 'prompt'],
      additionalProperties: false,
      properties: {
        title: { type: 'string', description: 'Shown in the code action menu.' },
        prompt: { type: 'string', description: 'What the model is asked to do with the selection or file.' },
        kind: { type: 'string', default: 'refactor.rewrite', description: 'Code action kind, such as "refactor.rewrite", "quickfix" or "source".' },
      },
    },
  },
  ignore: { items: { type: 'string' } },
  prices: {
    scope: 'application',
    additionalProperties: {
      type: 'object',
      required: ['input', 'output'],
      properties: {
        input: { type: 'number', minimum: 0 },
        cachedInput: { type: 'number', minimum: 0 },
        output: { type: 'number', minimum: 0 },
      },
    },
  },
};

/** Whole-number settings are contributed as "integer": the settings editor then rejects 1.5 before the server does. */
function isWholeNumber(spec) {
  const probe = (typeof spec.minimum === 'number' ? spec.minimum : typeof spec.default === 'number' ? spec.default : 0) + 0.5;
  if (typeof spec.maximum === 'number' && probe > spec.maximum) return false;
  return !spec.check(probe).ok;
}

function contributedType(spec) {
  if (spec.default === undefined) return [spec.type, 'null'];
  if (spec.type === 'number' && isWholeNumber(spec)) return 'integer';
  return spec.type;
}

function properties(settings) {
  const out = {};
  settings.forEach((spec, order) => {
    const p = { type: contributedType(spec), default: spec.default === undefined ? null : spec.default };
    if (spec.enum) p.enum = [...spec.enum];
    if (typeof spec.minimum === 'number') p.minimum = spec.minimum;
    if (typeof spec.maximum === 'number') p.maximum = spec.maximum;
    p.description = spec.description;
    Object.assign(p, EXTRA[spec.key] ?? {});
    p.order = order;
    out[`codex.${spec.key}`] = p;
  });
  return out;
}

function main() {
  const compiled = path.join(REPO, 'dist', 'server', 'config', 'settings.js');
  if (!fs.existsSync(compiled)) throw new Error('dist/server/config/settings.js is missing: run `npm run build` at the repository root first');
  const { SETTINGS } = require(compiled);
  const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  const before = JSON.stringify(manifest.contributes?.configuration);
  manifest.contributes = {
    ...manifest.contributes,
    configuration: { title: 'Codex', properties: properties(SETTINGS) },
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
