import { describe, expect, it } from 'vitest';
import { extractJson } from '../../server/model/json-extract';

describe('extractJson', () => {
  it('parses bare JSON', () => {
    expect(extractJson('{"diagnostics": []}')).toEqual({ diagnostics: [] });
  });
  it('parses a fenced block after prose', () => {
    const text = 'Here are the findings:\n```json\n{"diagnostics": [{"line": 3}]}\n```\nHope this helps.';
    expect(extractJson(text)).toEqual({ diagnostics: [{ line: 3 }] });
  });
  it('parses a fence without a language tag', () => {
    expect(extractJson('```\n{"a": 1}\n```')).toEqual({ a: 1 });
  });
  it('finds a bare object after prose with braces in strings', () => {
    const text = 'Sure! {"edits": [{"quote": "if (a) {", "replacement": "if (b) {"}], "explanation": "x"} done';
    expect(extractJson(text)).toEqual({ edits: [{ quote: 'if (a) {', replacement: 'if (b) {' }], explanation: 'x' });
  });
  it('skips a brace that does not start JSON', () => {
    expect(extractJson('In {this} case: {"ok": true}')).toEqual({ ok: true });
  });
  it('repairs trailing commas, but not inside strings', () => {
    expect(extractJson('{"a": [1, 2,], "b": "x,]",}')).toEqual({ a: [1, 2], b: 'x,]' });
  });
  it('handles a byte order mark and whitespace', () => {
    expect(extractJson('\uFEFF  \n{"a": 1}\n')).toEqual({ a: 1 });
  });
  it('returns undefined for garbage, empty text and truncated JSON', () => {
    expect(extractJson('')).toBeUndefined();
    expect(extractJson('I could not find any problems.')).toBeUndefined();
    expect(extractJson('{"diagnostics": [{"line": 3, "quote": "a')).toBeUndefined();
    expect(extractJson('<html>502 Bad Gateway</html>')).toBeUndefined();
  });
  it('never promotes an object nested in a cut-off or broken answer to be the answer', () => {
    const cut = '{"diagnostics": [{"line": 3, "quote": "a = b", "severity": "error", "message": "m", "replacement": null}, {"line": 7, "quo';
    expect(extractJson(cut)).toBeUndefined();
    expect(extractJson('```json\n' + cut + '\n```')).toBeUndefined();
    // Mismatched brackets break the outer value: its inner objects are not taken either.
    expect(extractJson('{"diagnostics": [{"line": 3}}]}')).toBeUndefined();
    // A complete value after a broken one is still found.
    expect(extractJson('{oops] then {"diagnostics": []}')).toEqual({ diagnostics: [] });
  });
  it('stays fast on a long answer full of unbalanced braces', () => {
    const text = '{'.repeat(50_000) + ' {"a": 1}';
    const t0 = Date.now();
    extractJson(text);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
