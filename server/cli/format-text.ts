import { FIX_HINT_MAX, nat, oneBased, SEVERITIES, sorted, type FileResult, type RunSummary, type Severity } from './report';

/** `codex-lsp review`'s report for people (and grep): one line per finding, then the summary line. */

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

function fixHint(replacement: string): string {
  if (replacement === '') return '(fix: delete)';
  if (/[\r\n\u2028\u2029]/.test(replacement) || replacement.length > FIX_HINT_MAX) return '(fix available)';
  return `(fix: ${oneLine(JSON.stringify(replacement))})`;
}

/** 48210 -> "48,210" (fixed format: output must not depend on the machine's locale). */
function groupDigits(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function count(n: number, one: string, many: string = `${one}s`): string {
  return `${groupDigits(n)} ${n === 1 ? one : many}`;
}

/** "about $0.09"; "under $0.01" for tiny amounts; "$0.00" when nothing was spent. */
function formatUsd(usd: number): string {
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
        out.push(
          `${p}:${line}:${column} ${paint(ANSI.dim, 'note')} ${oneLine(f.message)} ${paint(ANSI.dim, `(${f.severity} from the model at this line, but its quote is not in the file; not counted)`)}`,
        );
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
