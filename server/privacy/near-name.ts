import { PROVIDER_NAMES } from './providers';
import { isIdentifierLike, isPathLike, isPlaceholder, isVersionLike, isWordy, shannonEntropy, type Span } from './values';

/**
 * A high-entropy value standing right after a service's name is that service's key, even
 * with no secret word between them: `mailgun 'gRtZ…'`, `hasura admin secret is 05tU…`,
 * `TWILIO = ("AC…", "9f3c…")`.
 *
 * Candidates come first (runs of 16+ key characters, which ordinary code has few of); only
 * a candidate that looks random is checked for a service name before it, on its line or at
 * the end of the line above (`mailgun:` / `  key: …`).
 */
const CANDIDATE_RE = /(?<![A-Za-z0-9+/_#$%&@!*^~-])[A-Za-z0-9+/_#$%&@!*^~-]{12,512}={0,2}(?![A-Za-z0-9+/=_#$%&@!*^~-])/g;
/** How far before the value the name may stand. */
const WINDOW = 80;

const NAMES = [...new Set(PROVIDER_NAMES)].sort((a, b) => b.length - a.length);
const NAME_RE = new RegExp(NAMES.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');

/** Hashes and digests are not keys, even next to `docker` or `github`. */
const HASH_CONTEXT_RE = /(?:sha(?:1|224|256|384|512)?|md5|commit|digest|checksum|hash|etag|integrity|rev|revision|sum)[\s"'`:=@/-]{0,4}$/i;
/** The name the value is assigned to, when there is one (`TWILIO_ACCOUNT_SID = "`). */
const KEY_BEFORE_RE = /([A-Za-z][A-Za-z0-9_.-]{0,60})["'\]]?[ \t]*(?::=|=>|=|:)[ \t]*["'`]?$/;
/** Last words of names that hold public identifiers, not keys. */
const PUBLIC_LAST_WORDS = /^(?:id|ids|sid|uid|guid|uuid|sha|hash|digest|checksum|etag|version|ver|url|uri|host|hostname|domain|path|name|region|zone|commit|rev|revision|fingerprint|thumbprint|tag|ref|branch|build|number|phone|email|user|username|login|account|org|project|tenant|bucket|channel|topic|queue|index|table|model|site|dsn|endpoint)$/;

export function collectNearNameSpans(text: string, spans: Span[], priority: number): void {
  CANDIDATE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CANDIDATE_RE.exec(text)) !== null) {
    const v = m[0];
    if (!looksLikeKey(v)) continue;
    const start = m.index;
    const before = text[start - 1];
    // E-mail addresses, URL paths and hosts, dotted names: the run is part of something else.
    if (before === '@' || before === '.' || before === '\\') continue;
    if (before === '/' || v.includes('/')) {
      if (isPathLike(`/${v}`) || /:\/\/[^\s]*$/.test(lineBefore(text, start))) continue;
    }
    const prefix = lineBefore(text, start);
    if (HASH_CONTEXT_RE.test(prefix) || /verification/i.test(prefix)) continue;
    const key = KEY_BEFORE_RE.exec(prefix)?.[1];
    if (key && PUBLIC_LAST_WORDS.test(lastWord(key))) continue;
    if (!namedBefore(prefix) && !namedBefore(previousLineTail(text, start, prefix))) continue;
    spans.push({ start, end: start + v.length, kind: 'provider-key', priority });
  }
}

/** The last word of a name: `TWILIO_ACCOUNT_SID` -> `sid`, `clientId` -> `id`. */
function lastWord(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  return (words[words.length - 1] ?? '').toLowerCase();
}

/** Random enough to be a key, and not an identifier, path, version, number, e-mail or placeholder. */
function looksLikeKey(v: string): boolean {
  const core = v.replace(/=+$/, '');
  const symbols = /[#$%&@!*^~]/.test(core);
  // Passwords with symbols are shorter than generated keys; plain runs need 16 characters.
  if (core.length < (symbols ? 12 : 16)) return false;
  if (/@[a-z0-9-]+$/.test(core) || /%[0-9A-F]{2}/.test(core)) return false; // e-mail user@host, URL-encoded text
  const hasDigit = /[0-9]/.test(core);
  const hasLower = /[a-z]/.test(core);
  const hasUpper = /[A-Z]/.test(core);
  if (!hasLower && !hasUpper) return false; // numbers: ids, timestamps, phone numbers
  if (!hasDigit && !(hasLower && hasUpper && core.length >= 20)) return false;
  if (!hasDigit && isWordy(core)) return false;
  if (isIdentifierLike(core) || isVersionLike(core) || isPlaceholder(core)) return false;
  // Object ids such as Stripe's `cus_…` or `price_…` name a record, they do not grant access.
  if (/^[a-z]{2,8}_[A-Za-z0-9]{8,40}$/.test(core) && !/^(?:sk|rk|key|secret|token|pat|api)_/.test(core)) return false;
  const hex = /^[0-9a-fA-F-]+$/.test(core);
  return shannonEntropy(core) >= (hex ? 3 : 3.4);
}

/** The text before `pos` on its line, at most WINDOW characters. */
function lineBefore(text: string, pos: number): string {
  const from = Math.max(0, pos - WINDOW);
  const nl = text.lastIndexOf('\n', pos - 1);
  return text.slice(Math.max(from, nl + 1), pos);
}

/** The end of the line above, when the value's line is a nested `key: value` under it. */
function previousLineTail(text: string, pos: number, prefix: string): string {
  if (!/^[ \t-]*[\w.-]{1,40}["']?[ \t]*[:=][ \t]*["']?$/.test(prefix)) return '';
  const lineStart = pos - prefix.length;
  if (lineStart <= 0) return '';
  const prevStart = text.lastIndexOf('\n', lineStart - 2) + 1;
  const prev = text.slice(Math.max(prevStart, lineStart - 1 - WINDOW), lineStart - 1);
  return /[:{([]\s*$/.test(prev) ? prev : '';
}

/** Whether a service name stands in `s` as a word: `mailgun`, `MAILGUN_KEY`, `newMailgun(`, `twilio.auth`. */
function namedBefore(s: string): boolean {
  if (s.length === 0) return false;
  NAME_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = NAME_RE.exec(s)) !== null) {
    const at = m.index;
    const end = at + m[0].length;
    const prev = s[at - 1] ?? ' ';
    const next = s[end] ?? ' ';
    const first = s[at] ?? '';
    // Left: not inside a word, except at a camelCase hump (`getMailgunClient`).
    const leftOk = !/[A-Za-z]/.test(prev) || (/[a-z]/.test(prev) && /[A-Z]/.test(first));
    // Right: the word ends (`mailgun.`, `MAILGUN_`, `mailgunKey`), it does not go on (`stripes`).
    const word = s.slice(at, end);
    const rightOk = !/[A-Za-z]/.test(next) || (/[a-z]$/.test(word) && /[A-Z]/.test(next));
    if (leftOk && rightOk) return true;
    NAME_RE.lastIndex = at + 1;
  }
  return false;
}
