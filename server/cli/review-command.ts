import * as path from 'node:path';
import { readArguments } from './stages/arguments';
import { chooseFiles } from './stages/files';
import { openProject } from './stages/project';
import { report } from './stages/report';
import { reviewFiles } from './stages/review';
import { isStop, type Io } from './stages/stage';
import { cliLogger, Terminal } from './stages/terminal';

/**
 * `codex-lsp review`: the editor's review, headless. Same prompts, chunking, anchoring,
 * cache, privacy filter, concurrency limit and retries as the server (one model stack,
 * stack/model-stack.ts), so a file reviewed in one costs nothing to review again in the other.
 *
 * In stages (stages/), each a function of the ones before: arguments → project (settings,
 * repository) → files (which, which lines, baseline) → review (the model calls) → report
 * (format, fixes, exit code). The first three may stop the run, before any model call.
 */
export async function runReview(argv: readonly string[], io: Io): Promise<number> {
  const terminal = new Terminal(io);
  const cwd = path.resolve(io.cwd);
  const args = await readArguments(argv, cwd);
  if (isStop(args)) return terminal.stop(args);
  const project = await openProject(args.paths, cwd, io.env);
  if (isStop(project)) return terminal.stop(project);
  for (const note of project.notes) terminal.say(note);
  const choice = await chooseFiles(args, project);
  if (isStop(choice)) return terminal.stop(choice);
  const log = cliLogger(io.env, terminal, [project.snapshot.settings.apiKey]);
  const outcome = await reviewFiles({ args, project, choice, log, terminal, signal: io.signal });
  return report({ args, project, choice, outcome, io, say: (line) => terminal.say(line) });
}
