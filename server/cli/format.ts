import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Range } from 'vscode-languageserver';
import { FINGERPRINT_KEY } from './baseline';
import { PACKAGE } from '../version';

/**
 * Output of `codex-lsp review`: the same findings as text for people (and grep), as JSON
 * for scripts, and as SARIF 2.1.0 for code-scanning tools. Pure functions: no I/O, no
 * clock, no environment; the command decides where the strings go.
 *
 * Positions. Findings carry LSP ranges: 0-based line, and a character offset counted in
 * UTF-16 code units (so an emoji before a finding counts as 2, a CJK character as 1).
 * Every human- or tool-facing position below is 1-based: line + 1, and column =
 * UTF-16 character + 1, which is what LSP-based tools print and what SARIF calls
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

// ---------------------------------------------------------------------------------------
// Shared helpers

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
function sorted(results: readonly FileResult[]): FileResult[] {
  return [...results]
    .sort((a, b) => comparePaths(a.path, b.path))
    .map((r) => ({ ...r, findings: [...r.findings].sort(compareFindings) }));
}

/** A non-negative integer (LSP positions are; this guards the 1-based outputs against junk). */
function nat(n: number): number {
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

// ---------------------------------------------------------------------------------------
// Text

const ANSI = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
} as const;

const SEVERITY_COLOR: Record<Severity, string> = {
  error: ANSI.red,
  warning: ANSI.yellow,
  information: ANSI.blue,
  hint: ANSI.dim,
};

/**
 * One line of text that cannot break the output or the terminal: line breaks become
 * spaces, other control characters (ESC included, so a model cannot colour or move the
 * cursor) are shown as `\xHH`.
 */
