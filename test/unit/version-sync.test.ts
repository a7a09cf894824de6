/**
 * One version: the root package.json's. The VS Code extension's package.json and the lockfile's
 * entry for it follow it (scripts/sync-version.js, npm's `version` hook), and packaging the
 * extension refuses a drift.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../server/version';
import { REPO_ROOT } from '../support/paths';
import { useScratchGit } from '../support/scratch-git';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const scratch = useScratchGit('version');
const FILES = ['package.json', 'package-lock.json', 'clients/vscode/package.json', 'scripts/sync-version.js'];

interface Versions {
  root: string;
  extension: string;
  lock: string;
  lockWorkspace: string;
}

function versions(read: (rel: string) => string): Versions {
  const lock = JSON.parse(read('package-lock.json')) as { version: string; packages: Record<string, { version?: string }> };
  return {
    root: (JSON.parse(read('package.json')) as { version: string }).version,
    extension: (JSON.parse(read('clients/vscode/package.json')) as { version: string }).version,
    lock: lock.version,
    lockWorkspace: lock.packages['clients/vscode']?.version ?? 'missing',
  };
}

/** The files the version lives in, copied into a scratch folder (a git repository when asked). */
function copyRepo(git: boolean): string {
  const dir = scratch.scratch('repo');
  for (const rel of FILES) scratch.write(dir, rel, fs.readFileSync(path.join(REPO_ROOT, rel)));
  if (git) {
    scratch.git(dir, 'init', '-q');
    scratch.git(dir, 'add', '-A');
    scratch.git(dir, 'commit', '-qm', 'base');
  }
  return dir;
}

/** The environment of a child npm: no settings inherited from an `npm test` that runs this file. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith('npm_')) env[k] = v;
  return { ...env, GIT_AUTHOR_NAME: 'n', GIT_AUTHOR_EMAIL: 'a@b', GIT_COMMITTER_NAME: 'n', GIT_COMMITTER_EMAIL: 'a@b', npm_config_update_notifier: 'false' };
}

describe('one version for the server and the VS Code extension', () => {
  it('the extension and the lockfile carry the root package.json version, which the server reports', () => {
    const v = versions((rel) => fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8'));
    expect(v).toEqual({ root: v.root, extension: v.root, lock: v.root, lockWorkspace: v.root });
    expect(VERSION).toBe(v.root);
  });

  it('`npm version minor` bumps all of them in one commit and tags it', async () => {
    const dir = copyRepo(true);
    const before = versions((rel) => fs.readFileSync(path.join(dir, rel), 'utf8'));
    const [major, minor] = before.root.split('.').map(Number) as [number, number];
    const next = `${major}.${minor + 1}.0`;
    await run(npm, ['version', 'minor'], { cwd: dir, env: cleanEnv(), timeout: 60_000 });
    // Read from the commit, not the folder: the hook must have staged what it wrote.
    expect(versions((rel) => scratch.git(dir, 'show', `HEAD:${rel}`))).toEqual({ root: next, extension: next, lock: next, lockWorkspace: next });
    expect(scratch.git(dir, 'status', '--porcelain')).toBe('');
    expect(scratch.git(dir, 'tag', '--points-at', 'HEAD').trim()).toBe(`v${next}`);
  });

  it('--check changes nothing and fails naming the file that drifted; packaging the extension runs it', async () => {
    const dir = copyRepo(false);
    const extFile = path.join(dir, 'clients', 'vscode', 'package.json');
    const drifted = fs.readFileSync(extFile, 'utf8').replace(/"version": "[^"]+"/, '"version": "9.9.9"');
    fs.writeFileSync(extFile, drifted);
    const check = run(process.execPath, [path.join(dir, 'scripts', 'sync-version.js'), '--check'], { cwd: dir });
    await expect(check).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('clients/vscode/package.json has 9.9.9') });
    expect(fs.readFileSync(extFile, 'utf8')).toBe(drifted);
    // Without --check it repairs the drift.
    await run(process.execPath, [path.join(dir, 'scripts', 'sync-version.js')], { cwd: dir });
    const v = versions((rel) => fs.readFileSync(path.join(dir, rel), 'utf8'));
    expect(v.extension).toBe(v.root);

    const ext = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'clients', 'vscode', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(ext.scripts['vscode:prepublish']).toMatch(/^node \.\.\/\.\.\/scripts\/sync-version\.js --check && /);
  });
});
