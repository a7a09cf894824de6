/** The model side of `codex-lsp review`: the same stack as the language server's, from the project's settings. */
import { createModelStack, createSharedParts, type ModelStack } from '../../stack/model-stack';
import type { ProblemKind } from '../../model/gateway';
import type { Logger } from '../../util/log';
import { makeDir } from '../../util/make-dir';
import type { Project } from './project';
import { messageOf } from '../../util/text';

const NO_KEY =
  'codex-lsp review: no API key. Set CODEX_LSP_API_KEY or COMETAPI_KEY (also read: COMETAPI_API_KEY, OPENAI_API_KEY) in the environment; in CI, from a secret.';

/**
 * Gateway, pipeline, privacy and context as the editor has them, so both send the same
 * prompts and share cached answers. Built only when a review runs: a wrong argument or
 * setting stops the command before anything is created on disk.
 */
export async function cliModelStack(project: Project, log: Logger, say: (line: string) => void): Promise<ModelStack> {
  const snap = project.snapshot;
  // Problems the user must act on: said once, as in the editor, and only when a model call is
  // needed (an unchanged tree, or answers all in the cache, need no key).
  const told = new Set<ProblemKind>();
  const problems = {
    report: (kind: ProblemKind, message: string): void => {
      if (told.has(kind)) return;
      told.add(kind);
      say(log.scrub(message));
    },
  };
  // A cache folder that cannot be created: memory only, said once (never a hang, never a stop).
  const cacheProblem = await makeDir(snap.cacheDir).then(() => undefined, messageOf);
  if (cacheProblem !== undefined)
    say(`codex-lsp review: warning: the cache folder ${snap.cacheDir} cannot be created (${cacheProblem}); answers are kept in memory only for this run`);
  const shared = createSharedParts(snap, log, cacheProblem === undefined ? snap.cacheDir : undefined);
  // Context as an editor opened at the repository has it (files named from there; no index).
  const stack = createModelStack({ config: () => snap, log, problems, roots: () => [project.top], shared, messages: { noKey: NO_KEY } });
  // The ignore globs of a package's .codex-lsp.json are relative to its own folder too.
  stack.privacy.configure(snap.settings.ignore, project.roots, snap.settings.ignoreAnyCase);
  return stack;
}
