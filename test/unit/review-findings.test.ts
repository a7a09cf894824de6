import { describe, expect, it } from 'vitest';
import type { Range } from 'vscode-languageserver';
import { dedupeFindings, parseFindings, type LocatedFinding, type Severity } from '../../server/review/findings';

const item = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  line: 3,
  quote: 'if (a = b)',
  severity: 'error',
  message: 'Assignment in condition',
  replacement: 'if (a === b)',
  ...over,
});

/** Parses one item and returns the finding, or undefined with the reason. */
function one(over: Record<string, unknown>): { finding?: ReturnType<typeof parseFindings>['findings'][number]; dropped: string[] } {
  const r = parseFindings({ diagnostics: [item(over)] });
  return { finding: r.findings[0], dropped: r.dropped };
}

describe('parseFindings: answer shape', () => {
  it('accepts the contract shape', () => {
    const r = parseFindings({
      diagnostics: [
        { line: 3, quote: 'a = b', severity: 'error', message: 'Assignment in condition', replacement: 'a === b' },
        { line: 7, quote: 'except:', severity: 'warning', message: 'Bare except swallows KeyboardInterrupt' },
      ],
    });
    expect(r.dropped).toEqual([]);
    expect(r.findings).toEqual([
      { line: 3, quote: 'a = b', severity: 'error', message: 'Assignment in condition', replacement: 'a === b' },
      { line: 7, quote: 'except:', severity: 'warning', message: 'Bare except swallows KeyboardInterrupt' },
    ]);
    expect('replacement' in r.findings[1]!).toBe(false);
  });

  it.each(['findings', 'issues', 'problems'])('tolerates {%s: [...]}', (key) => {
    const r = parseFindings({ [key]: [item()] });
    expect(r.findings).toHaveLength(1);
    expect(r.dropped).toEqual([]);
  });

  it('tolerates a bare top-level array', () => {
    const r = parseFindings([item(), item({ line: 4 })]);
    expect(r.findings.map((f) => f.line)).toEqual([3, 4]);
  });

  it('takes the first key that holds an array', () => {
    const r = parseFindings({ diagnostics: null, findings: [item({ line: 9 })] });
    expect(r.findings.map((f) => f.line)).toEqual([9]);
  });

  it('an empty diagnostics array is a clean answer', () => {
    expect(parseFindings({ diagnostics: [] })).toEqual({ findings: [], dropped: [] });
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'Looks good to me!'],
    ['a number', 42],
    ['a boolean', true],
  ])('a non-object answer (%s) gives no findings and a reason', (_name, json) => {
    const r = parseFindings(json);
    expect(r.findings).toEqual([]);
    expect(r.dropped).toHaveLength(1);
    expect(r.dropped[0]).toMatch(/not a JSON object/);
  });

  it('an object without an array gives no findings and a reason', () => {
    for (const json of [{}, { diagnostics: 'none' }, { diagnostics: { line: 1 } }, { result: [item()] }]) {
      const r = parseFindings(json);
      expect(r.findings).toEqual([]);
      expect(r.dropped).toEqual(['answer has no "diagnostics" array']);
    }
  });

  it('drops non-object items with a reason and keeps the rest', () => {
    const r = parseFindings({ diagnostics: ['line 3: bad', 42, null, [1, 2], item()] });
    expect(r.findings).toHaveLength(1);
    expect(r.dropped).toEqual([
      'item 1: not an object (string)',
      'item 2: not an object (number)',
      'item 3: not an object (null)',
      'item 4: not an object (array)',
    ]);
  });

  it('never throws, even on hostile input', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
      },
    );
    expect(() => parseFindings(hostile)).not.toThrow();
    expect(parseFindings(hostile).findings).toEqual([]);
    const badItem = {
      get line(): number {
        throw new Error('boom');
      },
    };
    const r = parseFindings({ diagnostics: [badItem, item()] });
    expect(r.findings).toHaveLength(1);
    expect(r.dropped).toEqual(['item 1: unreadable']);
    const circular: Record<string, unknown> = { line: 1, message: 'x' };
    circular['quote'] = circular;
    expect(parseFindings({ diagnostics: [circular] }).findings[0]?.quote).toBe('');
  });
});

