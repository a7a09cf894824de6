/**
 * Git helpers for `codex-lsp review`: the repository root, files changed
 * against a base, and the changed lines of one file.
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
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

export interface GitOptions {
  /** The git executable (default `git`, looked up on PATH). Tests point it at a missing file to simulate "no git". */
  gitBinary?: string;
}

export type LineRange = { start: number; end: number };

export class GitError extends Error {
  constructor(
    message: string,
    /** `not-found`: the git binary could not be started; `failed`: git ran and failed. */
    readonly code: 'not-found' | 'failed',
    readonly args: readonly string[],
    readonly stderr = '',
    readonly exitCode: number | null = null,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Global options put before every command. */
const GLOBAL_ARGS = ['-c', 'core.quotePath=false'];
/** Put before commands that take pathspecs: `*`, `[` or `:` in a file name are not patterns. (check-ignore refuses it.) */
const LITERAL = '--literal-pathspecs';

/**
 * Runs git and resolves with its output when the exit code is in `okCodes`;
 * otherwise rejects with a `GitError` quoting stderr. Exported for `files.ts`.
 */
export function runGit(
  args: readonly string[],
  cwd: string,
  opts: GitOptions = {},
  okCodes: readonly number[] = [0],
): Promise<GitResult> {
  const bin = opts.gitBinary ?? 'git';
  const shown = `git ${args.join(' ')}`;
  return new Promise<GitResult>((resolve, reject) => {
    let child;
    try {
      child = spawn(bin, [...GLOBAL_ARGS, ...args], {
        cwd,
        env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (err) {
      reject(new GitError(`could not run ${shown}: ${errorText(err)}`, 'failed', args));
      return;
    }
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => errs.push(b));
    let settled = false;
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      if (err.code === 'ENOENT') {
        // spawn reports a missing cwd the same way as a missing binary: tell them apart.
        fsp.stat(cwd).then(
          (st) =>
            reject(
              st.isDirectory()
                ? new GitError(
                    `git was not found (tried to run "${bin}"); install git or make sure it is on PATH`,
                    'not-found',
                    args,
                  )
                : new GitError(`cannot run ${shown}: ${cwd} is not a directory`, 'failed', args),
            ),
          () => reject(new GitError(`cannot run ${shown}: directory ${cwd} does not exist`, 'failed', args)),
        );
        return;
      }
      reject(new GitError(`could not run ${shown}: ${err.message}`, 'failed', args));
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(errs).toString('utf8');
      const exitCode = code ?? -1;
      if (okCodes.includes(exitCode)) {
        resolve({ stdout, stderr, exitCode });
        return;
      }
      const why = signal ? `killed by ${signal}` : `exit code ${exitCode}`;
      const detail = stderr.trim();
      reject(
        new GitError(
          `${shown} failed in ${cwd} (${why})${detail ? `: ${detail}` : ''}`,
          'failed',
          args,
          stderr,
          code,
        ),
      );
    });
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Splits `-z` output into entries (the trailing NUL leaves an empty last element, dropped). */
function splitZ(stdout: string): string[] {
  return stdout.split('\0').filter((s) => s !== '');
}

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

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
      [
        LITERAL,
        'diff',
        '--numstat',
        '-z',
        '-M',
        '--no-color',
        '--no-ext-diff',
        '--no-textconv',
        '--ignore-submodules=all',
        '--diff-filter=ACMRTU',
        rev,
        '--',
      ],
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
 * Parses `git diff --numstat -z`: `A\tD\tpath\0` or, for renames and copies,
 * `A\tD\t\0old\0new\0`. Binary entries (`-\t-`) are dropped; new paths kept.
 */
export function parseNumstatZ(stdout: string): string[] {
  const tokens = stdout.split('\0');
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] ?? '';
    if (tok === '') continue;
    const m = /^(\d+|-)\t(\d+|-)\t([\s\S]*)$/.exec(tok);
    if (!m) continue;
    const binary = m[1] === '-' && m[2] === '-';
    let file = m[3] ?? '';
    if (file === '') {
      // rename/copy: the next two tokens are the old and the new path
      file = tokens[i + 2] ?? '';
      i += 2;
    }
    if (!binary && file !== '') out.push(file);
  }
  return out;
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
export async function changedLines(
  root: string,
  file: string,
  base?: string,
  opts: GitOptions = {},
  how: DiffHow = {},
): Promise<LineRange[] | 'all'> {
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

export interface DiffSection {
  /** The new side is /dev/null (the file was deleted). */
  isDeleted: boolean;
  /** The old side is /dev/null (the file was added). */
  isNew: boolean;
  ranges: LineRange[];
}

/**
 * Splits a unified diff into per-file sections and reads the hunk headers.
 * Content lines always start with `+`, `-`, ` ` or `\`, so a line starting
 * with `diff --git ` or `@@ ` is never content, whatever the file holds.
 */
export function parseDiff(text: string): DiffSection[] {
  const sections: DiffSection[] = [];
  let current: DiffSection | undefined;
  let inHunks = false;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('diff --git ') || line.startsWith('diff --cc ') || line.startsWith('diff --combined ')) {
      current = { isDeleted: false, isNew: false, ranges: [] };
      sections.push(current);
      inHunks = false;
      continue;
    }
    if (!current) continue;
    if (line.startsWith('@@')) {
      inHunks = true;
      const range = hunkRange(line);
      if (range) current.ranges.push(range);
      continue;
    }
    if (inHunks) continue;
    if (line.startsWith('new file mode') || line === '--- /dev/null') current.isNew = true;
    else if (line.startsWith('deleted file mode') || line === '+++ /dev/null') current.isDeleted = true;
  }
  return sections;
}

/** `@@ -a[,b] +c[,d] @@` -> the 0-based range of the current file it touches. */
export function hunkRange(header: string): LineRange | undefined {
  // Combined diffs (merge conflicts) have more `@` and more `-` groups; the `+` group is last.
  const m = /^@@+ (?:-\d+(?:,\d+)? )+\+(\d+)(?:,(\d+))? @@/.exec(header);
  if (!m) return undefined;
  const c = Number(m[1]);
  const d = m[2] === undefined ? 1 : Number(m[2]);
  if (d > 0) return { start: c - 1, end: c - 1 + d };
  // Pure deletion after line c (1-based): mark the line before and the line after.
  return { start: Math.max(0, c - 1), end: c + 1 };
}

function pickSection(sections: DiffSection[]): DiffSection | undefined {
  return sections.find((s) => !s.isDeleted);
}

/** Sorts and merges overlapping or adjacent ranges; drops empty ones. */
export function mergeRanges(ranges: readonly LineRange[]): LineRange[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: LineRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
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
