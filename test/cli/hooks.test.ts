/**
 * The pre-commit integrations, run as they run: the README's git hook installed in a real
 * repository and driven by a real `git commit`, and each `.pre-commit-hooks.yaml` entry run
 * the way pre-commit runs it (`entry` through a shell, `codex-lsp` on PATH, no file names
 * since pass_filenames is false). The pre-commit tool itself is not installed here.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useReviewer } from '../support/cli-run';
import { REPO_ROOT, SERVER_BIN } from '../support/paths';
import { useScratchGit } from '../support/scratch-git';
import { useFake } from '../support/session';

const session = useFake();
const sg = useScratchGit('hooks');

const BUGGY = 'export function f(a: number): number {\n  if (a = 1) return 0;\n  return a;\n}\n';
const CLEAN = 'export function f(a: number): number {\n  if (a === 1) return 0;\n  return a;\n}\n';

/** A repository with a clean commit, and a folder holding a `codex-lsp` command (the built bin). */
function setup(): { root: string; bin: string; env: NodeJS.ProcessEnv } {
  const holder = sg.scratch('holder');
  const root = path.join(holder, 'repo');
  mkdirSync(root);
  sg.git(root, 'init', '-q');
  sg.write(root, 'a.ts', CLEAN);
  sg.git(root, 'add', '-A');
  sg.git(root, 'commit', '-qm', 'first');
  const bin = path.join(holder, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'codex-lsp'), `#!/bin/sh\nexec "${process.execPath}" "${SERVER_BIN}" "$@"\n`);
  chmodSync(path.join(bin, 'codex-lsp'), 0o755);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
    CODEX_LSP_API_KEY: 'test-key-abcdef123456',
    CODEX_LSP_BASE_URL: session.fake.baseUrl,
    CODEX_LSP_CACHE_DIR: path.join(holder, 'cache'),
  };
  return { root, bin, env };
}

/** Runs a command without blocking (the fake model server lives in this process). */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Stages a bug, then hides it under a clean working-tree edit: what the commit records is the bug. */
function stageBugUnderCleanEdit(root: string): void {
  writeFileSync(path.join(root, 'a.ts'), BUGGY);
  sg.git(root, 'add', 'a.ts');
  writeFileSync(path.join(root, 'a.ts'), `${CLEAN}// unstaged\n`);
}

/** The hooks declared in .pre-commit-hooks.yaml (a flat list of maps: read line by line). */
function declaredHooks(): Array<Record<string, string>> {
  const hooks: Array<Record<string, string>> = [];
  for (const line of readFileSync(path.join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8').split('\n')) {
    const m = /^(- | {2})(\w+):\s*(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '- ') hooks.push({});
    hooks[hooks.length - 1]![m[2]!] = m[3]!;
  }
  return hooks;
}

describe('pre-commit integrations', () => {
  it("the README's git hook stops a commit of a staged bug hidden under a clean edit, and lets a clean one through", async () => {
    useReviewer(session.fake);
    const { root, env } = setup();
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const hook = /`\.git\/hooks\/pre-commit`[^\n]*\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(hook).toContain('--staged');
    // `npx codex-lsp` is the package's bin; here it is run straight from this checkout.
    writeFileSync(path.join(root, '.git', 'hooks', 'pre-commit'), hook!.replace('npx codex-lsp', 'codex-lsp'));
    chmodSync(path.join(root, '.git', 'hooks', 'pre-commit'), 0o755);
    stageBugUnderCleanEdit(root);
    const git = (...args: string[]) => run('git', ['-c', 'user.email=a@b', '-c', 'user.name=n', ...args], root, env);
    const refused = await git('commit', '-qm', 'bug');
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain('a.ts:2:7 error Assignment in condition');
    expect(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()).toBe('1');
    writeFileSync(path.join(root, 'a.ts'), `${CLEAN}// reviewed\n`);
    sg.git(root, 'add', 'a.ts');
    writeFileSync(path.join(root, 'a.ts'), BUGGY);
    const accepted = await git('commit', '-qm', 'clean');
    expect(accepted.status).toBe(0);
    expect(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()).toBe('2');
  });

  it('each .pre-commit-hooks.yaml entry runs as pre-commit runs it, and fails exactly on the staged bug', async () => {
    useReviewer(session.fake);
    const hooks = declaredHooks();
    expect(hooks.map((h) => h['id'])).toEqual(['codex-lsp-review', 'codex-lsp-review-system']);
    for (const h of hooks) {
      expect(h['entry']).toBe('codex-lsp review --staged');
      expect(h['pass_filenames']).toBe('false');
      expect(['node', 'system']).toContain(h['language']);
      const { root, env } = setup();
      const entry = () => run('/bin/sh', ['-c', h['entry']!], root, env);
      expect((await entry()).status).toBe(0);
      stageBugUnderCleanEdit(root);
      const failed = await entry();
      expect(failed.status).toBe(1);
      expect(failed.stdout).toContain('a.ts:2:7 error Assignment in condition');
    }
    // language: node installs the package from the repository: its bin must be the built server.
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(pkg.bin['codex-lsp']).toBe('bin/codex-lsp.js');
    expect(pkg.files).toEqual(expect.arrayContaining(['bin/', 'dist/server/']));
  });
});
