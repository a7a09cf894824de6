/**
 * Privacy: take secrets out of text before it leaves the machine.
 *
 * Pure and synchronous, no I/O. Runs on every prompt, so every detector is
 * linear: regexes only use bounded quantifiers, start behind a fixed-width
 * look-behind (so a long run of token characters is only tried at its start),
 * and the hand-written scanners bound every forward/backward scan.
 *
 * Replacements keep the text readable and its line structure intact:
 * - a token becomes `[REDACTED:<kind>]` in place (quotes, variable names,
 *   `Bearer `, URL user names... stay);
 * - a private-key block keeps its BEGIN/END lines; the first body line becomes
 *   `[REDACTED:private-key]` and the remaining body lines become empty (their
 *   indentation is kept). No newline is ever added or removed.
 *
 * Detectors, most specific first:
 * - private-key blocks (below);
 * - provider formats recognised by their own shape, wherever they stand
 *   (`providers.ts`, one table with a keyword prefilter; `formats.ts` runs it);
 * - context detectors: AWS secret keys after their name, JWTs, `Bearer` / `Basic`
 *   credentials, passwords in URLs;
 * - place-based forms: `curl -u user:pass`, Kubernetes Secret values (`forms.ts`);
 * - the generic `name = value` rule (below);
 * - a random value right after a service's name (`near-name.ts`).
 *
 * Overlapping detections are resolved left to right; at equal start the longer
 * one wins, then the more specific detector. Redacting already-redacted text
 * is a no-op (count 0).
 *
 * ## Generic `name = value` rule (kind `secret`)
 *
 * A name (identifier, JSON/YAML key, env var, property, XML element, CLI flag)
 * counts as secret-looking when one of its words contains pass / pwd / secret /
 * token / auth / credential, or its words join to api-key / access-key /
 * private-key / client-secret / secret-key / encryption-key / signing-key /
 * master-key -- except for look-alike words (author, passport, bypass,
 * tokenizer, tokens ...) and names whose last word says it is metadata
 * (`tokenUrl`, `passwordLength`, `secretName`, `authType`, `passwordHint` ...).
 * It must be followed by `=`, `:`, `:=`, `=>`, `?=` (or, for quoted literals
 * only, `(`, `==`, `!=`, a quoted key then `,` as in `setProperty("X_TOKEN", "…")`;
 * or a typed declaration `name: Type = "..."`) and a quoted or bare value; or be an
 * XML element around the value (also alone on the lines between the tags).
 * Anti-forgery names (`csrf_token`, `authenticity_token`), `credentialsId` /
 * `UserSecretsId` and `…-Results` mail headers are not secret names; markup is
 * not a secret value.
 *
 * The value is redacted when it "looks secret":
 * - length >= 8 (after stripping a `Bearer `/`Basic `/`Token ` scheme);
 * - not a placeholder: `${VAR}`, `{{x}}`, `$(cmd)`, `%(x)s`, `#{x}`, `$VAR`,
 *   `%VAR%`, `<your-key>`, `[REDACTED...]`, at most 2 distinct characters
 *   (`xxxxxxxx`, `********`), words like your/example/changeme/placeholder/
 *   dummy/sample/redacted, or the name / a keyword itself (`"password"`);
 * - not null/None/undefined/nil/true/false, not a URL (credentials inside URLs
 *   have their own detector), not a file path, not a version range, not a
 *   name-like string (`my-app-secret`, `SECRET_KEY_NAME`, `com.acme.auth`),
 *   not text: 3+ whitespace-separated words, 2 natural-language words, or
 *   translated text (several non-ASCII letters) -- so passphrases with spaces
 *   are not caught by this rule, a deliberate trade against i18n files;
 * - the entropy rule (Shannon entropy H in bits/char):
 *   - password-like names (last word pass / passwd / password / passcode /
 *     passphrase / pwd): H >= 2.5 is enough (`"MySecretPassword"`,
 *     `PASSWORD=correcthorse`, `"hunter2hunter2"` has H = 2.81);
 *   - other names: H >= 2.5, not made of ordinary words (no digits, and every
 *     camelCase / separated run is 2-14 letters with a vowel, or a short
 *     acronym: `"?NonExpressionParenKeyword"`), AND one of
 *     - letters mixed with digits or symbols;
 *     - only digits, length >= 8, and the name ends in a core secret word
 *       (password/pin/secret/token/key...), so `tokensUsed = 123456789` stays;
 *     - only letters in mixed case (not just Capitalised), length >= 12, H >= 3.0;
 *     - only letters in one case, length >= 16, H >= 3.2.
 * Bare (unquoted) values are additionally rejected when they look like code:
 * they contain `( [ { < >`, or are a member chain of word-like identifiers
 * (`process.env.SECRET`, `config.apiKey`, `req.headers.token`), or -- outside
 * `NAME=value` env-file lines -- are an identifier without digits
 * (`getPassword`, `string` in `password: string`), contain a secret word
 * themselves (`password = password2`), start with an operator, contain `?.`,
 * `??`, `||`, `&&`, `=>` or a backslash, or follow `key:` with no blank.
 */

