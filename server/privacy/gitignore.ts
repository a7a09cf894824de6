/**
 * `.gitignore` files read as git reads them, through the `ignore` library, for the walks
 * that happen without git: the CLI's folder walk (cli/files.ts) and the workspace index
 * (context/workspace-index.ts).
 *
 * Deliberately not the privacy matcher (ignore.ts), which serves the `ignore` setting and
 * differs from git on purpose: it lets `!x` re-include a file inside an excluded folder,
 * matches a pattern with a slash (`docs/notes.txt`) at any depth, and matches the built-in
 * patterns in any letter case. Here each `.gitignore` applies to its own folder only, and
 * a deeper one overrides the ones above it, as in git.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** One `.gitignore` file: its folder and its rules. */
export interface GitignoreFile {
  readonly dir: string;
  readonly rules: Ignore;
}

/**
 * Case as `git init` sets `core.ignorecase` on each system's usual file system: off on
 * Linux, on for macOS and Windows.
 */
const IGNORE_CASE = process.platform === 'darwin' || process.platform === 'win32';

export function parseGitignore(dir: string, text: string): GitignoreFile {
  return { dir, rules: ignore({ ignorecase: IGNORE_CASE }).add(text) };
}

/** The `.gitignore` in `dir`, or undefined when there is none (or it cannot be read). */
export async function readGitignore(dir: string): Promise<GitignoreFile | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dir, '.gitignore'), 'utf8');
  } catch {
    return undefined;
  }
  return parseGitignore(dir, text);
}

/**
 * Whether git would ignore `abs` (a folder when `isDir`), given the `.gitignore` files of the
 * folders above it, outermost first: ignored when a folder on the way down is, else when the
 * deepest file with an opinion on `abs` itself says so.
 */
export function isGitignored(files: readonly GitignoreFile[], abs: string, isDir: boolean): boolean {
  const top = files[0]?.dir;
  if (top === undefined) return false;
  const rel = relativeInside(top, abs);
  if (rel === undefined) return false;
  // A file inside an excluded folder cannot be re-included: the folders decide first.
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    if (verdict(files, path.join(top, ...parts.slice(0, i)), true) === true) return true;
  }
  return verdict(files, abs, isDir) ?? false;
}

/** The deepest file's opinion on `abs` itself, its parent folders known not to be ignored. */
function verdict(files: readonly GitignoreFile[], abs: string, isDir: boolean): boolean | undefined {
  for (let i = files.length - 1; i >= 0; i--) {
    const file = files[i] as GitignoreFile;
    const rel = relativeInside(file.dir, abs);
    if (rel === undefined) continue;
    // The library also applies a folder's exclusion to what is inside it. When this file
    // excludes a parent that a deeper file re-included, its answer is about that parent,
    // not about `abs`: it is skipped.
    const parent = path.posix.dirname(rel);
    if (parent !== '.' && file.rules.ignores(`${parent}/`)) continue;
    const result = file.rules.test(isDir ? `${rel}/` : rel);
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return undefined;
}

/** `abs` relative to `dir` with `/` separators, or undefined when it is not strictly inside. */
function relativeInside(dir: string, abs: string): string | undefined {
  const rel = path.relative(dir, abs);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return undefined;
  return path.sep === '/' ? rel : rel.split(path.sep).join('/');
}
