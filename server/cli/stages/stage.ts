import * as path from 'node:path';

/** `codex-lsp review`'s exit codes (REVIEW_HELP documents them; 130 for an interrupted run). */
export const EXIT = { clean: 0, findings: 1, usage: 2, unreachable: 3, interrupted: 130 } as const;

/** Where the command reads and writes: the process's, or a test's. */
export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  signal?: AbortSignal;
}

/**
 * A stage that ends the run before any model call: the exit code and what to say. Returned
 * as data (never printed by the stage), so each stage is a function a test can call.
 */
export interface Stop {
  stop: number;
  /** Lines for stderr, each followed by a newline. */
  stderr?: readonly string[];
  /** Text for stdout, as is (the help). */
  stdout?: string;
}

export function isStop(x: object): x is Stop {
  return 'stop' in x && typeof (x as Stop).stop === 'number';
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** A file as the user sees it: relative to where the command runs, '/' separators. */
export function shownPath(cwd: string, file: string): string {
  return toPosix(path.relative(cwd, file)) || path.basename(file);
}
