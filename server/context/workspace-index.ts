import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isGitignored, readGitignore } from '../privacy/gitignore';
import type { Syntax } from '../syntax/syntax';
import type { Definition } from '../syntax/outline';
import { languageOf } from '../text/language';
import type { Logger } from '../util/log';

export interface IndexedDefinition extends Definition {
  /** Absolute path of the file that defines it. */
  file: string;
}

export interface IndexLimits {
  maxFiles: number;
  maxFileBytes: number;
}

/** Folders never worth indexing, whatever .gitignore says (outside git, nothing else says it). */
const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'vendor',
  'dist',
  'build',
  'out',
  'target',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.cache',
  'coverage',
]);
/** Index work is cut into slices this long, so the server keeps answering while it builds. */
const SLICE_MS = 8;

/**
 * Definitions of the workspace, by name: file, lines, signature and doc comment. Built lazily in
 * the background from the workspace folders (git's view of them: tracked and untracked files
 * that .gitignore does not exclude), bounded in files and bytes per file, and kept current
 * from the editor's texts and file events. Files that an `ignore` glob or the built-in secret
 * list matches, and symbolic links, are never read.
 */
export class WorkspaceIndex {
  private readonly byName = new Map<string, IndexedDefinition[]>();
  private readonly byFile = new Map<string, IndexedDefinition[]>();
  private building: Promise<void> | undefined;
  private generation = 0;
  /** Files listed but not read because of the bounds, for the log. */
  skipped = 0;

  /** The folders of the build under way: only files inside them are indexed. */
  private roots: readonly string[] = [];

  constructor(
    private readonly syntax: Syntax,
    private readonly log: Logger,
    private readonly isIgnored: (file: string) => boolean,
    /** Secrets masked (length-preserving) before anything is cut: a signature cut mid-token would escape redaction. */
    private readonly mask: (text: string) => string,
  ) {}

  /**
   * The one gate for every way into the index (the build, open documents, file events): inside
   * a workspace folder, not in a folder never worth indexing, not ignored, of a language with a grammar.
   */
  admits(file: string): boolean {
    return admitted(file, this.roots, this.isIgnored) && this.syntax.supports(languageOf('', file));
  }

  get definitions(): number {
    let n = 0;
    for (const defs of this.byFile.values()) n += defs.length;
    return n;
  }

  lookup(name: string): readonly IndexedDefinition[] {
    // Checked again on the way out: a file may have become ignored since it was read.
    return (this.byName.get(name) ?? []).filter((d) => !this.isIgnored(d.file));
  }

  /** Starts the build once (later calls return the same promise). */
  build(roots: readonly string[], limits: IndexLimits, skip: (file: string) => boolean = () => false): Promise<void> {
    if (!this.building) {
      this.roots = [...roots];
      this.building = this.run(roots, limits, this.generation, skip);
    }
    return this.building;
  }

  /** Forgets everything (the workspace or the settings changed); the next build starts over. */
  reset(): void {
    this.generation++;
    this.building = undefined;
    this.roots = [];
    this.byName.clear();
    this.byFile.clear();
    this.skipped = 0;
  }

  /** Indexes one file's text (an open document's, or a file that changed on disk). */
  async update(file: string, text: string, languageId = ''): Promise<void> {
    if (!this.admits(file)) return;
    const generation = this.generation;
    const defs = await this.definitionsOf(file, text, languageId);
    // Read before a reset (the settings or folders changed): not for the new index.
    if (generation !== this.generation) return;
    this.set(file, defs);
  }

  /** A text's definitions, its secrets masked before anything is cut (also for reviews' imported files). */
  async definitionsOf(file: string, text: string, languageId = ''): Promise<IndexedDefinition[]> {
    const defs = await this.syntax.definitionsOf(languageOf(languageId, file), this.mask(text));
    return (defs ?? []).map((d) => ({ ...d, file }));
  }

  /** Reads a file from disk and indexes it, unless it is ignored, a link, too large or binary. */
  async updateFromDisk(file: string, limits: IndexLimits): Promise<void> {
    if (!this.admits(file)) return;
    const stat = await sourceStat(file);
    if (!stat) {
      this.remove(file);
      return;
    }
    if (!stat.isFile() || stat.size > limits.maxFileBytes) {
      if (stat.isFile()) this.skipped++;
      return;
    }
    const text = await sourceText(file);
    if (text !== undefined) await this.update(file, text);
  }

