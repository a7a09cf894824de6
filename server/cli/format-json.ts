import type { Range } from 'vscode-languageserver';
import { oneBased, sorted, type FileResult, type OneBased, type RunSummary, type Severity } from './report';

/** `codex-lsp review --format json`: the report for scripts. */

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
