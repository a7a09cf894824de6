import * as fs from 'node:fs';
import * as path from 'node:path';

interface PackageInfo {
  version: string;
  /** The project's web address (from `repository`), for SARIF's informationUri. */
  repositoryUrl: string;
  /** The documentation (from `homepage`), for SARIF's helpUri. */
  homepage: string;
}

/** Where the project lives if package.json cannot be read: the same address package.json names. */
const FALLBACK_URL = 'https://github.com/codex-lsp/codex-lsp';

/** package.json, read once (two levels up in both src and dist layouts, and in the VS Code bundle). */
function readPackage(): PackageInfo {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, rel), 'utf8')) as {
        name?: string;
        version?: string;
        homepage?: string;
        repository?: { url?: string } | string;
      };
      if (pkg.name !== 'codex-lsp' || typeof pkg.version !== 'string') continue;
      const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
      const repositoryUrl = repo ? repo.replace(/^git\+/, '').replace(/\.git$/, '') : FALLBACK_URL;
      return { version: pkg.version, repositoryUrl, homepage: pkg.homepage ?? repositoryUrl };
    } catch {
      // Try the next layout.
    }
  }
  return { version: '0.0.0', repositoryUrl: FALLBACK_URL, homepage: FALLBACK_URL };
}

export const PACKAGE = readPackage();
export const VERSION = PACKAGE.version;
