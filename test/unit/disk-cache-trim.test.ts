import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskCache } from '../../server/pipeline/disk-cache';
import { Logger } from '../../server/util/log';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function size(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? size(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).size;
  return n;
}

describe('DiskCache.trim', () => {
  it('leaves the cache within its bound after many writes that raced its pruning', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dc-trim-'));
    dirs.push(dir);
    const max = 20_000;
    const c = new DiskCache(dir, max, new Logger(() => undefined));
    const key = (n: number): string => n.toString(16).padStart(64, '0');
    // Many writes in flight at once, as a review of many files makes them, while prunes run.
    await Promise.all(Array.from({ length: 300 }, (_, i) => c.set(key(i), { text: 'x'.repeat(900), model: 'm' })));
    await c.trim();
    expect(size(path.join(dir, 'answers'))).toBeLessThanOrEqual(max);
  });

  it('a run that wrote nothing checks only when the last check is old or was for a larger bound', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dc-trim-'));
    dirs.push(dir);
    const answers = path.join(dir, 'answers');
    const fill = (): void => {
      mkdirSync(path.join(answers, '00'), { recursive: true });
      for (let i = 0; i < 10; i++) writeFileSync(path.join(answers, '00', `e${i}.json`), 'x'.repeat(1000));
    };
    fill();
    const log = new Logger(() => undefined);
    // No record of a check: checked, and trimmed.
    await new DiskCache(dir, 5000, log).trim();
    expect(size(answers)).toBeLessThanOrEqual(5000);
    expect(readFileSync(path.join(answers, '.trimmed'), 'utf8')).toBe('5000');
    // Checked today for this bound: not listed again (the over-full folder is left as it is).
    fill();
    await new DiskCache(dir, 5000, log).trim();
    expect(size(answers)).toBeGreaterThan(5000);
    // A smaller bound than the last check: checked now.
    await new DiskCache(dir, 4000, log).trim();
    expect(size(answers)).toBeLessThanOrEqual(4000);
    // A check older than a day: checked again.
    fill();
    const old = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(path.join(answers, '.trimmed'), old, old);
    await new DiskCache(dir, 4000, log).trim();
    expect(size(answers)).toBeLessThanOrEqual(4000);
  });
});
