import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { maskedView } from '../../server/privacy/masked-view';
import { Privacy } from '../../server/privacy/privacy';
import { redactSecrets } from '../../server/privacy/redact';
import { buildHoverContext } from '../../server/text/hover-context';
import { Logger } from '../../server/util/log';

const privacy = new Privacy(new Logger(() => undefined));
// Built from pieces so that this file does not trip secret scanners.
const AWS = 'AKIA' + 'IOSFODNN7' + 'EXAMPLE';
const GH = 'ghp_' + '1234567890abcdefghij' + 'klmnopqrstuvwxyzAB';
const PEM_BODY = [
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  'LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo',
];
const PEM = ['-----BEGIN RSA ' + 'PRIVATE KEY-----', ...PEM_BODY, '-----END RSA ' + 'PRIVATE KEY-----'].join('\n');

describe('mask mode', () => {
  it('keeps every position: same length, same line breaks', () => {
    const text = `const a = '${AWS}';\nconst t = "${GH}";\n${PEM}\nconst z = 1;\n`;
    const r = redactSecrets(text, { mask: true });
    expect(r.text.length).toBe(text.length);
    expect(r.text.split('\n').map((l) => l.length)).toEqual(text.split('\n').map((l) => l.length));
    expect(r.text).not.toContain(AWS);
    expect(r.text).not.toContain(GH);
    for (const b of PEM_BODY) expect(r.text).not.toContain(b.slice(0, 20));
    expect(r.text).toContain('const z = 1;');
  });
});

describe('maskedView', () => {
  it('hides a private key that a hover excerpt would show in part, whatever the gutter', () => {
    const text = ['function connect() {', `  const key = \`${PEM}\`;`, '  return tls.connect({ key });', '}'].join('\n');
    const doc = TextDocument.create('file:///x.ts', 'typescript', 1, text);
    const view = maskedView(doc, privacy, 'test');
    const ctx = buildHoverContext(view, { line: 6, character: 15 });
    expect(ctx?.excerpt).toContain('tls.connect');
    for (const b of PEM_BODY) expect(ctx?.excerpt).not.toContain(b.slice(0, 16));
    expect(ctx?.symbol).toBe('tls.connect');
  });

  it('masks a token before a long line is cut, so no part of it leaks', () => {
    const line = `const headers = { note: "${'x'.repeat(200)}", auth: "token ${GH}" };`;
    const doc = TextDocument.create('file:///x.ts', 'typescript', 1, `${line}\nsend(headers);\n`);
    const ctx = buildHoverContext(maskedView(doc, privacy, 'test'), { line: 1, character: 2 });
    expect(ctx?.excerpt).not.toMatch(/ghp_[0-9a-z]{4}/);
  });

  it('keeps the hovered symbol right when a secret before it on the line changes length', () => {
    const text = `const k = '${AWS}'; const v = compute(k);\n`;
    const doc = TextDocument.create('file:///x.ts', 'typescript', 1, text);
    const pos = { line: 0, character: text.indexOf('compute') + 2 };
    expect(buildHoverContext(maskedView(doc, privacy, 'test'), pos)?.symbol).toBe('compute');
  });

  it('masks around the focus in a file too big to mask whole, keeping the numbering', () => {
    const filler = 'const filler = 1;\n'.repeat(40_000);
    const text = filler + `const secret = '${AWS}';\nuse(secret);\n`;
    const doc = TextDocument.create('file:///big.ts', 'typescript', 1, text);
    const view = maskedView(doc, privacy, 'test', { line: 40_001, character: 2 });
    expect(view.lineCount).toBe(doc.lineCount);
    expect(view.getText({ start: { line: 40_000, character: 0 }, end: { line: 40_001, character: 0 } })).not.toContain(AWS);
    expect(view.getText({ start: { line: 40_001, character: 0 }, end: { line: 40_002, character: 0 } })).toBe('use(secret);\n');
  });

  it('is computed once per document version', () => {
    const doc = TextDocument.create('file:///x.ts', 'typescript', 1, 'const a = 1;\n');
    expect(maskedView(doc, privacy, 't')).toBe(maskedView(doc, privacy, 't'));
  });
});

