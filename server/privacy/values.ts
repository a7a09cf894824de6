/**
 * What a value looks like: random (a key), or words, paths, versions, placeholders (not a
 * key). Shared by the redactor's detectors; pure and cheap.
 */

/** A stretch of text to redact. */
export interface Span {
  start: number;
  end: number;
  kind: string;
  /** Lower wins on ties (same start, same length). */
  priority: number;
  /** Explicit replacement; defaults to a line-preserving `[REDACTED:kind]`. */
  replacement?: string;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = s.length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

const PLACEHOLDER_WORD_RE =
  /(?<![a-z])(?:your|example|changeme|change[-_. ]me|placeholder|dummy|sample|redacted|replace[-_ ]?me|insert[-_ ]|fixme|todo|xxx+|notasecret|not[-_ ]a[-_ ]secret)(?![a-z])/i;
const TRIVIAL_VALUES = new Set([
  'null',
  'undefined',
  'none',
  'nil',
  'true',
  'false',
  'nan',
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'api_key',
  'api-key',
  'changeme',
  'default',
  'required',
  'optional',
]);

export function isPlaceholder(v: string, words: readonly string[] = []): boolean {
  if (v.startsWith('[REDACTED')) return true;
  if (/\$\{|\{\{|\$\(|%\(|#\{|<%|\{%/.test(v)) return true;
  if (/^\$[A-Za-z_{]/.test(v) || /^%[A-Za-z_][A-Za-z0-9_]*%$/.test(v)) return true;
  if (/^<[^<>]*>$/.test(v) || /^\{[A-Za-z_][\w-]*\}$/.test(v)) return true;
  if (new Set(v.toLowerCase()).size <= 2) return true;
  if (/^your/i.test(v) || PLACEHOLDER_WORD_RE.test(v)) return true;
  const lower = v.toLowerCase();
  if (TRIVIAL_VALUES.has(lower)) return true;
  const squashed = lower.replace(/[^a-z0-9]/g, '');
  if (words.length > 0 && squashed === words.join('')) return true;
  return false;
}

const PROSE_TOKEN_RE = /^[("'\u201c\u201e]?\p{L}[\p{L}\p{M}'\u2019-]*[.,!?:;)"'\u201c\u201d]*$|^\d{1,3}[.,]?$|^[-\u2013\u2014]$/u;

/** Text, not a credential: 3+ words, or 2 words that are both natural-language words. */
export function isProse(v: string): boolean {
  // Secrets are ASCII; several non-ASCII letters mean translated text.
  if ((v.match(/[^\x00-\x7f]/g)?.length ?? 0) >= 3 && /[^\x00-\x7f]{2}/u.test(v)) return true;
  if (!/\s/.test(v)) return false;
  const tokens = v.trim().split(/\s+/);
  if (tokens.length >= 3) return true;
  return tokens.length === 2 && tokens.every((t) => PROSE_TOKEN_RE.test(t));
}

/**
 * Made of ordinary words (`?NonExpressionParenKeyword`, `apiKeyFromEnv`,
 * `Hello-World`): no digits, symbols only as separators or at the ends, and
 * every camelCase / separated run is 2-14 letters with a vowel.
 */
export function isWordy(v: string): boolean {
  if (/\d/.test(v)) return false;
  const core = v.replace(/^[^A-Za-z]+|[^A-Za-z]+$/g, '');
  if (core.length === 0 || /[^A-Za-z _./:-]/.test(core)) return false;
  const runs = core
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z]+/);
  return runs.every((r) => (r.length >= 2 && r.length <= 14 && /[aeiouyAEIOUY]/.test(r)) || /^[A-Z]{2,4}$/.test(r));
}

/** Semver ranges and versions: `^1.2.3`, `>=3.972.0 <4`, `v2.0.0-beta.1`. */
export function isVersionLike(v: string): boolean {
  return /^[\^~<>=v\s|*x.\d-]+$/.test(v) && /\d\.\d/.test(v);
}

export function isPathLike(v: string): boolean {
  if (/^(?:~|\.{1,2})?\/[a-z0-9._/@-]*$/.test(v)) return true; // lower-case absolute / relative path
  // Absolute / home-relative paths whose segments are words, not base64 (`/Users/maciej`, not `/9j/4AAQSkZJRg`).
  if (/^(?:~|\.{1,2})?\/[\w.@ -]+(?:\/[\w.@ -]*)*$/.test(v)) {
    const segs = v.split('/').filter((x) => x.length > 0 && x !== '~' && x !== '.' && x !== '..');
    if (segs.length > 0 && segs.every((x) => !(/\d/.test(x) && /[a-z]/.test(x) && /[A-Z]/.test(x)))) return true;
  }
  if (/^[A-Za-z]:[\\/]/.test(v)) return true; // Windows path
  if (/^(?:\.{1,2}\/)?(?:[\w.-]+\/)+[\w.-]+\.(?:pem|key|crt|cer|p12|pfx|json|ya?ml|txt|env|ini|conf|cfg|toml|jks|gpg)$/i.test(v)) return true;
  return false;
}

export function isNameLike(v: string): boolean {
  return /^[a-z]+(?:[._-][a-z]+)+$/.test(v) || /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v);
}

/**
 * A code identifier, even with digits (`TwilioClient2FactorService`, `handleV2Request`,
 * `user_id_42`): every letter run between separators, case changes and digits is 2-14
 * letters with a vowel or a short acronym, and digit runs are short. Random keys have
 * one-letter and vowel-less runs.
 */
export function isIdentifierLike(v: string): boolean {
  if (!/^[A-Za-z_$][\w$-]*$/.test(v)) return false;
  const parts = v
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((r) => r.length > 0);
  if (parts.length === 0) return false;
  return parts.every(
    (r) => /^\d{1,4}$/.test(r) || (r.length >= 2 && r.length <= 14 && /^[A-Za-z]+$/.test(r) && /[aeiouyAEIOUY]/.test(r)) || /^[A-Z]{2,4}$/.test(r),
  );
}

/** What a redacted secret of this kind reads as. */
export const placeholder = (kind: string): string => `[REDACTED:${kind}]`;
