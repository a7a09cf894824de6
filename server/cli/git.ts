/**
 * Git helpers for `codex-lsp review`: the repository root, files changed
 * against a base, the changed lines of one file, the files git lists.
 *
 * Every call runs the `git` binary with an argument array (never a shell),
 * with `core.quotePath=false` and literal pathspecs, NUL-separated output
 * wherever files are listed, and `--` before paths, so names with spaces,
 * unicode, glob characters or leading dashes are safe. Paths returned are
 * absolute and spelled from the `root`/`cwd` the caller passed (not git's
 * realpath), so they compare equal to paths the caller builds itself.
 *
 * Errors: `gitRoot` and `isCommit` never throw (undefined / false). The other
 * functions throw a `GitError` whose message names the git command and quotes
 * git's stderr; `code` is `'not-found'` when the git binary is missing.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { mergeRanges, parseDiff, parseNumstatZ, pickSection, type LineRange } from './diff-parse';
import { GitError, LITERAL, runGit, splitZ, toPosix, type GitOptions } from './git-run';

// Process running (git-run.ts) and diff parsing (diff-parse.ts) live apart; callers import them from here.
export { hunkRange, mergeRanges, parseNumstatZ, type DiffSection, type LineRange } from './diff-parse';
export { GitError, runGit, type GitOptions } from './git-run';

interface TopLevel {
  /** Absolute path of the work tree root, spelled from the caller's cwd when possible. */
  top: string;
}

/**
 * The work tree root as seen from `cwd`. `--show-toplevel` returns git's
 * realpath; `cwd` + `--show-cdup` keeps the caller's spelling (symlinked temp
 * dirs, mapped drives), used when both name the same directory.
 */
async function topLevel(cwd: string, opts: GitOptions): Promise<TopLevel> {
  const res = await runGit(['rev-parse', '--show-toplevel', '--show-cdup'], cwd, opts);
  const lines = res.stdout.split('\n').map((l) => l.replace(/\r$/, ''));
  const gitTop = lines[0] ?? '';
  const cdup = lines[1] ?? '';
  if (gitTop === '') {
    throw new GitError(`${cwd} is not inside a git work tree`, 'failed', ['rev-parse', '--show-toplevel']);
  }
  const spelled = path.resolve(cwd, cdup);
  if (spelled !== path.resolve(gitTop)) {
    try {
      const [a, b] = await Promise.all([fsp.realpath(spelled), fsp.realpath(gitTop)]);
      if (a !== b) return { top: path.resolve(gitTop) };
    } catch {
      return { top: path.resolve(gitTop) };
    }
  }
  return { top: spelled };
}

/** The root of the git work tree containing `cwd`; undefined outside a repository or when git is missing. */
export async function gitRoot(cwd: string, opts: GitOptions = {}): Promise<string | undefined> {
  try {
    return (await topLevel(cwd, opts)).top;
  } catch {
    return undefined;
  }
}

/**
 * Whether `ref` names a commit (`git rev-parse --verify --quiet <ref>^{commit}`).
 * `A...` (the merge-base form `changedFiles` accepts) is a commit when A is. Never throws.
 */
export async function isCommit(ref: string, cwd: string, opts: GitOptions = {}): Promise<boolean> {
  if (!isSafeRef(ref)) return false;
  const target = /^(.+)\.\.\.$/.exec(ref)?.[1] ?? ref;
  try {
    await runGit(['rev-parse', '--verify', '--quiet', `${target}^{commit}`], cwd, opts);
    return true;
  } catch {
    return false;
  }
}

/** Refuses what git could read as an option (`--output=...`) or what cannot be a revision. */
function isSafeRef(ref: string): boolean {
  return typeof ref === 'string' && ref !== '' && !ref.startsWith('-') && !/[\0\n]/.test(ref);
}

/**
 * Resolves a user-given base to a commit id. `A...` (three dots, nothing after)
 * means the merge base of A and HEAD, as in `git diff A...`: what a branch
 * changed since it left A, without A's own later commits.
 */
async function resolveBase(base: string, top: string, opts: GitOptions): Promise<string> {
  if (!isSafeRef(base)) {
    throw new GitError(`invalid base "${base}": not a revision`, 'failed', ['rev-parse', base]);
  }
  const mergeBaseOf = /^(.+)\.\.\.$/.exec(base)?.[1];
  if (mergeBaseOf !== undefined) {
    if (!(await isCommit(mergeBaseOf, top, opts))) {
      throw new GitError(`base "${mergeBaseOf}" is not a commit in ${top}`, 'failed', ['rev-parse', mergeBaseOf]);
    }
    const res = await runGit(['merge-base', `${mergeBaseOf}^{commit}`, 'HEAD'], top, opts);
    return res.stdout.trim();
  }
  try {
    const res = await runGit(['rev-parse', '--verify', '--quiet', `${base}^{commit}`], top, opts);
    return res.stdout.trim();
  } catch (err) {
    if (err instanceof GitError && err.code === 'not-found') throw err;
    throw new GitError(
      `base "${base}" is not a commit in ${top} (a branch, tag or commit id is expected; in a shallow CI clone, fetch it first)`,
      'failed',
      ['rev-parse', base],
      err instanceof GitError ? err.stderr : '',
    );
  }
}