describe('parseFindings: line', () => {
  it.each([
    [12, 12],
    [12.0, 12],
    ['12', 12],
    [' 12 ', 12],
    ['12-14', 12],
    ['12 - 14', 12],
    ['12–14', 12],
    [1, 1],
  ])('accepts %j as line %i', (line, expected) => {
    const { finding, dropped } = one({ line });
    expect(dropped).toEqual([]);
    expect(finding?.line).toBe(expected);
  });

  it.each([
    ['twelve'],
    [0],
    [-3],
    [1.5],
    ['1.5'],
    ['0'],
    [''],
    ['line 12'],
    ['12abc'],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [true],
    [[12]],
    [{ line: 12 }],
    [1e300],
  ])('drops line %j with a reason', (line) => {
    const { finding, dropped } = one({ line });
    expect(finding).toBeUndefined();
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatch(/^item 1: line/);
  });

  it('drops a missing line with a reason', () => {
    const r = parseFindings({
      diagnostics: [
        { quote: 'x', message: 'm' },
        { line: null, message: 'm' },
      ],
    });
    expect(r.findings).toEqual([]);
    expect(r.dropped).toEqual(['item 1: missing line', 'item 2: missing line']);
  });

  it('keeps reasons short even for huge junk', () => {
    const { dropped } = one({ line: 'x'.repeat(10_000) });
    expect(dropped[0]!.length).toBeLessThan(100);
  });
});

describe('parseFindings: message', () => {
  it('trims, collapses whitespace runs and keeps newlines out', () => {
    const { finding } = one({ message: '  Possible\n\nnull   dereference:\t`user`\r\nis optional  ' });
    expect(finding?.message).toBe('Possible null dereference: `user` is optional');
  });

  it.each([[''], ['   \n\t '], [undefined], [null], [42], [{ text: 'x' }]])('drops message %j with a reason', (message) => {
    const { finding, dropped } = one({ message });
    expect(finding).toBeUndefined();
    expect(dropped).toEqual(['item 1: missing or empty message']);
  });

  it('caps at 500 characters with an ellipsis', () => {
    const { finding } = one({ message: 'word '.repeat(300) });
    expect(finding!.message.length).toBeLessThanOrEqual(500);
    expect(finding!.message.endsWith('…')).toBe(true);
    expect(finding!.message.startsWith('word word')).toBe(true);
    const exactly = 'x'.repeat(500);
    expect(one({ message: exactly }).finding?.message).toBe(exactly);
  });

  it('never cuts an emoji in half when capping', () => {
    const { finding } = one({ message: 'x'.repeat(498) + '😀😀😀' });
    const m = finding!.message;
    expect(m.endsWith('…')).toBe(true);
    const beforeEllipsis = m.charCodeAt(m.length - 2);
    expect(beforeEllipsis >= 0xd800 && beforeEllipsis <= 0xdbff).toBe(false);
  });
});

describe('parseFindings: severity', () => {
  it.each([
    ['error', 'error'],
    ['ERROR', 'error'],
    ['Err', 'error'],
    ['fatal', 'error'],
    ['Critical', 'error'],
    ['bug', 'error'],
    ['warning', 'warning'],
    ['WARN', 'warning'],
    ['information', 'information'],
    ['Info', 'information'],
    ['note', 'information'],
    ['hint', 'hint'],
    ['suggestion', 'hint'],
    ['Style', 'hint'],
    [' error ', 'error'],
    ['blocker', 'warning'],
    ['', 'warning'],
    [3, 'warning'],
    [null, 'warning'],
    [undefined, 'warning'],
  ])('maps %j to %s and never drops', (severity, expected) => {
    const { finding, dropped } = one({ severity });
    expect(dropped).toEqual([]);
    expect(finding?.severity).toBe(expected);
  });
});

