/**
 * Privacy: decide which documents must never be sent to the model.
 *
 * Pure, synchronous, no I/O. Patterns are compiled once per matcher (in
 * `createIgnoreMatcher`); `ignores()` runs on every hover/review request and
 * only does string normalisation plus a handful of precompiled regex tests
 * (with a small result cache in front).
 *
 * ## Pattern semantics (gitignore-like)
 *
 * - Blank lines and lines starting with `#` are ignored; trailing spaces are
 *   trimmed. `\#` / `\!` at the start escape a literal `#` / `!`.
 * - `!pattern` re-includes what an earlier pattern excluded. Patterns are
 *   evaluated in order and the LAST matching pattern wins. (Unlike git, a
 *   negation can re-include a file inside an excluded directory — there is no
 *   directory walk here, so there is no reason to forbid it.)
 * - A trailing `/` means "directory only": the pattern only matches directory
 *   components of the path, never the file name itself.
 * - A pattern WITHOUT a slash (other than a trailing one) matches the file's
 *   basename or any directory name on its path, at any depth. Directory names
 *   considered are those inside the (outermost) workspace root that contains
 *   the file, or every directory of the absolute path when the file is outside
 *   all roots. So `*.pem` matches at any depth and `.ssh` / `node_modules`
 *   exclude whole directories.
 * - A pattern WITH a slash is matched against the path relative to each root
 *   that contains the file, and also against every segment-aligned suffix of
 *   the absolute path, so `.aws/credentials` matches `/home/u/.aws/credentials`
 *   even outside any root, and `config/secrets.yml` matches at any depth.
 * - A leading `/` anchors the pattern: it only matches relative to a root (or,
 *   for files outside every root, against the whole absolute path, so an
 *   absolute pattern like `/home/u/private/**` also works).
 * - `*`, `?`, `[...]`, `{a,b}` and `**` behave as in picomatch; `*` matches
 *   dotfiles too. A backslash escapes the next character, so patterns always
 *   use `/` as the separator, also on Windows.
 * - A pattern also matches everything below a matching directory (`build`,
 *   `secrets/**` and `/out` all exclude their contents).
 * - Invalid patterns (e.g. an unclosed `[` or `{`) are skipped, never thrown.
 *
 * ## Paths
 *
 * `pathOrUri` may be a `file://` URI (percent-decoded; `file:///c%3A/x` becomes
 * `c:/x`; in `file://server/share/x` the host counts as the first directory),
 * an absolute file-system path (backslashes are separators), a relative path
 * (treated as relative to a root), or a URI with another scheme (`untitled:`,
 * `vscode-notebook-cell:`, `git:` ...). For non-file URIs only the basename of
 * the URI's path part is matched (as a one-segment relative path): `.env`-style
 * name patterns still apply, patterns that need directories do not. `.` and
 * `..` segments are resolved first.
 *
 * If evaluation ever throws (it should not), the file is treated as ignored:
 * failing closed keeps the privacy promise.
 *
 * The built-in patterns (`DEFAULT_IGNORE`, or `options.anyCase`) match in any
 * letter case everywhere: `sub/.ENV`, `Credentials.json` and `Server.PEM` are
 * ordinary spellings on macOS and Windows, whose file systems ignore case.
 * Other patterns match as written, except on Windows (override with
 * `options.caseInsensitive`). Drive letters are always lower-cased.
 */
import picomatch = require('picomatch');

/**
 * Files users get excluded by default: credentials, private keys, key stores,
 * env files, cloud/infra state that embeds secrets.
 *
 * Choice about env templates: `.env.example`, `.env.sample`, `.env.template`
 * and `.env.dist` are re-included at the end of the list. They are meant to be
 * committed and contain placeholders, so sending them gives the model useful
 * context; prompts are still run through `redactSecrets` in any case. A user
 * who wants them excluded can list them again after the defaults.
 */
export const DEFAULT_IGNORE: readonly string[] = Object.freeze([
  // env files
  '.env',
  '.env.*',
  '*.env',
  '.envrc',
  // private keys, certificates with keys, key stores
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.p8',
  '*.ppk',
  '*.keystore',
  '*.jks',
  '*.kdbx',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '.ssh/*',
  '.gnupg/',
  // package-manager / tool credentials
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.netrc',
  '_netrc',
  '.pgpass',
  '.my.cnf',
  '.htpasswd',
  '.git-credentials',
  '.dockercfg',
  '.docker/config.json',
  '.vault-token',
  // cloud credentials
  '.aws/credentials',
  '.azure/',
  '.config/gcloud/',
  '.kube/config',
  'kubeconfig',
  'credentials.json',
  'application_default_credentials.json',
  'client_secret*.json',
  'service-account*.json',
  // generic secret files
  'secrets.*',
  '*.secret',
  '*.secrets',
  // terraform variables and state (state files contain plaintext secrets)
  '*.tfvars',
  '*.tfvars.json',
  '*.tfstate',
  '*.tfstate.*',
  // env templates are safe to send (see comment above)
  '!.env.example',
  '!.env.sample',
  '!.env.template',
  '!.env.dist',
]);

