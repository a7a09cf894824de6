/**
 * Stage 5 of `codex-lsp review`: what the run found, in the format asked for, the fixes
 * (--fix, --dry-run) or the requests (--show-prompts), and the exit code.
 */
import { VERSION } from '../../version';
import type { ReviewArgs } from '../args';
import { formatJson, formatSarif, formatText, SEVERITIES, type RunSummary, type Severity } from '../format';
import { formatPrompts } from '../show-prompts';
import type { FileChoice } from './files';
import { writeFixes } from './fixes';
import type { Project } from './project';
import type { ReviewOutcome } from './review';
import { EXIT, type Io } from './stage';

export interface ReportInput {
  args: ReviewArgs;
  project: Project;
  choice: Pick<FileChoice, 'baseline'>;
  outcome: ReviewOutcome;
  io: Pick<Io, 'stdout' | 'stderr' | 'env'>;
  say: (line: string) => void;
}

/** Writes the report; returns the exit code. */
export async function report(input: ReportInput): Promise<number> {
  const { args, project, outcome, io, say } = input;
  const { results } = outcome;
  const settings = project.snapshot.settings;
  if (outcome.prompts) {
    // Nothing was sent: the requests are the output, skipped and unreadable files on stderr.
    for (const r of results)
      if (r.skipped !== undefined || r.error !== undefined)
        say(`codex-lsp review: ${r.path}: ${r.skipped !== undefined ? `skipped: ${r.skipped}` : `not read: ${r.error}`}`);
    io.stdout.write(formatPrompts(outcome.prompts, settings.prices, args.format === 'json' ? 'json' : 'text'));
    return EXIT.clean;
  }
  if (outcome.interrupted) {
    say('codex-lsp review: interrupted');
    return EXIT.interrupted;
  }
  if (args.fix) await writeFixes(results, outcome.originals, args, project, io, say);

  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  // Notes whose quote is not in the file are shown, never counted.
  for (const r of results) for (const f of r.findings) if (f.located !== false) counts[f.severity]++;
  const failRank = SEVERITIES.indexOf(args.failOn);
  const failed = results.some((r) => r.findings.some((f) => f.located !== false && SEVERITIES.indexOf(f.severity) <= failRank));
  const spent = outcome.spent;
  const summary: RunSummary = {
    files: results.length,
    reviewed: results.filter((r) => !r.error && !r.skipped).length,
    findings: counts,
    modelCalls: spent.requests,
    cacheHits: spent.cacheHits,
    tokens: { input: spent.input, cachedInput: spent.cachedInput, output: spent.output },
    usd: spent.usd,
    failOn: args.failOn,
    failed,
    ...outcome.tally,
  };
  const sorted = [...results].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const end = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);
  if (args.fix && args.dryRun) {
    // stdout holds the diff alone (it can go to `git apply`); the findings go to stderr.
    io.stderr.write(end(formatText(sorted, summary, { color: false })));
  } else if (args.format === 'json') io.stdout.write(end(formatJson(sorted, summary)));
  else if (args.format === 'sarif')
    io.stdout.write(
      end(
        formatSarif(sorted, {
          toolVersion: VERSION,
          root: project.top,
          executionSuccessful: !outcome.incomplete,
          baseline: input.choice.baseline !== undefined,
        }),
      ),
    );
  else io.stdout.write(end(formatText(sorted, summary, { color: io.stdout.isTTY === true && !io.env.NO_COLOR })));

  // An incomplete review cannot be trusted.
  if (outcome.incomplete) return EXIT.unreachable;
  return failed ? EXIT.findings : EXIT.clean;
}