describe('parseFindings: quote and replacement', () => {
  it('keeps the quote as given, inner and outer whitespace included, minus a trailing \\r', () => {
    expect(one({ quote: '  x  =  1 ', replacement: 'x = 2' }).finding?.quote).toBe('  x  =  1 ');
    expect(one({ quote: 'x = 1\r', replacement: 'x = 2' }).finding?.quote).toBe('x = 1');
    expect(one({ quote: 'if x:\r\n    pass\r', replacement: null }).finding?.quote).toBe('if x:\r\n    pass');
  });

  it('a non-string quote becomes empty', () => {
    for (const quote of [undefined, null, 12, ['a'], { text: 'a' }]) {
      const { finding, dropped } = one({ quote });
      expect(dropped).toEqual([]);
      expect(finding?.quote).toBe('');
    }
  });

  it('keeps a string replacement as-is', () => {
    const r = one({ quote: 'except:', replacement: 'except Exception:  ' }).finding;
    expect(r?.replacement).toBe('except Exception:  ');
  });

  it('an empty replacement deletes the quote: kept when the quote is non-empty', () => {
    expect(one({ quote: 'debugger;', replacement: '' }).finding?.replacement).toBe('');
  });

  it('drops a replacement when there is no quote to replace', () => {
    for (const quote of ['', '   ', undefined]) {
      const f = one({ quote, replacement: '' }).finding;
      expect(f).toMatchObject({ line: 3, message: 'Assignment in condition' });
      expect(f).not.toHaveProperty('replacement');
      expect('replacement' in one({ quote, replacement: 'x === y' }).finding!).toBe(false);
    }
  });

  it.each([[null], [undefined], [42], [['a === b']], [{ text: 'a' }]])('a %j replacement is absent', (replacement) => {
    const f = one({ replacement }).finding;
    expect(f).toMatchObject({ line: 3, quote: 'if (a = b)', message: 'Assignment in condition' });
    expect(f).not.toHaveProperty('replacement');
  });

  it('a replacement identical to the quote is a no-op: absent', () => {
    const f = one({ quote: 'const x = 1;', replacement: 'const x = 1;' }).finding;
    expect('replacement' in f!).toBe(false);
    const g = one({ quote: 'const x = 1;\r', replacement: 'const x = 1;\r' }).finding;
    expect('replacement' in g!).toBe(false);
    expect(one({ quote: 'const x = 1;', replacement: 'const x = 1; ' }).finding?.replacement).toBe('const x = 1; ');
  });
});

