import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  MAX_EDITS,
  applyLocatedEdits,
  locateEdits,
  parseEditAnswer,
  toTextEdits,
  type LocateResult,
  type LocatedEdit,
  type ProposedEdit,
} from '../../server/edits/locate';

/** The region [start of `from`, end of `to`) of `text` (both must occur). */
function region(text: string, from: string, to: string): { start: number; end: number } {
  const start = text.indexOf(from);
  const t = text.indexOf(to, start);
  if (start < 0 || t < 0) throw new Error('region markers not found');
  return { start, end: t + to.length };
}

const whole = (text: string): { start: number; end: number } => ({ start: 0, end: text.length });

function ok(r: LocateResult): { edits: LocatedEdit[]; skipped: number } {
  if (!r.ok) throw new Error(`expected ok, got: ${r.reason}`);
  return r;
}

function fail(r: LocateResult): string {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.edits)}`);
  return r.reason;
}

/** Locate and apply; the edited text. */
function edit(text: string, target: { start: number; end: number }, proposed: ProposedEdit[]): string {
  return applyLocatedEdits(text, ok(locateEdits(text, target, proposed)).edits);
}

describe('parseEditAnswer', () => {
  it('accepts the contract shape', () => {
    expect(parseEditAnswer({ edits: [{ quote: 'a', replacement: 'b' }], explanation: 'Renames a.' })).toEqual({
      edits: [{ quote: 'a', replacement: 'b' }],
      explanation: 'Renames a.',
    });
  });

  it('keeps only quote and replacement of each edit', () => {
    const r = parseEditAnswer({ edits: [{ quote: 'a', replacement: '', line: 3 }], explanation: 'x' });
    expect(r).toEqual({ edits: [{ quote: 'a', replacement: '' }], explanation: 'x' });
  });

  it('tolerates a missing or non-string explanation', () => {
    expect(parseEditAnswer({ edits: [] })).toEqual({ edits: [], explanation: '' });
    expect(parseEditAnswer({ edits: [], explanation: 42 })).toEqual({ edits: [], explanation: '' });
  });

  it('accepts an empty edit list', () => {
    expect(parseEditAnswer({ edits: [], explanation: 'nothing to do' })).toEqual({ edits: [], explanation: 'nothing to do' });
  });

  it('rejects a missing or non-array edit list', () => {
    for (const v of [undefined, null, 'x', 3, [], {}, { edits: 'a' }, { edits: {} }, { edits: null }]) {
      expect(parseEditAnswer(v)).toEqual({ error: "the model's answer has no edit list" });
    }
  });

  it('rejects items that are not objects or have no string quote', () => {
    for (const item of [null, 'a', 3, ['a'], {}, { quote: 3, replacement: 'x' }, { replacement: 'x' }]) {
      expect(parseEditAnswer({ edits: [{ quote: 'ok', replacement: 'x' }, item] })).toEqual({
        error: "the model's answer has an edit without a quote",
      });
    }
  });

  it('rejects a non-string replacement, naming the quote', () => {
    for (const replacement of [undefined, null, 3, ['x']]) {
      const r = parseEditAnswer({ edits: [{ quote: 'foo(bar)\nmore', replacement }] });
      expect(r).toHaveProperty('error');
      expect((r as { error: string }).error).toContain('"foo(bar)"');
    }
  });
});

describe('locateEdits: exact matches', () => {
  const text = [
    'import { a } from "a";', // 0
    'function first() {',
    '  const x = a(1);',
    '  return x;',
    '}',
    'function second() {',
    '  const x = a(1);',
    '  log(x);',
    '  const x2 = a(1);',
    '  return x;',
    '}',
    '',
  ].join('\n');
  const second = region(text, 'function second', '  return x;\n}');

  it('takes a quote that is unique in the region', () => {
    const r = ok(locateEdits(text, second, [{ quote: 'log(x);', replacement: 'console.log(x);' }]));
    const at = text.indexOf('log(x);');
    expect(r).toEqual({ ok: true, edits: [{ start: at, end: at + 7, newText: 'console.log(x);' }], skipped: 0 });
  });

  it('prefers the occurrence in the region over the ones outside', () => {
    const out = edit(text, second, [{ quote: '  const x = a(1);', replacement: '  const x = a(2);' }]);
    expect(out).toContain('function first() {\n  const x = a(1);');
    expect(out).toContain('function second() {\n  const x = a(2);');
  });

  it('resolves duplicates in the region by the order of the edits', () => {
    // `a(1)` is three times in the region; the edit after `log(x)` means the one after it.
    const out = edit(text, second, [
      { quote: 'log(x);', replacement: 'debug(x);' },
      { quote: 'a(1)', replacement: 'b(1)' },
    ]);
    expect(out).toContain('  const x = a(1);\n  debug(x);\n  const x2 = b(1);');
  });

  it('refuses a duplicate in the region when no previous edit says which', () => {
    const r = locateEdits(text, second, [{ quote: 'a(1)', replacement: 'b(1)' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/occurs 2 times in the selected code and nothing says which/);
  });

  it('the same quote twice means consecutive occurrences', () => {
    const out = edit(text, second, [
      { quote: 'a(1)', replacement: 'b(1)' },
      { quote: 'a(1)', replacement: 'c(1)' },
    ]);
    expect(out).toContain('  const x = b(1);\n  log(x);\n  const x2 = c(1);');
  });

  it('refuses a duplicate when none starts after the previous edit', () => {
    const r = locateEdits(text, second, [
      { quote: '  return x;\n}', replacement: '  return x2;\n}' },
      { quote: 'a(1)', replacement: 'b(1)' },
    ]);
    expect(r.ok).toBe(false);
  });

  it('prefers a whitespace-insensitive match in the region to an exact one elsewhere', () => {
    const t = 'function a() {\n  return value  +  1;\n}\nfunction b() {\n  return value + 1;\n}\n';
    const target = { start: 0, end: t.indexOf('function b') };
    const out = edit(t, target, [{ quote: 'return value + 1;', replacement: 'return value + 2;' }]);
    expect(out).toBe('function a() {\n  return value + 2;\n}\nfunction b() {\n  return value + 1;\n}\n');
  });

  it('takes a quote outside the region when it is unique in the file', () => {
    const out = edit(text, second, [{ quote: 'import { a } from "a";', replacement: 'import { a, b } from "a";' }]);
    expect(out.startsWith('import { a, b } from "a";\nfunction first()')).toBe(true);
  });

  it('rejects a quote that is ambiguous outside the region', () => {
    const r = region(text, 'import', '"a";');
    const reason = fail(locateEdits(text, r, [{ quote: 'return x;', replacement: 'return 0;' }]));
    expect(reason).toBe('the quote "return x;" occurs 2 times in the file, none in the selected code; not applied');
  });

  it('counts occurrences for the message', () => {
    const t = 'x\nfoo();\nfoo();\nfoo();\n';
    const reason = fail(locateEdits(t, { start: 0, end: 1 }, [{ quote: 'foo();', replacement: 'bar();' }]));
    expect(reason).toContain('occurs 3 times in the file');
  });

  it('rejects a quote that is nowhere, naming it by its first line', () => {
    const reason = fail(locateEdits(text, second, [{ quote: '\n  foo(bar)\n  more();', replacement: 'x' }]));
    expect(reason).toBe('the quote "foo(bar)" is not in the file');
  });

  it('cuts long quote names', () => {
    const reason = fail(locateEdits(text, second, [{ quote: 'q'.repeat(500), replacement: 'x' }]));
    expect(reason).toMatch(/^the quote "q{59}…" is not in the file$/);
  });

  it('fails as a whole when one edit of several cannot be located', () => {
    const reason = fail(
      locateEdits(text, second, [
        { quote: 'log(x);', replacement: 'debug(x);' },
        { quote: 'nothere()', replacement: 'x' },
      ]),
    );
    expect(reason).toBe('the quote "nothere()" is not in the file');
  });

  it('returns edits sorted by start whatever the answer order', () => {
    const r = ok(
      locateEdits(text, whole(text), [
        { quote: 'log(x);', replacement: 'L' },
        { quote: 'import', replacement: 'I' },
      ]),
    );
    expect(r.edits.map((e) => e.newText)).toEqual(['I', 'L']);
    expect(r.edits[0]!.start).toBeLessThan(r.edits[1]!.start);
  });

  it('clamps a target region outside the text', () => {
    const out = edit(text, { start: -50, end: 1e9 }, [{ quote: 'log(x);', replacement: 'debug(x);' }]);
    expect(out).toContain('debug(x);');
    const reversed = edit(text, { start: second.end, end: second.start }, [{ quote: 'log(x);\n  const x2', replacement: 'debug(x);\n  const x2' }]);
    expect(reversed).toContain('function second() {\n  const x = a(1);\n  debug(x);');
  });
});

describe('locateEdits: whitespace-insensitive matches', () => {
  it('matches tabs in the document against spaces in the quote, keeping the document indentation', () => {
    const text = 'function f() {\n\tif (a) {\n\t\treturn 1;\n\t}\n}\n';
    const out = edit(text, whole(text), [
      {
        quote: '    if (a) {\n        return 1;\n    }',
        replacement: '    if (a) {\n        log();\n        return 1;\n    }',
      },
    ]);
    expect(out).toBe('function f() {\n\tif (a) {\n\t\tlog();\n\t\treturn 1;\n\t}\n}\n');
  });

  it('matches missing or extra spaces around operators and punctuation', () => {
    const text = 'const total = price * (1 + rate) - discount;\n';
    const r = ok(locateEdits(text, whole(text), [{ quote: 'price*(1+rate)-discount', replacement: 'net(price, rate, discount)' }]));
    const at = text.indexOf('price');
    expect(r.edits).toEqual([{ start: at, end: text.indexOf(';'), newText: 'net(price, rate, discount)' }]);
    expect(applyLocatedEdits(text, r.edits)).toBe('const total = net(price, rate, discount);\n');

    const tight = 'if(x==1){y=f(x,2);}\n';
    expect(edit(tight, whole(tight), [{ quote: 'y = f( x, 2 );', replacement: 'y = g(x);' }])).toBe('if(x==1){y = g(x);}\n');
  });

  it('never joins or splits words', () => {
    const text = 'return x;\nconst ab = 1;\n';
    expect(fail(locateEdits(text, whole(text), [{ quote: 'returnx;', replacement: 'y' }]))).toBe('the quote "returnx;" is not in the file');
    expect(fail(locateEdits(text, whole(text), [{ quote: 'const a b = 1;', replacement: 'y' }]))).toContain('is not in the file');
    // ...but any amount of whitespace between words is fine
    expect(edit(text, whole(text), [{ quote: 'return\n   x;', replacement: 'return y;' }])).toBe('return y;\nconst ab = 1;\n');
  });

  it('re-indents a quote the model gave with a different indentation', () => {
    const text = 'class A {\n    run() {\n        step1();\n        step2();\n    }\n}\n';
    // The model dropped the common indentation.
    const out = edit(text, whole(text), [
      {
        quote: 'run() {\n    step1();\n    step2();\n}',
        replacement: 'run() {\n    step1();\n    if (ok) {\n        step2();\n    }\n}',
      },
    ]);
    expect(out).toBe('class A {\n    run() {\n        step1();\n        if (ok) {\n            step2();\n        }\n    }\n}\n');
  });

  it("does not write the quote's surrounding blank lines twice", () => {
    const text = 'a();\n  b();\nc();\n';
    const out = edit(text, whole(text), [{ quote: '\nb( );\n', replacement: '\nb(1);\n' }]);
    expect(out).toBe('a();\n  b(1);\nc();\n');
    // the replacement kept the indentation but not the blank line
    expect(edit(text, whole(text), [{ quote: '\n    b( );', replacement: '    b(2);' }])).toBe('a();\n  b(2);\nc();\n');
  });

  it('is tried in the region first, then in the whole file with the uniqueness rule', () => {
    const text = 'f(a,b);\nx();\nf(a,b);\ny();\n';
    const second = region(text, 'f(a,b);\ny', 'y();');
    const out = edit(text, second, [{ quote: 'f( a, b );', replacement: 'g(a, b);' }]);
    expect(out).toBe('f(a,b);\nx();\ng(a, b);\ny();\n');
    const reason = fail(locateEdits(text, region(text, 'x();', 'x();'), [{ quote: 'f( a, b );', replacement: 'g();' }]));
    expect(reason).toBe('the quote "f( a, b );" occurs 2 times in the file, none in the selected code; not applied');
    const unique = 'f(a,b);\nx();\n';
    expect(edit(unique, region(unique, 'x();', 'x();'), [{ quote: 'f( a, b );', replacement: 'g();' }])).toBe('g();\nx();\n');
  });

  it('resolves loose duplicates in the region by edit order', () => {
    const text = 'f(a,b);\nx();\nf(a,b);\n';
    const out = edit(text, whole(text), [
      { quote: 'x();', replacement: 'z();' },
      { quote: 'f( a, b );', replacement: 'g(a, b);' },
    ]);
    expect(out).toBe('f(a,b);\nz();\ng(a, b);\n');
  });

  it('maps back to exact offsets around emoji and CJK', () => {
    const text = 'const s = "😀 中文";\nshow( s ,"🎉");\n';
    const r = ok(locateEdits(text, whole(text), [{ quote: 'show(s, "🎉")', replacement: 'print(s)' }]));
    expect(r.edits[0]!.start).toBe(text.indexOf('show'));
    expect(r.edits[0]!.end).toBe(text.indexOf('");') + 2);
    expect(applyLocatedEdits(text, r.edits)).toBe('const s = "😀 中文";\nprint(s);\n');
  });

  it('drops a located edit whose new text is what the document already has', () => {
    const text = 'if (a) {\n\tb();\n}\n';
    expect(locateEdits(text, whole(text), [{ quote: '    b( );', replacement: '    b();' }])).toEqual({ ok: true, edits: [], skipped: 1 });
    // a replacement that adds a line break is a change
    expect(edit(text, whole(text), [{ quote: '    b( );', replacement: '    b();\n' }])).toBe('if (a) {\n\tb();\n\n}\n');
  });
});

describe('locateEdits: line endings', () => {
  const crlf = 'function f() {\r\n  a();\r\n  b();\r\n}\r\n';

  it('matches a \\n quote in a CRLF document and writes CRLF', () => {
    const r = ok(locateEdits(crlf, whole(crlf), [{ quote: '  a();\n  b();', replacement: '  a();\n  c();\n  b();' }]));
    expect(r.edits).toEqual([{ start: crlf.indexOf('  a();'), end: crlf.indexOf('\r\n}'), newText: '  a();\r\n  c();\r\n  b();' }]);
    expect(applyLocatedEdits(crlf, r.edits)).toBe('function f() {\r\n  a();\r\n  c();\r\n  b();\r\n}\r\n');
  });

  it('writes CRLF for a single-line quote whose replacement adds lines', () => {
    expect(edit(crlf, whole(crlf), [{ quote: 'b();', replacement: 'b();\n  c();' }])).toBe('function f() {\r\n  a();\r\n  b();\r\n  c();\r\n}\r\n');
  });

  it('re-indents a loose match in a CRLF document and writes CRLF', () => {
    const text = 'class A {\r\n\tm() {\r\n\t\ta();\r\n\t}\r\n}\r\n';
    const out = edit(text, whole(text), [{ quote: 'm() {\n    a();\n}', replacement: 'm() {\n    a();\n    b();\n}' }]);
    expect(out).toBe('class A {\r\n\tm() {\r\n\t\ta();\r\n\t\tb();\r\n\t}\r\n}\r\n');
  });

  it('turns a CRLF answer into \\n for a \\n document', () => {
    const lf = crlf.replace(/\r\n/g, '\n');
    expect(edit(lf, whole(lf), [{ quote: 'a();\r\n  b();', replacement: 'x();\r\n  y();' }])).toBe('function f() {\n  x();\n  y();\n}\n');
  });

  it('follows options.eol over detection', () => {
    const r = ok(locateEdits('a\nb\n', { start: 0, end: 4 }, [{ quote: 'a', replacement: 'x\ny' }], { eol: '\r\n' }));
    expect(r.edits[0]!.newText).toBe('x\r\ny');
  });
});

describe('locateEdits: offsets are UTF-16 indices', () => {
  const text = '// 😀 emoji 🎉 and 中文注释\nconst 名前 = "👍🏽";\nconsole.log(名前);\n';

  it('locates after astral characters and CJK', () => {
    const r = ok(locateEdits(text, whole(text), [{ quote: 'console.log(名前);', replacement: 'alert(名前);' }]));
    const at = text.indexOf('console.log');
    expect(r.edits).toEqual([{ start: at, end: at + 'console.log(名前);'.length, newText: 'alert(名前);' }]);
    expect(applyLocatedEdits(text, r.edits)).toBe('// 😀 emoji 🎉 and 中文注释\nconst 名前 = "👍🏽";\nalert(名前);\n');
  });

  it('replaces an emoji exactly', () => {
    expect(edit(text, whole(text), [{ quote: '"👍🏽"', replacement: '"🚀"' }])).toContain('const 名前 = "🚀";');
  });

  it('gives LSP positions in UTF-16 code units', () => {
    const doc = TextDocument.create('file:///x.ts', 'typescript', 1, text);
    const r = ok(locateEdits(text, whole(text), [{ quote: '"👍🏽"', replacement: '"🚀"' }]));
    expect(toTextEdits(doc, r.edits)).toEqual([{ range: { start: { line: 1, character: 11 }, end: { line: 1, character: 17 } }, newText: '"🚀"' }]);
    expect(TextDocument.applyEdits(doc, toTextEdits(doc, r.edits))).toBe(applyLocatedEdits(text, r.edits));
  });
});

describe('locateEdits: overlaps, no-ops, limits', () => {
  const text = 'let a = 1;\nlet b = 2;\nlet c = 3;\n';

  it('rejects overlapping edits, naming both', () => {
    const reason = fail(
      locateEdits(text, whole(text), [
        { quote: 'let a = 1;\nlet b', replacement: 'x' },
        { quote: 'b = 2;', replacement: 'y' },
      ]),
    );
    expect(reason).toBe('two edits overlap ("let a = 1;" and "b = 2;"); not applied');
  });

  it('rejects two edits of the same unique text', () => {
    const reason = fail(
      locateEdits(text, whole(text), [
        { quote: 'let c = 3;', replacement: 'x' },
        { quote: 'c = 3', replacement: 'y' },
      ]),
    );
    expect(reason).toContain('two edits overlap');
  });

  it('accepts adjacent edits', () => {
    const r = ok(
      locateEdits(text, whole(text), [
        { quote: 'let a = 1;', replacement: 'const a = 1;' },
        { quote: '\nlet b', replacement: '\nconst b' },
      ]),
    );
    expect(r.edits[0]!.end).toBe(r.edits[1]!.start);
    expect(applyLocatedEdits(text, r.edits)).toBe('const a = 1;\nconst b = 2;\nlet c = 3;\n');
  });

  it('skips a no-op edit and counts it', () => {
    const r = ok(
      locateEdits(text, whole(text), [
        { quote: 'let a = 1;', replacement: 'let a = 1;' },
        { quote: 'let b = 2;', replacement: 'let b = 20;' },
      ]),
    );
    expect(r.skipped).toBe(1);
    expect(applyLocatedEdits(text, r.edits)).toBe('let a = 1;\nlet b = 20;\nlet c = 3;\n');
  });

  it('a no-op differing only in line endings is a no-op', () => {
    const crlf = 'a\r\nb\r\n';
    expect(locateEdits(crlf, whole(crlf), [{ quote: 'a\nb', replacement: 'a\r\nb' }])).toEqual({ ok: true, edits: [], skipped: 1 });
  });

  it('all no-ops: ok with no edits', () => {
    expect(
      locateEdits(text, whole(text), [
        { quote: 'let a = 1;', replacement: 'let a = 1;' },
        { quote: 'not even in the file', replacement: 'not even in the file' },
      ]),
    ).toEqual({ ok: true, edits: [], skipped: 2 });
  });

  it('an empty answer: ok with no edits', () => {
    expect(locateEdits(text, whole(text), [])).toEqual({ ok: true, edits: [], skipped: 0 });
  });

  it('rejects an empty quote', () => {
    expect(fail(locateEdits(text, whole(text), [{ quote: '', replacement: 'x' }]))).toBe('an edit has an empty quote, so it cannot be located; not applied');
  });

  it('rejects more than 200 edits, accepts 200', () => {
    const many = Array.from({ length: 400 }, (_, i) => `v${i} = ${i};`).join('\n');
    const edits = (n: number): ProposedEdit[] => Array.from({ length: n }, (_, i) => ({ quote: `v${i} = ${i};`, replacement: `v${i} = ${i + 1};` }));
    expect(MAX_EDITS).toBe(200);
    expect(ok(locateEdits(many, whole(many), edits(200))).edits).toHaveLength(200);
    expect(fail(locateEdits(many, whole(many), edits(201)))).toBe('the answer has 201 edits, more than the 200 allowed; not applied');
  });

  it('rejects a quote longer than 100,000 characters', () => {
    const big = 'x'.repeat(100_001);
    expect(fail(locateEdits(big, whole(big), [{ quote: big, replacement: 'y' }]))).toContain('is longer than 100000 characters');
    const fine = 'x'.repeat(100_000);
    expect(ok(locateEdits(fine, whole(fine), [{ quote: fine, replacement: 'y' }])).edits).toHaveLength(1);
  });

  it('refuses, never guesses, when a whitespace-insensitive search runs out of work budget', () => {
    // 'a a' is a candidate at every position of 'aaaa…' and fails its gap check at every one
    // but the last: the search gives up long before that one, and says it cannot tell.
    const many = `${'a'.repeat(3_000_000)}\t a\n`;
    expect(fail(locateEdits(many, whole(many), [{ quote: 'a a', replacement: 'b' }]))).toBe(
      'the quote "a a" occurs many times in the selected code and nothing says which; not applied',
    );
  });

  it('never throws on malformed input', () => {
    const bad = [
      () => locateEdits(text, whole(text), null as unknown as ProposedEdit[]),
      () => locateEdits(text, whole(text), [null as unknown as ProposedEdit]),
      () => locateEdits(text, whole(text), [{ quote: 3, replacement: 'x' } as unknown as ProposedEdit]),
      () => locateEdits(text, whole(text), [{ quote: 'let a', replacement: null } as unknown as ProposedEdit]),
      () => locateEdits(text, null as unknown as { start: number; end: number }, [{ quote: 'let a', replacement: 'x' }]),
      () => locateEdits(text, { start: NaN, end: Infinity }, [{ quote: 'let a', replacement: 'x' }]),
      () => locateEdits(null as unknown as string, whole(text), [{ quote: 'let a', replacement: 'x' }]),
    ];
    for (const f of bad) expect(f).not.toThrow();
    expect(locateEdits(text, { start: NaN, end: Infinity }, [{ quote: 'let a', replacement: 'x' }]).ok).toBe(true);
    expect(locateEdits(text, whole(text), [null as unknown as ProposedEdit]).ok).toBe(false);
  });
});

describe('locateEdits: masked secrets', () => {
  const text = 'const apiKey = "sk-live-1234567890abcdef";\nconnect(apiKey);\n';

  it('rejects a replacement that would write a mask the quote does not have', () => {
    const reason = fail(locateEdits(text, whole(text), [{ quote: 'connect(apiKey);', replacement: 'connect("****************");' }]));
    expect(reason).toBe('an edit would write a masked secret into the code (the quote "connect(apiKey);"); not applied');
  });

  it('a run of 7 stars is not a mask', () => {
    expect(edit(text, whole(text), [{ quote: 'connect(apiKey);', replacement: 'connect(apiKey); // *******' }])).toContain('// *******');
  });

  it('a quote with a mask is not in the file, and the message says why', () => {
    const reason = fail(locateEdits(text, whole(text), [{ quote: 'const apiKey = "************************";', replacement: 'const apiKey = env();' }]));
    expect(reason).toBe('the quote "const apiKey = "************************";" is not in the file (it contains masked secret text)');
  });

  it('a mask kept where the quote already had it is allowed', () => {
    const doc = 'const banner = "********";\n';
    expect(edit(doc, whole(doc), [{ quote: 'const banner = "********";', replacement: 'export const banner = "********";' }])).toBe(
      'export const banner = "********";\n',
    );
  });
});

describe('locateEdits: performance on a 2 MB text', () => {
  const lines: string[] = [];
  for (let i = 0; lines.length < 40_000; i++) lines.push(`  const value${i} = compute(${i}, "payload-${i % 97}");`);
  const text = lines.join('\n') + '\n';

  it('is fast with 200 edits in, outside and loosely matched', () => {
    expect(text.length).toBeGreaterThan(2_000_000);
    const target = region(text, 'const value20000 ', 'const value20099 ');
    const proposed: ProposedEdit[] = [];
    for (let k = 0; k < 200; k++) {
      const i = k % 3 === 0 ? 20_000 + k / 3 : k % 3 === 1 ? 100 + k * 50 : 35_000 + k;
      const quote = k % 3 === 2 ? `const value${i}=compute( ${i},"payload-${i % 97}" );` : `const value${i} = compute(${i},`;
      proposed.push({ quote, replacement: `const v${i} = f(${i},` });
    }
    const t0 = performance.now();
    const r = locateEdits(text, target, proposed);
    const ms = performance.now() - t0;
    expect(ok(r).edits).toHaveLength(200);
    expect(ms).toBeLessThan(1000);
  });

  it('is fast when nothing matches and the text is pathological', () => {
    const as = 'a'.repeat(2_000_000);
    const t0 = performance.now();
    expect(fail(locateEdits(as, { start: 0, end: 100 }, [{ quote: 'a a', replacement: 'b' }]))).toBeTruthy();
    expect(fail(locateEdits(text, { start: 0, end: 100 }, [{ quote: 'const value1 =compute (1 ,"nope")', replacement: 'b' }]))).toContain('is not in the file');
    const ambiguous = fail(locateEdits(text, { start: 0, end: 10 }, [{ quote: 'compute(', replacement: 'run(' }]));
    expect(ambiguous).toContain('occurs 40000 times');
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('is fast on a 2 MB single-line (minified) text with a multi-line loose quote', () => {
    const parts: string[] = [];
    for (let i = 0; parts.length < 100_000; i++) parts.push(`function f${i}(a){return a+${i}}`);
    const min = parts.join(';');
    expect(min.length).toBeGreaterThan(2_000_000);
    const quote = Array.from({ length: 50 }, (_, k) => `function f${90_000 + k}(a) {\n  return a + ${90_000 + k}\n}`).join(';\n');
    const t0 = performance.now();
    const r = ok(locateEdits(min, { start: 0, end: 1000 }, [{ quote, replacement: 'gone();\nhere();' }]));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.edits[0]!.start).toBe(min.indexOf('function f90000('));
    expect(min.slice(r.edits[0]!.end - 6, r.edits[0]!.end)).toBe('90049}');
  });
});

describe('applyLocatedEdits', () => {
  it('applies unsorted edits from the end of the text without shifting offsets', () => {
    expect(
      applyLocatedEdits('abcdef', [
        { start: 4, end: 6, newText: 'XY' },
        { start: 0, end: 1, newText: '' },
        { start: 2, end: 2, newText: '+' },
      ]),
    ).toBe('b+cdXY');
  });
});
