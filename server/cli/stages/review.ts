/**
 * Stage 4 of `codex-lsp review`: the model calls. Each file is read (with --staged, from the
 * index), reviewed as the editor reviews it, and its findings gated; progress on a terminal;
 * Ctrl-C stops what is in flight.
 */
import { setMaxListeners } from 'node:events';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { ModelError } from '../../model/gateway';
import { summarize, type UsageSummary } from '../../model/usage-ledger';
import { dedupeFindings } from '../../review/findings';
import { reviewDocument, reviewSkipReason, type ReviewDeps } from '../../review/review-document';
import { languageOf } from '../../text/language';
import type { Logger } from '../../util/log';
import type { ReviewArgs } from '../args';
import type { FileResult } from '../format';
import { gateFindings } from '../gate';
import { mapLimit, type LineRange } from '../git';
import type { PromptEntry } from '../show-prompts';
import { stagedText } from '../staged';
import type { FileChoice } from './files';
import { cliModelStack } from './model';
import type { Project } from './project';
import { shownPath, toPosix } from './stage';
import type { Terminal } from './terminal';
import { messageOf } from '../../util/text';

/** A file as it was read, for --fix: its bytes, and whether it had a byte-order mark. */
export interface Original {
  bytes: Buffer;
  bom: boolean;
}

/** Findings counted apart from the results (the summary names them). */
export interface Tally {
  unlocated: number;
  suppressed: number;
  known: number;
  outsideChange: number;
}

export interface ReviewOutcome {
  /** The skipped files first, then one per file in the order reviews ended. */
  results: FileResult[];
  tally: Tally;
  /** Some part could not be reviewed (no key, an outage, a timeout...): the run cannot be trusted. */
  incomplete: boolean;
  /** Ctrl-C (or the caller's signal) stopped the run. */
  interrupted: boolean;
  /** With --fix: each reviewed file as read. */
  originals: ReadonlyMap<string, Original>;
  /** With --show-prompts: the requests, collected instead of sent. */
  prompts: PromptEntry[] | undefined;
  /** What the run spent. */
  spent: UsageSummary['totals'];
}

export interface ReviewInput {
  args: ReviewArgs;
  project: Project;
  choice: FileChoice;
  log: Logger;
  terminal: Terminal;
  signal?: AbortSignal;
}

function overlaps(ranges: readonly LineRange[], start: number, end: number): boolean {
  return ranges.some((r) => r.start < end && r.end > start);
}

export async function reviewFiles(input: ReviewInput): Promise<ReviewOutcome> {
  const { args, project, choice, log, terminal } = input;
  const settings = project.snapshot.settings;
  const stack = await cliModelStack(project, log, (line) => terminal.say(line));
  const deps: ReviewDeps = { pipeline: stack.pipeline, privacy: stack.privacy, log, roots: project.roots, context: stack.context };
  const usage = stack.shared.usage;

  const results: FileResult[] = [...choice.skipped];
  const tally: Tally = { unlocated: 0, suppressed: 0, known: 0, outsideChange: 0 };
  const originals = new Map<string, Original>();
  const prompts: PromptEntry[] | undefined = args.showPrompts ? [] : undefined;
  let incomplete = false;
  let done = 0;

  const controller = new AbortController();
  // Many parts wait on one signal: not a leak.
  setMaxListeners(0, controller.signal);
  input.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  const showProgress = (): void => {
    const t = usage.session.totals();
    terminal.update(`codex-lsp review: ${done}/${choice.files.length} files, ${t.input + t.output} tokens`);
  };

  // A bounded number of files at a time: file handles and memory stay small on a large tree;
  // the model calls themselves are bounded by maxConcurrency in the pipeline.
  await mapLimit(choice.files, Math.max(4, settings.maxConcurrency * 2), async (file): Promise<void> => {
    if (controller.signal.aborted) return;
    const uri = pathToFileURL(file).href;
    const result: FileResult = { path: shownPath(project.cwd, file), uri, findings: [] };
    results.push(result);
    try {
      let bytes: Buffer;
      try {
        // --staged: the index's content, what the commit records (the files stage made sure of a repository).
        bytes =
          args.staged && project.repo
            ? Buffer.from(await stagedText(project.repo, toPosix(path.relative(project.repo, file))), 'utf8')
            : await fs.readFile(file);
      } catch (err) {
        result.error = messageOf(err);
        return;
      }
      let text = bytes.toString('utf8');
      // Editors drop a byte-order mark; so does the review (positions as editors count them).
      const bom = text.startsWith('\uFEFF');
      if (bom) text = text.slice(1);
      if (args.fix) originals.set(file, { bytes, bom });
      const doc = TextDocument.create(uri, languageOf('', file), 1, text);
      const skip = reviewSkipReason(doc, deps);
      if (skip) {
        result.skipped = skip.reason;
        return;
      }
      const plan = choice.plans?.get(file);
      const lines = plan?.review;
      const run = await reviewDocument(deps, doc, {
        signal: controller.signal,
        priority: 0,
        only: lines === undefined || lines === 'all' ? undefined : (chunk) => overlaps(lines, chunk.start, chunk.end),
        onChunkDone: showProgress,
        ...(prompts
          ? {
              preview: (chunk, request) =>
                prompts.push({ path: result.path, lines: { start: chunk.start + 1, end: chunk.end }, cached: request.cached, request }),
            }
          : {}),
      });
      const gate = gateFindings({
        findings: dedupeFindings(run.outcomes.flatMap((o) => o.found ?? [])),
        lines: run.lines,
        relPath: path.relative(project.top, file),
        decide: plan?.decide ?? 'all',
        baseline: choice.baseline,
      });
      result.findings = gate.findings;
      result.known = gate.known;
      tally.unlocated += gate.findings.filter((f) => f.located === false).length;
      tally.suppressed += gate.suppressed;
      tally.known += gate.known.length;
      tally.outsideChange += gate.outsideChange;
      const failed = run.outcomes.filter((o) => o.error && o.error.kind !== 'cancelled');
      if (failed.length > 0) {
        // Whatever the reason (no key, an outage, a timeout, answers that were not JSON), the
        // review is not complete: that is exit 3, never a green run.
        incomplete = true;
        // Each part named by its lines: "lines 40-120: the model's answer was cut off by ...".
        const parts = failed.slice(0, 3).map((o) => `lines ${o.chunk.start + 1}-${o.chunk.end}: ${(o.error as ModelError).message}`);
        if (failed.length > 3) parts.push(`and ${failed.length - 3} more`);
        result.incomplete = `${failed.length} of ${run.outcomes.length} part${run.outcomes.length === 1 ? '' : 's'} not reviewed (${parts.join('; ')})`;
      }
    } finally {
      done++;
      showProgress();
    }
  });
  terminal.clear();
  // --show-prompts sent nothing, so there is nothing to keep. Otherwise the answers, usage and
  // model choices are written, and the disk cache is within cache.maxDiskMB when the command exits.
  if (!prompts) {
    await stack.flush();
    if (settings.cache.enabled) await stack.shared.disk?.trim();
  }
  const spent = summarize(usage.session.snapshot(), settings.prices).totals;
  return { results, tally, incomplete, interrupted: controller.signal.aborted, originals, prompts, spent };
}
