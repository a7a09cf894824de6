#!/usr/bin/env node
'use strict';
// Thin launcher: the server is compiled to dist/ by `npm ci` (the `prepare` script).
let main;
try {
  main = require('../dist/server/main.js').main;
} catch (err) {
  process.stderr.write('codex-lsp: the server is not built (' + err?.message + ').\n' + 'Run `npm ci` (or `npm run build`) in the codex-lsp folder.\n');
  process.exit(2);
}
main(process.argv.slice(2));
