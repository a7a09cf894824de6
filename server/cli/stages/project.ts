/**
 * Stage 2 of `codex-lsp review`: the project the paths belong to. Its settings (defaults <
 * the nearest .codex-lsp.json < environment), the git repository, and the folders prompts
 * and ignore globs are relative to.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { ConfigSnapshot } from '../../config/store';
import { isGlobPattern } from '../files';
import { gitRoot } from '../git';
import { configurationErrors, loadCliSettings } from '../load-settings';
import { EXIT, type Stop } from './stage';

export interface Project {
  /** Where the command runs (absolute). */
  cwd: string;
  /** The nearest .codex-lsp.json above the paths asked for, if any. */
  projectFile: string | undefined;
  /** The git work tree, if any. */
  repo: string | undefined;
  /** The project file's folder; without one, the repository (or cwd). Its ignore globs are relative to it. */
  projectDir: string;
  /**
   * The repository (else the project folder): prompts name files relative to it, as an editor
   * opened there does, and SARIF locations are relative to it, as code-scanning tools expect.
   */
  top: string;
  /** `top`, and the project folder when it differs (a package of a monorepo). */
  roots: string[];
  /** The settings, free of problems (a run with any stops here). */
  snapshot: ConfigSnapshot;
  /** To say before the run: which model a project file chose. */
  notes: string[];
}

/**
 * The project, or a stop (exit 2) naming every configuration problem. The .codex-lsp.json is
 * the nearest one above the paths asked for (their common folder), so `review packages/web`
 * from the top of a monorepo takes packages/web's settings.
 */
export async function openProject(paths: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Project | Stop> {
  const start = commonFolder(paths.filter((p) => !isGlobPattern(p)).map((p) => path.resolve(cwd, p))) ?? cwd;
  const { snapshot, projectFile, projectValues } = loadCliSettings(start, env);
  const notes: string[] = [];
  if (projectFile && typeof projectValues?.model === 'string' && !env.CODEX_LSP_MODEL)
    notes.push(`codex-lsp review: model "${projectValues.model}" (from ${projectFile})`);
  const errors = configurationErrors(snapshot);
  if (errors.length > 0) return { stop: EXIT.usage, stderr: [...notes, ...errors.map((p) => `codex-lsp review: configuration error: ${p}`)] };

  const repo = await gitRoot(existsSync(start) ? start : cwd).catch(() => undefined);
  const projectDir = projectFile ? path.dirname(projectFile) : (repo ?? cwd);
  const top = repo ?? projectDir;
  return { cwd, projectFile, repo, projectDir, top, roots: top === projectDir ? [top] : [top, projectDir], snapshot, notes };
}

/** The deepest folder that holds every path (a file's folder for one file); undefined for none. */
export function commonFolder(paths: readonly string[]): string | undefined {
  if (paths.length === 0) return undefined;
  const folders = paths.map((p) => {
    try {
      return statSync(p).isDirectory() ? p : path.dirname(p);
    } catch {
      return path.dirname(p);
    }
  });
  let common = folders[0] as string;
  for (const f of folders.slice(1)) {
    while (common !== path.dirname(common) && !(f === common || f.startsWith(common + path.sep))) common = path.dirname(common);
  }
  return common;
}
