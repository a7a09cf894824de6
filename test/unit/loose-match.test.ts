import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { anchorFinding, linesOf } from '../../server/review/anchor';
import { locateEdits } from '../../server/edits/locate';
import { compactText, LOOSE_BUDGET, looseQuote, looseSpan, nextLooseMatch, nonSpaceCount } from '../../server/text/loose-match';

/** Every whitespace-insensitive match of `quote` in `text`, as the text it covers. */
function matches(text: string, quote: string): string[] {
  const c = compactText(text);
  const q = looseQuote(quote);
  const budget = { left: LOOSE_BUDGET };
  const out: string[] = [];
  for (let k = nextLooseMatch(c, q, 0, budget); k >= 0; k = nextLooseMatch(c, q, k + 1, budget)) {
    const { start, end } = looseSpan(c, q, k);
    out.push(text.slice(start, end));
  }
  return out;
}

// The cases of review-anchor.test.ts and edit-locate.test.ts that are whitespace-insensitive,
// asked of the one matcher both now use.
describe('loose match: whitespace is ignored', () => {
  it('tabs in the document, spaces in the quote', () => {
    expect(matches('def f(x):\n\tif x  ==\tNone:\n\t\treturn 0\n', 'if x == None:')).toEqual(['if x  ==\tNone:']);
    const py = 'function f() {\n\tif (a) {\n\t\treturn 1;\n\t}\n}\n';
    expect(matches(py, '    if (a) {\n        return 1;\n    }')).toEqual(['if (a) {\n\t\treturn 1;\n\t}']);
  });

  it('collapsed and extra spaces, around operators and punctuation', () => {
    const src = 'const  total   =  items.reduce((a, b) => a + b, 0);';
    expect(matches(src, 'const total = items.reduce')).toEqual(['const  total   =  items.reduce']);
    expect(matches(src, 'items.reduce( (a,b)=>a+b , 0 )')).toEqual(['items.reduce((a, b) => a + b, 0)']);
    expect(matches('const total = price * (1 + rate) - discount;\n', 'price*(1+rate)-discount')).toEqual(['price * (1 + rate) - discount']);
    expect(matches('if(x==1){y=f(x,2);}\n', 'y = f( x, 2 );')).toEqual(['y=f(x,2);']);
  });

  it("the quote's own leading and trailing whitespace and blank lines do not widen the match", () => {
    expect(matches('    return user;', '\treturn user;  ')).toEqual(['return user;']);
    expect(matches('\ttry:\n\t\tx()\n\texcept:\n\t\treturn []\n', '\n  except:\n    return []  \n\n')).toEqual(['except:\n\t\treturn []']);
  });

  it('line breaks are whitespace: a wrapped quote matches one line, and one line matches a wrapped text', () => {
    expect(matches('  const user = await fetchUser(id, { cache: true });', 'fetchUser(id,\n  { cache: true })')).toEqual(['fetchUser(id, { cache: true })']);
    expect(matches('return x;\nconst ab = 1;\n', 'return\n   x;')).toEqual(['return x;']);
    expect(matches('foo(a,\n    b);\n', 'foo(a, b);')).toEqual(['foo(a,\n    b);']);
    expect(matches('a\r\n  b', 'a b')).toEqual(['a\r\n  b']);
  });

  it('offsets are UTF-16 indices around emoji and CJK', () => {
    const src = 'log("🚀 start");  if (x  =  y) {}';
    const c = compactText(src);
    const q = looseQuote('x = y');
    const k = nextLooseMatch(c, q, 0, { left: LOOSE_BUDGET });
    expect(looseSpan(c, q, k)).toEqual({ start: 22, end: 29 });
    expect(matches('const s = "😀 中文";\nshow( s ,"🎉");\n', 'show(s, "🎉")')).toEqual(['show( s ,"🎉")']);
  });

  it('finds every match, overlapping ones included, in text order', () => {
    expect(matches('f(a,b);\nx();\nf( a , b );\n', 'f(a, b);')).toEqual(['f(a,b);', 'f( a , b );']);
    expect(matches('aaa', 'a a')).toEqual([]);
    expect(matches('a a a', 'a a')).toEqual(['a a', 'a a']);
  });
});

