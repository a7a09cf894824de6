/**
 * File discovery for `codex-lsp review [PATH|GLOB ...]`.
 *
 * - No argument: the current directory.
 * - An existing file: that file, even when `.gitignore`d (it was named), but
 *   still subject to the ignore globs (built-in `DEFAULT_IGNORE` + the user's
 *   `ignore`): then it is reported in `ignored` instead.
 * - An existing directory: walked recursively. Inside a git work tree this is
 *   exactly git's view (`git ls-files --cached --others --exclude-standard`:
 *   nested `.gitignore`s, `.git/info/exclude`, the global excludes file); a
 *   directory git ignores as a whole (`review dist`) is walked as if outside
 *   git, starting from its own `.gitignore`s, since it was named. Outside git
 *   the tree is walked here: `.git`, `node_modules` and dot-directories below
 *   the named directory are skipped, and `.gitignore` files from the project
 *   root down (nested ones included, each for its own folder) are applied as
 *   git applies them (privacy/gitignore.ts, the `ignore` library).
 *   Symlinked directories are never followed (no loops), broken links are
 *   skipped, symlinks to files are listed under the link's path.
 * - Anything else containing `*`, `?`, `[` or `{` is a glob, relative to cwd
 *   (picomatch, `dot: true`): its static base directory (`src` for
 *   `src/**\/*.ts`) is walked as above and the rest is matched against the
 *   paths relative to that base (a base directory git ignores as a whole is
 *   walked, as when named).
 * - Files found by walking that match the ignore globs are dropped silently;
 *   binary files (a NUL byte in the first 8000 bytes) are dropped silently too,
 *   and reported in `binary` when named explicitly.
 * - Arguments that produce no file (nonexistent paths, globs matching nothing,
 *   directories with nothing reviewable) are listed in `missing`.
 *
 * The size cap is the caller's business: large files are listed.
 */
import { promises as fsp } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import * as path from 'node:path';
import picomatch = require('picomatch');
import { isGitignored, readGitignore, type GitignoreFile } from '../privacy/gitignore';
import { createIgnoreMatcher, DEFAULT_IGNORE, type IgnoreMatcher } from '../privacy/ignore';
import { gitIgnores, gitListFiles, gitRoot, mapLimit, type GitOptions } from './git';

export interface FileSet {
  /** Files to review: absolute, sorted, unique. */
  files: string[];
  /** Arguments (as given) that produced no file, for a clear message. */
  missing: string[];
  /** Files named explicitly that match the ignore globs (absolute, sorted): reported as skipped. */
  ignored: string[];
  /** Files named explicitly that look binary (absolute, sorted): reported as skipped. */
  binary: string[];
}

export interface FindFilesOptions extends GitOptions {
  /** Directory relative arguments and globs are resolved against. */
  cwd: string;
  /** Project root (`.codex-lsp.json` dir, git root or cwd): anchors ignore globs and the root `.gitignore`. */
  root: string;
  /** User ignore globs; `DEFAULT_IGNORE` always applies as well (before them, so `!x` can re-include). */
  ignore: readonly string[];
  /** The repository: files whose real path is outside it (links out) are listed unread, for the caller to skip. */
  contain?: string;
}

