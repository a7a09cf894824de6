import { describe, expect, it } from 'vitest';
import { linesOf } from '../../server/review/anchor';
import { applySuppressions, commentSyntax, fileSuppression, ignoreComment, suppressionOf } from '../../server/review/suppress';

const at = (line: number) => ({ start: { line, character: 2 }, end: { line, character: 5 } });

describe('suppression comments', () => {
  it('a marker on the line or the line above, in any comment syntax, with its reason', () => {
    const doc = linesOf(
      [
        '// codex-lsp-ignore: checked by hand',
        'a = 1',
        'b = 2 # codex-lsp-ignore',
        'c = 3',
        '-- codex-lsp-ignore - legacy',
        'd',
        '/* codex-lsp-ignore: css */',
        'e',
        'f',
      ].join('\n'),
    );
    expect(suppressionOf(doc, at(1))).toBe('checked by hand');
    expect(suppressionOf(doc, at(2))).toBe('');
    expect(suppressionOf(doc, at(3))).toBe('');
    expect(suppressionOf(doc, at(5))).toBe('legacy');
    expect(suppressionOf(doc, at(7))).toBe('css');
    expect(suppressionOf(doc, at(8))).toBeUndefined();
    const { kept, suppressed } = applySuppressions(doc, [{ range: at(1) }, { range: at(8) }]);
    expect(kept).toEqual([{ range: at(8) }]);
    expect(suppressed[0]!.reason).toBe('checked by hand');
  });

  it('codex-lsp-ignore-file counts only near the top, and is not a line marker', () => {
    expect(fileSuppression(linesOf('#!/bin/sh\n# codex-lsp-ignore-file: generated\nx'))).toBe('generated');
    expect(fileSuppression(linesOf(`${'x\n'.repeat(12)}// codex-lsp-ignore-file`))).toBeUndefined();
    expect(suppressionOf(linesOf('// codex-lsp-ignore-file\nx'), at(1))).toBeUndefined();
    expect(suppressionOf(linesOf('// my-codex-lsp-ignored\nx'), at(1))).toBeUndefined();
  });

  it("writes the comment in the language's syntax", () => {
    expect(ignoreComment('python', '    ', 'why')).toBe('    # codex-lsp-ignore: why');
    expect(ignoreComment('html', '', '')).toBe('<!-- codex-lsp-ignore -->');
    expect(ignoreComment('lua', '\t', 'x')).toBe('\t-- codex-lsp-ignore: x');
    expect(commentSyntax('rust')).toEqual({ open: '//' });
    expect(commentSyntax('ocaml')).toEqual({ open: '(*', close: '*)' });
  });
});