/** Paths (relative to the directory git ran in) whose segments include `node_modules`. */
function inNodeModules(rel: string): boolean {
  return rel.split('/').includes('node_modules');
}

async function lstatKind(abs: string): Promise<'file' | 'symlink' | 'dir' | 'other' | 'missing'> {
  try {
    const st = await fsp.lstat(abs);
    if (st.isFile()) return 'file';
    if (st.isSymbolicLink()) return 'symlink';
    if (st.isDirectory()) return 'dir';
    return 'other';
  } catch {
    return 'missing';
  }
}

/** Git's own binary heuristic: a NUL byte in the first 8000 bytes. Unreadable files count as text. */
async function looksBinary(abs: string): Promise<boolean> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(abs, 'r');
    const buf = Buffer.alloc(8000);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).includes(0);
  } catch {
    return false;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * Files changed against `base`, absolute, sorted, unique, for the whole
 * repository containing `root` (intersect with the reviewed paths yourself).
 *
 * - No base: the working tree and the index against HEAD (`git diff HEAD`),
 *   plus untracked files that are not ignored.
 * - With a base: `git diff <base>` (working tree against the base, so commits
 *   since the base count) plus untracked files. `A...` means the merge base of
 *   A and HEAD.
 * - Renamed files count under their new path; deleted files, binary files
 *   (`-` in `--numstat`, or a NUL byte for untracked files), submodules,
 *   symlinks and anything that is not a regular file are left out. Untracked
 *   files under a `node_modules` directory are left out too (a safety net for
 *   repositories that forgot to ignore it).
 * - A repository without commits: every tracked or untracked (not ignored)
 *   file counts as changed (a base is then an error: there is no commit).
 */
export async function changedFiles(root: string, base?: string, opts: GitOptions = {}): Promise<string[]> {
  const { top } = await topLevel(root, opts);
  const rels = new Set<string>();
  let tracked: string[];
  if (base === undefined && !(await isCommit('HEAD', top, opts))) {
    // No commit yet: everything in the index is new.
    const res = await runGit([LITERAL, 'ls-files', '-z', '--cached'], top, opts);
    tracked = splitZ(res.stdout);
  } else {
    const rev = base === undefined ? 'HEAD' : await resolveBase(base, top, opts);
    const res = await runGit(
      [LITERAL, 'diff', '--numstat', '-z', '-M', '--no-color', '--no-ext-diff', '--no-textconv', '--ignore-submodules=all', '--diff-filter=ACMRTU', rev, '--'],
      top,
      opts,
    );
    tracked = parseNumstatZ(res.stdout);
  }
  const trackedSet = new Set(tracked);
  for (const rel of tracked) rels.add(rel);
  const untracked = splitZ((await runGit([LITERAL, 'ls-files', '-z', '--others', '--exclude-standard'], top, opts)).stdout);
  const untrackedSet = new Set<string>();
  for (const rel of untracked) {
    if (rel.endsWith('/') || inNodeModules(rel)) continue; // nested repositories are listed as `dir/`
    rels.add(rel);
    untrackedSet.add(rel);
  }

  const checks = await mapLimit([...rels], 16, async (rel) => {
    const abs = path.join(top, rel);
    if ((await lstatKind(abs)) !== 'file') return undefined;
    // Tracked binaries were already dropped by --numstat; untracked ones need a look.
    if (untrackedSet.has(rel) && !trackedSet.has(rel) && (await looksBinary(abs))) return undefined;
    return abs;
  });
  const result = checks.filter((p): p is string => p !== undefined);
  return [...new Set(result)].sort();
}

/**
 * The changed lines (0-based, in the current file) of `file` against `base`
 * (same base rules as `changedFiles`), as sorted, merged `[start, end)` ranges.
 *
 * Parsed from the hunk headers of `git diff -U0 <base or HEAD> -- <file>`:
 * `+c,d` with d > 0 marks lines c-1 .. c+d-2; a pure deletion (`+c,0`) marks
 * the lines around it (c-1 and c, clamped at 0), so the chunk that lost code
 * is reviewed. A renamed file is compared with its old path (only real edits
 * count).
 *
 * Returns `'all'` for an untracked file, a file added since the base (or in a
 * repository without commits); `[]` for an unchanged file, a binary file, a
 * directory or submodule, or a file deleted from the working tree. Throws a
 * `GitError` when the file is outside the repository or git fails.
 */
export async function changedLines(root: string, file: string, base?: string, opts: GitOptions = {}, how: DiffHow = {}): Promise<LineRange[] | 'all'> {
  const { top } = await topLevel(root, opts);
  const abs = path.resolve(root, file);
  const rel = await relativeInside(top, abs);
  if (rel === undefined) {
    throw new GitError(`${abs} is outside the git work tree ${top}`, 'failed', ['diff', '--', abs]);
  }
  const kind = await lstatKind(abs);
  if (kind === 'dir') return [];
  if (base === undefined && !(await isCommit('HEAD', top, opts))) return 'all';
  const rev = base === undefined ? 'HEAD' : await resolveBase(base, top, opts);

  const inIndex = splitZ((await runGit([LITERAL, 'ls-files', '-z', '--cached', '--', rel], top, opts)).stdout);
  if (!inIndex.includes(rel)) return kind === 'missing' ? [] : 'all';

  const diffArgs = (paths: string[], renames: boolean) => [
    LITERAL,
    'diff',
    ...(how.staged ? ['--cached'] : []),
    `-U${how.context ?? 0}`,
    '--inter-hunk-context=0',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--ignore-submodules=all',
    renames ? '-M' : '--no-renames',
    rev,
    '--',
    ...paths,
  ];
  let section = pickSection(parseDiff((await runGit(diffArgs([rel], false), top, opts)).stdout));
  if (!section) return [];
  if (section.isNew) {
    const source = await renameSource(top, rev, rel, opts, how.staged === true);
    if (source === undefined) return 'all';
    section = pickSection(parseDiff((await runGit(diffArgs([source, rel], true), top, opts)).stdout));
    if (!section || section.isNew) return 'all';
  }
  return mergeRanges(section.ranges);
}

/** Which diff `changedLines` reads: the index's (`--staged`) or the working tree's, and how many lines of context. */
export interface DiffHow {
  /** Index against the base (`git diff --cached`): what a commit would record. */
  staged?: boolean;
  /** Lines of context around each change (0: only the changed lines; 3: git's hunks as shown). */
  context?: number;
}

/** `abs` relative to `top` (posix separators), following symlinked spellings; undefined when outside. */
async function relativeInside(top: string, abs: string): Promise<string | undefined> {
  const inside = (from: string, to: string): string | undefined => {
    const rel = path.relative(from, to);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return toPosix(rel);
  };
  const direct = inside(top, abs);
  if (direct !== undefined) return direct;
  try {
    const realTop = await fsp.realpath(top);
    const realDir = await fsp.realpath(path.dirname(abs));
    return inside(realTop, path.join(realDir, path.basename(abs)));
  } catch {
    return undefined;
  }
}

/** The old path of `rel` when git sees it as a rename since `rev`. */
async function renameSource(top: string, rev: string, rel: string, opts: GitOptions, staged: boolean): Promise<string | undefined> {
  const res = await runGit(
    [LITERAL, 'diff', ...(staged ? ['--cached'] : []), '--name-status', '-z', '-M', '--diff-filter=R', '--no-ext-diff', '--ignore-submodules=all', rev, '--'],
    top,
    opts,
  );
  const tokens = res.stdout.split('\0');
  for (let i = 0; i + 2 < tokens.length; i++) {
    const status = tokens[i] ?? '';
    if (!/^R\d*$/.test(status)) continue;
    const from = tokens[i + 1] ?? '';
    const to = tokens[i + 2] ?? '';
    if (to === rel) return from;
    i += 2;
  }
  return undefined;
}

/** Maps with at most `limit` promises in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Files under `dir` as git sees them, relative to `dir` (posix separators):
 * tracked (`--cached`) and untracked-not-ignored (`--others
 * --exclude-standard`), which honours nested `.gitignore`s,
 * `.git/info/exclude` and the global excludes file. Untracked entries inside
 * a `node_modules` directory below `dir`, and nested repositories (listed as
 * `sub/`), are dropped. Throws a `GitError` when git fails.
 */
export async function gitListFiles(dir: string, opts: GitOptions = {}): Promise<string[]> {
  const [cached, others] = await Promise.all([
    runGit([LITERAL, 'ls-files', '-z', '--cached', '--', '.'], dir, opts),
    runGit([LITERAL, 'ls-files', '-z', '--others', '--exclude-standard', '--', '.'], dir, opts),
  ]);
  const out = new Set<string>(splitZ(cached.stdout));
  for (const rel of splitZ(others.stdout)) {
    if (rel.endsWith('/') || inNodeModules(rel)) continue;
    out.add(rel);
  }
  return [...out];
}

/** Whether git ignores `abs` (`git check-ignore`), e.g. a `dist/` directory. False on any error. */
export async function gitIgnores(abs: string, opts: GitOptions = {}): Promise<boolean> {
  const dir = path.dirname(abs);
  try {
    const res = await runGit(['check-ignore', '-q', '--', path.basename(abs)], dir, opts, [0, 1]);
    return res.exitCode === 0;
  } catch {
    return false;
  }
}
