#!/usr/bin/env node
'use strict';
/**
 * Writes schema/codex-lsp.schema.json, the JSON Schema of `.codex-lsp.json`, from the settings
 * declaration (server/config/settings-schema.ts, as compiled into dist/ by `npm run build`).
 * test/unit/settings-json-schema.test.ts fails when the committed file drifts from it.
 *
 * Usage: node scripts/settings-schema.js [--check]   (`npm run schema` builds first)
 */
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..');

function main() {
  const compiled = path.join(REPO, 'dist', 'server', 'config', 'settings-json-schema.js');
  if (!fs.existsSync(compiled)) throw new Error('dist/server/config/settings-json-schema.js is missing: run `npm run build` first');
  const { projectFileSchemaText, SCHEMA_PATH } = require(compiled);
  const file = path.join(REPO, SCHEMA_PATH);
  const text = projectFileSchemaText();
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (process.argv.includes('--check')) {
    if (before !== text) {
      process.stderr.write(`${SCHEMA_PATH} differs from the settings declaration: run \`npm run schema\`\n`);
      process.exit(1);
    }
    process.stdout.write(`${SCHEMA_PATH} matches the settings declaration\n`);
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
}

main();
