/**
 * Reading git's output about changes: `diff --numstat -z` file lists and unified-diff hunk
 * headers, as line ranges. Pure: no process is run here.
 */

/** Lines of a file, 0-based, `[start, end)`. */
export type LineRange = { start: number; end: number };

/**
 * Parses `git diff --numstat -z`: `A\tD\tpath\0` or, for renames and copies,
 * `A\tD\t\0old\0new\0`. Binary entries (`-\t-`) are dropped; new paths kept.
 */
export function parseNumstatZ(stdout: string): string[] {
  const tokens = stdout.split('\0');
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] ?? '';
    if (tok === '') continue;
    const m = /^(\d+|-)\t(\d+|-)\t([\s\S]*)$/.exec(tok);
    if (!m) continue;
    const binary = m[1] === '-' && m[2] === '-';
    let file = m[3] ?? '';
    if (file === '') {
      // rename/copy: the next two tokens are the old and the new path
      file = tokens[i + 2] ?? '';
      i += 2;
    }
    if (!binary && file !== '') out.push(file);
  }
  return out;
}

export interface DiffSection {
  /** The new side is /dev/null (the file was deleted). */
  isDeleted: boolean;
  /** The old side is /dev/null (the file was added). */
  isNew: boolean;
  ranges: LineRange[];
}

/**
 * Splits a unified diff into per-file sections and reads the hunk headers.
 * Content lines always start with `+`, `-`, ` ` or `\`, so a line starting
 * with `diff --git ` or `@@ ` is never content, whatever the file holds.
 */
export function parseDiff(text: string): DiffSection[] {
  const sections: DiffSection[] = [];
  let current: DiffSection | undefined;
  let inHunks = false;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('diff --git ') || line.startsWith('diff --cc ') || line.startsWith('diff --combined ')) {
      current = { isDeleted: false, isNew: false, ranges: [] };
      sections.push(current);
      inHunks = false;
      continue;
    }
    if (!current) continue;
    if (line.startsWith('@@')) {
      inHunks = true;
      const range = hunkRange(line);
      if (range) current.ranges.push(range);
      continue;
    }
    if (inHunks) continue;
    if (line.startsWith('new file mode') || line === '--- /dev/null') current.isNew = true;
    else if (line.startsWith('deleted file mode') || line === '+++ /dev/null') current.isDeleted = true;
  }
  return sections;
}

/** `@@ -a[,b] +c[,d] @@` -> the 0-based range of the current file it touches. */
export function hunkRange(header: string): LineRange | undefined {
  // Combined diffs (merge conflicts) have more `@` and more `-` groups; the `+` group is last.
  const m = /^@@+ (?:-\d+(?:,\d+)? )+\+(\d+)(?:,(\d+))? @@/.exec(header);
  if (!m) return undefined;
  const c = Number(m[1]);
  const d = m[2] === undefined ? 1 : Number(m[2]);
  if (d > 0) return { start: c - 1, end: c - 1 + d };
  // Pure deletion after line c (1-based): mark the line before and the line after.
  return { start: Math.max(0, c - 1), end: c + 1 };
}

export function pickSection(sections: DiffSection[]): DiffSection | undefined {
  return sections.find((s) => !s.isDeleted);
}

/** Sorts and merges overlapping or adjacent ranges; drops empty ones. */
export function mergeRanges(ranges: readonly LineRange[]): LineRange[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: LineRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}