const GLOB_CHARS = /[*?[{]/;
const TEXT_SNIFF_BYTES = 8000;
/** A file name no sensible pattern matches, to ask a matcher whether a directory is excluded. */
const PROBE = '\u0000codex-lsp-probe\u0000';

/** Whether an argument is meant as a glob (it contains `*`, `?`, `[` or `{`). */
export function isGlobPattern(arg: string): boolean {
  return GLOB_CHARS.test(arg);
}

/**
 * Cheap binary check, git's heuristic: false when the first 8000 bytes hold a
 * NUL byte. Unreadable files count as text, so the caller reports the read error.
 */
export async function isProbablyText(file: string): Promise<boolean> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(file, 'r');
    const buf = Buffer.alloc(TEXT_SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return !buf.subarray(0, bytesRead).includes(0);
  } catch {
    return true;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

export async function findFiles(args: readonly string[], opts: FindFilesOptions): Promise<FileSet> {
  const cwd = path.resolve(opts.cwd);
  const root = path.resolve(opts.cwd, opts.root);
  const finder = new Finder({ ...opts, cwd, root });
  const files = new Set<string>();
  const ignored = new Set<string>();
  const binary = new Set<string>();
  const missing: string[] = [];
  const addMissing = (arg: string): void => {
    if (!missing.includes(arg)) missing.push(arg);
  };

  for (const arg of args.length === 0 ? ['.'] : args) {
    const abs = path.resolve(cwd, arg);
    const st = await statOrUndefined(abs);
    if (st?.isFile()) {
      if (finder.globIgnores(abs)) ignored.add(abs);
      else if (!(await finder.isText(abs))) binary.add(abs);
      else files.add(abs);
      continue;
    }
    let found: string[] | undefined;
    if (st?.isDirectory()) found = await finder.walk(abs);
    else if (!st && isGlobPattern(arg)) found = await finder.expandGlob(arg);
    const text = found ? await finder.textOnly(found) : [];
    if (text.length === 0) addMissing(arg);
    for (const f of text) files.add(f);
  }

  return {
    files: [...files].sort(),
    missing,
    ignored: [...ignored].sort(),
    binary: [...binary].sort(),
  };
}

class Finder {
  private readonly matcher: IgnoreMatcher;
  private readonly textCache = new Map<string, Promise<boolean>>();
  private realContain: Promise<string> | undefined;

  constructor(private readonly opts: FindFilesOptions) {
    this.matcher = createIgnoreMatcher([...DEFAULT_IGNORE, ...opts.ignore], [opts.root]);
  }

  globIgnores(abs: string): boolean {
    return this.matcher.ignores(abs);
  }

  isText(abs: string): Promise<boolean> {
    let p = this.textCache.get(abs);
    if (!p) {
      p = this.outsideContainer(abs).then((outside) => (outside ? true : isProbablyText(abs)));
      this.textCache.set(abs, p);
    }
    return p;
  }

  /**
   * Whether `abs`, spelled inside `contain`, really lives outside it (a link out of the repository): such a file is
   * not even opened to sniff it; the caller reports it as skipped (links.ts).
   */
  private async outsideContainer(abs: string): Promise<boolean> {
    if (this.opts.contain === undefined) return false;
    const spelled = path.relative(this.opts.contain, abs);
    // Named outside the repository by the user (not reached through a link in it): sniffed as usual.
    if (spelled === '..' || spelled.startsWith(`..${path.sep}`) || path.isAbsolute(spelled)) return false;
    this.realContain ??= fsp.realpath(this.opts.contain).catch(() => this.opts.contain as string);
    const [real, top] = await Promise.all([fsp.realpath(abs).catch(() => abs), this.realContain]);
    const rel = path.relative(top, real);
    return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
  }

  async textOnly(files: readonly string[]): Promise<string[]> {
    const flags = await mapLimit(files, 32, (f) => this.isText(f));
    return files.filter((_, i) => flags[i]);
  }

  /** Expands a glob relative to cwd; undefined when it is not a glob after all or its base is not a directory. */
  async expandGlob(pattern: string): Promise<string[] | undefined> {
    const scan = picomatch.scan(pattern);
    if (!scan.isGlob || scan.negated || scan.glob === '') return undefined;
    const base = path.resolve(this.opts.cwd, scan.base === '' ? '.' : scan.base);
    if (!(await statOrUndefined(base))?.isDirectory()) return undefined;
    let isMatch: (p: string) => boolean;
    try {
      isMatch = picomatch(scan.glob, { dot: true, windows: false });
    } catch {
      return undefined;
    }
    // Without `**` (or braces, which may hide slashes) the glob cannot reach deeper than its segments.
    const maxDepth = /\*\*|\{/.test(scan.glob) ? Infinity : scan.glob.split('/').length;
    const candidates = await this.walk(base, maxDepth);
    return candidates.filter((f) => isMatch(toPosix(path.relative(base, f))));
  }

  /** Regular files (or links to them) under `dir`, gitignore and ignore globs applied. */
  async walk(dir: string, maxDepth = Infinity): Promise<string[]> {
    let candidates: string[];
    if ((await gitRoot(dir, this.opts)) !== undefined) {
      const rels = await gitListFiles(dir, this.opts);
      if (rels.length === 0 && (await gitIgnores(dir, this.opts))) {
        // A directory git ignores as a whole, named explicitly: walk it, with its own .gitignores only.
        candidates = await this.walkTree(dir, maxDepth, []);
      } else {
        const within = rels.filter((r) => r.split('/').length <= maxDepth);
        const abs = within.map((r) => path.join(dir, r));
        const kinds = await mapLimit(abs, 32, fileKind);
        candidates = abs.filter((_, i) => kinds[i] === 'file');
      }
    } else {
      candidates = await this.walkTree(dir, maxDepth, await this.ancestorGitignores(dir));
    }
    return candidates.filter((f) => !this.matcher.ignores(f));
  }

  /** `.gitignore` files from the project root down to (not including) `dir`, when `dir` is inside the root. */
  private async ancestorGitignores(dir: string): Promise<GitignoreFile[]> {
    const rel = path.relative(this.opts.root, dir);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return [];
    const out: GitignoreFile[] = [];
    let current = this.opts.root;
    const parts = rel === '' ? [] : rel.split(path.sep);
    for (let i = 0; i <= parts.length; i++) {
      if (i > 0) current = path.join(current, parts[i - 1] ?? '');
      if (current === dir) break;
      const m = await readGitignore(current);
      if (m) out.push(m);
    }
    // The named directory itself is excluded by an ancestor: it was named, so drop those.
    if (isGitignored(out, dir, true)) return [];
    return out;
  }

  /** The walk outside git (or inside a directory git ignores). */
  private async walkTree(start: string, maxDepth: number, inherited: GitignoreFile[]): Promise<string[]> {
    const out: string[] = [];
    const visit = async (dir: string, depth: number, gitignores: GitignoreFile[]): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch {
        return; // unreadable or vanished directory
      }
      let local = gitignores;
      if (entries.some((e) => e.name === '.gitignore' && !e.isDirectory())) {
        const g = await readGitignore(dir);
        if (g) local = [...gitignores, g];
      }
      const subdirs: string[] = [];
      const links: string[] = [];
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name === '.git' || e.name === 'node_modules' || e.name.startsWith('.')) continue;
          if (depth + 1 >= maxDepth) continue;
          if (dirExcluded(this.matcher, full) || isGitignored(local, full, true)) continue;
          subdirs.push(full);
        } else if (e.isFile()) {
          if (depth + 1 <= maxDepth && !isGitignored(local, full, false)) out.push(full);
        } else if (e.isSymbolicLink()) {
          // git sees a link as a file, even one to a folder.
          if (depth + 1 <= maxDepth && !isGitignored(local, full, false)) links.push(full);
        }
      }
      // Links: only to regular files; directories are not followed, broken links are skipped.
      const kinds = await mapLimit(links, 32, fileKind);
      links.forEach((l, i) => {
        if (kinds[i] === 'file') out.push(l);
      });
      for (const sub of subdirs) await visit(sub, depth + 1, local);
    };
    await visit(start, 0, inherited);
    return out;
  }
}

/** Whether the privacy matcher excludes a directory (as a name, or as a directory-only pattern). */
function dirExcluded(m: IgnoreMatcher, dir: string): boolean {
  return m.ignores(dir) || m.ignores(path.join(dir, PROBE));
}

/** `file` for regular files and links to regular files; `other` for everything else (dirs, broken links, fifos). */
async function fileKind(abs: string): Promise<'file' | 'other'> {
  const st = await statOrUndefined(abs); // follows links
  return st?.isFile() ? 'file' : 'other';
}

async function statOrUndefined(abs: string): Promise<Stats | undefined> {
  try {
    return await fsp.stat(abs);
  } catch {
    return undefined;
  }
}

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}
