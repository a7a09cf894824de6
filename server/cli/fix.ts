import type { Position } from 'vscode-languageserver';
import type { CliFinding } from './format';

/**
 * `codex-lsp review --fix`: applying the findings' replacements to a file's text, and the
 * unified diff `--fix --dry-run` prints instead. Pure functions on strings.
 */

// ---------------------------------------------------------------------------------------
// Positions

/**
 * Line starts of a text, with line breaks as LSP counts them: `\n`, `\r\n` and a lone `\r`
 * each end a line.
 */
class LineTable {
  /** Offset where each line starts. */
  private readonly starts: number[] = [0];
  /** Offset where each line's content ends (before its line break). */
  private readonly ends: number[] = [];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 /* \r */ || c === 10 /* \n */) {
        this.ends.push(i);
        if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
    this.ends.push(text.length);
  }

  /**
   * The offset of an LSP position. Like LSP: a character past the end of its line means the
   * end of the line (never inside or after the line break), a line past the last line means
   * the end of the text, negative values mean 0.
   */
  offsetAt(p: Position): number {
    const line = Math.floor(p.line);
    if (!(line >= 0)) return 0;
    if (line >= this.starts.length) return this.text.length;
    const start = this.starts[line]!;
    const end = this.ends[line]!;
    const ch = Math.floor(p.character);
    if (!(ch > 0)) return start;
    return Math.min(start + ch, end);
  }
}

/** The text's line break: the most common of `\r\n`, `\n`, `\r` (ties in that order); undefined without any. */
export function dominantEol(text: string): '\r\n' | '\n' | '\r' | undefined {
  let crlf = 0;
  let lf = 0;
  let cr = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) {
        crlf++;
        i++;
      } else cr++;
    } else if (c === 10) lf++;
  }
  if (crlf === 0 && lf === 0 && cr === 0) return undefined;
  if (crlf >= lf && crlf >= cr) return '\r\n';
  return lf >= cr ? '\n' : '\r';
}

// ---------------------------------------------------------------------------------------
// Applying fixes

export interface FixOutcome {
  text: string;
  /** Replacements applied. */
  applied: number;
  /** Replacements left out: overlapping one already taken, or with an end before their start. */
  skipped: number;
  /** The findings whose replacement was applied (the same objects as given). */
  appliedFindings: CliFinding[];
}

/**
 * Applies the replacements of the findings that have one ('' deletes). Findings are taken
 * in the order given (the review's order: by position), and a replacement whose range
 * overlaps one already taken is skipped and counted, as is one inserting at the same
 * place as another (their order would be a guess) or one whose end is before its start.
 * Ranges that merely touch are both applied. Every range is read against the original
 * text (as if applied from the end backwards), so fixes never shift each other.
 *
 * Positions are LSP positions (0-based line, UTF-16 character; `\n`, `\r\n`, `\r` end
 * lines; past-the-end characters clamp to the end of the line). The file keeps its line
 * endings: line breaks in a replacement are written as the file's dominant line break
 * (`\n` in a replacement for a CRLF file becomes `\r\n`); in a file without any line break
 * a replacement is written as given.
 */
export function applyFixes(text: string, findings: readonly CliFinding[]): FixOutcome {
  const table = new LineTable(text);
  const eol = dominantEol(text);
  const taken: { start: number; end: number; text: string }[] = [];
  const appliedFindings: CliFinding[] = [];
  let skipped = 0;
  for (const f of findings) {
    if (f.replacement === undefined) continue;
    const start = table.offsetAt(f.range.start);
    const end = table.offsetAt(f.range.end);
    const conflict = end < start || taken.some((t) => (start < t.end && t.start < end) || start === t.start);
    if (conflict) {
      skipped++;
      continue;
    }
    const replacement = eol === undefined ? f.replacement : f.replacement.replace(/\r\n|\r|\n/g, eol);
    taken.push({ start, end, text: replacement });
    appliedFindings.push(f);
  }
  // Non-overlapping with distinct starts: in text order, every range read against the
  // original text (the same result as applying them from the last one backwards).
  taken.sort((a, b) => a.start - b.start);
  const pieces: string[] = [];
  let at = 0;
  for (const t of taken) {
    pieces.push(text.slice(at, t.start), t.text);
    at = t.end;
  }
  pieces.push(text.slice(at));
  return { text: pieces.join(''), applied: taken.length, skipped, appliedFindings };
}

// ---------------------------------------------------------------------------------------
// Unified diff

/**
 * The lines of a text as diff and patch see them: split after each `\n`, each line keeping
 * its `\n` (a `\r` before it is part of the line), the last one without `\n` when the text
 * does not end in one.
 */
function diffLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

type Op = 0 /* same */ | 1 /* delete (old only) */ | 2 /* insert (new only) */;

/**
 * Above this much work (about lines × edit distance) or memory (stored diagonals), a region
 * is diffed as "all old lines out, all new lines in": correct, just not minimal. Reached
 * only by large, mostly different texts, never by a few replacements.
 */
const MAX_DIFF_WORK = 20_000_000;
const MAX_TRACE_CELLS = 4_000_000;

/**
 * A shortest edit script between two line arrays (Myers' O(ND) algorithm, common prefix
 * and suffix trimmed first), as one op per line in order.
 */
