import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Check } from './report';

/** The VS Code extension's folder name starts with its id. */
const EXTENSION_ID = 'codex-lsp.codex-lsp-vscode';
/** Config files are small; a folder with thousands of files (a plugin manager's) is not searched deeply. */
const MAX_FILES = 400;
const MAX_DEPTH = 4;

interface EditorSpec {
  name: string;
  /** Files or folders whose text files may name codex-lsp. */
  configs: (home: string, xdg: string) => string[];
  guide: string;
}

const EDITORS: EditorSpec[] = [
  {
    name: 'Neovim',
    configs: (_home, xdg) => [path.join(xdg, 'nvim')],
    guide: 'clients/neovim/README.md',
  },
  {
    name: 'Emacs',
    configs: (home, xdg) => [path.join(home, '.emacs'), path.join(home, '.emacs.el'), path.join(home, '.emacs.d'), path.join(xdg, 'emacs')],
    guide: 'clients/emacs/README.md',
  },
  {
    name: 'Helix',
    configs: (_home, xdg) => [path.join(xdg, 'helix', 'languages.toml')],
    guide: 'clients/helix/languages.toml',
  },
];

/** Folders where VS Code and its relatives (code-server, VSCodium, remote servers) keep extensions. */
function extensionDirs(home: string, xdgData: string): string[] {
  return [
    path.join(home, '.vscode', 'extensions'),
    path.join(home, '.vscode-insiders', 'extensions'),
    path.join(home, '.vscode-oss', 'extensions'),
    path.join(home, '.vscode-server', 'extensions'),
    path.join(xdgData, 'code-server', 'extensions'),
  ];
}

/** The first file under `root` (a file or folder) that mentions codex-lsp, or undefined. */
function mentions(root: string): string | undefined {
  let seen = 0;
  const visit = (p: string, depth: number): string | undefined => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return undefined;
    }
    if (st.isFile()) {
      if (++seen > MAX_FILES || st.size > 512 * 1024 || !/(\.(lua|vim|el|toml)|^\.emacs|^init)$/.test(path.basename(p))) return undefined;
      try {
        return readFileSync(p, 'utf8').includes('codex-lsp') ? p : undefined;
      } catch {
        return undefined;
      }
    }
    if (!st.isDirectory() || depth > MAX_DEPTH) return undefined;
    let names: string[];
    try {
      names = readdirSync(p);
    } catch {
      return undefined;
    }
    for (const name of names) {
      // Plugin managers' checkouts and caches: other people's code, not the user's config.
      if (name.startsWith('.') || ['node_modules', 'elpa', 'straight', 'eln-cache', 'pack', 'lazy', 'plugged'].includes(name)) continue;
      const hit = visit(path.join(p, name), depth + 1);
      if (hit) return hit;
    }
    return undefined;
  };
  return visit(root, 0);
}

/** One line per editor: found in its configuration, or not (which is no failure: one editor is enough). */
export function editorChecks(env: NodeJS.ProcessEnv, home: string): Check[] {
  const xdg = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const xdgData = env.XDG_DATA_HOME || path.join(home, '.local', 'share');
  const checks: Check[] = EDITORS.map((e) => {
    for (const root of e.configs(home, xdg)) {
      const hit = mentions(root);
      if (hit) return { id: `editor-${e.name.toLowerCase()}`, status: 'ok', text: `${e.name}: codex-lsp is in ${hit}` };
    }
    return { id: `editor-${e.name.toLowerCase()}`, status: 'skip', text: `${e.name}: codex-lsp is not in its configuration (to set it up: ${e.guide})` };
  });
  let vscode: string | undefined;
  for (const dir of extensionDirs(home, xdgData)) {
    if (!existsSync(dir)) continue;
    try {
      const hit = readdirSync(dir).find((n) => n.toLowerCase().startsWith(`${EXTENSION_ID}-`));
      if (hit) vscode = path.join(dir, hit);
    } catch {
      // An unreadable folder is the same as no extension there.
    }
    if (vscode) break;
  }
  checks.push(
    vscode
      ? { id: 'editor-vscode', status: 'ok', text: `VS Code: the extension is installed in ${vscode}` }
      : { id: 'editor-vscode', status: 'skip', text: 'VS Code: the codex-lsp extension is not installed (to set it up: clients/vscode/README.md)' },
  );
  return checks;
}