  remove(file: string): void {
    this.set(file, []);
  }

  private set(file: string, defs: IndexedDefinition[]): void {
    for (const old of this.byFile.get(file) ?? []) {
      const list = this.byName.get(old.name);
      if (!list) continue;
      const kept = list.filter((d) => d.file !== file);
      if (kept.length > 0) this.byName.set(old.name, kept);
      else this.byName.delete(old.name);
    }
    if (defs.length === 0) {
      this.byFile.delete(file);
      return;
    }
    this.byFile.set(file, defs);
    for (const d of defs) {
      const list = this.byName.get(d.name);
      if (list) list.push(d);
      else this.byName.set(d.name, [d]);
    }
  }

  private async run(roots: readonly string[], limits: IndexLimits, generation: number, skip: (file: string) => boolean): Promise<void> {
    const started = Date.now();
    let listed = 0;
    let slice = Date.now();
    for (const root of roots) {
      const files = await listFiles(root, limits.maxFiles - listed);
      for (const rel of files) {
        if (generation !== this.generation) return;
        const file = path.join(root, rel);
        if (!this.syntax.supports(languageOf('', file))) continue;
        listed++;
        // Open documents are indexed from the editor's text, which may be unsaved.
        if (skip(file)) continue;
        await this.updateFromDisk(file, limits).catch((err: unknown) => this.log.debug(() => `index: ${file}: ${String(err)}`));
        if (Date.now() - slice > SLICE_MS) {
          // Let requests in between files: the index is background work.
          await new Promise((r) => setImmediate(r));
          slice = Date.now();
        }
      }
      if (listed >= limits.maxFiles) break;
    }
    this.log.info(
      `index: ${this.byFile.size} files, ${this.definitions} definitions in ${Date.now() - started} ms` +
        (listed >= limits.maxFiles ? ` (the context.maxFiles limit, ${limits.maxFiles})` : '') +
        (this.skipped > 0 ? `; ${this.skipped} files over context.maxFileKB not read` : ''),
    );
  }
}

/** A file's own status (a link is not followed: it is not a regular file), or undefined when it is not there. */
export async function sourceStat(file: string): Promise<fs.Stats | undefined> {
  return fs.promises.lstat(file).catch(() => undefined);
}

/** A file's text, or undefined when it cannot be read or is binary (a NUL byte). */
export async function sourceText(file: string): Promise<string | undefined> {
  const text = await fs.promises.readFile(file, 'utf8').catch(() => undefined);
  return text === undefined || text.includes('\u0000') ? undefined : text;
}

/** Inside a workspace folder, not in a folder never worth indexing, and not ignored. */
export function admitted(file: string, roots: readonly string[], isIgnored: (file: string) => boolean): boolean {
  const root = roots.find((r) => {
    const rel = path.relative(r, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
  if (root === undefined) return false;
  if (
    path
      .relative(root, file)
      .split(path.sep)
      .some((part) => SKIP_DIRS.has(part))
  )
    return false;
  return !isIgnored(file);
}

/** The files of a folder as git sees them (tracked, and untracked but not ignored); a plain walk outside git. */
export async function listFiles(root: string, max: number): Promise<string[]> {
  if (max <= 0) return [];
  const fromGit = await new Promise<string[] | undefined>((resolve) => {
    execFile('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      resolve(err ? undefined : stdout.split('\0').filter((f) => f !== ''));
    });
  });
  if (fromGit) return [...new Set(fromGit)].filter((f) => !f.split('/').some((part) => SKIP_DIRS.has(part))).slice(0, max);
  return walk(root, max);
}

async function walk(root: string, max: number): Promise<string[]> {
  // The root .gitignore, read as git reads it; without one only the built-in skips apply.
  const gitignore = await readGitignore(root);
  const gitignores = gitignore ? [gitignore] : [];
  const out: string[] = [];
  const queue = [''];
  while (queue.length > 0 && out.length < max) {
    const dir = queue.shift() as string;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(path.join(root, dir), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (isGitignored(gitignores, path.join(root, rel), e.isDirectory())) continue;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) queue.push(rel);
      } else if (e.isFile()) {
        out.push(rel);
        if (out.length >= max) break;
      }
    }
  }
  return out;
}
