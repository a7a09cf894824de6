/**
 * Which files `codex-lsp review` reviews, and with `--changed`/`--staged` which of their lines
 * go to the model and decide the run: the listing (files.ts) with links resolved (links.ts),
 * narrowed to what changed in the working tree or in the index (staged.ts), each with its
 * line plan (diff-filter.ts).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { createIgnoreMatcher, DEFAULT_IGNORE } from '../privacy/ignore';
import type { ReviewArgs } from './args';
import { linePlan, type LinePlan } from './diff-filter';
import { changedFiles, mapLimit } from './git';
import { resolveLinks, type LinkSkip } from './links';
import { differFromIndex, stagedFiles } from './staged';

export interface Selection {
  files: string[];
  /** Undefined without --changed/--staged: whole files, every finding counts. */
  plans?: Map<string, LinePlan>;
  /** Links not followed (out of the repository, or onto an ignored file). */
  skipped: LinkSkip[];
}

export interface SelectContext {
  cwd: string;
  /** The git work tree, if any. */
  repo: string | undefined;
  /** The repository (or project) folder: nothing outside it is reached through a link. */
  top: string;
  projectDir: string;
  ignore: readonly string[];
}

/** A usage problem (exit 2), said as is. */
class SelectError extends Error {}

export async function selectFiles(listed: readonly string[], args: ReviewArgs, ctx: SelectContext): Promise<Selection> {
  const matcher = createIgnoreMatcher([...DEFAULT_IGNORE, ...ctx.ignore], [ctx.projectDir]);
  const linked = await resolveLinks(listed, ctx.top, (abs) => matcher.ignores(abs));
  if (args.changed === undefined && !args.staged) return { files: linked.files, skipped: linked.skipped };

  const repo = ctx.repo;
  if (!repo) throw new SelectError(`${args.staged ? '--staged' : '--changed'} needs a git repository`);
  const base = args.changed === '' ? undefined : args.changed;
  const changed = new Set(args.staged ? await stagedFiles(repo) : await changedFiles(repo, base));
  const have = new Set(linked.files);
  // Staged files gone from the working tree are still what the commit records: kept when no path narrows the run.
  const extra = args.staged && args.paths.length === 0 ? [...changed].filter((f) => !have.has(f) && !existsSync(f) && isInside(ctx.cwd, f)) : [];
  const files = [...linked.files.filter((f) => changed.has(f)), ...extra].sort();
  if (args.staged && args.fix) {
    const differ = await differFromIndex(repo, files);
    if (differ.length > 0) {
      const names = differ.map((f) => path.relative(ctx.cwd, f).split(path.sep).join('/')).join(', ');
      throw new SelectError(
        `--fix with --staged would write the working tree, which differs from what is staged in: ${names}; stage or stash those edits first`,
      );
    }
  }
  // A few git processes at a time: a large commit's plans come quickly without flooding the machine.
  const each = await mapLimit(files, 8, (f) => linePlan(repo, f, args.filterMode, base, args.staged));
  const plans = new Map<string, LinePlan>(files.map((f, i) => [f, each[i] as LinePlan]));
  return { files, plans, skipped: linked.skipped };
}

export function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}