describe('parseFindings: cap', () => {
  const many = (n: number): Array<Record<string, unknown>> => Array.from({ length: n }, (_, i) => item({ line: i + 1, message: `Unused variable tmp${i}` }));

  it('keeps the first 25 by default and says how many were dropped', () => {
    const r = parseFindings({ diagnostics: many(300) });
    expect(r.findings).toHaveLength(25);
    expect(r.findings.map((f) => f.line)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(r.dropped).toEqual(['275 more findings dropped (cap)']);
  });

  it('honours maxFindings, counting only valid items', () => {
    const items = [item({ line: 'x' }), ...many(5)];
    const r = parseFindings({ diagnostics: items }, { maxFindings: 3 });
    expect(r.findings.map((f) => f.line)).toEqual([1, 2, 3]);
    expect(r.dropped).toEqual(['item 1: line "x" is not a positive integer', '2 more findings dropped (cap)']);
  });

  it('no cap reason when under the cap', () => {
    expect(parseFindings({ diagnostics: many(25) }).dropped).toEqual([]);
  });

  it('maxFindings 0 keeps nothing; nonsense values fall back to 25', () => {
    expect(parseFindings({ diagnostics: many(3) }, { maxFindings: 0 }).findings).toEqual([]);
    expect(parseFindings({ diagnostics: many(30) }, { maxFindings: Number.NaN }).findings).toHaveLength(25);
    expect(parseFindings({ diagnostics: many(30) }, { maxFindings: -1 }).findings).toHaveLength(25);
  });
});

// ---------------------------------------------------------------------------------------

const r = (l0: number, c0: number, l1: number, c1: number): Range => ({
  start: { line: l0, character: c0 },
  end: { line: l1, character: c1 },
});

function lf(range: Range, severity: Severity, message: string, replacement?: string): LocatedFinding {
  const f: LocatedFinding = { range, severity, message };
  if (replacement !== undefined) f.replacement = replacement;
  return f;
}

describe('dedupeFindings', () => {
  it('merges same range + same message (case/whitespace-insensitive), keeping the first with the highest severity', () => {
    const out = dedupeFindings([
      lf(r(3, 4, 3, 9), 'hint', 'Assignment in condition'),
      lf(r(3, 4, 3, 9), 'error', 'assignment  in\tCONDITION'),
      lf(r(3, 4, 3, 9), 'warning', 'Assignment in condition', 'a === b'),
    ]);
    expect(out).toEqual([lf(r(3, 4, 3, 9), 'error', 'Assignment in condition', 'a === b')]);
  });

  it('keeps the first present replacement of the group', () => {
    const out = dedupeFindings([
      lf(r(1, 0, 1, 7), 'warning', 'Bare except', 'except Exception:'),
      lf(r(1, 0, 1, 7), 'warning', 'bare except', 'except BaseException:'),
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.replacement).toBe('except Exception:');
  });

  it('merges same range + same replacement, keeping the first message', () => {
    const out = dedupeFindings([
      lf(r(5, 2, 5, 12), 'information', 'Use strict equality', 'x === null'),
      lf(r(5, 2, 5, 12), 'warning', 'Loose comparison with null', 'x === null'),
    ]);
    expect(out).toEqual([lf(r(5, 2, 5, 12), 'warning', 'Use strict equality', 'x === null')]);
  });

  it('does not merge different ranges, different messages without a shared fix, or absent replacements', () => {
    const items = [
      lf(r(3, 4, 3, 9), 'error', 'Assignment in condition'),
      lf(r(3, 4, 3, 10), 'error', 'Assignment in condition'),
      lf(r(4, 4, 4, 9), 'error', 'Assignment in condition'),
      lf(r(3, 4, 3, 9), 'warning', 'Variable shadows outer scope'),
      lf(r(6, 0, 6, 3), 'hint', 'Prefer const'),
      lf(r(6, 0, 6, 3), 'hint', 'Unused variable'),
    ];
    const out = dedupeFindings(items);
    expect(out).toEqual(items);
    // Untouched items are returned as they are.
    expect(out[0]).toBe(items[0]);
  });

  it('is transitive and preserves order', () => {
    const out = dedupeFindings([
      lf(r(0, 0, 0, 5), 'hint', 'First'),
      lf(r(2, 0, 2, 4), 'hint', 'Message A'),
      lf(r(9, 9, 9, 9), 'information', 'Between'),
      lf(r(2, 0, 2, 4), 'warning', 'Message B', 'fix()'),
      lf(r(2, 0, 2, 4), 'error', 'message a', 'fix()'),
      lf(r(0, 0, 0, 5), 'hint', 'Last'),
    ]);
    expect(out.map((f) => f.message)).toEqual(['First', 'Message A', 'Between', 'Last']);
    expect(out[1]).toEqual(lf(r(2, 0, 2, 4), 'error', 'Message A', 'fix()'));
  });

  it('keeps extra fields of the first item and does not mutate the input', () => {
    type Stored = LocatedFinding & { exact: boolean; text: string };
    const a: Stored = { range: r(1, 2, 1, 6), severity: 'hint', message: 'Unused', exact: true, text: 'tmp1' };
    const b: Stored = { range: r(1, 2, 1, 6), severity: 'error', message: 'unused', exact: true, text: 'tmp1', replacement: '_tmp1' };
    const out = dedupeFindings<Stored>([a, b]);
    expect(out).toEqual([{ range: r(1, 2, 1, 6), severity: 'error', message: 'Unused', exact: true, text: 'tmp1', replacement: '_tmp1' }]);
    expect(a.severity).toBe('hint');
    expect('replacement' in a).toBe(false);
  });

  it('handles empty input and many duplicates', () => {
    expect(dedupeFindings([])).toEqual([]);
    const dupes = Array.from({ length: 500 }, () => lf(r(7, 0, 7, 3), 'warning', 'Missing await'));
    expect(dedupeFindings(dupes)).toHaveLength(1);
  });
});
