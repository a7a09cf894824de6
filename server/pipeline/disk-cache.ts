import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../util/log';
import { makeDir } from '../util/make-dir';
import { messageOf } from '../util/text';

export interface CachedAnswer {
  text: string;
  json?: unknown;
  model: string;
}

interface Entry extends CachedAnswer {
  v: 1;
  key: string;
  createdAt: number;
}

const STALE_TMP_MS = 60 * 60 * 1000;
/** How often a run that wrote nothing checks the size of the cache anyway. */
const TRIM_EVERY_MS = 24 * 60 * 60 * 1000;
/** In the answers folder: when and for which bound the cache was last checked. */
const TRIM_MARKER = '.trimmed';

/**
 * Model answers on disk, one file per key (a SHA-256 hex digest), under
 * `<dir>/answers/<first two hex digits>/<key>.json`.
 * - Writes go to a unique temp file that is renamed into place, so a reader (this
 *   process or another server sharing the folder) sees a whole entry or none.
 * - A corrupt or foreign file reads as a miss.
 * - Size-bounded: past `maxBytes` the least recently used files (mtime, refreshed on
 *   each hit) are removed down to 80%. Several processes may prune at once; a file
 *   that vanished under us is simply gone.
 * - Any I/O failure turns the disk cache off for this process, with one log line.
 */
export class DiskCache {
  private readonly root: string;
  private approxBytes: number | undefined;
  private pruning: Promise<void> | undefined;
  private disabled = false;
  private pending = new Set<Promise<void>>();

  constructor(
    dir: string,
    private maxBytes: number,
    private readonly log: Logger,
  ) {
    this.root = path.join(dir, 'answers');
  }

  setMaxBytes(maxBytes: number): void {
    this.maxBytes = maxBytes;
  }

  private file(key: string): string {
    return path.join(this.root, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    if (this.disabled) return undefined;
    const file = this.file(key);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const e = JSON.parse(text) as Partial<Entry>;
      if (e.v !== 1 || e.key !== key || typeof e.text !== 'string' || typeof e.model !== 'string') return undefined;
      // Refresh the LRU clock; best effort.
      const now = new Date();
      fs.utimes(file, now, now).catch(() => undefined);
      return e.json === undefined ? { text: e.text, model: e.model } : { text: e.text, json: e.json, model: e.model };
    } catch {
      return undefined;
    }
  }

  /** Removes an entry (an answer found unusable); a missing one is fine. */
  async delete(key: string): Promise<void> {
    await this.flush();
    await fs.rm(this.file(key), { force: true }).catch(() => undefined);
  }

  /** Writes in the background; `flush()` waits for every write started so far (at shutdown). */
  set(key: string, answer: CachedAnswer): Promise<void> {
    const p = this.write(key, answer).finally(() => this.pending.delete(p));
    this.pending.add(p);
    return p;
  }

  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * Waits for the writes, then makes sure the cache is within its bound: the command line
   * calls it before exiting. Listing a full cache takes about half a second, so it is done
   * when this process wrote (its running count can fall short: another process may write
   * too), and otherwise only when the last check is more than a day old or was made for a
   * larger bound. The last check is remembered in `answers/.trimmed` (the bound, as text).
   */
  async trim(): Promise<void> {
    await this.flush();
    if (this.disabled) return;
    while (this.pruning) await this.pruning;
    const marker = path.join(this.root, TRIM_MARKER);
    if (this.approxBytes === undefined) {
      const last = await fs.stat(marker).then(
        async (st) => ({ at: st.mtimeMs, bound: Number(await fs.readFile(marker, 'utf8')) }),
        () => undefined,
      );
      if (last && Date.now() - last.at < TRIM_EVERY_MS && last.bound <= this.maxBytes) return;
    }
    this.approxBytes = await this.measure();
    if (this.approxBytes > this.maxBytes) await this.prune();
    await fs.writeFile(marker, String(this.maxBytes), { mode: 0o600 }).catch(() => undefined);
  }

  private async write(key: string, answer: CachedAnswer): Promise<void> {
    if (this.disabled) return;
    const file = this.file(key);
    const entry: Entry = { v: 1, key, createdAt: Date.now(), ...answer };
    const data = JSON.stringify(entry);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await makeDir(path.dirname(file));
      await fs.writeFile(tmp, data, { mode: 0o600 });
      await fs.rename(tmp, file);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      this.disable(err);
      return;
    }
    if (this.approxBytes === undefined) this.approxBytes = await this.measure();
    this.approxBytes += Buffer.byteLength(data);
    if (this.approxBytes > this.maxBytes && !this.pruning) void this.prune();
  }

  private disable(err: unknown): void {
    if (this.disabled) return;
    this.disabled = true;
    this.log.warn(`disk cache at ${this.root} is off for this session: ${messageOf(err)}`);
  }

  private async list(): Promise<Array<{ file: string; size: number; mtime: number }>> {
    const out: Array<{ file: string; size: number; mtime: number }> = [];
    let dirs: string[];
    try {
      dirs = await fs.readdir(this.root);
    } catch {
      return out;
    }
    for (const d of dirs) {
      const dir = path.join(this.root, d);
      let names: string[];
      try {
        names = await fs.readdir(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        const file = path.join(dir, name);
        try {
          const st = await fs.stat(file);
          if (st.isFile()) out.push({ file, size: st.size, mtime: st.mtimeMs });
        } catch {
          // Removed by another process meanwhile.
        }
      }
    }
    return out;
  }

  private async measure(): Promise<number> {
    return (await this.list()).reduce((n, f) => n + f.size, 0);
  }

  /** Removes least recently used entries down to 80% of the bound, and stale temp files. */
  async prune(): Promise<void> {
    // One prune at a time; a caller arriving meanwhile waits for it, then prunes what was added since.
    while (this.pruning) await this.pruning;
    this.pruning = this.pruneOnce();
    try {
      await this.pruning;
    } finally {
      this.pruning = undefined;
    }
  }

  private async pruneOnce(): Promise<void> {
    const files = await this.list();
    const now = Date.now();
    let total = 0;
    const entries: typeof files = [];
    for (const f of files) {
      if (f.file.endsWith('.tmp')) {
        if (now - f.mtime > STALE_TMP_MS) await fs.rm(f.file, { force: true }).catch(() => undefined);
        continue;
      }
      total += f.size;
      entries.push(f);
    }
    if (total > this.maxBytes) {
      const target = this.maxBytes * 0.8;
      entries.sort((a, b) => a.mtime - b.mtime);
      for (const e of entries) {
        if (total <= target) break;
        await fs.rm(e.file, { force: true }).catch(() => undefined);
        total -= e.size;
      }
    }
    this.approxBytes = total;
  }
}
