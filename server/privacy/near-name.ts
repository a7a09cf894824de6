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
const KEY_CHARS = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_#$%&@!*^~-=') KEY_CHARS[c.charCodeAt(0)] = 1;
const MIN_RUN = 12;
const MAX_RUN = 512;
/** How far before the value the name may stand. */
const WINDOW = 80;

const NAMES = [...new Set(PROVIDER_NAMES)].sort((a, b) => b.length - a.length);
const NAME_RE = new RegExp(NAMES.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');

/** Hashes and digests are not keys, even next to `docker` or `github`. */
const HASH_CONTEXT_RE = /(?:sha(?:1|224|256|384|512)?|md5|commit|digest|checksum|hash|etag|integrity|rev|revision|sum)[\s"'`:=@/-]{0,4}$/i;
/** The name the value is assigned to, when there is one (`TWILIO_ACCOUNT_SID = "`). */
const KEY_BEFORE_RE = /([A-Za-z][A-Za-z0-9_.-]{0,60})["'\]]?[ \t]*(?::=|=>|=|:)[ \t]*["'`]?$|--([a-z][a-z0-9-]{0,40})[ \t]+["']?$/;
/** Last words of names that hold public identifiers, not keys. */
const PUBLIC_LAST_WORDS =
  /^(?:id|ids|sid|uid|guid|uuid|sha|hash|digest|checksum|etag|version|ver|url|uri|host|hostname|domain|path|name|region|zone|commit|rev|revision|fingerprint|thumbprint|tag|ref|branch|build|number|phone|email|user|username|login|account|org|project|tenant|bucket|channel|topic|queue|index|table|model|site|dsn|endpoint)$/;

export function collectNearNameSpans(text: string, spans: Span[], priority: number): void {
  // A plain loop over a lookup table: several times faster than a regex over a character class.
  let runStart = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 10;
    if (c < 128 && KEY_CHARS[c] === 1) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart >= 0 && i - runStart >= MIN_RUN && i - runStart <= MAX_RUN) check(text, runStart, i, spans, priority);
    runStart = -1;
  }
}

function check(text: string, runStart: number, runEnd: number, spans: Span[], priority: number): void {
  // `=` only as base64 padding at the end: `NAME=value` is a name and a value.
  const run = text.slice(runStart, runEnd);
  const inner = run.replace(/=+$/, '').lastIndexOf('=');
  const start = runStart + inner + 1;
  const v = inner < 0 ? run : run.slice(inner + 1);
  if (!looksLikeKey(v)) return;
  const before = text[start - 1];
  // E-mail addresses, URL paths and hosts, dotted names: the run is part of something else.
  if (before === '.' || before === '\\') return;
  if (before === '/' || v.includes('/')) {
    if (isPathLike(`/${v}`) || /:\/\/[^\s]*$/.test(lineBefore(text, start))) return;
  }
  const prefix = lineBefore(text, start);
  if (HASH_CONTEXT_RE.test(prefix) || /verification/i.test(prefix)) return;
  const named = KEY_BEFORE_RE.exec(prefix);
  const key = named?.[1] ?? named?.[2];
  if (key && PUBLIC_LAST_WORDS.test(lastWord(key))) return;
  if (!namedBefore(prefix) && !namedBefore(previousLineTail(text, start, prefix))) return;
  spans.push({ start, end: start + v.length, kind: 'provider-key', priority });
}

/** The last word of a name: `TWILIO_ACCOUNT_SID` -> `sid`, `clientId` -> `id`. */
function lastWord(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0);
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
  // Cloud resource ids name a machine or a network: `ami-0abc…`, `i-0abc…`, `sg-…`, `vpc-…`.
  if (/^[a-z]{1,8}-[0-9a-f]{8,17}$/.test(core)) return false;
  const hex = /^[0-9a-fA-F-]+$/.test(core);
  return shannonEntropy(core) >= (hex ? 3 : 3.4);
}

/** The text before `pos` on its line, at most WINDOW characters (bounded: no scan back to a far line break). */
function lineBefore(text: string, pos: number): string {
  const window = text.slice(Math.max(0, pos - WINDOW), pos);
  return window.slice(window.lastIndexOf('\n') + 1);
}

/** The end of the line above, when the value's line is a nested `key: value` under it. */
function previousLineTail(text: string, pos: number, prefix: string): string {
  if (!/^[ \t-]*[\w.-]{1,40}["']?[ \t]*[:=][ \t]*["']?$/.test(prefix)) return '';
  const lineStart = pos - prefix.length;
  if (lineStart <= 0 || text[lineStart - 1] !== '\n') return '';
  const prev = lineBefore(text, lineStart - 1);
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
