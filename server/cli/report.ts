import type { Range } from 'vscode-languageserver';

/**
 * What `codex-lsp review` reports, before it is written out: the findings per file and the
 * run's summary, and the helpers the three formats share (format-text.ts, format-json.ts,
 * format-sarif.ts; format.ts gathers them).
 *
 * Positions. Findings carry LSP ranges: 0-based line, and a character offset counted in
 * UTF-16 code units (so an emoji before a finding counts as 2, a CJK character as 1).
 * Every human- or tool-facing position is 1-based: line + 1, and column = UTF-16
 * character + 1, which is what LSP-based tools print and what SARIF calls
 * `columnKind: "utf16CodeUnits"`. End columns are exclusive (the column just after the
 * last flagged character), as in SARIF.
 */

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface CliFinding {
  /** 0-based line, UTF-16 character, as LSP. */
  range: Range;
  severity: Severity;
  message: string;
  /** Replaces exactly the text in `range` ('' deletes it). */
  replacement?: string;
  /** false: the model's quote is not in the file (the range is the line it named): a note that never fails the run. */
  located?: false;
  /** Stable across line moves (see baseline.ts); matched against `--baseline`. */
  fingerprint?: string;
}

export interface FileResult {
  /** As shown to the user: relative to the current directory, '/' separators. */
  path: string;
  /** file:// URI. */
  uri: string;
  /** Sorted by position. */
  findings: CliFinding[];
  /** The file could not be read or reviewed at all (e.g. "EACCES: permission denied"). */
  error?: string;
  /** Some parts could not be reviewed (e.g. "2 of 5 parts: the model could not be reached"). */
  incomplete?: string;
  /** Not reviewed on purpose ("matches an ignore glob", "too large", ...). */
  skipped?: string;
  /** Findings already in the `--baseline`: not reported, but kept in SARIF as `unchanged`. */
  known?: CliFinding[];
}

export interface RunSummary {
  files: number;
  reviewed: number;
  findings: Record<Severity, number>;
  modelCalls: number;
  cacheHits: number;
  tokens: { input: number; cachedInput: number; output: number };
  usd: number | undefined;
  failOn: Severity;
  failed: boolean;
  /** Findings whose quote is not in the file (shown as notes, not in `findings`). */
  unlocated?: number;
  /** Findings hidden by a `codex-lsp-ignore` comment. */
  suppressed?: number;
  /** Findings already in the baseline. */
  known?: number;
  /** Findings outside the lines that decide (`--filter-mode`). */
  outsideChange?: number;
}

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];

const RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareFindings(a: CliFinding, b: CliFinding): number {
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.range.end.line - b.range.end.line ||
    a.range.end.character - b.range.end.character ||
    RANK[a.severity] - RANK[b.severity]
  );
}

/** Files by path, each file's findings by position; the input is not modified. */
export function sorted(results: readonly FileResult[]): FileResult[] {
  return [...results].sort((a, b) => comparePaths(a.path, b.path)).map((r) => ({ ...r, findings: [...r.findings].sort(compareFindings) }));
}

/** A non-negative integer (LSP positions are; this guards the 1-based outputs against junk). */
export function nat(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** 1-based positions of an LSP range; the end is never before the start. */
export interface OneBased {
  line: number;
  column: number;
  endLine: number;
  /** Exclusive: the column just after the last character of the range. */
  endColumn: number;
}

/** 1-based line/column of an LSP range, columns in UTF-16 code units + 1, end exclusive. */
export function oneBased(range: Range): OneBased {
  const line = nat(range.start.line) + 1;
  const column = nat(range.start.character) + 1;
  let endLine = nat(range.end.line) + 1;
  let endColumn = nat(range.end.character) + 1;
  if (endLine < line || (endLine === line && endColumn < column)) {
    endLine = line;
    endColumn = column;
  }
  return { line, column, endLine, endColumn };
}

/** Longest replacement shown in full in a fix hint or a SARIF fix description. */
export const FIX_HINT_MAX = 60;
