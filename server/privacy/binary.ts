/**
 * Binary content is never sent: a NUL character anywhere, or a head that is mostly not text
 * (control characters, or U+FFFD where bytes were not valid UTF-8). Git uses the NUL test on
 * the first 8000 bytes; an editor hands us the whole decoded text, so NUL is searched in all
 * of it (a binary file with a text-like head stays binary).
 */
const HEAD = 8000;
/** Share of odd characters in the head above which the text counts as binary. */
const ODD_SHARE = 0.1;

/** Why `text` is binary, or undefined when it is text. */
export function binaryReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'binary content (NUL bytes); never sent';
  const n = Math.min(text.length, HEAD);
  if (n === 0) return undefined;
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // Tab, LF, VT, FF, CR and ESC (ANSI colours in logs) are text.
    if ((c < 32 && c !== 9 && c !== 10 && c !== 11 && c !== 12 && c !== 13 && c !== 27) || c === 0xfffd || c === 127) odd++;
  }
  return odd / n > ODD_SHARE ? `binary content (${Math.round((100 * odd) / n)}% of the first ${n} characters are not text); never sent` : undefined;
}

const cache = new WeakMap<object, { version: number; reason: string | undefined }>();

/** `binaryReason` of a document, computed once per version. */
export function documentBinaryReason(doc: { version: number; getText(): string }): string | undefined {
  const hit = cache.get(doc);
  if (hit && hit.version === doc.version) return hit.reason;
  const reason = binaryReason(doc.getText());
  cache.set(doc, { version: doc.version, reason });
  return reason;
}
