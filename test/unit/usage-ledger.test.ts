import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../../server/config/settings';
import { costOf, localDay, priceOf, summarize, UsageLedger } from '../../server/model/usage-ledger';
import { Logger } from '../../server/util/log';

const log = new Logger(() => undefined);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'usage-'));
  dirs.push(d);
  return d;
}

describe('prices', () => {
  it('finds a model by name or by the longest prefix', () => {
    expect(priceOf('codex-mini', DEFAULT_PRICES)).toEqual({ input: 1.5, cachedInput: 0.375, output: 6 });
    expect(priceOf('codex-mini-latest', DEFAULT_PRICES)?.input).toBe(1.5);
    expect(priceOf('gpt-5', DEFAULT_PRICES)).toBeUndefined();
  });
  it('bills fresh input, cached input and output at their rates', () => {
    expect(costOf({ input: 1_000_000, cachedInput: 200_000, output: 100_000 }, DEFAULT_PRICES['codex-mini'])).toBeCloseTo(1.2 + 0.075 + 0.6, 10);
    expect(costOf({ input: 1, cachedInput: 0, output: 1 }, undefined)).toBeUndefined();
  });
  it('summarises rows; tokens of a model without a price make the dollars unknown, never $0', () => {
    const s = summarize(
      [
        { feature: 'hover', model: 'codex-mini', requests: 2, cacheHits: 2, input: 1_000_000, cachedInput: 0, output: 0 },
        { feature: 'review', model: 'local', requests: 1, cacheHits: 0, input: 500, cachedInput: 0, output: 5 },
      ],
      DEFAULT_PRICES,
    );
    expect(s.totals).toMatchObject({ requests: 3, cacheHits: 2, input: 1_000_500 });
    expect(s.totals.usd).toBeUndefined();
    expect(s.unpricedModels).toEqual(['local']);
    expect(s.rows[0]?.usd).toBe(1.5);
    expect(s.rows[1]?.usd).toBeUndefined();
    expect(s.cacheHitRate).toBeCloseTo(0.4);
  });
});

describe('UsageLedger', () => {
  it('adds up the day over processes sharing the folder', async () => {
    const d = dir();
    const a = new UsageLedger(d, log);
    const b = new UsageLedger(d, log);
    a.recordCall('hover', 'codex-mini', { input: 100, cachedInput: 10, output: 5 });
    b.recordCall('hover', 'codex-mini', { input: 50, cachedInput: 0, output: 1 });
    b.recordCacheHit('review', 'codex-mini');
    await a.flush();
    await b.flush();
    const t = await a.today();
    const hover = t.rows.find((r) => r.feature === 'hover');
    expect(hover).toMatchObject({ requests: 2, input: 150, cachedInput: 10, output: 6 });
    expect(t.rows.find((r) => r.feature === 'review')?.cacheHits).toBe(1);
    expect(a.session.totals().input).toBe(100);
  });

  it('starts a new day at midnight, keeping the old one on disk', async () => {
    const d = dir();
    let now = new Date(2026, 10, 25, 23, 59, 0);
    const l = new UsageLedger(d, log, () => now);
    l.recordCall('hover', 'm', { input: 10, cachedInput: 0, output: 1 });
    now = new Date(2026, 10, 26, 0, 1, 0);
    l.recordCall('hover', 'm', { input: 7, cachedInput: 0, output: 1 });
    await l.flush();
    const t = await l.today();
    expect(t.day).toBe('2026-11-26');
    expect(t.rows[0]?.input).toBe(7);
    const other = new UsageLedger(d, log, () => new Date(2026, 10, 25, 23, 59, 30));
    expect((await other.today()).rows[0]?.input).toBe(10);
    expect(l.session.totals().input).toBe(17);
  });

  it('ignores foreign and broken files', async () => {
    const d = dir();
    const l = new UsageLedger(d, log);
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const day = path.join(d, localDay(new Date()));
    mkdirSync(day, { recursive: true });
    writeFileSync(path.join(day, 'broken.json'), '{"rows": [');
    writeFileSync(path.join(day, 'odd.json'), JSON.stringify({ rows: [{ feature: 'x', model: 'y', requests: -1 }] }));
    expect((await l.today()).rows).toEqual([]);
  });
});