export interface IgnoreMatcher {
  ignores(pathOrUri: string): boolean;
  readonly patterns: readonly string[];
}

export interface IgnoreMatcherOptions {
  /** For patterns not in `anyCase`. Defaults to `process.platform === 'win32'`. */
  caseInsensitive?: boolean;
  /** Patterns that match in any letter case whatever `caseInsensitive` says. Defaults to `DEFAULT_IGNORE`. */
  anyCase?: readonly string[];
}

interface Rule {
  negated: boolean;
  dirOnly: boolean;
  /** `name`: no slash; `path`: slash, unanchored; `anchored`: leading slash. */
  type: 'name' | 'path' | 'anchored';
  re: RegExp;
}

interface NormalizedPath {
  /** Segments of the absolute (or relative-as-given) path. */
  segments: string[];
  /** Whether `segments` came from an absolute path. */
  absolute: boolean;
  /** Non-file URI: only the basename is known / matched. */
  basenameOnly: boolean;
}

const CACHE_LIMIT = 1024;

export function createIgnoreMatcher(patterns: readonly string[], roots: readonly string[], options: IgnoreMatcherOptions = {}): IgnoreMatcher {
  const nocase = options.caseInsensitive ?? process.platform === 'win32';
  const anyCase = new Set(options.anyCase ?? DEFAULT_IGNORE);
  const frozenPatterns = Object.freeze([...patterns]);
  const rules: Rule[] = [];
  for (const raw of frozenPatterns) {
    const rule = compileRule(raw, nocase || anyCase.has(raw));
    if (rule) rules.push(rule);
  }
  const hasNegation = rules.some((r) => r.negated);

  const rootSegments: string[][] = [];
  for (const root of roots) {
    if (typeof root !== 'string') continue;
    const n = normalizePath(root);
    if (n.basenameOnly || !n.absolute) continue;
    rootSegments.push(nocase ? n.segments.map((s) => s.toLowerCase()) : n.segments);
  }
  // Outermost roots first, so the first containing root gives the longest relative path.
  rootSegments.sort((a, b) => a.length - b.length);

  const cache = new Map<string, boolean>();

  const evaluate = (pathOrUri: string): boolean => {
    const norm = normalizePath(pathOrUri);
    const segments = norm.segments;
    if (segments.length === 0) return false;
    const cmpSegments = nocase ? segments.map((s) => s.toLowerCase()) : segments;

    // Relative paths for every containing root (outermost first).
    const relatives: string[][] = [];
    if (norm.basenameOnly || !norm.absolute) {
      relatives.push(segments);
    } else {
      for (const root of rootSegments) {
        if (root.length < cmpSegments.length && root.every((s, i) => s === cmpSegments[i])) {
          relatives.push(segments.slice(root.length));
        }
      }
    }
    const scope = relatives[0] ?? segments; // directories considered by name patterns

    let ignored = false;
    for (const rule of rules) {
      // Once ignored with no negation left to undo it, stop early.
      if (ignored && !hasNegation) break;
      if (ignored === !rule.negated) continue; // cannot change the outcome
      if (ruleMatches(rule, norm, segments, scope, relatives)) ignored = !rule.negated;
    }
    return ignored;
  };

  return {
    patterns: frozenPatterns,
    ignores(pathOrUri: string): boolean {
      if (typeof pathOrUri !== 'string' || pathOrUri.length === 0) return false;
      const cached = cache.get(pathOrUri);
      if (cached !== undefined) return cached;
      let result: boolean;
      try {
        result = evaluate(pathOrUri);
      } catch {
        result = true; // fail closed
      }
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(pathOrUri, result);
      return result;
    },
  };
}

function ruleMatches(rule: Rule, norm: NormalizedPath, segments: string[], scope: string[], relatives: string[][]): boolean {
  const last = segments.length - 1;
  if (rule.type === 'name') {
    // Basename (unless directory-only), then any directory inside the scope.
    if (!rule.dirOnly && rule.re.test(segments[last] ?? '')) return true;
    for (let i = 0; i < scope.length - 1; i++) {
      if (rule.re.test(scope[i] ?? '')) return true;
    }
    return false;
  }
  if (norm.basenameOnly) {
    // Only the basename is known: treat it as a one-segment relative path.
    return !rule.dirOnly && rule.re.test(segments[last] ?? '');
  }
  if (rule.type === 'path') {
    // rule.re is compiled as `**/<pattern>`, i.e. a suffix match.
    return matchesPathOrAncestor(rule, segments);
  }
  // anchored
  for (const rel of relatives) {
    if (matchesPathOrAncestor(rule, rel)) return true;
  }
  if (norm.absolute && relatives.length === 0) {
    return matchesPathOrAncestor(rule, segments);
  }
  return false;
}

