import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * `mkdir -p`, one folder at a time. Node 20's `fs.mkdir(dir, { recursive: true })` never
 * returns when the kernel answers ENOENT for a folder whose parent exists (under /proc, some
 * FUSE and overlay mounts): a cache folder there made the command line spin forever. Here
 * each level is created once, so any error is returned, never retried.
 */
export async function makeDir(dir: string, mode = 0o700): Promise<void> {
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (;;) {
    const st = await fs.stat(at).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(at);
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing.reverse()) {
    await fs.mkdir(d, { mode }).catch((err: NodeJS.ErrnoException) => (err.code === 'EEXIST' ? undefined : Promise.reject(err)));
  }
}