describe('loose match: words are never joined or split', () => {
  it('between two word characters, whitespace on one side needs whitespace on the other', () => {
    expect(matches('return x;', 'returnx;')).toEqual([]);
    expect(matches('returnx;', 'return x;')).toEqual([]);
    expect(matches('const ab = 1;', 'const a b = 1;')).toEqual([]);
  });

  it('Unicode letters, marks and digits are word characters; astral characters count as words', () => {
    expect(matches('const café = 1;', 'const caf é = 1;')).toEqual([]);
    expect(matches('x = 名前;', 'x = 名 前;')).toEqual([]);
    expect(matches('n = 1٣;', 'n = 1 ٣;')).toEqual([]);
    expect(matches('s = "😀😀"', 's = "😀 😀"')).toEqual([]);
  });

  it('punctuation and symbols outside ASCII are not: spaces around them never split a word', () => {
    expect(matches('const d = a—b;', 'a — b')).toEqual(['a—b']);
    expect(matches('// x → y', 'x→y')).toEqual(['x → y']);
    expect(matches('q = «a»;', 'q = « a »;')).toEqual(['q = «a»;']);
  });
});

describe('loose match: bounds', () => {
  it('an empty or all-whitespace quote never matches', () => {
    expect(matches('a b c', '')).toEqual([]);
    expect(matches('a b c', ' \n\t ')).toEqual([]);
  });

  it('counts non-whitespace characters, line breaks being whitespace', () => {
    expect(nonSpaceCount(' a\r\n\tb\u00a0c ')).toBe(3);
  });

  it('stops when its budget is spent, and says so through the budget', () => {
    // Every position is a candidate and all but the last fail their gap check.
    const c = compactText(`${'a'.repeat(100_000)} a`);
    const q = looseQuote('a a');
    expect(nextLooseMatch(c, q, 0, { left: LOOSE_BUDGET })).toBe(99_999);
    const budget = { left: 1000 };
    expect(nextLooseMatch(c, q, 0, budget)).toBe(-1);
    expect(budget.left).toBeLessThanOrEqual(0);
    // With enough budget, "not there" is a plain -1 with budget left.
    const enough = { left: LOOSE_BUDGET };
    expect(nextLooseMatch(compactText('a a b'), looseQuote('a x'), 0, enough)).toBe(-1);
    expect(enough.left).toBeGreaterThan(0);
  });
});

/**
 * Review anchoring and edit locating used to have a matcher each. They disagreed on these
 * texts: anchoring counted every non-ASCII character as part of a word (so `a — b` did not
 * match `a—b`), and only matched a one-line quote within one document line (so `foo(a, b);`
 * did not match the same call wrapped over two lines), while locating matched both. Now
 * both place the same quote on the same characters.
 */
describe('review anchoring and edit locating agree', () => {
  const cases: { text: string; line: number; quote: string; covers: string | null }[] = [
    { text: 'const d = a—b;\n', line: 0, quote: 'a — b', covers: 'a—b' },
    { text: 'x = 1;\nfoo(a,\n    b);\ny = 2;\n', line: 1, quote: 'foo(a, b);', covers: 'foo(a,\n    b);' },
    { text: 'def f(x):\n\tif x  ==\tNone:\n\t\treturn 0\n', line: 1, quote: 'if x == None:', covers: 'if x  ==\tNone:' },
    { text: 'class A {\n    run() {\n        step1();\n    }\n}\n', line: 1, quote: 'run() {\n    step1();\n}', covers: 'run() {\n        step1();\n    }' },
    { text: 'log("🚀 start");  if (x  =  y) {}\n', line: 0, quote: 'x = y', covers: 'x  =  y' },
    { text: 'return x;\n', line: 0, quote: 'returnx;', covers: null },
    { text: 'const café = 1;\n', line: 0, quote: 'caf é', covers: null },
  ];

  it.each(cases)('$quote', ({ text, line, quote, covers }) => {
    const doc = TextDocument.create('file:///x', 'plaintext', 1, text);
    const lines = linesOf(text);
    const a = anchorFinding(lines, line, quote, { start: 0, end: lines.lineCount });
    const located = locateEdits(text, { start: 0, end: text.length }, [{ quote, replacement: 'REPLACED' }]);
    if (covers === null) {
      expect(a?.exact).toBe(false);
      expect(located.ok).toBe(false);
      return;
    }
    expect(a?.exact).toBe(true);
    expect(doc.getText(a!.range)).toBe(covers);
    expect(located.ok && located.edits.map((e) => text.slice(e.start, e.end))).toEqual([covers]);
    expect(located.ok && located.edits[0]!.start).toBe(doc.offsetAt(a!.range.start));
  });
});
