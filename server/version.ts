import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package version, read once from package.json (two levels up in both src and dist layouts). */
function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, rel), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'codex-lsp' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Try the next layout.
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
