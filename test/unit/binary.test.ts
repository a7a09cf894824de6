import { describe, expect, it } from 'vitest';
import { binaryReason } from '../../server/privacy/binary';

describe('binaryReason', () => {
  it('calls text with a NUL byte anywhere binary, even after a long text-like head', () => {
    expect(binaryReason('abc\u0000def')).toMatch(/NUL bytes/);
    expect(binaryReason(`${'const a = 1;\n'.repeat(5000)}\u0000`)).toMatch(/NUL bytes/);
  });

  it('calls mostly non-text binary (control characters, undecodable bytes)', () => {
    expect(binaryReason('\u0003\ufffd\u0007\u0010ab'.repeat(100))).toMatch(/not text/);
  });

  it('keeps text: code, tabs, CRLF, ANSI colours, other scripts, a stray odd character', () => {
    expect(binaryReason('')).toBeUndefined();
    expect(binaryReason('if (a) {\r\n\treturn "ü日本語";\r\n}\f\n')).toBeUndefined();
    expect(binaryReason('\u001b[31mred\u001b[0m log line\n'.repeat(50))).toBeUndefined();
    expect(binaryReason(`${'x = 1\n'.repeat(100)}\ufffd\n`)).toBeUndefined();
  });
});
