import { Transform, type TransformCallback } from 'node:stream';

const SEPARATOR = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /content-length/i;
/** A header block longer than this without a blank line is garbage, not a header. */
const MAX_HEADER_BYTES = 8 * 1024;

/**
 * Sits between stdin and the JSON-RPC reader and passes through only well-formed frames
 * (`Content-Length: N` headers, a blank line, N bytes). vscode-jsonrpc stops reading for
 * good after one malformed header; here a bad header block is dropped, reported, and
 * reading resumes at the next `Content-Length`. Bodies are passed through untouched:
 * the reader answers a body that is not JSON with a parse error and carries on.
 */
export class FrameSanitizer extends Transform {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly onDrop: (reason: string) => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.drain();
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.buffer.length > 0 && this.buffer.toString('utf8').trim() !== '') {
      this.onDrop(`${this.buffer.length} bytes of incomplete message at end of input`);
    }
    this.buffer = Buffer.alloc(0);
    done();
  }

  private drain(): void {
    for (;;) {
      const end = this.buffer.indexOf(SEPARATOR);
      if (end < 0) {
        if (this.buffer.length > MAX_HEADER_BYTES) this.resync('header too long or missing blank line');
        return;
      }
      const length = end <= MAX_HEADER_BYTES ? parseHeader(this.buffer.subarray(0, end).toString('latin1')) : undefined;
      if (length === undefined) {
        this.resync(`malformed header ${JSON.stringify(this.buffer.subarray(0, Math.min(end, 80)).toString('latin1'))}`);
        continue;
      }
      const total = end + SEPARATOR.length + length;
      if (this.buffer.length < total) return;
      this.push(this.buffer.subarray(0, total));
      this.buffer = this.buffer.subarray(total);
    }
  }

  /** Drops bytes up to the next `Content-Length` after the start; otherwise keeps only a tail that may begin one. */
  private resync(reason: string): void {
    const text = this.buffer.toString('latin1');
    const next = text.slice(1).search(CONTENT_LENGTH);
    if (next >= 0) {
      this.onDrop(`${reason}; skipped ${next + 1} bytes`);
      this.buffer = this.buffer.subarray(next + 1);
      return;
    }
    // The bytes after the last line break may be the start of a header still arriving.
    const lastBreak = text.lastIndexOf('\n');
    const tail = text.slice(lastBreak + 1);
    const keep = tail.length < 'content-length'.length && 'content-length'.startsWith(tail.toLowerCase()) ? tail.length : 0;
    this.onDrop(`${reason}; skipped ${this.buffer.length - keep} bytes`);
    this.buffer = this.buffer.subarray(this.buffer.length - keep);
  }
}

/** The Content-Length of a header block, or undefined when any line is not `Name: value`. */
export function parseHeader(block: string): number | undefined {
  let length: number | undefined;
  const lines = block.split('\r\n');
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim();
    if (!/^[A-Za-z0-9-]+$/.test(name)) return undefined;
    if (name.toLowerCase() === 'content-length') {
      const value = line.slice(colon + 1).trim();
      if (!/^\d{1,10}$/.test(value)) return undefined;
      length = Number(value);
    }
  }
  return length;
}
