/**
 * Symbolic links in the command line's file list.
 *
 * - One review per file: the list is de-duplicated by real path, and a file reached through
 *   a link is reviewed under its real path inside the repository. (Keeping the link's
 *   spelling made `--changed` drop the file: git lists the real file as changed, never the
 *   link, so `AGENTS.md -> CLAUDE.md` hid every change to CLAUDE.md.)
 * - A link whose target is outside the repository is never read nor written: in CI on an
 *   untrusted pull request the repository would choose which outside file is sent to the
 *   model or rewritten by `--fix`. It is reported as skipped, naming the target.
 * - `ignore` globs apply to the link and to its target (`config.ts -> .env` is never sent).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface LinkSkip {
  /** The path as listed (the link). */
  file: string;
  reason: string;
}

export interface ResolvedFiles {
  /** Files to review: real files inside `top` (spelled from `top`), sorted, unique. */
  files: string[];
  skipped: LinkSkip[];
}

/**
 * Resolves `files` (absolute) against the repository (or project) folder `top`.
 * `ignored(abs)` says whether the ignore globs match a path.
 */
export async function resolveLinks(files: readonly string[], top: string, ignored: (abs: string) => boolean): Promise<ResolvedFiles> {
  const realTop = await fs.realpath(top).catch(() => top);
  const out = new Set<string>();
  const skipped: LinkSkip[] = [];
  for (const file of files) {
    let real: string;
    try {
      real = await fs.realpath(file);
    } catch {
      // Vanished or unreadable: kept, so that the read reports it rather than a silent drop.
      out.add(file);
      continue;
    }
    const within = (from: string, to: string): string | undefined => {
      const rel = path.relative(from, to);
      return rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) ? undefined : rel;
    };
    if (within(top, file) === undefined) {
      // Named outside the repository by the user, not reached through a link of it: as asked.
      out.add(file);
      continue;
    }
    const rel = within(realTop, real);
    if (rel === undefined) {
      skipped.push({ file, reason: `symbolic link to ${real}, outside the repository; never read or written` });
      continue;
    }
    const target = path.join(top, rel);
    if (target !== file && ignored(target)) {
      skipped.push({ file, reason: `symbolic link to ${toPosix(rel)}, which matches an "ignore" glob; never sent` });
      continue;
    }
    out.add(target);
  }
  return { files: [...out].sort(), skipped };
}

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}
