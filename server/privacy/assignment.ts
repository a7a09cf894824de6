/**
 * Parses the assignment form after a secret-looking name: `name = value`, `name: value`,
 * `:=`, `=>`, `?=`; for quoted literals only also `name("…")`, `name == "…"`,
 * `"KEY", "…"` and typed declarations (`password: string = "…"`); XML elements
 * `<apiToken>…</apiToken>`. Every scan is bounded, and the Scanner reuses its searches,
 * so parsing at every name of a long line stays linear.
 */

/** ASCII lookup tables (faster than a regex test per character). */
function charTable(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const IDENT_TABLE = charTable(`${ALNUM}_$.-`);
const TYPE_TABLE = charTable(`${ALNUM}_$.<>[]|&?:, \t*`);
export const inTable = (table: Uint8Array, code: number): boolean => code < 128 && table[code] === 1;
export const MAX_IDENT = 64;
const MAX_VALUE = 8192;

export interface Assignment {
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
export function parseAssignment(text: string, identStart: number, identEnd: number, quotes: Scanner): Assignment | undefined {
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
  if (c === ':' && c1 === '=') {
    sep = 'assign';
    p += 2;
  } else if (c === '=' && c1 === '>') {
    sep = 'assign';
    p += 2;
  } else if (c === '=' && c1 === '=') {
    sep = 'compare';
    p += text[p + 2] === '=' ? 3 : 2;
  } else if (c === '!' && c1 === '=') {
    sep = 'compare';
    p += text[p + 2] === '=' ? 3 : 2;
  } else if (c === '?' && c1 === '=') {
    sep = 'assign';
    p += 2;
  } else if (c === '?' && c1 === ':') {
    sep = 'colon';
    p += 2;
  } else if (c === '=') {
    sep = 'assign';
    p += 1;
  } else if (c === ':' && c1 !== ':') {
    sep = 'colon';
    p += 1;
  } else if (c === '(' && p === afterName) {
    sep = 'call';
    p += 1;
  }
  // `System.setProperty("X_TOKEN", "…")`, `headers.set("Authorization", "…")`: key string, then the value argument.
  else if (c === ',' && quotedKey) {
    sep = 'call';
    pair = true;
    p += 1;
  } else if (c === '>' && openQuote === '<' && p === afterName) {
    sep = 'xml';
    p += 1;
  }
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
export class Scanner {
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
