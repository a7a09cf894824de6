import type { Range } from 'vscode-languageserver';

/**
 * Validation of the model's review answer, and de-duplication of located findings.
 *
 * The contract asks the model for
 *   {"diagnostics": [{"line": 3, "quote": "a = b", "severity": "error", "message": "…", "replacement": "a === b"}]}
 * where `line` is 1-based in the numbered listing it was shown. Models miscount, mangle
 * and invent, so everything here is tolerant of shape and strict about meaning: an item
 * whose line or message cannot be trusted is dropped (with a short reason for the log),
 * never guessed.
 */

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface RawFinding {
  /** 1-based line in the listing the model was shown. */
  line: number;
  /** Exact text the model quoted from that line (as given; a trailing `\r` removed). May be ''. */
  quote: string;
  severity: Severity;
  /** Single-line, whitespace-collapsed, at most {@link MAX_MESSAGE_CHARS} characters. */
  message: string;
  /** Replaces `quote`; '' deletes it. Absent when there is no usable fix. */
  replacement?: string;
}

export interface ParsedFindings {
  findings: RawFinding[];
  /** One short reason per dropped item or problem with the answer, for the log. */
  dropped: string[];
}

export interface LocatedFinding {
  range: Range;
  severity: Severity;
  message: string;
  replacement?: string;
}

const DEFAULT_MAX_FINDINGS = 25;
const MAX_MESSAGE_CHARS = 500;

/** Keys holding the findings array, in the order they are tried. `diagnostics` is the contract. */
const ARRAY_KEYS = ['diagnostics', 'findings', 'issues', 'problems'] as const;

const SEVERITY_WORDS: Record<string, Severity> = {
  error: 'error',
  err: 'error',
  fatal: 'error',
  critical: 'error',
  bug: 'error',
  warning: 'warning',
  warn: 'warning',
  information: 'information',
  info: 'information',
  note: 'information',
  hint: 'hint',
  suggestion: 'hint',
  style: 'hint',
};

const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, information: 1, hint: 0 };

/**
 * Validates a parsed model answer. Accepts `{diagnostics: [...]}`, tolerates
 * `{findings|issues|problems: [...]}` (first key holding an array wins) and a bare array.
 * Keeps valid items in order, at most `maxFindings` (default 25) of them. Never throws.
 */
export function parseFindings(json: unknown, opts?: { maxFindings?: number }): ParsedFindings {
  const findings: RawFinding[] = [];
  const dropped: string[] = [];
  try {
    const items = findingsArray(json, dropped);
    if (items === undefined) return { findings, dropped };
    for (let i = 0; i < items.length; i++) {
      try {
        const r = parseItem(items[i]);
        if (typeof r === 'string') dropped.push(`item ${i + 1}: ${r}`);
        else findings.push(r);
      } catch {
        dropped.push(`item ${i + 1}: unreadable`);
      }
    }
    const max = maxOf(opts?.maxFindings);
    if (findings.length > max) {
      const extra = findings.length - max;
      findings.length = max;
      dropped.push(`${extra} more findings dropped (cap)`);
    }
  } catch {
    dropped.push('answer could not be read');
  }
  return { findings, dropped };
}

function maxOf(v: number | undefined): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0) return DEFAULT_MAX_FINDINGS;
  return Math.floor(v);
}

function findingsArray(json: unknown, dropped: string[]): readonly unknown[] | undefined {
  if (Array.isArray(json)) return json;
  if (json === null || typeof json !== 'object') {
    dropped.push(`answer is not a JSON object (${json === null ? 'null' : typeof json})`);
    return undefined;
  }
  const obj = json as Record<string, unknown>;
  for (const key of ARRAY_KEYS) {
    const v = obj[key];
    if (Array.isArray(v)) return v;
  }
  dropped.push('answer has no "diagnostics" array');
  return undefined;
}

