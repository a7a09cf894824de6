import type { Severity } from '../review/findings';

export interface ReviewArgs {
  paths: string[];
  format: 'text' | 'json' | 'sarif';
  /** undefined: review whole files; '' : changed against the index/HEAD; else a base ref. */
  changed: string | undefined;
  /** Review what the index holds (what `git commit` would record), for pre-commit hooks. */
  staged: boolean;
  /** With --changed/--staged: which findings count (reviewdog's names). */
  filterMode: FilterMode;
  /** An earlier json or sarif output: the findings in it are known, not new. */
  baseline: string | undefined;
  /** The word after a bare `--changed` that was taken as a path (it named no commit): named if it turns out missing. */
  changedWord: string | undefined;
  /** Whether --format was given (it means nothing with --fix --dry-run). */
  formatGiven: boolean;
  fix: boolean;
  dryRun: boolean;
  /** Print each request a review would make (after redaction), with its size and cost; call no model. */
  showPrompts: boolean;
  failOn: Severity;
  help: boolean;
}

export type FilterMode = 'added' | 'diff_context' | 'file';
const FILTER_MODES: readonly FilterMode[] = ['added', 'diff_context', 'file'];

export class UsageError extends Error {}

export const REVIEW_HELP = `Usage: codex-lsp review [PATH|GLOB ...] [options]

Reviews files with the same prompts, cache and privacy filter as the editor, and prints
the findings. Directories are walked honouring .gitignore and the "ignore" globs.

Options:
  --format text|json|sarif   output format (default: text)
  --changed [BASE]           only files changed against BASE (default: the index and HEAD),
                             and in them only the parts with changed lines; BASE may be
                             A... (since A's merge base); --changed=BASE when BASE is
                             also the name of a file or folder
  --staged                   review what is staged (the index, what \`git commit\` records),
                             not the working tree: for pre-commit hooks
  --filter-mode MODE         with --changed or --staged, which findings count:
                             added (default): only on added or modified lines;
                             diff_context: on any line of the diff hunks;
                             file: anywhere in the changed files
  --baseline FILE            an earlier --format json or sarif output: findings already
                             in it are not reported and do not fail the run
  --show-prompts             call no model: print each request the review would send,
                             exactly (after redaction and the ignore globs), with its size,
                             estimated tokens and cost, and whether the cache already holds
                             its answer; then a total (--format json: the same as data)
  --fix                      apply the findings' replacements to the files
  --dry-run                  with --fix: print a unified diff instead of writing
  --fail-on LEVEL            error|warning|information|hint: exit 1 when a finding is at
                             or above LEVEL (default: error)
  -h, --help                 this help

A comment containing codex-lsp-ignore on a finding's line or the line above hides it
(the text after it is the reason); codex-lsp-ignore-file in the first lines skips the
file. A finding whose quoted code is not in the file is shown as a note and never fails.

Exit codes: 0 nothing at or above --fail-on; 1 something is; 2 usage or configuration
error; 3 the review is incomplete: the model could not be reached or did not answer (no
key, rejected key, unknown model, an outage, a timeout); 70 an internal error (please report).
`;

const LEVELS: readonly Severity[] = ['error', 'warning', 'information', 'hint'];

/**
 * Parses `review`'s arguments. `--changed` takes an optional BASE: the next word is the base
 * when it names a commit and no such path exists (a folder named like a branch, or like a
 * hex commit prefix, stays a path: use `--changed=BASE` for such a base).
 */
export async function parseReviewArgs(
  argv: readonly string[],
  isRef: (word: string) => Promise<boolean>,
  isPath: (word: string) => boolean = () => false,
): Promise<ReviewArgs> {
  const out: ReviewArgs = {
    paths: [],
    format: 'text',
    changed: undefined,
    staged: false,
    filterMode: 'added',
    baseline: undefined,
    changedWord: undefined,
    formatGiven: false,
    fix: false,
    dryRun: false,
    showPrompts: false,
    failOn: 'error',
    help: false,
  };
  let filterGiven = false;
  const value = (i: number, name: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('-')) throw new UsageError(`${name} needs a value`);
    return v;
  };
  let onlyPaths = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (onlyPaths || !a.startsWith('-') || a === '-') {
      out.paths.push(a);
      continue;
    }
    const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    switch (name) {
      case '--':
        onlyPaths = true;
        break;
      case '-h':
      case '--help':
        out.help = true;
        break;
      case '--format': {
        const v = inline ?? value(i++, '--format');
        if (v !== 'text' && v !== 'json' && v !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not "${v}"`);
        out.format = v;
        out.formatGiven = true;
        break;
      }
      case '--filter-mode': {
        const v = inline ?? value(i++, '--filter-mode');
        if (!FILTER_MODES.includes(v as FilterMode)) throw new UsageError(`--filter-mode must be one of ${FILTER_MODES.join(', ')}, not "${v}"`);
        out.filterMode = v as FilterMode;
        filterGiven = true;
        break;
      }
      case '--baseline': {
        const v = inline ?? value(i++, '--baseline');
        if (v === '') throw new UsageError('--baseline needs a file');
        out.baseline = v;
        break;
      }
      case '--staged':
        if (inline !== undefined) throw new UsageError('--staged takes no value');
        out.staged = true;
        break;
      case '--fail-on': {
        const v = inline ?? value(i++, '--fail-on');
        if (!LEVELS.includes(v as Severity)) throw new UsageError(`--fail-on must be one of ${LEVELS.join(', ')}, not "${v}"`);
        out.failOn = v as Severity;
        break;
      }
      case '--changed': {
        if (inline !== undefined) {
          if (inline === '') throw new UsageError('--changed= needs a base, or use --changed alone');
          out.changed = inline;
        } else {
          const next = argv[i + 1];
          if (next !== undefined && !next.startsWith('-') && !isPath(next) && (await isRef(next))) {
            out.changed = next;
            i++;
          } else {
            out.changed = '';
            if (next !== undefined && !next.startsWith('-') && !isPath(next)) out.changedWord = next;
          }
        }
        break;
      }
      case '--fix':
        out.fix = true;
        break;
      case '--dry-run':
        out.dryRun = true;
        break;
      case '--show-prompts':
        out.showPrompts = true;
        break;
      default:
        throw new UsageError(`unknown option ${a}`);
    }
  }
  if (out.dryRun && !out.fix) throw new UsageError('--dry-run goes with --fix');
  if (out.showPrompts && (out.fix || out.baseline !== undefined))
    throw new UsageError('--show-prompts calls no model: it goes with neither --fix nor --baseline');
  if (out.showPrompts && out.format === 'sarif') throw new UsageError('--show-prompts prints requests: --format text or json');
  // The dry run's stdout is the diff alone: another format there would be silently ignored.
  if (out.dryRun && out.formatGiven)
    throw new UsageError('--format does not go with --fix --dry-run (stdout holds the diff; the findings go to stderr as text)');
  if (out.staged && out.changed !== undefined)
    throw new UsageError('--staged and --changed do not go together: --staged reviews the index, --changed the working tree');
  if (filterGiven && !out.staged && out.changed === undefined) throw new UsageError('--filter-mode goes with --changed or --staged');
  return out;
}
