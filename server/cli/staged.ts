/**
 * `codex-lsp review --staged`: what the index holds, which is what `git commit` records.
 *
 * A pre-commit hook that reviews the working tree can pass a staged bug hidden under a clean
 * unstaged edit; these helpers read the index instead (file list, content and changed lines
 * all come from it). Every call is a `git` subprocess with an argument array (never a shell).
 */
import * as path from 'node:path';
import { isCommit, mapLimit, parseNumstatZ, runGit, type GitOptions } from './git';

const LITERAL = '--literal-pathspecs';

/**
 * Files staged for the next commit (added, copied, modified, renamed), absolute under `top`,
 * sorted. Only regular files in the index: symbolic links (mode 120000), submodules and
 * binary content are left out (a link's blob is a path, not code; its target is listed
 * itself when it is staged). In a repository without commits, everything in the index.
 */
export async function stagedFiles(top: string, opts: GitOptions = {}): Promise<string[]> {
  let rels: string[];
  if (await isCommit('HEAD', top, opts)) {
    const res = await runGit(
      [
        LITERAL,
        'diff',
        '--cached',
        '--numstat',
        '-z',
        '-M',
        '--no-color',
        '--no-ext-diff',
        '--no-textconv',
        '--ignore-submodules=all',
        '--diff-filter=ACMRTU',
        'HEAD',
        '--',
      ],
      top,
      opts,
    );
    rels = parseNumstatZ(res.stdout);
  } else {
    rels = (await runGit([LITERAL, 'ls-files', '-z', '--cached'], top, opts)).stdout.split('\0').filter((s) => s !== '');
  }
  if (rels.length === 0) return [];
  const modes = await indexModes(top, opts);
  const regular = rels.filter((r) => /^100(644|755)$/.test(modes.get(r) ?? ''));
  // Without HEAD there is no numstat to drop binaries: look at the blobs (git's NUL heuristic).
  const checks = await mapLimit(regular, 8, async (rel) => ((await stagedText(top, rel, opts)).slice(0, 8000).includes('\0') ? undefined : rel));
  return checks
    .filter((r): r is string => r !== undefined)
    .map((r) => path.join(top, r))
    .sort();
}

/** The index's mode of every staged path (`git ls-files -s`). */
async function indexModes(top: string, opts: GitOptions): Promise<Map<string, string>> {
  const res = await runGit([LITERAL, 'ls-files', '-s', '-z'], top, opts);
  const out = new Map<string, string>();
  for (const entry of res.stdout.split('\0')) {
    // `<mode> <object> <stage>\t<path>`
    const m = /^(\d+) [0-9a-f]+ \d+\t([\s\S]+)$/.exec(entry);
    if (m) out.set(m[2] as string, m[1] as string);
  }
  return out;
}

/** The staged content of `rel` (posix, relative to `top`), as UTF-8 text. */
export async function stagedText(top: string, rel: string, opts: GitOptions = {}): Promise<string> {
  // `:0:<path>` is stage 0 of the index: the content the next commit records.
  return (await runGit(['cat-file', 'blob', `:0:${rel}`], top, opts)).stdout;
}

/**
 * Of the given files (absolute under `top`), those whose working-tree content differs from
 * the index: `--fix` would write the working tree, not what is being committed.
 */
export async function differFromIndex(top: string, files: readonly string[], opts: GitOptions = {}): Promise<string[]> {
  if (files.length === 0) return [];
  const rels = files.map((f) => toPosix(path.relative(top, f)));
  // The whole tree's list, then filtered: no command line grows with the number of files.
  const res = await runGit([LITERAL, 'diff', '--name-only', '-z', '--no-ext-diff', '--no-textconv', '--ignore-submodules=all'], top, opts);
  const differ = new Set(res.stdout.split('\0').filter((s) => s !== ''));
  return files.filter((_, i) => differ.has(rels[i] as string));
}

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}
