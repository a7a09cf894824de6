import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../server/privacy/redact';
import { assignmentSamples, falsePositiveSamples, neutralSamples, type Sample } from '../support/secret-corpus';

/** The goals of issue 11. */
const NEUTRAL_GOAL = 0.97;
const ASSIGNMENT_GOAL = 0.97;
const FALSE_POSITIVE_LIMIT = 0.05;

const caught = (s: Sample): boolean => {
  const out = redactSecrets(s.text, { mask: true }).text;
  return !out.includes(s.secret);
};
const changed = (s: Sample): boolean => redactSecrets(s.text, { mask: true }).count > 0;

interface Score {
  family: string;
  total: number;
  hits: number;
  missed: string[];
}

/** Counts hits per family; lists the misses (or, with `listHits`, the hits: masked look-alikes). */
function score(samples: readonly Sample[], hit: (s: Sample) => boolean, listHits = false): Score[] {
  const by = new Map<string, Score>();
  for (const s of samples) {
    const row = by.get(s.family) ?? { family: s.family, total: 0, hits: 0, missed: [] };
    by.set(s.family, row);
    row.total++;
    const h = hit(s);
    if (h) row.hits++;
    if (h === listHits && row.missed.length < 8) row.missed.push(`${s.name}: ${s.text.replace(/\n/g, '⏎').slice(0, 140)}`);
  }
  return [...by.values()];
}

function report(title: string, rows: readonly Score[], rate: (r: Score) => number): number {
  const total = rows.reduce((n, r) => n + r.total, 0);
  const hits = rows.reduce((n, r) => n + r.hits, 0);
  const lines = rows.map(
    (r) =>
      `  ${r.family.padEnd(22)} ${(100 * rate(r)).toFixed(1).padStart(5)}%  (${r.hits}/${r.total})${r.missed.length ? `\n      ${r.missed.join('\n      ')}` : ''}`,
  );
  // The figures the issue asks for, printed on every run.
  console.log(`${title}: ${((100 * hits) / total).toFixed(1)}% of ${total}\n${lines.join('\n')}`);
  return hits / total;
}

describe('the secret corpus (issue 11 goals)', () => {
  it(`catches at least ${NEUTRAL_GOAL * 100}% of token formats in neutral lines`, () => {
    const rows = score(neutralSamples(), caught);
    const recall = report('recall, token formats in neutral lines', rows, (r) => r.hits / r.total);
    expect(recall).toBeGreaterThanOrEqual(NEUTRAL_GOAL);
  });

  it(`catches at least ${ASSIGNMENT_GOAL * 100}% of assignment forms`, () => {
    const rows = score(assignmentSamples(), caught);
    const recall = report('recall, assignment forms', rows, (r) => r.hits / r.total);
    expect(recall).toBeGreaterThanOrEqual(ASSIGNMENT_GOAL);
  });

  it(`masks at most ${FALSE_POSITIVE_LIMIT * 100}% of look-alikes`, () => {
    const rows = score(falsePositiveSamples(), changed, true);
    const rate = report('false positives, look-alikes masked', rows, (r) => r.hits / r.total);
    expect(rate).toBeLessThanOrEqual(FALSE_POSITIVE_LIMIT);
  });

  it('is the same corpus on every run, with secrets of the documented shapes', () => {
    expect(neutralSamples().map((s) => s.text)).toEqual(neutralSamples().map((s) => s.text));
    expect(neutralSamples().length).toBeGreaterThan(1500);
    expect(new Set(neutralSamples().map((s) => s.family)).size).toBeGreaterThanOrEqual(6);
    expect(assignmentSamples().length).toBeGreaterThan(150);
    expect(falsePositiveSamples().length).toBeGreaterThan(100);
  });
});
