#!/usr/bin/env node
'use strict';
/**
 * One version: the root package.json's. This copies it into the VS Code extension's
 * package.json and into the lockfile's entry for that workspace.
 *
 *   node scripts/sync-version.js           write them (npm's `version` hook runs this, so
 *                                          `npm version minor` bumps and commits all three)
 *   node scripts/sync-version.js --check   change nothing; exit 1 naming each file that differs
 *                                          (packaging the extension runs this)
 */
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..');
const EXTENSION = 'clients/vscode';

function read(rel) {
  return JSON.parse(fs.readFileSync(path.join(REPO, rel), 'utf8'));
}

// npm writes these files as JSON with two spaces and a final newline; so does this.
function write(rel, json) {
  fs.writeFileSync(path.join(REPO, rel), `${JSON.stringify(json, null, 2)}\n`);
}

const version = read('package.json').version;
const ext = read(`${EXTENSION}/package.json`);
const lock = read('package-lock.json');
const lockEntry = lock.packages?.[EXTENSION];
if (!lockEntry) {
  process.stderr.write(`package-lock.json has no entry for ${EXTENSION}\n`);
  process.exit(1);
}

const drift = [];
if (ext.version !== version) drift.push(`${EXTENSION}/package.json has ${ext.version}`);
if (lockEntry.version !== version) drift.push(`package-lock.json has ${lockEntry.version} for ${EXTENSION}`);

if (process.argv.includes('--check')) {
  if (drift.length > 0) {
    process.stderr.write(`version ${version} (package.json) differs: ${drift.join('; ')}. Run: node scripts/sync-version.js\n`);
    process.exit(1);
  }
} else if (drift.length > 0) {
  ext.version = version;
  lockEntry.version = version;
  write(`${EXTENSION}/package.json`, ext);
  write('package-lock.json', lock);
  process.stdout.write(`${EXTENSION} is now at version ${version}\n`);
}
