import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskCache } from '../../server/pipeline/disk-cache';
import { Limiter } from '../../server/pipeline/limiter';
import { SingleFlight } from '../../server/pipeline/single-flight';
import { Logger } from '../../server/util/log';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

describe('Limiter', () => {
  it('never runs more than the limit and runs higher priority first', async () => {
    const lim = new Limiter(2);
    const gates = [deferred<void>(), deferred<void>()];
    const order: string[] = [];
    const a = lim.run(async () => {
      await gates[0]!.promise;
      order.push('a');
    });
    const b = lim.run(async () => {
      await gates[1]!.promise;
      order.push('b');
    });
    const low = lim.run(
      async () => {
        order.push('low');
      },
      { priority: 0 },
    );
    const high = lim.run(
      async () => {
        order.push('high');
      },
      { priority: 5 },
    );
    expect(lim.active).toBe(2);
    expect(lim.waiting).toBe(2);
    gates[0]!.resolve();
    await a;
    await high;
    gates[1]!.resolve();
    await Promise.all([b, low]);
    // The freed slot goes to the higher priority first; b still holds the other one.
    expect(order.indexOf('high')).toBeLessThan(order.indexOf('low'));
    expect(order[0]).toBe('a');
    expect(lim.peak).toBe(2);
  });

  it('drops an aborted waiter from the queue', async () => {
    const lim = new Limiter(1);
    const gate = deferred<void>();
    const first = lim.run(() => gate.promise);
    const c = new AbortController();
    let ran = false;
    const second = lim.run(
      async () => {
        ran = true;
      },
      { signal: c.signal },
    );
    c.abort();
    await expect(second).rejects.toThrow('cancelled');
    expect(lim.waiting).toBe(0);
    gate.resolve();
    await first;
    expect(ran).toBe(false);
    expect(lim.active).toBe(0);
  });

  it('raising the limit starts waiters at once', async () => {
    const lim = new Limiter(1);
    const gate = deferred<void>();
    void lim.run(() => gate.promise);
    let started = false;
    const p = lim.run(async () => {
      started = true;
    });
    lim.setLimit(2);
    await p;
    expect(started).toBe(true);
    gate.resolve();
  });
});

describe('SingleFlight', () => {
  it('shares one call between identical requests', async () => {
    const sf = new SingleFlight<number>();
    let calls = 0;
    const d = deferred<number>();
    const start = (): Promise<number> => {
      calls++;
      return d.promise;
    };
    const p1 = sf.run('k', undefined, start);
    const p2 = sf.run('k', undefined, start);
    d.resolve(7);
    expect(await Promise.all([p1, p2])).toEqual([7, 7]);
    expect(calls).toBe(1);
    expect(sf.size).toBe(0);
  });

  it('aborts the shared call only when every caller has gone', async () => {
    const sf = new SingleFlight<number>();
    let sharedSignal: AbortSignal | undefined;
    const d = deferred<number>();
    const start = (s: AbortSignal): Promise<number> => {
      sharedSignal = s;
      return d.promise;
    };
    const c1 = new AbortController();
    const c2 = new AbortController();
    const p1 = sf.run('k', c1.signal, start);
    const p2 = sf.run('k', c2.signal, start);
    c1.abort();
    await expect(p1).rejects.toThrow('cancelled');
    expect(sharedSignal?.aborted).toBe(false);
    c2.abort();
    await expect(p2).rejects.toThrow('cancelled');
    expect(sharedSignal?.aborted).toBe(true);
    // A new caller does not join the abandoned flight.
    const p3 = sf.run('k', undefined, async () => 9);
    expect(await p3).toBe(9);
    d.resolve(1);
  });

  it('passes errors to every caller', async () => {
    const sf = new SingleFlight<number>();
    const d = deferred<number>();
    const p1 = sf.run('k', undefined, () => d.promise);
    const p2 = sf.run('k', undefined, () => d.promise);
    d.reject(new Error('boom'));
    await expect(p1).rejects.toThrow('boom');
    await expect(p2).rejects.toThrow('boom');
  });
});

describe('DiskCache', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const log = new Logger(() => undefined);
  const key = (n: number): string => n.toString(16).padStart(64, 'a');

  it('round-trips an answer, also through a second instance (another process)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dc-'));
    dirs.push(dir);
    const a = new DiskCache(dir, 1e6, log);
    await a.set(key(1), { text: 'hello', json: { x: 1 }, model: 'm' });
    const b = new DiskCache(dir, 1e6, log);
    expect(await b.get(key(1))).toEqual({ text: 'hello', json: { x: 1 }, model: 'm' });
    expect(await b.get(key(2))).toBeUndefined();
    const sub = path.join(dir, 'answers', key(1).slice(0, 2));
    expect(readdirSync(sub).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(statSync(path.join(sub, `${key(1)}.json`)).mode & 0o777).toBe(0o600);
  });

  it('treats corrupt and foreign files as misses', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dc-'));
    dirs.push(dir);
    const c = new DiskCache(dir, 1e6, log);
    const sub = path.join(dir, 'answers', key(3).slice(0, 2));
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `${key(3)}.json`), '{"v":1,"key":"');
    expect(await c.get(key(3))).toBeUndefined();
    writeFileSync(path.join(sub, `${key(3)}.json`), JSON.stringify({ v: 1, key: key(4), text: 'x', model: 'm' }));
    expect(await c.get(key(3))).toBeUndefined();
  });

  it('stays within its size bound, evicting the least recently used', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dc-'));
    dirs.push(dir);
    const c = new DiskCache(dir, 6000, log);
    const big = 'x'.repeat(900);
    for (let i = 0; i < 5; i++) await c.set(key(i), { text: big, model: 'm' });
    // Make entry 0 the oldest, then touch it by reading: it becomes the most recent.
    const old = new Date(Date.now() - 100_000);
    for (let i = 0; i < 5; i++) utimesSync(path.join(dir, 'answers', key(i).slice(0, 2), `${key(i)}.json`), old, old);
    expect(await c.get(key(0))).toEqual({ text: big, model: 'm' });
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 5; i < 8; i++) await c.set(key(i), { text: big, model: 'm' });
    await c.prune();
    let total = 0;
    let count = 0;
    for (const d of readdirSync(path.join(dir, 'answers'))) {
      for (const f of readdirSync(path.join(dir, 'answers', d))) {
        total += statSync(path.join(dir, 'answers', d, f)).size;
        count++;
      }
    }
    expect(total).toBeLessThanOrEqual(6000);
    expect(count).toBeLessThan(8);
    expect(await c.get(key(0))).toEqual({ text: big, model: 'm' });
    expect(await c.get(key(7))).toEqual({ text: big, model: 'm' });
  });

  it('turns itself off with one warning when the folder is unusable', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dc-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'answers'), 'a file where a folder should be');
    const lines: string[] = [];
    const c = new DiskCache(dir, 1e6, new Logger((_level, m) => lines.push(m)));
    await c.set(key(1), { text: 'a', model: 'm' });
    await c.set(key(2), { text: 'b', model: 'm' });
    expect(await c.get(key(1))).toBeUndefined();
    expect(lines.filter((l) => l.includes('disk cache')).length).toBe(1);
  });

  it('survives two writers racing on one key', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dc-'));
    dirs.push(dir);
    const a = new DiskCache(dir, 1e6, log);
    const b = new DiskCache(dir, 1e6, log);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).set(key(9), { text: `v${i % 2}`, model: 'm' })));
    const got = await a.get(key(9));
    expect(['v0', 'v1']).toContain(got?.text);
  });
});
