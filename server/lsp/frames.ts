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
  /** Header bytes not yet parsed (small: at most MAX_HEADER_BYTES plus one chunk). */
  private header: Buffer = Buffer.alloc(0);
  /** Body bytes still to pass through for the current frame. */
  private remaining = 0;

  constructor(private readonly onDrop: (reason: string) => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let data: Buffer = chunk;
    while (data.length > 0) {
      if (this.remaining > 0) {
        // Body bytes stream straight through: no copying of large messages.
        const take = Math.min(this.remaining, data.length);
        this.push(data.subarray(0, take));
        this.remaining -= take;
        data = data.subarray(take);
        continue;
      }
      this.header = this.header.length === 0 ? data : Buffer.concat([this.header, data]);
      data = this.drainHeaders();
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.remaining > 0) this.onDrop(`input ended ${this.remaining} bytes short of a message`);
    else if (this.header.length > 0 && this.header.toString('utf8').trim() !== '') {
      this.onDrop(`${this.header.length} bytes of incomplete header at end of input`);
    }
    this.header = Buffer.alloc(0);
    done();
  }

  /** Parses headers from `this.header`; returns the body bytes that follow a valid header (to stream). */
  private drainHeaders(): Buffer {
    for (;;) {
      const end = this.header.indexOf(SEPARATOR);
      if (end < 0) {
        if (this.header.length > MAX_HEADER_BYTES) this.resync('header too long or missing blank line');
        return Buffer.alloc(0);
      }
      const length = end <= MAX_HEADER_BYTES ? parseHeader(this.header.subarray(0, end).toString('latin1')) : undefined;
      if (length === undefined) {
        this.resync(`malformed header ${JSON.stringify(this.header.subarray(0, Math.min(end, 80)).toString('latin1'))}`);
        continue;
      }
      const bodyStart = end + SEPARATOR.length;
      this.push(this.header.subarray(0, bodyStart));
      this.remaining = length;
      const rest = this.header.subarray(bodyStart);
      this.header = Buffer.alloc(0);
      return rest;
    }
  }

  /** Drops bytes up to the next `Content-Length` after the start; otherwise keeps only a tail that may begin one. */
  private resync(reason: string): void {
    const text = this.header.toString('latin1');
    const next = text.slice(1).search(CONTENT_LENGTH);
    if (next >= 0) {
      this.onDrop(`${reason}; skipped ${next + 1} bytes`);
      this.header = this.header.subarray(next + 1);
      return;
    }
    // The bytes after the last line break may be the start of a header still arriving.
    const lastBreak = text.lastIndexOf('\n');
    const tail = text.slice(lastBreak + 1);
    const keep = tail.length < 'content-length'.length && 'content-length'.startsWith(tail.toLowerCase()) ? tail.length : 0;
    this.onDrop(`${reason}; skipped ${this.header.length - keep} bytes`);
    this.header = this.header.subarray(this.header.length - keep);
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
