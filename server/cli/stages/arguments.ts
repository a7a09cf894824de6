/** Stage 1 of `codex-lsp review`: the command line, parsed and checked. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseReviewArgs, REVIEW_HELP, UsageError, type ReviewArgs } from '../args';
import { isCommit } from '../git';
import { EXIT, type Stop } from './stage';

/** The arguments, or a stop: the help (exit 0), or a usage error with the help (exit 2). */
export async function readArguments(argv: readonly string[], cwd: string): Promise<ReviewArgs | Stop> {
  let args: ReviewArgs;
  try {
    // `--changed WORD`: WORD is a base when git knows it as a commit and no such path exists.
    args = await parseReviewArgs(
      argv,
      (w) => isCommit(w, cwd).catch(() => false),
      (w) => existsSync(path.resolve(cwd, w)),
    );
  } catch (err) {
    if (err instanceof UsageError) return { stop: EXIT.usage, stderr: [`codex-lsp review: ${err.message}\n`, REVIEW_HELP] };
    throw err;
  }
  if (args.help) return { stop: EXIT.clean, stdout: REVIEW_HELP };
  return args;
}
