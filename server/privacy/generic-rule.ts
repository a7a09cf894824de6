/**
 * The generic `name = value` rule (kind `secret`): find each secret-looking name
 * (secret-names.ts), parse the assignment after it (assignment.ts), and redact the value
 * when it looks secret (secret-values.ts). The keyword regex drives one left-to-right
 * pass; every jump forward keeps the whole scan linear.
 */
import { IDENT_TABLE, inTable, MAX_IDENT, parseAssignment, Scanner } from './assignment';
import { CORE_SECRET_WORDS, KEYWORD_RE, secretNameWords } from './secret-names';
import { bareLooksSecret, KEYWORD_TEST_RE, literalLooksSecret } from './secret-values';
import { isWordy, type Span } from './values';

export function collectGenericSpans(text: string, spans: Span[], priority: number): void {
  const re = KEYWORD_RE;
  re.lastIndex = 0;
  const scanner = new Scanner(text);
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const hit = m.index;
    // Expand to the whole identifier (bounded).
    let identStart = hit;
    while (identStart > 0 && hit - identStart <= MAX_IDENT && inTable(IDENT_TABLE, text.charCodeAt(identStart - 1))) identStart--;
    let identEnd = hit + m[0].length;
    while (identEnd < text.length && identEnd - hit <= MAX_IDENT && inTable(IDENT_TABLE, text.charCodeAt(identEnd))) identEnd++;
    re.lastIndex = identEnd;
    // Names longer than MAX_IDENT (message keys, generated identifiers) are not variables holding secrets.
    if (hit - identStart > MAX_IDENT || identEnd - hit > MAX_IDENT) continue;

    // Never re-process our own placeholders.
    if (text.slice(Math.max(0, identStart - 10), identStart) === '[REDACTED:') continue;

    const found = parseAssignment(text, identStart, identEnd, scanner);
    if (!found) continue;
    const words = secretNameWords(text.slice(identStart, identEnd));
    if (!words) continue;
    // `setPassword("...")` yes, `authenticate("CRAM-MD5")` no: calls need a secret noun last.
    if (found.call && !CORE_SECRET_WORDS.test(words[words.length - 1] ?? '') && words[words.length - 1] !== 'authorization') continue;
    let { valueStart } = found;
    let value = text.slice(valueStart, found.valueEnd);

    // `Authorization: "Bearer xyz"`: keep the scheme word.
    const scheme = /^(?:bearer|basic|token|bot|digest)[ \t]+(?=\S+$)/i.exec(value);
    if (scheme) {
      valueStart += scheme[0].length;
      value = value.slice(scheme[0].length);
    }
    const trimmed = value.trim();
    if (trimmed.length === 0) continue;
    const lead = value.length - value.trimStart().length;
    const ok = found.quoted
      ? literalLooksSecret(trimmed, words) && !(found.pair && (isWordy(trimmed) || KEYWORD_TEST_RE.test(trimmed)))
      : bareLooksSecret(trimmed, words, found.envStyle);
    if (!ok) {
      // A kept bare value may hold a real `name=value` (`REDIRECT=https://x?access_token=...`).
      // Every later name inside it would re-examine the same tail, so jump to the last one:
      // each character is then examined a bounded number of times (linear overall).
      if (!found.quoted) re.lastIndex = Math.max(re.lastIndex, lastKeywordIn(text, re.lastIndex, found.valueEnd));
      continue;
    }
    const start = valueStart + lead;
    spans.push({ start, end: start + trimmed.length, kind: 'secret', priority });
    // Names inside a redacted value are gone anyway; values that were kept
    // (URLs, prose...) may still contain `name=value` pairs, so rescan those.
    re.lastIndex = Math.max(re.lastIndex, found.valueEnd);
  }
}

const KEYWORD_SCAN_RE = new RegExp(KEYWORD_RE.source, 'gi');

/** Index of the last keyword occurrence in [from, to), or `to` if there is none. */
function lastKeywordIn(text: string, from: number, to: number): number {
  if (to - from < 4) return to;
  const region = text.slice(from, to);
  KEYWORD_SCAN_RE.lastIndex = 0;
  let last = -1;
  let m: RegExpExecArray | null;
  while ((m = KEYWORD_SCAN_RE.exec(region)) !== null) last = m.index;
  return last < 0 ? to : from + last;
}
