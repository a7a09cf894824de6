import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { listing, type FakeOpenAI } from './fake-openai';
import { SCRUBBED_ENV, SERVER_BIN } from './paths';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** Where the answer cache goes (default: next to `cwd`'s repository, outside it). */
  cacheDir?: string;
  /** A shell pipeline after the command, e.g. `| head -1` (run through /bin/sh). */
  pipeTo?: string;
  /**
   * When the tests run as root: stay root but without the capabilities that override file
   * permissions, so that they bite. (Not another user: the checkout may lie in a folder no
   * other user can enter, such as a private temporary folder.)
   */
  unprivileged?: boolean;
  /** A run still going after this long is killed (default 15 s): a hang fails the test, never the machine. */
  timeoutMs?: number;
}

export const IS_ROOT = process.getuid?.() === 0;

/** `setpriv` arguments: root without overriding file modes (dac_*) or ownership rules (fowner, as in sticky folders). */
export const UNPRIVILEGED = ['--bounding-set=-dac_override,-dac_read_search,-fowner'];

/** The environment of a CLI run in `cwd`: a test key, the fake, a cache outside the project, then `opts.env` (undefined removes). */
export function cliEnv(fake: FakeOpenAI, cwd: string, opts: Pick<CliOptions, 'env' | 'cacheDir'> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of SCRUBBED_ENV) delete env[k];
  Object.assign(
    env,
    { CODEX_LSP_API_KEY: 'test-key-abcdef123456', CODEX_LSP_BASE_URL: fake.baseUrl, CODEX_LSP_CACHE_DIR: opts.cacheDir ?? path.join(cwd, '..', 'cache') },
    opts.env ?? {},
  );
  for (const [k, v] of Object.entries(opts.env ?? {})) if (v === undefined) delete env[k];
  return env;
}

/** Runs the built `codex-lsp review` in `cwd` against the fake model server, with a test key. */
export function runCli(fake: FakeOpenAI, args: string[], cwd: string, opts: CliOptions = {}): Promise<CliRun> {
  const env = cliEnv(fake, cwd, opts);
  const quoted = [process.execPath, SERVER_BIN, 'review', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  let [cmd, argv] = opts.pipeTo ? ['/bin/sh', ['-c', `${quoted} ${opts.pipeTo}`]] : [process.execPath, [SERVER_BIN, 'review', ...args]];
  if (opts.unprivileged && IS_ROOT) [cmd, argv] = ['setpriv', [...UNPRIVILEGED, cmd, ...argv]];
  return new Promise((resolve) => {
    // Its own process group: a run that hangs is killed whole (shell and node), never left spinning.
    const child = spawn(cmd, argv, { cwd, env, detached: true });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${opts.timeoutMs ?? 15_000} ms]`;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, opts.timeoutMs ?? 15_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A fake reviewer: `if (a = 1)` is an error with a fix, `console.log` a warning; plus what `extra` adds per listing line. */
export function useReviewer(fake: FakeOpenAI, extra?: (line: number, text: string) => unknown[]): void {
  fake.setDefault((r) => {
    if (r.schemaName !== 'diagnostics') return { json: { edits: [], explanation: 'none' } };
    const diagnostics: unknown[] = [];
    for (const [n, t] of listing(r)) {
      if (t.includes('if (a = 1)'))
        diagnostics.push({ line: n, quote: 'a = 1', severity: 'error', message: 'Assignment in condition', replacement: 'a === 1' });
      if (t.includes('console.log')) diagnostics.push({ line: n, quote: 'console.log', severity: 'warning', message: 'Leftover logging' });
      if (extra) diagnostics.push(...extra(n, t));
    }
    return { json: { diagnostics }, usage: { input: 100, output: 10 } };
  });
}
