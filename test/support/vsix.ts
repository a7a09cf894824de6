import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths';

const run = promisify(execFile);

/**
 * `npm run package -w clients/vscode -- --out OUT`: the .vsix users install. Packaging rewrites
 * clients/vscode/dist and server/, so test files that package at the same time take turns
 * (a lock folder; a stale one from a killed run is taken over after two minutes).
 */
export async function packageVsix(out: string): Promise<void> {
  const lock = path.join(REPO_ROOT, 'clients', 'vscode', '.package.lock');
  const started = Date.now();
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() - started > 240_000) throw new Error(`waited 4 minutes for ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    await run(npm, ['run', 'package', '-w', 'clients/vscode', '--', '--out', out], { cwd: REPO_ROOT, timeout: 120_000 });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