function oneLine(s: string): string {
  return s
    .replace(/\r\n|\r|\n|\u2028|\u2029/g, ' ')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const FIX_HINT_MAX = 60;

function fixHint(replacement: string): string {
  if (replacement === '') return '(fix: delete)';
  if (/[\r\n\u2028\u2029]/.test(replacement) || replacement.length > FIX_HINT_MAX) return '(fix available)';
  return `(fix: ${oneLine(JSON.stringify(replacement))})`;
}

/** 48210 -> "48,210" (fixed format: output must not depend on the machine's locale). */
export function groupDigits(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function count(n: number, one: string, many: string = `${one}s`): string {
  return `${groupDigits(n)} ${n === 1 ? one : many}`;
}

/** "about $0.09"; "under $0.01" for tiny amounts; "$0.00" when nothing was spent. */
export function formatUsd(usd: number): string {
  if (usd <= 0) return '$0.00';
  if (usd < 0.005) return 'under $0.01';
  const [whole, cents] = usd.toFixed(2).split('.');
  return `about $${groupDigits(Number(whole))}.${cents ?? '00'}`;
}

const PROBLEM_WORDS: Record<Severity, [string, string]> = {
  error: ['error', 'errors'],
  warning: ['warning', 'warnings'],
  information: ['info', 'info'],
  hint: ['hint', 'hints'],
};

/**
 * The summary line, e.g.
 * `12 files, 3 problems (1 error, 2 warnings); 14 model calls, 20 answers from the cache; 48,210 tokens in (12,000 cached), 3,100 out; about $0.09`.
 * Files not reviewed show as `12 files (10 reviewed)`; the dollars are left out when unknown.
 */
export function summaryLine(summary: RunSummary, opts: { color: boolean } = { color: false }): string {
  const paint = (code: string, s: string): string => (opts.color ? `${code}${s}${ANSI.reset}` : s);
  let files = count(summary.files, 'file');
  if (summary.reviewed !== summary.files) files += ` (${groupDigits(summary.reviewed)} reviewed)`;

  const total = SEVERITIES.reduce((n, s) => n + nat(summary.findings[s] ?? 0), 0);
  let problems = 'no problems';
  if (total > 0) {
    const parts = SEVERITIES.filter((s) => nat(summary.findings[s] ?? 0) > 0).map((s) => {
      const n = nat(summary.findings[s]);
      const [one, many] = PROBLEM_WORDS[s];
      const text = count(n, one, many);
      return s === 'error' || s === 'warning' ? paint(SEVERITY_COLOR[s], text) : text;
    });
    problems = `${count(total, 'problem')} (${parts.join(', ')})`;
  }
  const aside: string[] = [];
  if (summary.unlocated) aside.push(`${count(summary.unlocated, 'note')} whose quote is not in the file`);
  if (summary.suppressed) aside.push(`${groupDigits(summary.suppressed)} suppressed`);
  if (summary.known) aside.push(`${groupDigits(summary.known)} already in the baseline`);
  if (summary.outsideChange) aside.push(`${groupDigits(summary.outsideChange)} outside the changed lines`);
  if (aside.length > 0) problems += `; not counted: ${aside.join(', ')}`;

  let calls = summary.modelCalls > 0 ? count(summary.modelCalls, 'model call') : 'no model calls';
  if (summary.cacheHits > 0) calls += `, ${count(summary.cacheHits, 'answer')} from the cache`;

  const t = summary.tokens;
  let tokens = `${count(t.input, 'token')} in`;
  if (t.cachedInput > 0) tokens += ` (${groupDigits(t.cachedInput)} cached)`;
  tokens += `, ${groupDigits(t.output)} out`;

  const parts = [`${files}, ${problems}`, calls, tokens];
  if (summary.usd !== undefined && Number.isFinite(summary.usd)) parts.push(formatUsd(summary.usd));
  return parts.join('; ');
}

/**
 * Human-readable report. Every line ends with '\n':
 *
 *   `path:line:col severity message (fix: "…")`   one per finding, by path then position;
 *                                                 line and column 1-based, the column in
 *                                                 UTF-16 code units + 1 (like LSP-based
 *                                                 tools), so `path:line:col` starts each
 *                                                 line for grep and editors' error parsers
 *   `path: not reviewed: <error>`                 files that could not be reviewed
 *   `path: partly reviewed: <incomplete>`         files with parts not reviewed
 *   `path: skipped: <reason>`                     files left out on purpose
 *   the summary line (see {@link summaryLine})
 *
 * With `color`, the path is bold, the severity word red/yellow/blue/dim, the fix hint dim
 * (escape codes then precede the path; colour is only meant for terminals). Messages and
 * paths are kept to one line and control characters in them are escaped.
 */
export function formatText(results: FileResult[], summary: RunSummary, opts: { color: boolean }): string {
  const paint = (code: string, s: string): string => (opts.color ? `${code}${s}${ANSI.reset}` : s);
  const files = sorted(results);
  const out: string[] = [];
  for (const file of files) {
    const p = paint(ANSI.bold, oneLine(file.path));
    for (const f of file.findings) {
      const { line, column } = oneBased(f.range);
      if (f.located === false) {
        out.push(`${p}:${line}:${column} ${paint(ANSI.dim, 'note')} ${oneLine(f.message)} ${paint(ANSI.dim, `(${f.severity} from the model at this line, but its quote is not in the file; not counted)`)}`);
        continue;
      }
      let text = `${p}:${line}:${column} ${paint(SEVERITY_COLOR[f.severity], f.severity)} ${oneLine(f.message)}`;
      if (f.replacement !== undefined) text += ` ${paint(ANSI.dim, fixHint(f.replacement))}`;
      out.push(text);
    }
  }
  for (const file of files) {
    const p = paint(ANSI.bold, oneLine(file.path));
    if (file.error !== undefined) out.push(`${p}: ${paint(ANSI.red, 'not reviewed')}: ${oneLine(file.error)}`);
    if (file.incomplete !== undefined) out.push(`${p}: ${paint(ANSI.yellow, 'partly reviewed')}: ${oneLine(file.incomplete)}`);
    if (file.skipped !== undefined) out.push(`${p}: ${paint(ANSI.dim, 'skipped')}: ${oneLine(file.skipped)}`);
  }
  out.push(summaryLine(summary, opts));
  return out.map((l) => `${l}\n`).join('');
}

// ---------------------------------------------------------------------------------------
// JSON

/** A finding in the JSON output: 1-based positions next to the LSP range. */
export interface JsonFinding extends OneBased {
  severity: Severity;
  message: string;
  replacement?: string;
  /** false when the model's quote is not in the file (a note; never fails the run). */
  located?: false;
  fingerprint?: string;
  /** The LSP range: 0-based line, 0-based UTF-16 character, end exclusive. */
  range: Range;
}

export interface JsonFile {
  path: string;
  uri: string;
  error?: string;
  incomplete?: string;
  skipped?: string;
  findings: JsonFinding[];
}

export interface JsonReport {
  version: 1;
  /** As given, except `usd` is `null` (not absent) when unknown. */
  summary: Omit<RunSummary, 'usd'> & { usd: number | null };
  files: JsonFile[];
}

/**
 * Pretty-printed JSON (2 spaces, ending in '\n'):
 *
 *   { "version": 1, "summary": RunSummary (usd null when unknown),
 *     "files": [{ "path", "uri", "error"?, "incomplete"?, "skipped"?,
 *                 "findings": [{ "line", "column", "endLine", "endColumn",
 *                                "severity", "message", "replacement"?, "range" }] }] }
 *
 * `line`/`column`/`endLine`/`endColumn` are 1-based, columns in UTF-16 code units + 1,
 * `endColumn` exclusive (the column after the last flagged character). `range` is the same
 * place as an LSP range: 0-based line and UTF-16 character, end exclusive. Files are sorted
 * by path, findings by position.
 */
export function formatJson(results: FileResult[], summary: RunSummary): string {
  const report: JsonReport = {
    version: 1,
    summary: { ...summary, usd: summary.usd === undefined || !Number.isFinite(summary.usd) ? null : summary.usd },
    files: sorted(results).map((r) => {
      const file: JsonFile = { path: r.path, uri: r.uri, findings: [] };
      if (r.error !== undefined) file.error = r.error;
      if (r.incomplete !== undefined) file.incomplete = r.incomplete;
      if (r.skipped !== undefined) file.skipped = r.skipped;
      file.findings = r.findings.map((f) => {
        // Key order: the 1-based place, what the finding says, then the LSP range.
        const j: JsonFinding = {
          ...oneBased(f.range),
          severity: f.severity,
          message: f.message,
          ...(f.replacement !== undefined ? { replacement: f.replacement } : {}),
          ...(f.located === false ? { located: false as const } : {}),
          ...(f.fingerprint !== undefined ? { fingerprint: f.fingerprint } : {}),
          range: f.range,
        };
        return j;
      });
      return file;
    }),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------
// SARIF 2.1.0

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** From package.json's `repository` and `homepage`, so SARIF viewers link to the project itself. */
export const INFORMATION_URI = PACKAGE.repositoryUrl;
const HELP_URI = PACKAGE.homepage;

type SarifLevel = 'error' | 'warning' | 'note';

const SARIF_LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

const RULE_TEXT: Record<Severity, string> = {
  error: 'AI review: a likely bug or error',
  warning: 'AI review: a likely problem worth fixing',
  information: 'AI review: information about the code',
  hint: 'AI review: a suggestion or style hint',
};

export function ruleId(severity: Severity): string {
  return `codex/${severity}`;
}

/** One path segment as a URI reference segment: percent-encoded, keeping the harmless sub-delimiters readable. */
function encodeSegment(seg: string): string {
  return encodeURIComponent(seg).replace(/%(40|2B|3D|2C|3B|24|26)/g, (m) => decodeURIComponent(m));
}

function baseUri(root: string): string {
  const href = pathToFileURL(path.resolve(root)).href;
  return href.endsWith('/') ? href : `${href}/`;
}

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

/**
 * Where a file is, for SARIF: a relative, '/'-separated, percent-encoded URI reference
 * against `SRCROOT` (the root) when the file is under the root; the file's absolute
 * `file://` URI (and no base) when it is outside the root, where a relative reference
 * would need `..`; the display path, encoded, when the URI is not a file: URI.
 */
function artifactLocation(file: FileResult, root: string): ArtifactLocation {
  let abs: string | undefined;
  if (file.uri.startsWith('file:')) {
    try {
      abs = fileURLToPath(file.uri);
    } catch {
      abs = undefined;
    }
  }
  if (abs === undefined) {
    const segs = file.path.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
    return { uri: segs.map(encodeSegment).join('/'), uriBaseId: 'SRCROOT' };
  }
  const rel = path.relative(path.resolve(root), abs);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    return { uri: pathToFileURL(abs).href };
  }
  return { uri: rel.split(path.sep).map(encodeSegment).join('/'), uriBaseId: 'SRCROOT' };
}

function region(range: Range): { startLine: number; startColumn: number; endLine: number; endColumn: number } {
  const p = oneBased(range);
  return { startLine: p.line, startColumn: p.column, endLine: p.endLine, endColumn: p.endColumn };
}

function fixDescription(replacement: string): string {
  if (replacement === '') return 'Delete the flagged text';
  if (/[\r\n\u2028\u2029]/.test(replacement) || replacement.length > FIX_HINT_MAX) return 'Apply the suggested replacement';
  return `Replace with ${JSON.stringify(replacement)}`;
}

export interface SarifOptions {
  toolVersion: string;
  /** Absolute directory the artifact URIs are relative to (`SRCROOT`); usually the repository root. */
  root: string;
  /**
   * `invocations[0].executionSuccessful`. Default true: per SARIF a run that reached its
   * end is successful even when some files could not be analysed (those are reported as
   * `error` notifications, which tell consumers the results may be incomplete). Pass false
   * when the run itself failed (e.g. the model could not be reached at all).
   */
  executionSuccessful?: boolean;
  /** A baseline was given: every result says `baselineState` (new, or unchanged for the known ones). */
  baseline?: boolean;
}

/**
 * A SARIF 2.1.0 log with one run (pretty-printed, ending in '\n'):
 * - `tool.driver`: name "codex-lsp", version, informationUri, and one rule per severity
 *   actually used, in the order error, warning, information, hint, ids `codex/<severity>`.
 * - `columnKind: "utf16CodeUnits"`, `originalUriBaseIds.SRCROOT` = the root as a file: URI
 *   ending in '/'.
 * - `results`: one per finding (files by path, findings by position) with ruleId, ruleIndex,
 *   level (error, warning, note for information and hint), message.text, one physical
 *   location (region 1-based, endColumn exclusive) and, when the finding has a replacement,
 *   a fix replacing the same region.
 * - `invocations[0]`: executionSuccessful and `toolExecutionNotifications` for files not
 *   reviewed (level "error"), partly reviewed (level "error": results may be incomplete)
 *   and skipped (level "note").
 */
export function formatSarif(results: FileResult[], opts: SarifOptions): string {
  const files = sorted(results);
  const used = new Set<Severity>();
  for (const f of files) for (const x of [...f.findings, ...(opts.baseline ? (f.known ?? []) : [])]) used.add(x.severity);
  const severities = SEVERITIES.filter((s) => used.has(s));
  const rules = severities.map((s) => ({
    id: ruleId(s),
    name: `Review${s[0]!.toUpperCase()}${s.slice(1)}`,
    shortDescription: { text: RULE_TEXT[s] },
    fullDescription: { text: `${RULE_TEXT[s]}, found by the model's review of the file.` },
    defaultConfiguration: { level: SARIF_LEVEL[s] },
    helpUri: HELP_URI,
  }));

  const sarifResults: unknown[] = [];
  const notifications: unknown[] = [];
  for (const file of files) {
    const artifact = artifactLocation(file, opts.root);
    // Known findings stay in the log as `unchanged`: a code-scanning service that stopped
    // seeing them would close them as fixed.
    const entries = [...file.findings.map((f) => ({ f, state: 'new' })), ...(opts.baseline ? (file.known ?? []).map((f) => ({ f, state: 'unchanged' })) : [])];
    for (const { f, state } of entries) {
      const reg = region(f.range);
      const result: Record<string, unknown> = {
        ruleId: ruleId(f.severity),
        ruleIndex: severities.indexOf(f.severity),
        level: f.located === false ? 'note' : SARIF_LEVEL[f.severity],
        message: { text: f.located === false ? `${f.message} (the model's quote is not in the file; line as it gave it)` : f.message },
        locations: [{ physicalLocation: { artifactLocation: { ...artifact }, region: reg } }],
      };
      if (f.fingerprint !== undefined) result['partialFingerprints'] = { [FINGERPRINT_KEY]: f.fingerprint };
      if (opts.baseline) result['baselineState'] = state;
      if (f.replacement !== undefined) {
        result['fixes'] = [
          {
            description: { text: fixDescription(f.replacement) },
            artifactChanges: [
              {
                artifactLocation: { ...artifact },
                replacements: [{ deletedRegion: { ...reg }, insertedContent: { text: f.replacement } }],
              },
            ],
          },
        ];
      }
      sarifResults.push(result);
    }
    const note = (level: SarifLevel, text: string): void => {
      notifications.push({ level, message: { text: `${file.path}: ${text}` }, locations: [{ physicalLocation: { artifactLocation: { ...artifact } } }] });
    };
    if (file.error !== undefined) note('error', `not reviewed: ${file.error}`);
    if (file.incomplete !== undefined) note('error', `partly reviewed: ${file.incomplete}`);
    if (file.skipped !== undefined) note('note', `skipped: ${file.skipped}`);
  }

  const invocation: Record<string, unknown> = { executionSuccessful: opts.executionSuccessful ?? true };
  if (notifications.length > 0) invocation['toolExecutionNotifications'] = notifications;

  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'codex-lsp', version: opts.toolVersion, informationUri: INFORMATION_URI, rules } },
        invocations: [invocation],
        originalUriBaseIds: { SRCROOT: { uri: baseUri(opts.root) } },
        columnKind: 'utf16CodeUnits',
        results: sarifResults,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
