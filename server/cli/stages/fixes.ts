/** --fix for `codex-lsp review`: the findings' replacements, applied exactly, or shown as a diff. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReviewArgs } from '../args';
import { applyFixes, unifiedDiff } from '../fix';
import { oneBased, type FileResult } from '../format';
import { isInside } from '../select';
import type { Project } from './project';
import type { Original } from './review';
import { toPosix, type Io } from './stage';
import { messageOf } from '../../util/text';

/**
 * Applies each file's replacements in place (or, with --dry-run, writes their diff to stdout,
 * paths as git sees them). A fixed finding leaves `results`; the others stay reported.
 */
export async function writeFixes(
  results: readonly FileResult[],
  originals: ReadonlyMap<string, Original>,
  args: Pick<ReviewArgs, 'dryRun' | 'staged'>,
  project: Pick<Project, 'repo' | 'top'>,
  io: Pick<Io, 'stdout'>,
  say: (line: string) => void,
): Promise<void> {
  for (const r of results) {
    const abs = fileURLToPath(r.uri);
    const original = originals.get(abs);
    if (!original || !r.findings.some((f) => f.replacement !== undefined)) continue;
    const text = original.bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(original.bytes)) {
      say(`codex-lsp review: ${r.path} is not valid UTF-8; not fixed`);
      continue;
    }
    const before = original.bom ? text.slice(1) : text;
    const fixed = applyFixes(before, r.findings);
    // Of two overlapping fixes only one can be applied: the other is named, never dropped silently.
    const applied = new Set(fixed.appliedFindings);
    for (const f of r.findings) {
      if (f.replacement === undefined || applied.has(f)) continue;
      const { line, column } = oneBased(f.range);
      say(`codex-lsp review: ${r.path}:${line}:${column}: fix not applied: it overlaps another fix (${f.message}); the finding stays reported`);
    }
    if (fixed.applied === 0) continue;
    const after = (original.bom ? '\uFEFF' : '') + fixed.text;
    if (args.dryRun) {
      const diffPath = project.repo ? toPosix(path.relative(project.repo, abs)) : r.path;
      io.stdout.write(unifiedDiff(diffPath, text, after));
      continue;
    }
    let tmp: string | undefined;
    try {
      const target = await fs.realpath(abs);
      // Never through a link out of the repository (one made since the listing checked).
      if (!isInside(await fs.realpath(project.top).catch(() => project.top), target)) {
        say(`codex-lsp review: ${r.path} now leads outside the repository (${target}); not fixed`);
        continue;
      }
      // Only when the file is still as it was reviewed: never overwrite an edit made meanwhile.
      if (!(await fs.readFile(target)).equals(original.bytes)) {
        say(`codex-lsp review: ${r.path} changed during the review; not fixed`);
        continue;
      }
      const st = await fs.stat(target);
      tmp = `${target}.codex-lsp-${process.pid}.tmp`;
      await fs.writeFile(tmp, after);
      // The file keeps its mode (writeFile's mode is subject to the umask).
      await fs.chmod(tmp, st.mode & 0o7777);
      await fs.rename(tmp, target);
      tmp = undefined;
      say(
        `codex-lsp review: fixed ${fixed.applied} finding${fixed.applied === 1 ? '' : 's'} in ${r.path}${fixed.skipped ? ` (${fixed.skipped} overlapping, left)` : ''}${args.staged ? ' (in the working tree: git add it to commit the fix)' : ''}`,
      );
      // The fixed findings are reported no more; the others (no fix, or overlapping) still are.
      r.findings = r.findings.filter((f) => !applied.has(f));
    } catch (err) {
      say(`codex-lsp review: could not write ${r.path}: ${messageOf(err)}`);
    } finally {
      // A write that failed half-way leaves nothing behind in the repository.
      if (tmp !== undefined) await fs.rm(tmp, { force: true }).catch(() => undefined);
    }
  }
}
