/**
 * `--filter-mode` (reviewdog's names), for `--changed` and `--staged`: which parts of a
 * changed file go to the model, and which lines' findings decide the run.
 *
 * - `added` (default): the parts holding added or modified lines are reviewed, and only
 *   findings on those lines count. (A pure deletion marks the lines on either side of it:
 *   removing code changes what its neighbours do.)
 * - `diff_context`: the lines of the diff hunks as git shows them (3 lines of context).
 * - `file`: the whole of each changed file.
 *
 * The model always sees whole parts (chunks) around the change, so it has the context; the
 * filter only decides which of its findings are the change's.
 */
import type { FilterMode } from './args';
import { changedLines, type LineRange } from './git';

export interface LinePlan {
  /** Lines whose parts are sent to the model. */
  review: LineRange[] | 'all';
  /** Lines whose findings are reported and counted. */
  decide: LineRange[] | 'all';
}

/** Git's default context for `git diff`, which `diff_context` means. */
const DIFF_CONTEXT_LINES = 3;

export async function linePlan(repo: string, file: string, mode: FilterMode, base: string | undefined, staged: boolean): Promise<LinePlan> {
  if (mode === 'file') return { review: 'all', decide: 'all' };
  const lines = await changedLines(repo, file, base, {}, { staged, context: mode === 'diff_context' ? DIFF_CONTEXT_LINES : 0 });
  return { review: lines, decide: lines };
}
