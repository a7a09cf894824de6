import * as fs from 'node:fs';
import * as path from 'node:path';

/** Walks up to the package.json named codex-lsp, so this also works from a compiled copy (.bench-build/test/support). */
function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        const parsed: unknown = JSON.parse(fs.readFileSync(pkg, 'utf8'));
        if (typeof parsed === 'object' && parsed !== null && (parsed as { name?: unknown }).name === 'codex-lsp') return dir;
      } catch {
        // An unreadable package.json is not ours; keep walking.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(start, '..', '..');
    dir = parent;
  }
}

export const REPO_ROOT: string = findRepoRoot(__dirname);
export const SERVER_BIN: string = path.join(REPO_ROOT, 'bin', 'codex-lsp.js');

/**
 * Variables that could point a test's server or CLI at a real key, endpoint or the developer's
 * cache, or change what it prints: removed before a test sets its own.
 */
export const SCRUBBED_ENV: readonly string[] = [
  'CODEX_LSP_API_KEY',
  'COMETAPI_KEY',
  'COMETAPI_API_KEY',
  'OPENAI_API_KEY',
  'CODEX_LSP_BASE_URL',
  'CODEX_LSP_MODEL',
  'CODEX_LSP_CACHE_DIR',
  'OPENAI_BASE_URL',
  'CODEX_LSP_LOG',
  'NO_COLOR',
];
