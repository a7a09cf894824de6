/**
 * Stage 3 of `codex-lsp review`: which files, and with --changed/--staged which of their
 * lines go to the model and decide the run; the baseline of known findings.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReviewArgs } from '../args';
import { readBaseline } from '../baseline';
import type { LinePlan } from '../diff-filter';
import { findFiles } from '../files';
import type { FileResult } from '../format';
import { selectFiles } from '../select';
import type { Project } from './project';
import { EXIT, shownPath, type Stop } from './stage';
import { messageOf } from '../../util/text';

export interface FileChoice {
  /** To review: absolute, sorted. */
  files: string[];
  /** Per file, the lines sent and the lines that decide; undefined without --changed/--staged (whole files). */
  plans: ReadonlyMap<string, LinePlan> | undefined;
  /** The fingerprints of known findings (--baseline). */
  baseline: ReadonlySet<string> | undefined;
  /** Listed but never read: ignored or binary files named explicitly, links not followed. */
  skipped: FileResult[];
}

/** The files, or a stop (exit 2) for a wrong argument: before any model call, nothing spent. */
export async function chooseFiles(args: ReviewArgs, project: Project): Promise<FileChoice | Stop> {
  const { cwd, repo, top, projectDir } = project;
  const ignore = project.snapshot.settings.ignore;
  const stop = (lines: string[]): Stop => ({ stop: EXIT.usage, stderr: lines.map((l) => `codex-lsp review: ${l}`) });

  let found;
  try {
    found = await findFiles(args.paths, { cwd, root: projectDir, ignore, contain: top });
  } catch (err) {
    return stop([messageOf(err)]);
  }
  if (found.missing.length > 0) {
    return stop(
      found.missing.map((m) =>
        m === args.changedWord
          ? `"${m}" is neither a git revision (a branch, tag or commit here) nor a file; for a base that is also a path, write --changed=${m}`
          : `no such file or nothing matches: ${m}`,
      ),
    );
  }
  let baseline: Set<string> | undefined;
  if (args.baseline !== undefined) {
    try {
      baseline = await readBaseline(path.resolve(cwd, args.baseline));
    } catch (err) {
      return stop([messageOf(err)]);
    }
  }
  // Links resolved, and with --changed/--staged only what changed (see select.ts).
  let selection;
  try {
    selection = await selectFiles(found.files, args, { cwd, repo, top, projectDir, ignore });
  } catch (err) {
    return stop([messageOf(err)]);
  }

  const skip = (file: string, reason: string): FileResult => ({ path: shownPath(cwd, file), uri: pathToFileURL(file).href, findings: [], skipped: reason });
  const skipped = [
    ...found.ignored.map((f) => skip(f, 'matches an "ignore" glob; never sent')),
    ...found.binary.map((f) => skip(f, 'binary')),
    ...selection.skipped.map((l) => skip(l.file, l.reason)),
  ];
  return { files: selection.files, plans: selection.plans, baseline, skipped };
}
