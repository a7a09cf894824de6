/**
 * Which names hold secrets, for the generic `name = value` rule (see generic-rule.ts).
 *
 * A name (identifier, JSON/YAML key, env var, property, XML element, CLI flag)
 * counts as secret-looking when one of its words contains pass / pwd / secret /
 * token / auth / credential, or its words join to api-key / access-key /
 * private-key / client-secret / secret-key / encryption-key / signing-key /
 * master-key -- except for look-alike words (author, passport, bypass,
 * tokenizer, tokens ...) and names whose last word says it is metadata
 * (`tokenUrl`, `passwordLength`, `secretName`, `authType`, `passwordHint` ...).
 * Anti-forgery names (`csrf_token`, `authenticity_token`), `credentialsId` /
 * `UserSecretsId`, `…-Results` mail headers and `PWD` / `OLDPWD` alone are not
 * secret names.
 */

export const KEYWORD_RE = /pass|pwd|secret|token|auth|credential|api[_-]?key|access[_-]?key|private[_-]?key|(?:encryption|signing|master)[_-]?key/gi;
const SECRET_WORD_RE = /pass|pwd|secret|token|auth|credential/;
const COMPOUND_RE = /apikey|accesskey|privatekey|clientsecret|secretkey|encryptionkey|signingkey|masterkey/;
// biome-ignore format: a table, one entry per line as written
const EXCLUDED_WORDS = new Set([
  'author', 'authors', 'authored', 'authoring', 'authorship', 'authority', 'authorities',
  'passage', 'passages', 'passenger', 'passengers', 'passive', 'passively', 'passport', 'passports',
  'compass', 'bypass', 'bypassed', 'passthrough', 'passthru', 'surpass', 'trespass', 'encompass',
  'overpass', 'underpass', 'passover', 'passable', 'passing', 'passed', 'passes',
  'tokenizer', 'tokenizers', 'tokenize', 'tokenized', 'tokenizing', 'tokenization', 'tokens',
  'detokenize', 'secretary', 'secretaries',
]);
/** Last words that make a secret-ish name describe metadata, not the secret. */
// biome-ignore format: a table, one entry per line as written
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
export const PASSWORD_WORDS = /^(?:pass|passwd|password|passcode|passphrase|pwd)$/;
/** Core secret nouns: a digits-only value (PIN, numeric token) or a `name("literal")` call is only trusted with these as the last word. */
export const CORE_SECRET_WORDS = /^(?:pass|passwd|password|passcode|passphrase|pwd|pin|secret|token|key|apikey|auth|credential|credentials)$/;

const nameCache = new Map<string, readonly string[] | null>();

/** The name's lower-cased words if it is a secret-looking name, else undefined. Cached (bounded). */
export function secretNameWords(rawIdent: string): readonly string[] | undefined {
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