/** A finding, or the reason it was dropped. */
function parseItem(item: unknown): RawFinding | string {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return `not an object (${item === null ? 'null' : Array.isArray(item) ? 'array' : typeof item})`;
  }
  const o = item as Record<string, unknown>;

  const line = parseLine(o['line']);
  if (typeof line === 'string') return line;

  const message = parseMessage(o['message']);
  if (message === undefined) return 'missing or empty message';

  const severity = parseSeverity(o['severity']);

  const quote = typeof o['quote'] === 'string' ? o['quote'].replace(/\r+$/, '') : '';

  const finding: RawFinding = { line, quote, severity, message };
  const replacement = o['replacement'];
  // A fix needs something to replace: with no quote it could never be placed exactly.
  // A replacement equal to the quote is a no-op fix; '' (delete the quote) is a real one.
  if (typeof replacement === 'string' && quote.trim() !== '' && replacement.replace(/\r+$/, '') !== quote) {
    finding.replacement = replacement;
  }
  return finding;
}

/** Accepts 12, 12.0, "12", " 12 ", "12-14" (first number); anything else is a reason string. */
function parseLine(v: unknown): number | string {
  if (v === undefined || v === null) return 'missing line';
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 1) return v;
    return `line ${String(v)} is not a positive integer`;
  }
  if (typeof v === 'string') {
    const m = /^\s*(\d+)\s*(?:(?:-|–|—|\.\.)\s*\d+\s*)?$/.exec(v);
    const n = m ? Number(m[1]) : NaN;
    if (Number.isSafeInteger(n) && n >= 1) return n;
    return `line ${JSON.stringify(short(v))} is not a positive integer`;
  }
  return `line is a ${Array.isArray(v) ? 'array' : typeof v}, not a number`;
}

function parseMessage(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  // Newlines, tabs and other control characters become spaces; runs collapse to one.
  const m = v.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
  if (m === '') return undefined;
  if (m.length <= MAX_MESSAGE_CHARS) return m;
  let cut = MAX_MESSAGE_CHARS - 1;
  const c = m.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--; // never split a surrogate pair
  return m.slice(0, cut).trimEnd() + '…';
}

function parseSeverity(v: unknown): Severity {
  if (typeof v !== 'string') return 'warning';
  return SEVERITY_WORDS[v.trim().toLowerCase()] ?? 'warning';
}

function short(s: string): string {
  return s.length > 40 ? s.slice(0, 39) + '…' : s;
}

/**
 * Merges findings that say the same thing about the same place:
 * - same range and same message (compared case-insensitively, ignoring all whitespace), or
 * - same range and the same (present) replacement.
 * Merging is transitive. Each group is represented by its first item, at its position,
 * carrying the highest severity of the group (error > warning > information > hint) and
 * the group's first present replacement. Inputs are not mutated; unmerged items are
 * returned as they are, in order.
 */
export function dedupeFindings<T extends LocatedFinding>(items: readonly T[]): T[] {
  const n = items.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r]!;
    let j = i;
    while (parent[j] !== r) {
      const next = parent[j]!;
      parent[j] = r;
      j = next;
    }
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return;
    // The earliest item is always the root, so it is the one kept.
    if (ra < rb) parent[rb] = ra;
    else parent[ra] = rb;
  };

  const byMessage = new Map<string, number>();
  const byReplacement = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const f = items[i]!;
    const where = rangeKey(f.range);
    const mk = `${where}\u0000${messageKey(f.message)}`;
    const seenM = byMessage.get(mk);
    if (seenM === undefined) byMessage.set(mk, i);
    else union(seenM, i);
    if (typeof f.replacement === 'string') {
      const rk = `${where}\u0000${f.replacement}`;
      const seenR = byReplacement.get(rk);
      if (seenR === undefined) byReplacement.set(rk, i);
      else union(seenR, i);
    }
  }

  const severity = new Map<number, Severity>();
  const replacement = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    const f = items[i]!;
    const r = find(i);
    const s = severity.get(r);
    if (s === undefined || SEVERITY_RANK[f.severity] > SEVERITY_RANK[s]) severity.set(r, f.severity);
    if (typeof f.replacement === 'string' && !replacement.has(r)) replacement.set(r, f.replacement);
  }

  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    if (find(i) !== i) continue;
    const f = items[i]!;
    const s = severity.get(i) ?? f.severity;
    const rep = replacement.get(i);
    if (s === f.severity && rep === f.replacement) {
      out.push(f);
    } else {
      const merged: T = { ...f, severity: s };
      if (rep !== undefined) merged.replacement = rep;
      out.push(merged);
    }
  }
  return out;
}

function rangeKey(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

function messageKey(m: string): string {
  return m.replace(/\s+/g, '').toLowerCase();
}