describe('maskedView: cost follows what is sent', () => {
  /** A Privacy that counts the characters it is asked to mask. */
  function counting(): { privacy: Privacy; masked: () => number } {
    const p = new Privacy(new Logger(() => undefined));
    let n = 0;
    const mask = p.mask.bind(p);
    p.mask = (text: string, what: string): string => {
      n += text.length;
      return mask(text, what);
    };
    return { privacy: p, masked: () => n };
  }

  it('masks only the lines a hover can use in a 5 MB file, once per version', () => {
    const filler = 'export const filler = computeSomething(1, 2, 3); // padding\n'.repeat(85_000);
    const doc = TextDocument.create('file:///big.ts', 'typescript', 1, `${filler}const token = "${GH}";\nuse(token);\n`);
    expect(doc.getText().length).toBeGreaterThan(5_000_000);
    const { privacy: p, masked } = counting();
    const view = maskedView(doc, p, 'hover', { line: 85_001, character: 2 });
    expect(view.lineCount).toBe(doc.lineCount);
    expect(view.getText()).not.toContain(GH);
    expect(buildHoverContext(view, { line: 85_001, character: 2 })?.symbol).toBe('use');
    const first = masked();
    expect(first).toBeLessThan(200_000); // a few chunks with their context, not 5 MB
    // Another hover nearby in the same version masks nothing again; a new version does.
    maskedView(doc, p, 'hover', { line: 84_990, character: 2 });
    expect(masked()).toBe(first);
    const next = TextDocument.update(doc, [{ text: 'x' }], 2);
    maskedView(next, p, 'hover', { line: 0, character: 0 });
    expect(masked()).toBeGreaterThan(first);
  });

  it('masks a private key that straddles a chunk boundary, whichever side the focus is on', () => {
    const lines = Array.from({ length: 600 }, (_, i) => `const a${i} = ${i};`);
    const key = PEM.split('\n');
    lines.splice(254, key.length, ...key); // BEGIN before line 256, END after it
    const doc = TextDocument.create('file:///k.ts', 'typescript', 1, lines.join('\n'));
    for (const line of [250, 258, 590]) {
      const text = maskedView(doc, privacy, 'test', { line, character: 0 }).getText();
      for (const b of PEM_BODY) expect(text).not.toContain(b.slice(0, 20));
    }
  });

  it('keeps a very long line around the focus, masked, with every column where it was', () => {
    const line = `${'a'.repeat(40_000)} const t = "${GH}"; ${'b'.repeat(40_000)}`;
    const doc = TextDocument.create('file:///min.js', 'javascript', 1, `${line}\nnext();\n`);
    const at = line.indexOf('const t');
    const view = maskedView(doc, privacy, 'test', { line: 0, character: at });
    const shown = view.getText({ start: { line: 0, character: 0 }, end: { line: 1, character: 0 } });
    expect(shown.length).toBe(line.length + 1);
    expect(shown.slice(at, at + 11)).toBe('const t = "');
    expect(shown).not.toContain(GH);
  });
});

describe('maskedView: small files', () => {
  it('reuses one view for every hover in a file that fits the window, per version', () => {
    const doc = TextDocument.create('file:///s.ts', 'typescript', 1, `const a = 1;\nconst t = "${GH}";\nuse(t);\n`);
    const v1 = maskedView(doc, privacy, 'hover', { line: 0, character: 2 }, 32);
    expect(maskedView(doc, privacy, 'hover', { line: 2, character: 1 }, 32)).toBe(v1);
    expect(v1.getText()).not.toContain(GH);
    expect(v1.getText().length).toBe(doc.getText().length);
  });
});