/** Does the rule match the path itself (unless dir-only) or one of its ancestor directories? */
function matchesPathOrAncestor(rule: Rule, segments: string[]): boolean {
  const n = segments.length;
  let prefix = '';
  for (let i = 0; i < n; i++) {
    prefix = i === 0 ? (segments[0] ?? '') : `${prefix}/${segments[i] ?? ''}`;
    const isFile = i === n - 1;
    if (isFile && rule.dirOnly) break;
    if (rule.re.test(prefix)) return true;
  }
  return false;
}

function compileRule(raw: string, nocase: boolean): Rule | undefined {
  if (typeof raw !== 'string') return undefined;
  let p = raw.replace(/[ \t\r\n]+$/, '').replace(/^[ \t]+/, '');
  if (p === '' || p.startsWith('#')) return undefined;
  let negated = false;
  if (p.startsWith('!')) {
    negated = true;
    p = p.slice(1);
  } else if (p.startsWith('\\!') || p.startsWith('\\#')) {
    p = p.slice(1);
  }
  let dirOnly = false;
  if (p.endsWith('/')) {
    dirOnly = true;
    p = p.replace(/\/+$/, '');
  }
  let anchored = false;
  if (p.startsWith('/')) {
    anchored = true;
    p = p.replace(/^\/+/, '');
  } else if (p.startsWith('./')) {
    anchored = true;
    p = p.slice(2);
  }
  p = p.replace(/\/{2,}/g, '/');
  if (p === '' || p === '.' || p === '..') return undefined;
  // Directory-wide patterns like `secrets/**` behave like `secrets/` (already
  // covered by ancestor matching), but keep them as written.
  const type: Rule['type'] = anchored ? 'anchored' : p.includes('/') ? 'path' : 'name';
  const glob = type === 'path' && !p.startsWith('**/') ? `**/${p}` : p;
  try {
    const re = picomatch.makeRe(glob, {
      dot: true,
      nocase,
      windows: false,
      nonegate: true,
      strictBrackets: true,
    });
    if (!(re instanceof RegExp)) return undefined;
    return { negated, dirOnly, type, re };
  } catch {
    return undefined;
  }
}

const FILE_URI_RE = /^file:/i;
const SCHEME_RE = /^([a-zA-Z][a-zA-Z0-9+.-]+):/; // >= 2 chars, so `c:` is a drive letter
const DRIVE_RE = /^\/?([a-zA-Z]):(?=\/|$)/;

function normalizePath(input: string): NormalizedPath {
  let s = input.trim();
  let basenameOnly = false;
  if (FILE_URI_RE.test(s)) {
    s = s.slice(5);
    s = s.replace(/[?#].*$/s, '');
    if (s.startsWith('//')) {
      const rest = s.slice(2);
      const slash = rest.indexOf('/');
      const authority = slash === -1 ? rest : rest.slice(0, slash);
      const path = slash === -1 ? '/' : rest.slice(slash);
      const host = safeDecode(authority);
      s = host === '' || host.toLowerCase() === 'localhost' ? path : `//${host}${path}`;
    }
    s = safeDecode(s);
  } else if (SCHEME_RE.test(s)) {
    basenameOnly = true;
    s = s.replace(SCHEME_RE, '');
    s = s.replace(/[?#].*$/s, '');
    if (s.startsWith('//')) {
      const rest = s.slice(2);
      const slash = rest.indexOf('/');
      s = slash === -1 ? '' : rest.slice(slash);
    }
    s = safeDecode(s);
  }
  s = s.replace(/\\/g, '/');

  // Drive letters: `/c:/x`, `c:/x`, `C:` -> `c:/x`.
  let drive = '';
  const d = DRIVE_RE.exec(s);
  if (d && !basenameOnly) {
    drive = `${(d[1] ?? '').toLowerCase()}:`;
    s = s.slice(d[0].length);
  }
  const absolute = drive !== '' || s.startsWith('/');

  const segments: string[] = [];
  for (const seg of s.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (segments.length > 0) segments.pop();
      continue;
    }
    segments.push(seg);
  }
  if (drive) segments.unshift(drive);

  if (basenameOnly) {
    const base = segments[segments.length - 1];
    return { segments: base === undefined ? [] : [base], absolute: false, basenameOnly: true };
  }
  return { segments, absolute, basenameOnly: false };
}

/** decodeURIComponent that never throws: undecodable sequences are kept as-is. */
function safeDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}
