import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface ScratchGit {
  /** The scratch base folder (set once the file's tests start). */
  readonly base: string;
  /** A new empty folder under the scratch base. */
  scratch(name?: string): string;
  /** Runs git in `cwd` with a throwaway identity; returns stdout. */
  git(cwd: string, ...args: string[]): string;
  /** Writes a file (and its folders) under `dir`. */
  write(dir: string, rel: string, content?: string | Buffer): void;
}

/**
 * Scratch folders and repositories for a test file, under one temporary base: git sees
 * neither the machine's configuration nor any repository above the base.
 */
export function useScratchGit(prefix: string): ScratchGit {
  let base = '';
  const savedEnv = { ...process.env };
  beforeAll(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `codex-lsp-${prefix}-`)));
    for (const k of Object.keys(process.env)) {
      if (k.startsWith('GIT_')) delete process.env[k];
    }
    const globalConfig = path.join(base, 'gitconfig');
    fs.writeFileSync(globalConfig, '');
    process.env.GIT_CONFIG_GLOBAL = globalConfig;
    process.env.GIT_CONFIG_NOSYSTEM = '1';
    process.env.GIT_CEILING_DIRECTORIES = base;
  });
  afterAll(() => {
    process.env = savedEnv;
    fs.rmSync(base, { recursive: true, force: true });
  });
  let counter = 0;
  return {
    get base() {
      return base;
    },
    scratch(name = 'tree') {
      const dir = path.join(base, `${name}-${++counter}`);
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    },
    git(cwd, ...args) {
      return execFileSync('git', ['-c', 'user.email=a@b', '-c', 'user.name=n', '-c', 'init.defaultBranch=main', ...args], {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
    write(dir, rel, content = 'x\n') {
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    },
  };
}
