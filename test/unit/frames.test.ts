import { describe, expect, it } from 'vitest';
import { FrameSanitizer, parseHeader } from '../../server/lsp/frames';

function frame(body: string): string {
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

async function run(chunks: string[]): Promise<{ out: string; drops: string[] }> {
  const drops: string[] = [];
  const s = new FrameSanitizer((r) => drops.push(r));
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString('utf8')));
  for (const c of chunks) s.write(Buffer.from(c));
  s.end();
  await new Promise((r) => s.on('end', r));
  return { out, drops };
}

describe('FrameSanitizer', () => {
  it('passes valid frames through unchanged, even split at odd places', async () => {
    const a = frame('{"jsonrpc":"2.0","id":1,"method":"x"}');
    const b = frame('{"jsonrpc":"2.0","method":"é"}');
    const all = a + b;
    const { out, drops } = await run([all.slice(0, 7), all.slice(7, 30), all.slice(30)]);
    expect(out).toBe(all);
    expect(drops).toEqual([]);
  });
  it('drops a malformed header block and recovers at the next Content-Length', async () => {
    const good = frame('{"id":2}');
    const { out, drops } = await run(['Garbage-Header\r\n\r\n' + good]);
    expect(out).toBe(good);
    expect(drops.length).toBe(1);
  });
  it('drops a non-numeric length', async () => {
    const good = frame('{"id":3}');
    const { out } = await run(['Content-Length: abc\r\n\r\n{}' + good]);
    expect(out).toBe(good);
  });
  it('keeps extra headers such as Content-Type', async () => {
    const body = '{"id":4}';
    const f = `Content-Length: ${body.length}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${body}`;
    expect((await run([f])).out).toBe(f);
  });
  it('gives up on an endless header without a blank line', async () => {
    const good = frame('{"id":5}');
    const { out, drops } = await run(['x'.repeat(20_000), good]);
    expect(out).toBe(good);
    expect(drops.length).toBeGreaterThan(0);
  });
});

describe('parseHeader', () => {
  it('reads the length case-insensitively', () => {
    expect(parseHeader('content-length: 12')).toBe(12);
    expect(parseHeader('Content-Type: x\r\nContent-Length: 3')).toBe(3);
  });
  it('refuses junk', () => {
    expect(parseHeader('hello')).toBeUndefined();
    expect(parseHeader('Content-Type: x')).toBeUndefined();
    expect(parseHeader('Content-Length: -1')).toBeUndefined();
  });
});

describe('FrameSanitizer, more garbage', () => {
  it('makes progress on a bad header at the end of input, then takes the next frame', async () => {
    const good = frame('{"id":6}');
    const { out } = await run(['Content-Length: abc\r\n\r\n', good]);
    expect(out).toBe(good);
  });
  it('keeps a partial "Content-Le" that is still arriving', async () => {
    const good = frame('{"id":7}');
    const { out } = await run(['junk\r\n\r\n' + good.slice(0, 10), good.slice(10)]);
    expect(out).toBe(good);
  });
});

describe('FrameSanitizer, large messages', () => {
  it('streams a 20 MB body through in linear time, byte for byte', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', method: 'x', params: { text: 'a'.repeat(20 * 1024 * 1024) } });
    const f = frame(body) + frame('{"id":8}');
    const chunks: string[] = [];
    for (let i = 0; i < f.length; i += 65536) chunks.push(f.slice(i, i + 65536));
    const t0 = Date.now();
    const { out, drops } = await run(chunks);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(out.length).toBe(f.length);
    expect(out === f).toBe(true);
    expect(drops).toEqual([]);
  });
});