function editScript(a: readonly string[], b: readonly string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;

  // Lines as small integers, for fast comparison.
  const ids = new Map<string, number>();
  const idOf = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = ids.size;
      ids.set(s, id);
    }
    return id;
  };
  const A = Int32Array.from(a.slice(pre, a.length - suf), idOf);
  const B = Int32Array.from(b.slice(pre, b.length - suf), idOf);
  const middle = myers(A, B);

  const ops: Op[] = [];
  for (let i = 0; i < pre; i++) ops.push(0);
  for (const op of middle) ops.push(op);
  for (let i = 0; i < suf; i++) ops.push(0);
  return ops;
}

function myers(a: Int32Array, b: Int32Array): Op[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return [...new Array<Op>(n).fill(1), ...new Array<Op>(m).fill(2)];
  const max = n + m;
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  /** trace[d] = v[k] for k in -d..d after step d (index k + d). */
  const trace: Int32Array[] = [];
  let found = -1;
  let work = 0;
  let cells = 0;
  outer: for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        trace.push(v.slice(off - d, off + d + 1));
        found = d;
        break outer;
      }
    }
    trace.push(v.slice(off - d, off + d + 1));
    work += n + m;
    cells += 2 * d + 1;
    if (work > MAX_DIFF_WORK || cells > MAX_TRACE_CELLS) break;
  }
  if (found < 0) return [...new Array<Op>(n).fill(1), ...new Array<Op>(m).fill(2)];

  const rev: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d - 1]!;
    const at = (k: number): number => prev[k + d - 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      rev.push(0);
      x--;
      y--;
    }
    rev.push(down ? 2 : 1);
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    rev.push(0);
    x--;
    y--;
  }
  return rev.reverse();
}

/** Within each run of changes, all deletions before all insertions (as diff prints them). */
function groupChanges(ops: Op[]): Op[] {
  const out: Op[] = [];
  let i = 0;
  while (i < ops.length) {
    if (ops[i] === 0) {
      out.push(0);
      i++;
      continue;
    }
    let del = 0;
    let ins = 0;
    while (i < ops.length && ops[i] !== 0) {
      if (ops[i] === 1) del++;
      else ins++;
      i++;
    }
    for (let j = 0; j < del; j++) out.push(1);
    for (let j = 0; j < ins; j++) out.push(2);
  }
  return out;
}

/** `a/path` as git writes it in a diff header: C-quoted when it holds quotes, backslashes or control characters. */
function headerPath(side: 'a' | 'b', p: string): string {
  const full = `${side}/${p}`;
  if (!/["\\\u0000-\u001f\u007f]/.test(full)) return full;
  const named: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
  return `"${full.replace(/["\\\u0000-\u001f\u007f]/g, (c) => named[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)}"`;
}

function rangeSpec(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}

/**
 * A unified diff of two texts, as `diff -u` / `git diff` write it and `patch -p1` /
 * `git apply` read it: `--- a/path`, `+++ b/path` (C-quoted, and followed by a tab when
 * the path has a space, both as git does), then hunks `@@ -l,s +l,s @@` (",s"
 * left out when s is 1; for an empty side l is the line before) with `context` unchanged
 * lines around each change, hunks whose context would touch or overlap merged, and
 * `\ No newline at end of file` after a last line without one. Lines are split at `\n`
 * only, a `\r` staying part of its line, as diff tools do. The edit script is a shortest
 * one (Myers) for any two texts; only for huge, completely different regions does it fall
 * back to replacing the whole region, which is still a correct diff. '' when the texts
 * are equal.
 */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ctx = Math.max(0, Math.floor(context));
  const a = diffLines(before);
  const b = diffLines(after);
  const ops = groupChanges(editScript(a, b));

  // Old/new line index before each op.
  const ai: number[] = [];
  const bi: number[] = [];
  let x = 0;
  let y = 0;
  for (const op of ops) {
    ai.push(x);
    bi.push(y);
    if (op !== 2) x++;
    if (op !== 1) y++;
  }
  ai.push(x);
  bi.push(y);

  const changed: number[] = [];
  ops.forEach((op, i) => {
    if (op !== 0) changed.push(i);
  });

  // Like git: a name with a space gets a tab after it, so that patch does not take the
  // part after the space for a timestamp.
  const tab = path.includes(' ') ? '\t' : '';
  let out = `--- ${headerPath('a', path)}${tab}\n+++ ${headerPath('b', path)}${tab}\n`;
  let c = 0;
  while (c < changed.length) {
    const first = changed[c]!;
    let last = first;
    // Extend while the next change is close enough for the contexts to touch.
    while (c + 1 < changed.length && changed[c + 1]! - last - 1 <= 2 * ctx) {
      c++;
      last = changed[c]!;
    }
    c++;
    const from = Math.max(0, first - ctx);
    const to = Math.min(ops.length, last + 1 + ctx);
    const oldCount = ai[to]! - ai[from]!;
    const newCount = bi[to]! - bi[from]!;
    const oldStart = oldCount === 0 ? ai[from]! : ai[from]! + 1;
    const newStart = newCount === 0 ? bi[from]! : bi[from]! + 1;
    out += `@@ -${rangeSpec(oldStart, oldCount)} +${rangeSpec(newStart, newCount)} @@\n`;
    for (let i = from; i < to; i++) {
      const op = ops[i]!;
      const line = op === 2 ? b[bi[i]!]! : a[ai[i]!]!;
      out += (op === 0 ? ' ' : op === 1 ? '-' : '+') + line;
      if (!line.endsWith('\n')) out += '\n\\ No newline at end of file\n';
    }
  }
  return out;
}
