import { findProjectFile, readProjectFile } from '../config/project';
import { ConfigStore, type ConfigSnapshot } from '../config/store';
import { Logger } from '../util/log';

/** The settings the command line runs with, and where they came from. */
export interface CliSettings {
  /** The settings in effect, with every problem found in them (`problems`, `blocking`). */
  snapshot: ConfigSnapshot;
  /** The nearest .codex-lsp.json at or above the start folder, if any. */
  projectFile: string | undefined;
  /** Its settings as read (user-only keys removed); undefined without one, or when it is unusable. */
  projectValues: Record<string, unknown> | undefined;
}

/**
 * Settings as the command line reads them, for `review` and `doctor` alike: defaults < the
 * nearest .codex-lsp.json at or above `start` < the environment. (An editor's own settings,
 * which win in the editor, are not visible here.)
 *
 * The problems are data on the snapshot, including the project file's own (not JSON, a
 * user-only key): the store's log lines about them are not needed and go nowhere, so what
 * the user is told never depends on a log level.
 */
export function loadCliSettings(start: string, env: NodeJS.ProcessEnv): CliSettings {
  const store = new ConfigStore(env, new Logger(() => undefined));
  const projectFile = findProjectFile(start);
  let projectValues: Record<string, unknown> | undefined;
  if (projectFile) {
    const project = readProjectFile(projectFile);
    store.setLayer('project', projectFile, project.values, project.problems);
    projectValues = project.values;
  }
  return { snapshot: store.current, projectFile, projectValues };
}

/**
 * What stops a run: every problem, then the blocking one (an unusable base URL) in its own
 * words, each once.
 */
export function configurationErrors(snapshot: ConfigSnapshot): string[] {
  return [...new Set([...snapshot.problems, ...(snapshot.blocking ? [snapshot.blocking] : [])])];
}
