/**
 * Whether a value assigned to a secret-looking name (or following `Bearer`) is a secret:
 * the value heuristics and the entropy rule.
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
import { CORE_SECRET_WORDS, PASSWORD_WORDS } from './secret-names';
import { isIdentifierLike, isNameLike, isPathLike, isPlaceholder, isProse, isVersionLike, isWordy, shannonEntropy } from './values';

/** Quoted literals (and env-file values) assigned to a secret-looking name. */
export function literalLooksSecret(v: string, words: readonly string[]): boolean {
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

export function bareLooksSecret(v: string, words: readonly string[], envStyle: boolean): boolean {
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

export const KEYWORD_TEST_RE = /pass|pwd|secret|token|auth|credential|key/i;

/** `Bearer <token>` values. */
export function tokenLooksSecret(raw: string): boolean {
  const v = raw.replace(/[.,;:]+$/, '');
  if (v.length < 8 || isPlaceholder(v) || isNameLike(v)) return false;
  // Prose like "bearer authentication." is not a token: require a digit, an inner
  // upper-case letter or a symbol.
  if (!/\d|.[A-Z]|[^A-Za-z]/.test(v)) return false;
  return looksRandom(v, []);
}
