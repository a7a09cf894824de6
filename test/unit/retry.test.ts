import { describe, expect, it } from 'vitest';
import { backoffMs, retryAfterMs, sleep } from '../../server/model/retry';

describe('retryAfterMs', () => {
  it('prefers retry-after-ms', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '120', 'retry-after': '5' }))).toBe(120);
  });
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs({ 'retry-after': '2' })).toBe(2000);
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(retryAfterMs({ 'retry-after': 'Wed, 25 Nov 2026 10:00:03 GMT' }, now)).toBe(3000);
  });
  it('ignores junk and absent headers', () => {
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after-ms': '-5' })).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('grows and is capped', () => {
    expect(backoffMs(0, () => 0)).toBe(125);
    expect(backoffMs(0, () => 1)).toBe(250);
    expect(backoffMs(3, () => 1)).toBe(2000);
    expect(backoffMs(20, () => 1)).toBe(8000);
  });
});

describe('sleep', () => {
  it('rejects at once when aborted', async () => {
    const c = new AbortController();
    const p = sleep(10_000, c.signal);
    c.abort();
    await expect(p).rejects.toThrow('cancelled');
  });
});
