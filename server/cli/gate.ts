/**
 * Which of a file's findings the gate reports and counts, in order:
 *
 * 1. A `codex-lsp-ignore` comment hides a finding (server/review/suppress.ts, as in the editor).
 * 2. With `--changed`/`--staged`, only findings on the lines that decide (`--filter-mode`)
 *    count: the model still sees the chunk around a change, but an old finding elsewhere in
 *    it is not the change's fault.
 * 3. Findings already in the `--baseline` are known: not reported, not counted.
 * 4. A finding whose quote is not in the file (the model invented it, or gave none) is a note
 *    at the line the model named, and never fails the run.
 */
import * as path from 'node:path';
import type { LineSource } from '../review/anchor';
import type { StoredFinding } from '../review/review-document';
import { applySuppressions } from '../review/suppress';
import { fingerprint } from './baseline';
import type { CliFinding } from './format';
import type { LineRange } from './git';

export interface GateInput {
  findings: readonly StoredFinding[];
  /** The reviewed text. */
  lines: LineSource;
  /** The file relative to the repository (or project) folder: part of the fingerprint. */
  relPath: string;
  /** The 0-based [start, end) line ranges whose findings count; 'all' without --changed/--staged. */
  decide: readonly LineRange[] | 'all';
  baseline: ReadonlySet<string> | undefined;
}

export interface GateResult {
  /** Reported: located findings (they count) and unlocated ones (notes, `located: false`). */
  findings: CliFinding[];
  /** In the baseline. */
  known: CliFinding[];
  suppressed: number;
  outsideChange: number;
}

export function gateFindings(input: GateInput): GateResult {
  const { kept, suppressed } = applySuppressions(input.lines, input.findings);
  const out: GateResult = { findings: [], known: [], suppressed: suppressed.length, outsideChange: 0 };
  for (const f of kept) {
    if (!decides(input.decide, f.range.start.line, f.range.end.line)) {
      out.outsideChange++;
      continue;
    }
    const cli: CliFinding = { range: f.range, severity: f.severity, message: f.message };
    if (f.replacement !== undefined) cli.replacement = f.replacement;
    if (!f.exact) cli.located = false;
    cli.fingerprint = fingerprint({
      file: input.relPath.split(path.sep).join('/'),
      message: f.message,
      quote: f.text,
      before: f.range.start.line > 0 ? input.lines.line(f.range.start.line - 1) : '',
      after: input.lines.line(f.range.end.line + 1),
    });
    if (input.baseline?.has(cli.fingerprint)) out.known.push(cli);
    else out.findings.push(cli);
  }
  const byPlace = (a: CliFinding, b: CliFinding): number => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
  out.findings.sort(byPlace);
  out.known.sort(byPlace);
  return out;
}

/** Whether a finding on lines [start, end] (0-based, inclusive) touches a deciding range. */
function decides(decide: readonly LineRange[] | 'all', start: number, end: number): boolean {
  if (decide === 'all') return true;
  return decide.some((r) => r.start <= end && r.end > start);
}
