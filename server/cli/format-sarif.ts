import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Range } from 'vscode-languageserver';
import { FINGERPRINT_KEY } from './baseline';
import { FIX_HINT_MAX, oneBased, SEVERITIES, sorted, type CliFinding, type FileResult, type Severity } from './report';
import { PACKAGE } from '../version';

/** `codex-lsp review --format sarif`: a SARIF 2.1.0 log for code-scanning tools, typed by @types/sarif. */

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** From package.json's `repository` and `homepage`, so SARIF viewers link to the project itself. */
export const INFORMATION_URI = PACKAGE.repositoryUrl;
const HELP_URI = PACKAGE.homepage;

type SarifLevel = Sarif.Result.level & Sarif.Notification.level;

const SARIF_LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

const RULE_TEXT: Record<Severity, string> = {
  error: 'AI review: a likely bug or error',
  warning: 'AI review: a likely problem worth fixing',
  information: 'AI review: information about the code',
  hint: 'AI review: a suggestion or style hint',
};

function ruleId(severity: Severity): string {
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

/**
 * Where a file is, for SARIF: a relative, '/'-separated, percent-encoded URI reference
 * against `SRCROOT` (the root) when the file is under the root; the file's absolute
 * `file://` URI (and no base) when it is outside the root, where a relative reference
 * would need `..`; the display path, encoded, when the URI is not a file: URI.
 */
function artifactLocation(file: FileResult, root: string): Sarif.ArtifactLocation {
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

function region(range: Range): Sarif.Region {
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
  const rules = severities.map(
    (s): Sarif.ReportingDescriptor => ({
      id: ruleId(s),
      name: `Review${s[0]!.toUpperCase()}${s.slice(1)}`,
      shortDescription: { text: RULE_TEXT[s] },
      fullDescription: { text: `${RULE_TEXT[s]}, found by the model's review of the file.` },
      defaultConfiguration: { level: SARIF_LEVEL[s] },
      helpUri: HELP_URI,
    }),
  );

  const sarifResults: Sarif.Result[] = [];
  const notifications: Sarif.Notification[] = [];
  for (const file of files) {
    const artifact = artifactLocation(file, opts.root);
    // Known findings stay in the log as `unchanged`: a code-scanning service that stopped
    // seeing them would close them as fixed.
    const entries: { f: CliFinding; state: Sarif.Result.baselineState }[] = [
      ...file.findings.map((f) => ({ f, state: 'new' as const })),
      ...(opts.baseline ? (file.known ?? []).map((f) => ({ f, state: 'unchanged' as const })) : []),
    ];
    for (const { f, state } of entries) {
      const reg = region(f.range);
      const result: Sarif.Result = {
        ruleId: ruleId(f.severity),
        ruleIndex: severities.indexOf(f.severity),
        level: f.located === false ? 'note' : SARIF_LEVEL[f.severity],
        message: { text: f.located === false ? `${f.message} (the model's quote is not in the file; line as it gave it)` : f.message },
        locations: [{ physicalLocation: { artifactLocation: { ...artifact }, region: reg } }],
      };
      if (f.fingerprint !== undefined) result.partialFingerprints = { [FINGERPRINT_KEY]: f.fingerprint };
      if (opts.baseline) result.baselineState = state;
      if (f.replacement !== undefined) {
        result.fixes = [
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

  const invocation: Sarif.Invocation = { executionSuccessful: opts.executionSuccessful ?? true };
  if (notifications.length > 0) invocation.toolExecutionNotifications = notifications;

  const log: Sarif.Log = {
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
