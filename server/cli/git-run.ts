/**
 * Running git: one process per call, with an argument array (never a shell),
 * `core.quotePath=false`, and a `GitError` quoting git's stderr when it fails.
 */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { messageOf } from '../util/text';

export interface GitOptions {
  /** The git executable (default `git`, looked up on PATH). Tests point it at a missing file to simulate "no git". */
  gitBinary?: string;
}

export class GitError extends Error {
  constructor(
    message: string,
    /** `not-found`: the git binary could not be started; `failed`: git ran and failed. */
    readonly code: 'not-found' | 'failed',
    readonly args: readonly string[],
    readonly stderr = '',
    readonly exitCode: number | null = null,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Global options put before every command. */
const GLOBAL_ARGS = ['-c', 'core.quotePath=false'];
/** Put before commands that take pathspecs: `*`, `[` or `:` in a file name are not patterns. (check-ignore refuses it.) */
export const LITERAL = '--literal-pathspecs';

/**
 * Runs git and resolves with its output when the exit code is in `okCodes`;
 * otherwise rejects with a `GitError` quoting stderr. Used by `staged.ts` too.
 */
export function runGit(args: readonly string[], cwd: string, opts: GitOptions = {}, okCodes: readonly number[] = [0]): Promise<GitResult> {
  const bin = opts.gitBinary ?? 'git';
  const shown = `git ${args.join(' ')}`;
  return new Promise<GitResult>((resolve, reject) => {
    let child;
    try {
      child = spawn(bin, [...GLOBAL_ARGS, ...args], {
        cwd,
        env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (err) {
      reject(new GitError(`could not run ${shown}: ${messageOf(err)}`, 'failed', args));
      return;
    }
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => errs.push(b));
    let settled = false;
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      if (err.code === 'ENOENT') {
        // spawn reports a missing cwd the same way as a missing binary: tell them apart.
        fsp.stat(cwd).then(
          (st) =>
            reject(
              st.isDirectory()
                ? new GitError(`git was not found (tried to run "${bin}"); install git or make sure it is on PATH`, 'not-found', args)
                : new GitError(`cannot run ${shown}: ${cwd} is not a directory`, 'failed', args),
            ),
          () => reject(new GitError(`cannot run ${shown}: directory ${cwd} does not exist`, 'failed', args)),
        );
        return;
      }
      reject(new GitError(`could not run ${shown}: ${err.message}`, 'failed', args));
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(errs).toString('utf8');
      const exitCode = code ?? -1;
      if (okCodes.includes(exitCode)) {
        resolve({ stdout, stderr, exitCode });
        return;
      }
      const why = signal ? `killed by ${signal}` : `exit code ${exitCode}`;
      const detail = stderr.trim();
      reject(new GitError(`${shown} failed in ${cwd} (${why})${detail ? `: ${detail}` : ''}`, 'failed', args, stderr, code));
    });
  });
}

/** Splits `-z` output into entries (the trailing NUL leaves an empty last element, dropped). */
export function splitZ(stdout: string): string[] {
  return stdout.split('\0').filter((s) => s !== '');
}

export function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}