import { collectFormatSpans } from './formats';
import { collectFormSpans } from './forms';
import { collectNearNameSpans } from './near-name';
import { isIdentifierLike, isNameLike, isPathLike, isPlaceholder, isProse, isVersionLike, isWordy, shannonEntropy, type Span } from './values';

export interface Redaction {
  text: string;
  count: number;
  /** Distinct kinds found, in order of first appearance, e.g. 'aws-access-key'. */
  kinds: string[];
}

const placeholder = (kind: string): string => `[REDACTED:${kind}]`;

// ---------------------------------------------------------------------------
// Token detectors: regexes with (prefix)(secret) groups. Group 1 is kept.
// ---------------------------------------------------------------------------

interface TokenDetector {
  kind: string | ((secret: string) => string);
  re: RegExp;
  /** Cheap substring pre-check (case-sensitive) before running the regex. */
  hint?: string | RegExp;
  /** Extra validation of the secret part. */
  accept?: (secret: string) => boolean;
}

const TOKEN_DETECTORS: readonly TokenDetector[] = [
  {
    kind: 'aws-secret-key',
    re: /((?<![A-Za-z0-9])(?:aws[_-]?secret[_-]?(?:access[_-]?)?key|secret[_-]?access[_-]?key)["'\]]{0,2}[ \t]{0,8}(?::=|=>|=|:)[ \t]{0,8}["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    hint: /secret/i,
  },
  {
    kind: 'jwt',
    re: /()(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,2000}\.[A-Za-z0-9_-]{5,8000}\.[A-Za-z0-9_-]{0,2000}/g,
    hint: 'eyJ',
  },
  {
    kind: 'bearer-token',
    re: /((?<![A-Za-z0-9_])[Bb]earer[ \t]{1,4})([A-Za-z0-9._~+/-]{8,4096}=*)/g,
    hint: /earer/,
    accept: (s) => tokenLooksSecret(s),
  },
  {
    kind: 'basic-auth',
    re: /((?<![A-Za-z0-9_-])(?:proxy-)?authorization["']?[ \t]{0,4}[:=][ \t]{0,4}["']?[ \t]{0,4}basic[ \t]{1,4})([A-Za-z0-9+/]{8,4096}={0,2})/gi,
    hint: /basic/i,
    accept: (s) => !isPlaceholder(s),
  },
  {
    kind: 'url-credentials',
    // scheme://user:password@ -- user (possibly empty) is kept, password redacted.
    re: /((?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,20}:\/\/[^\s:/?#@"'`<>]{0,128}:)([^\s/?#@"'`<>]{1,256})(?=@)/g,
    hint: '://',
    accept: (s) => !isPlaceholder(s),
  },
];

// Ties (same start, same length) go to the most specific detector: private keys, then
// provider formats, then these context detectors, place-based forms, a provider's name
// nearby, and last the generic `name = value` rule.
const PEM_PRIORITY = 0;
const FORMAT_PRIORITY = 1;
const TOKEN_PRIORITY = 200;
const FORM_PRIORITY = 500;
const NEAR_NAME_PRIORITY = 900;
const GENERIC_PRIORITY = 1000;

function collectTokenSpans(text: string, spans: Span[]): void {
  TOKEN_DETECTORS.forEach((det, index) => {
    if (det.hint !== undefined) {
      const ok = typeof det.hint === 'string' ? text.includes(det.hint) : det.hint.test(text);
      if (!ok) return;
    }
    const re = det.re;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const prefix = m[1] ?? '';
      const secret = m[2] ?? m[0].slice(prefix.length);
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      if (det.accept && !det.accept(secret)) continue;
      const start = m.index + prefix.length;
      const kind = typeof det.kind === 'string' ? det.kind : det.kind(secret);
      spans.push({ start, end: start + secret.length, kind, priority: TOKEN_PRIORITY + index });
    }
  });
}

// ---------------------------------------------------------------------------
// PEM private-key blocks
// ---------------------------------------------------------------------------

const PEM_BEGIN_RE = /-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END_RE = /-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
/** Characters a key body may contain, including string-literal plumbing (quotes, `\n`, `+`, commas) and headers. */
const PEM_BODY_RE = /^[A-Za-z0-9+/=\s"'`,\\:.-]*$/;
const PEM_BODY_RUN_RE = /^[A-Za-z0-9+/=\s"'`,\\:.-]*/;

function collectPemSpans(text: string, spans: Span[]): void {
  if (!text.includes('PRIVATE KEY')) return;
  const begins: Array<{ start: number; end: number }> = [];
  const ends: Array<{ start: number; end: number }> = [];
  for (const m of text.matchAll(PEM_BEGIN_RE)) begins.push({ start: m.index, end: m.index + m[0].length });
  if (begins.length === 0) return;
  for (const m of text.matchAll(PEM_END_RE)) ends.push({ start: m.index, end: m.index + m[0].length });

  let endIdx = 0;
  for (let i = 0; i < begins.length; i++) {
    const begin = begins[i];
    if (!begin) continue;
    const nextBegin = begins[i + 1]?.start ?? text.length;
    while (endIdx < ends.length && (ends[endIdx]?.start ?? 0) < begin.end) endIdx++;
    const end = ends[endIdx];
    let bodyEnd = -1;
    if (end && end.start <= nextBegin) {
      const body = text.slice(begin.end, end.start);
      if (PEM_BODY_RE.test(body) && /[A-Za-z0-9+/]{16}/.test(body)) bodyEnd = end.start;
    }
    if (bodyEnd < 0) {
      // Unterminated (or the END belongs to something else): redact the run of
      // key material that follows, up to the end of the text if need be.
      // Scan only up to the next BEGIN so the work stays linear.
      const region = text.slice(begin.end, nextBegin);
      const run = PEM_BODY_RUN_RE.exec(region)?.[0] ?? '';
      if (/[A-Za-z0-9+/]{40}/.test(run)) bodyEnd = begin.end + run.length;
    }
    if (bodyEnd <= begin.end) continue;
    const original = text.slice(begin.end, bodyEnd);
    spans.push({
      start: begin.end,
      end: bodyEnd,
      kind: 'private-key',
      priority: PEM_PRIORITY,
      replacement: pemReplacement(original),
    });
  }
}

/** Keep every newline; first non-blank line -> placeholder, other lines -> blank (indentation kept). */
function pemReplacement(original: string): string {
  const pieces = original.split('\n');
  let placed = false;
  return pieces
    .map((piece) => {
      const cr = piece.endsWith('\r') ? '\r' : '';
      const content = cr ? piece.slice(0, -1) : piece;
      if (content.trim() === '') return piece;
      const indent = /^[ \t]*/.exec(content)?.[0] ?? '';
      if (!placed) {
        placed = true;
        return `${indent}${placeholder('private-key')}${cr}`;
      }
      return `${indent}${cr}`;
    })
    .join('\n');
}

// ---------------------------------------------------------------------------
// Generic secret-name = value assignments
// ---------------------------------------------------------------------------

const KEYWORD_RE =
  /pass|pwd|secret|token|auth|credential|api[_-]?key|access[_-]?key|private[_-]?key|(?:encryption|signing|master)[_-]?key/gi;
const SECRET_WORD_RE = /pass|pwd|secret|token|auth|credential/;
const COMPOUND_RE = /apikey|accesskey|privatekey|clientsecret|secretkey|encryptionkey|signingkey|masterkey/;
const EXCLUDED_WORDS = new Set([
  'author', 'authors', 'authored', 'authoring', 'authorship', 'authority', 'authorities',
  'passage', 'passages', 'passenger', 'passengers', 'passive', 'passively', 'passport', 'passports',
  'compass', 'bypass', 'bypassed', 'passthrough', 'passthru', 'surpass', 'trespass', 'encompass',
  'overpass', 'underpass', 'passover', 'passable', 'passing', 'passed', 'passes',
  'tokenizer', 'tokenizers', 'tokenize', 'tokenized', 'tokenizing', 'tokenization', 'tokens',
  'detokenize', 'secretary', 'secretaries',
]);
/** Last words that make a secret-ish name describe metadata, not the secret. */
const NON_SECRET_LAST_WORDS = new Set([
  'url', 'urls', 'uri', 'uris', 'endpoint', 'endpoints', 'host', 'hostname', 'domain', 'path', 'paths',
  'file', 'files', 'filename', 'filepath', 'dir', 'directory', 'folder', 'location',
  'type', 'types', 'kind', 'name', 'names', 'label', 'title', 'text', 'description', 'desc', 'hint',
  'placeholder', 'prompt', 'message', 'messages', 'msg', 'error', 'errors', 'err', 'warning',
  'header', 'headers', 'field', 'fields', 'param', 'params', 'column', 'attribute', 'attr',
  'length', 'len', 'size', 'count', 'limit', 'max', 'min', 'prefix', 'suffix', 'format', 'fmt',
  'pattern', 'regex', 'regexp', 'policy', 'policies', 'rule', 'rules', 'strength', 'complexity',
  'expiry', 'expires', 'expiration', 'expire', 'expired', 'ttl', 'timeout', 'lifetime', 'age',
  'at', 'date', 'time', 'timestamp', 'ms', 'sec', 'secs', 'seconds', 'minutes', 'hours', 'days',
  'mode', 'method', 'methods', 'scheme', 'schemes', 'provider', 'providers', 'strategy', 'service',
  'version', 'enabled', 'enable', 'disabled', 'required', 'optional', 'flag', 'flags', 'visible',
  'visibility', 'hidden', 'show', 'toggle', 'icon', 'class', 'classname', 'style', 'ref', 'refs',
  'env', 'var', 'variable', 'source', 'store', 'storage', 'manager', 'callback', 'redirect',
  'route', 'routes', 'handler', 'middleware', 'guard', 'button', 'input', 'form', 'modal', 'dialog',
  'page', 'screen', 'view', 'component', 'test', 'tests', 'spec', 'usage', 'used', 'budget', 'cost',
  'index', 'idx', 'offset', 'position', 'pos', 'status', 'state', 'valid', 'invalid', 'changed',
  'reset', 'confirmation', 'validation', 'validator', 'schema', 'col', 'arg', 'args', 'argument',
  'arguments', 'option', 'options', 'opts', 'config', 'cfg', 'settings', 'module', 'package', 'plugin',
  'encryption', 'algorithm', 'algo', 'cipher', 'result', 'results',
]);
const ANTI_FORGERY_WORDS = new Set(['csrf', 'xsrf', 'authenticity', 'antiforgery', 'csrfmiddlewaretoken']);
const PASSWORD_WORDS = /^(?:pass|passwd|password|passcode|passphrase|pwd)$/;
/** Core secret nouns: a digits-only value (PIN, numeric token) or a `name("literal")` call is only trusted with these as the last word. */
const CORE_SECRET_WORDS = /^(?:pass|passwd|password|passcode|passphrase|pwd|pin|secret|token|key|apikey|auth|credential|credentials)$/;
/** ASCII lookup tables (faster than a regex test per character). */
function charTable(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const IDENT_TABLE = charTable(`${ALNUM}_$.-`);
const TYPE_TABLE = charTable(`${ALNUM}_$.<>[]|&?:, \t*`);
const inTable = (table: Uint8Array, code: number): boolean => code < 128 && table[code] === 1;
const MAX_IDENT = 64;
const MAX_VALUE = 8192;

function collectGenericSpans(text: string, spans: Span[]): void {
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
    spans.push({ start, end: start + trimmed.length, kind: 'secret', priority: GENERIC_PRIORITY });
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

interface Assignment {
  valueStart: number;
  valueEnd: number;
  quoted: boolean;
  /** `NAME=value` at the start of a line (env files, shell, properties): bare values are literals. */
  envStyle: boolean;
  /** `name("literal")`. */
  call?: boolean;
  /** `"name", "literal"`: also a list of field names, so the literal must not be words. */
  pair?: boolean;
}

/** Parses `<ident><sep><value>` starting right after the identifier. All scans are bounded. */
function parseAssignment(text: string, identStart: number, identEnd: number, quotes: Scanner): Assignment | undefined {
  let p = identEnd;
  const openQuote = text[identStart - 1];
  const quotedKey = isQuote(openQuote) && text[identEnd] === openQuote;
  // Closing quote of a quoted key, closing bracket of `env["KEY"]`.
  if (p < text.length && (text[p] === '"' || text[p] === "'" || text[p] === '`')) p++;
  if (text[p] === ']') p++;
  const afterName = p;
  p = skipBlanks(text, p);
  const c = text[p];
  const c1 = text[p + 1];
  let sep: 'assign' | 'colon' | 'call' | 'compare' | 'xml' | undefined;
  let pair = false;
  if (c === ':' && c1 === '=') { sep = 'assign'; p += 2; }
  else if (c === '=' && c1 === '>') { sep = 'assign'; p += 2; }
  else if (c === '=' && c1 === '=') { sep = 'compare'; p += text[p + 2] === '=' ? 3 : 2; }
  else if (c === '!' && c1 === '=') { sep = 'compare'; p += text[p + 2] === '=' ? 3 : 2; }
  else if (c === '?' && c1 === '=') { sep = 'assign'; p += 2; }
  else if (c === '?' && c1 === ':') { sep = 'colon'; p += 2; }
  else if (c === '=') { sep = 'assign'; p += 1; }
  else if (c === ':' && c1 !== ':') { sep = 'colon'; p += 1; }
  else if (c === '(' && p === afterName) { sep = 'call'; p += 1; }
  // `System.setProperty("X_TOKEN", "…")`, `headers.set("Authorization", "…")`: key string, then the value argument.
  else if (c === ',' && quotedKey) { sep = 'call'; pair = true; p += 1; }
  else if (c === '>' && openQuote === '<' && p === afterName) { sep = 'xml'; p += 1; }
  if (sep === undefined) {
    // Typed declaration without a colon right after the name: `var password string = "..."`.
    return typedDeclaration(text, afterName, quotes);
  }
  const sepPos = p;
  p = skipBlanks(text, p);

  if (sep === 'xml') {
    const lineEnd = quotes.nextIndex('\n', p);
    const close = quotes.nextIndex('<', p);
    if (close < 0 || close - p > MAX_VALUE) return undefined;
    if (lineEnd >= 0 && close > lineEnd) {
      // `<apiToken>\n  value\n</apiToken>`: one value alone on the lines between the tags.
      if (close - p > 1024 || text[close + 1] !== '/') return undefined;
      const inner = text.slice(p, close);
      const v = inner.trim();
      if (v.length === 0 || /\s/.test(v)) return undefined;
      const at = p + inner.indexOf(v);
      return { valueStart: at, valueEnd: at + v.length, quoted: true, envStyle: false };
    }
    return { valueStart: p, valueEnd: close, quoted: true, envStyle: false };
  }

  // Python-style string prefixes r"", b"", u"".
  if (/[rRbBuU]/.test(text[p] ?? '') && isQuote(text[p + 1])) p++;
  if (isQuote(text[p])) {
    const q = text[p] as string;
    const close = quotes.findClosing(q, p + 1);
    if (close < 0) return undefined;
    return { valueStart: p + 1, valueEnd: close, quoted: true, envStyle: false, call: sep === 'call', pair };
  }
  if (sep === 'call' || sep === 'compare') return undefined;
  if (sep === 'colon') {
    // `password: string = "..."` / `password: &str = "..."`
    const typed = typedDeclaration(text, p, quotes);
    if (typed) return typed;
  }
  // `key:value` with no blank is not YAML and in code it is a label, URN, ternary...
  if (sep === 'colon' && p === sepPos) return undefined;
  // Bare value: up to whitespace or a delimiter.
  const e = Math.min(quotes.nextBareStop(p), p + MAX_VALUE);
  if (e === p) return undefined;
  const envStyle = sep === 'assign' && sepPos - 1 === afterName && text[afterName] === '=' && p === sepPos && atLineStart(text, identStart);
  return { valueStart: p, valueEnd: e, quoted: false, envStyle };
}

// A bare value also ends at an escaped line break: `"X_TOKEN=abc\nB=1"` holds two lines.
// `&` ends it only before another `name=` (a query string), not inside a password.
const BARE_STOP_RE = /[\s,;)\]}"'`]|\\[nrt]|&(?=[\w.-]{1,40}=)/g;

/** `<type-ish chars> = "literal"` on the same line, within 80 chars. */
function typedDeclaration(text: string, from: number, quotes: Scanner): Assignment | undefined {
  let p = from;
  const limit = Math.min(text.length, from + 80);
  while (p < limit && inTable(TYPE_TABLE, text.charCodeAt(p))) p++;
  if (text[p] !== '=' || text[p + 1] === '=' || text[p + 1] === '>') return undefined;
  if (p > from && text[p - 1] === '!') return undefined;
  p = skipBlanks(text, p + 1);
  if (!isQuote(text[p])) return undefined;
  const close = quotes.findClosing(text[p] as string, p + 1);
  if (close < 0) return undefined;
  return { valueStart: p + 1, valueEnd: close, quoted: true, envStyle: false };
}

function atLineStart(text: string, pos: number): boolean {
  // Allows indentation, `export `, `set `, `ENV `, `- ` (YAML lists / compose files).
  const from = Math.max(0, pos - 40);
  const before = text.slice(from, pos);
  // A line inside a string: `"A=1\nX_TOKEN=…"`, `["X_TOKEN=…"]`.
  if (/(?:\\n|\\r|["'`])$/.test(before)) return true;
  const nl = before.lastIndexOf('\n');
  if (nl < 0 && from > 0) return false;
  return /^[ \t]*(?:-[ \t]+)?(?:(?:export|set|ENV|env)[ \t]+)?$/.test(before.slice(nl + 1));
}

function skipBlanks(text: string, p: number): number {
  const limit = Math.min(text.length, p + 16);
  while (p < limit && (text[p] === ' ' || text[p] === '\t')) p++;
  return p;
}

function isQuote(c: string | undefined): boolean {
  return c === '"' || c === "'" || c === '`';
}

/**
 * Finds the closing quote of a one-line string literal and the end of a bare
 * value. Caches the last search per character class, so scans from
 * increasing positions stay linear overall even on one huge line.
 */
class Scanner {
  private readonly next = new Map<string, { from: number; at: number }>();
  private bare: { from: number; at: number } | undefined;
  constructor(private readonly text: string) {}

  /** `text.indexOf(ch, from)`, reusing the previous search for the same character. */
  nextIndex(ch: string, from: number): number {
    const c = this.next.get(ch);
    if (c && from >= c.from && (c.at < 0 || from <= c.at)) return c.at;
    const at = this.text.indexOf(ch, from);
    this.next.set(ch, { from, at });
    return at;
  }

  /** Position of the first bare-value delimiter at or after `from` (or the text length). */
  nextBareStop(from: number): number {
    const c = this.bare;
    if (c && from >= c.from && from <= c.at) return c.at;
    BARE_STOP_RE.lastIndex = from;
    const m = BARE_STOP_RE.exec(this.text);
    const at = m ? m.index : this.text.length;
    this.bare = { from, at };
    return at;
  }

  findClosing(q: string, from: number): number {
    const lineEnd = this.nextIndex('\n', from);
    const limit = Math.min(lineEnd < 0 ? this.text.length : lineEnd, from + MAX_VALUE);
    let p = from;
    for (let guard = 0; guard < 256; guard++) {
      const at = this.nextIndex(q, p);
      if (at < 0 || at >= limit) return -1;
      // Escaped quote? Count preceding backslashes (bounded).
      let bs = 0;
      while (bs < 16 && this.text[at - 1 - bs] === '\\') bs++;
      if (bs % 2 === 0) return at;
      p = at + 1;
    }
    return -1;
  }
}

const nameCache = new Map<string, readonly string[] | null>();

/** The name's lower-cased words if it is a secret-looking name, else undefined. Cached (bounded). */
function secretNameWords(rawIdent: string): readonly string[] | undefined {
  const cached = nameCache.get(rawIdent);
  if (cached !== undefined) return cached ?? undefined;
  const words = splitWords(rawIdent);
  const result = isSecretName(words) ? words : null;
  if (nameCache.size >= 4096) nameCache.clear();
  nameCache.set(rawIdent, result);
  return result ?? undefined;
}

function splitWords(ident: string): string[] {
  return ident
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

function isSecretName(words: string[]): boolean {
  const last = words[words.length - 1];
  if (last === undefined || NON_SECRET_LAST_WORDS.has(last)) return false;
  // Anti-forgery tokens (`csrf_token`, `authenticity_token`, `__RequestVerificationToken`)
  // guard a form for one session; they are not credentials.
  if (words.some((w) => ANTI_FORGERY_WORDS.has(w)) || words.join('') === 'requestverificationtoken') return false;
  // `credentialsId` (Jenkins), `<UserSecretsId>` (.NET) name where secrets are kept.
  if (last === 'id' && /^(?:credentials?|secrets)$/.test(words[words.length - 2] ?? '')) return false;
  // `PWD` / `OLDPWD` alone are the shell's working directories.
  if (words.length === 1 && (last === 'pwd' || last === 'oldpwd')) return false;
  if (COMPOUND_RE.test(words.join(''))) return true;
  return words.some((w) => SECRET_WORD_RE.test(w) && !EXCLUDED_WORDS.has(w));
}

// ---------------------------------------------------------------------------
// Value heuristics
// ---------------------------------------------------------------------------

/** Quoted literals (and env-file values) assigned to a secret-looking name. */
function literalLooksSecret(v: string, words: readonly string[]): boolean {
  if (v.length < 8) return false;
  if (isPlaceholder(v, words)) return false;
  if (/<\/?[A-Za-z][^<>]*>/.test(v)) return false; // markup (`<xml>…</xml>`, `<span class=…>`)
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(v)) return false; // URL: credentials have their own detector
  if (isProse(v) || isPathLike(v) || isNameLike(v) || isVersionLike(v)) return false;
  // A literal assigned to a password is a password even when it is made of words.
  if (PASSWORD_WORDS.test(words[words.length - 1] ?? '')) return shannonEntropy(v) >= 2.5;
  return looksRandom(v, words);
}

/** The entropy rule, see the module comment. */
function looksRandom(v: string, words: readonly string[]): boolean {
  const h = shannonEntropy(v);
  if (h < 2.5) return false;
  const hasLower = /[a-z]/.test(v);
  const hasUpper = /[A-Z]/.test(v);
  const hasDigit = /[0-9]/.test(v);
  const hasOther = /[^A-Za-z0-9]/.test(v);
  const hasLetter = hasLower || hasUpper;
  if (hasLetter && !hasDigit && isWordy(v)) return false;
  if (hasLetter && (hasDigit || hasOther)) return true;
  if (!hasLetter && hasDigit && !hasOther) {
    const last = words[words.length - 1] ?? '';
    return v.length >= 8 && (words.length === 0 || CORE_SECRET_WORDS.test(last));
  }
  if (!hasLetter) return hasDigit; // digits + symbols
  if (hasLower && hasUpper && !/^[A-Z][a-z]+$/.test(v)) return v.length >= 12 && h >= 3.0;
  return v.length >= 16 && h >= 3.2;
}

const WORDY_SEGMENT = /^[A-Za-z_$][A-Za-z_$]*\d{0,2}$/;

function bareLooksSecret(v: string, words: readonly string[], envStyle: boolean): boolean {
  if (v.length < 8) return false;
  if (/[()[\]{}<>]/.test(v)) return false; // calls, generics, indexing
  const segments = v.split(/[?!]?\./);
  if (segments.length > 1 && segments.every((s) => WORDY_SEGMENT.test(s))) return false; // member chain
  if (!envStyle) {
    // Operators and escapes mean an expression or the inside of a string, not a value.
    // Azure client secrets may start with `.` or `~` (`~Rk8Q~x2…`): long, one token, digits and letters.
    const dotted = /^[.~][A-Za-z0-9_~.-]{15,}$/.test(v) && /\d/.test(v) && /[A-Za-z]/.test(v) && !v.includes('..');
    if ((!dotted && /^[!&*~?:|^=.\\+-]/.test(v)) || /\?\.|\?\?|\|\||&&|=>|\\/.test(v)) return false;
    // A value that itself mentions a secret word is a reference (`password = password2`,
    // `grant-type:token-exchange`), not the secret.
    if (KEYWORD_TEST_RE.test(v)) return false;
    // An identifier is only a secret if it has digits, or is long and random (`hf_QwErTy…`).
    if (/^[A-Za-z_$][\w$]*$/.test(v) && !/\d/.test(v) && (v.length < 20 || isWordy(v) || isIdentifierLike(v))) return false;
  }
  return literalLooksSecret(v, words);
}

const KEYWORD_TEST_RE = /pass|pwd|secret|token|auth|credential|key/i;

/** `Bearer <token>` values. */
function tokenLooksSecret(raw: string): boolean {
  const v = raw.replace(/[.,;:]+$/, '');
  if (v.length < 8 || isPlaceholder(v) || isNameLike(v)) return false;
  // Prose like "bearer authentication." is not a token: require a digit, an inner
  // upper-case letter or a symbol.
  if (!/\d|.[A-Z]|[^A-Za-z]/.test(v)) return false;
  return looksRandom(v, []);
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

export interface RedactOptions {
  /**
   * Length-preserving: every character of a secret (line breaks aside) becomes `*`, so
   * every position in the text stays valid (hover and review compute ranges on it).
   */
  mask?: boolean;
}

export function redactSecrets(text: string, options: RedactOptions = {}): Redaction {
  if (typeof text !== 'string' || text.length === 0) return { text: typeof text === 'string' ? text : '', count: 0, kinds: [] };
  const spans: Span[] = [];
  collectPemSpans(text, spans);
  collectFormatSpans(text, spans, FORMAT_PRIORITY);
  collectTokenSpans(text, spans);
  collectFormSpans(text, spans, FORM_PRIORITY);
  collectGenericSpans(text, spans);
  collectNearNameSpans(text, spans, NEAR_NAME_PRIORITY);
  if (spans.length === 0) return { text, count: 0, kinds: [] };

  spans.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start) || a.priority - b.priority);
  const out: string[] = [];
  const kinds: string[] = [];
  let count = 0;
  let cursor = 0;
  for (const span of spans) {
    if (span.start < cursor || span.end <= span.start) continue;
    const original = text.slice(span.start, span.end);
    const replacement = options.mask
      ? original.replace(/[^\r\n]/g, '*')
      : (span.replacement ?? lineSafePlaceholder(original, placeholder(span.kind)));
    if (replacement === original) continue; // already redacted
    out.push(text.slice(cursor, span.start), replacement);
    cursor = span.end;
    count++;
    if (!kinds.includes(span.kind)) kinds.push(span.kind);
  }
  if (count === 0) return { text, count: 0, kinds: [] };
  out.push(text.slice(cursor));
  return { text: out.join(''), count, kinds };
}

/** Placeholder that keeps exactly the newlines of the original. */
function lineSafePlaceholder(original: string, ph: string): string {
  if (!original.includes('\n')) return ph;
  const pieces = original.split('\n');
  return pieces.map((piece, i) => (i === 0 ? ph : '') + (piece.endsWith('\r') ? '\r' : '')).join('\n');
}

/**
 * Replaces every occurrence of each given value (length >= 8 after trimming)
 * with `[REDACTED]`. Longer values are replaced first so a value that contains
 * another is fully hidden. Used to keep the configured API key out of logs.
 */
export function redactKnownValues(text: string, values: readonly string[]): string {
  if (typeof text !== 'string' || text.length === 0) return typeof text === 'string' ? text : '';
  const set = new Set<string>();
  for (const v of values) {
    if (typeof v !== 'string') continue;
    if (v.length >= 8) set.add(v);
    const t = v.trim();
    if (t.length >= 8) set.add(t);
  }
  if (set.size === 0) return text;
  const sorted = [...set].sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of sorted) {
    if (out.includes(v)) out = out.split(v).join('[REDACTED]');
  }
  return out;
}
