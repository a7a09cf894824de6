import { structuredPatch, type StructuredPatchHunk } from 'diff';
import type { Position } from 'vscode-languageserver';
import { lineTable, type LineTable } from '../text/lines';
import type { CliFinding } from './format';

/**
 * `codex-lsp review --fix`: applying the findings' replacements to a file's text, and the
 * unified diff `--fix --dry-run` prints instead. Pure functions on strings.
 */

// ---------------------------------------------------------------------------------------
// Positions

/**
 * The offset of an LSP position in a text whose lines are `table`. Like LSP: a character
 * past the end of its line means the end of the line (never inside or after the line break),
 * a line past the last line means the end of the text, negative values mean 0.
 */
function offsetAt(text: string, table: LineTable, p: Position): number {
  const line = Math.floor(p.line);
  if (!(line >= 0)) return 0;
  if (line >= table.starts.length) return text.length;
  const start = table.starts[line]!;
  const end = table.ends[line]!;
  const ch = Math.floor(p.character);
  if (!(ch > 0)) return start;
  return Math.min(start + ch, end);
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
  const table = lineTable(text);
  const eol = dominantEol(text);
  const taken: { start: number; end: number; text: string }[] = [];
  const appliedFindings: CliFinding[] = [];
  let skipped = 0;
  for (const f of findings) {
    if (f.replacement === undefined) continue;
    const start = offsetAt(text, table, f.range.start);
    const end = offsetAt(text, table, f.range.end);
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
 * Above this many changed lines a diff is not searched for (the `diff` library's cost grows
 * with lines × changes): the whole file is written as replaced instead, which is still a
 * correct diff. A few fixes are far below it; only huge, mostly different texts reach it.
 */
const MAX_EDIT_LENGTH = 1000;

/** `a/path` as git writes it in a diff header: C-quoted when it holds quotes, backslashes or control characters. */
function headerPath(side: 'a' | 'b', p: string): string {
  const full = `${side}/${p}`;
  if (!/["\\\u0000-\u001f\u007f]/.test(full)) return full;
  const named: Record<string, string> = {
    '"': '\\"',
    '\\': '\\\\',
    '\n': '\\n',
    '\t': '\\t',
    '\r': '\\r',
    '\x07': '\\a',
    '\b': '\\b',
    '\f': '\\f',
    '\v': '\\v',
  };
  return `"${full.replace(/["\\\u0000-\u001f\u007f]/g, (c) => named[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)}"`;
}

/** `@@ -l,s +l,s @@` as git writes it: ",s" left out when s is 1; an empty side is numbered by the line before it. */
function hunkHeader(h: StructuredPatchHunk): string {
  const side = (start: number, count: number): string => {
    const at = count === 0 ? start - 1 : start;
    return count === 1 ? `${at}` : `${at},${count}`;
  };
  return `@@ -${side(h.oldStart, h.oldLines)} +${side(h.newStart, h.newLines)} @@`;
}

/**
 * The lines of a text as diff and patch see them: split at `\n` only, a `\r` staying part
 * of its line (on purpose not text/lines.ts's LSP lines: a patch must reproduce the bytes),
 * each line without its `\n`, and the marker diff writes after a last line without one.
 */
function patchLines(text: string, tag: '-' | '+'): string[] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return lines.flatMap((l) => (l.endsWith('\n') ? [tag + l.slice(0, -1)] : [tag + l, NO_EOL]));
}

const NO_EOL = '\\ No newline at end of file';

/** The whole text replaced: one hunk, for when the texts are too different to search for a diff. */
function wholeReplacement(before: string, after: string): StructuredPatchHunk {
  const removed = patchLines(before, '-');
  const added = patchLines(after, '+');
  const count = (lines: string[]): number => lines.filter((l) => l !== NO_EOL).length;
  return { oldStart: 1, oldLines: count(removed), newStart: 1, newLines: count(added), lines: [...removed, ...added] };
}

/**
 * A unified diff of two texts, as `diff -u` / `git diff` write it and `patch -p1` /
 * `git apply` read it: `--- a/path`, `+++ b/path` (C-quoted, and followed by a tab when
 * the path has a space, both as git does), then hunks `@@ -l,s +l,s @@` with `context`
 * unchanged lines around each change, hunks whose context would touch or overlap merged, and
 * `\ No newline at end of file` after a last line without one. Lines are split at `\n`
 * only, a `\r` staying part of its line, as diff tools do. The edit script is the `diff`
 * library's (Myers: a shortest one); above {@link MAX_EDIT_LENGTH} changed lines the whole
 * text is written as replaced. '' when the texts are equal.
 */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ctx = Math.max(0, Math.floor(context));
  const patch = structuredPatch('a', 'b', before, after, undefined, undefined, { context: ctx, maxEditLength: MAX_EDIT_LENGTH });
  const hunks = patch?.hunks ?? [wholeReplacement(before, after)];
  // Like git: a name with a space gets a tab after it, so that patch does not take the
  // part after the space for a timestamp.
  const tab = path.includes(' ') ? '\t' : '';
  let out = `--- ${headerPath('a', path)}${tab}\n+++ ${headerPath('b', path)}${tab}\n`;
  for (const h of hunks) out += `${hunkHeader(h)}\n${h.lines.map((l) => `${l}\n`).join('')}`;
  return out;
}
