import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { findProjectFile, readProjectFile } from '../config/project';
import { resolveSettings } from '../config/settings';
import { ConfigStore } from '../config/store';
import { ModelError, ModelGateway, type EndpointConfig, type ProblemKind } from '../model/gateway';
import { summarize, UsageLedger } from '../model/usage-ledger';
import { DiskCache } from '../pipeline/disk-cache';
import { Pipeline } from '../pipeline/pipeline';
import { Privacy } from '../privacy/privacy';
import { dedupeFindings } from '../review/findings';
import { reviewDocument, reviewSkipReason, type ReviewDeps } from '../review/review-document';
import { languageOf } from '../text/language';
import { Logger, type LogLevel } from '../util/log';
import { VERSION } from '../version';
import { parseReviewArgs, REVIEW_HELP, UsageError, type ReviewArgs } from './args';
import { findFiles } from './files';
import { applyFixes, unifiedDiff } from './fix';
import { formatJson, formatSarif, formatText, SEVERITIES, type CliFinding, type FileResult, type RunSummary, type Severity } from './format';
import { changedFiles, changedLines, gitRoot, isCommit, type LineRange } from './git';

export const EXIT = { clean: 0, findings: 1, usage: 2, unreachable: 3 } as const;

/** Model errors that mean the model could not be reached at all (exit 3), as opposed to one part failing. */
const UNREACHABLE: ReadonlySet<string> = new Set(['no-key', 'key-mismatch', 'auth', 'model-not-found', 'unreachable', 'endpoint', 'config', 'quota']);

export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  signal?: AbortSignal;
}

/** Progress on a terminal's stderr only: nothing of the sort when output is piped. */
class Progress {
  private last = 0;
  private shown = false;
  constructor(private readonly stderr: Io['stderr']) {}
  update(text: string): void {
    if (!this.stderr.isTTY) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.shown = true;
    this.stderr.write(`\r\x1b[2K${text}`);
  }
  clear(): void {
    if (this.shown) this.stderr.write('\r\x1b[2K');
    this.shown = false;
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function overlaps(ranges: readonly LineRange[], start: number, end: number): boolean {
  return ranges.some((r) => r.start < end && r.end > start);
}

/**
 * `codex-lsp review`: the editor's review, headless. Same prompts, chunking, anchoring,
 * cache, privacy filter, concurrency limit and retries as the server, so a file reviewed in
 * one costs nothing to review again in the other.
 */
export async function runReview(argv: readonly string[], io: Io): Promise<number> {
  const say = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };
  const cwd = path.resolve(io.cwd);
  let args: ReviewArgs;
  try {
    args = await parseReviewArgs(argv, (w) => isCommit(w, cwd).catch(() => false));
  } catch (err) {
    if (err instanceof UsageError) {
      say(`codex-lsp review: ${err.message}\n`);
      say(REVIEW_HELP);
      return EXIT.usage;
    }
    throw err;
  }
  if (args.help) {
    io.stdout.write(REVIEW_HELP);
    return EXIT.clean;
  }

  // Configuration: defaults < .codex-lsp.json < environment. Errors in the project file stop the run.
  const projectFile = findProjectFile(cwd);
  const repo = await gitRoot(cwd).catch(() => undefined);
  const root = projectFile ? path.dirname(projectFile) : (repo ?? cwd);
  const configProblems: string[] = [];
  // Configuration problems are collected (they stop the run); other log lines only with CODEX_LSP_LOG.
  const verbose = ['warn', 'info', 'debug'].includes(io.env.CODEX_LSP_LOG ?? '');
  const log = new Logger((level: LogLevel, message: string) => {
    if (message.startsWith('configuration: ')) configProblems.push(message.slice('configuration: '.length));
    else if (level === 'error' || verbose) say(`codex-lsp: ${message}`);
  });
  log.setLevel(verbose ? (io.env.CODEX_LSP_LOG as LogLevel) : 'warn');
  const config = new ConfigStore(io.env, log);
  if (projectFile) {
    const project = readProjectFile(projectFile);
    configProblems.push(...project.problems, ...resolveSettings([{ source: projectFile, values: project.values }]).problems);
    config.setLayer('project', projectFile, project.values);
  }
  const snap = config.current;
  if (snap.blocking) configProblems.push(snap.blocking);
  if (configProblems.length > 0) {
    for (const p of [...new Set(configProblems)]) say(`codex-lsp review: configuration error: ${p}`);
    return EXIT.usage;
  }
  const settings = snap.settings;

  // Problems the user must act on: said once, as in the editor.
  const told = new Set<ProblemKind>();
  const problems = {
    report: (kind: ProblemKind, message: string): void => {
      if (told.has(kind)) return;
      told.add(kind);
      say(log.scrub(message));
    },
  };
  const usage = new UsageLedger(path.join(snap.cacheDir, 'usage'), log);
  const endpoint = (): EndpointConfig => ({
    apiKey: settings.apiKey,
    keySource: snap.keySource,
    baseUrl: settings.baseUrl,
    model: settings.model,
    api: settings.api,
    timeoutMs: settings.timeoutMs,
    blocking: snap.blocking,
  });
  const gateway = new ModelGateway(endpoint, log, usage, problems, {
    noKey: 'codex-lsp review: no API key. Set CODEX_LSP_API_KEY or COMETAPI_KEY (also read: COMETAPI_API_KEY, OPENAI_API_KEY) in the environment; in CI, from a secret.',
  });
  const blocked = gateway.blockedReason();
  if (blocked) return EXIT.unreachable;
  const disk = settings.cache.enabled ? new DiskCache(snap.cacheDir, settings.cache.maxDiskMB * 1024 * 1024, log) : undefined;
  const pipeline = new Pipeline(gateway, disk, usage, log, { endpoint: () => settings, cacheEnabled: () => settings.cache.enabled }, settings.maxConcurrency);
  const privacy = new Privacy(log);
  privacy.configure(settings.ignore, [root]);
  const deps: ReviewDeps = { pipeline, privacy, log, roots: [root] };

  // Which files, and with --changed which lines.
  let found;
  try {
    found = await findFiles(args.paths, { cwd, root, ignore: settings.ignore });
  } catch (err) {
    say(`codex-lsp review: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.usage;
  }
  for (const m of found.missing) say(`codex-lsp review: no such file or nothing matches: ${m}`);
  let files = found.files;
  let lineFilter: Map<string, LineRange[] | 'all'> | undefined;
  if (args.changed !== undefined) {
    if (!repo) {
      say('codex-lsp review: --changed needs a git repository');
      return EXIT.usage;
    }
    const base = args.changed === '' ? undefined : args.changed;
    try {
      const changed = new Set(await changedFiles(repo, base));
      files = files.filter((f) => changed.has(f));
      lineFilter = new Map();
      for (const f of files) lineFilter.set(f, await changedLines(repo, f, base));
    } catch (err) {
      say(`codex-lsp review: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT.usage;
    }
  }

  const results: FileResult[] = [];
  for (const f of found.ignored) results.push({ path: toPosix(path.relative(cwd, f)), uri: pathToFileURL(f).href, findings: [], skipped: 'matches an "ignore" glob; never sent' });
  for (const f of found.binary) results.push({ path: toPosix(path.relative(cwd, f)), uri: pathToFileURL(f).href, findings: [], skipped: 'binary' });

  const controller = new AbortController();
  io.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  const progress = new Progress(io.stderr);
  let done = 0;
  let unreachable = false;
  const texts = new Map<string, string>();
  const showProgress = (): void => {
    const t = usage.session.totals();
    progress.update(`codex-lsp review: ${done}/${files.length} files, ${t.input + t.output} tokens`);
  };

  await Promise.all(
    files.map(async (file): Promise<void> => {
      const shown = toPosix(path.relative(cwd, file)) || path.basename(file);
      const uri = pathToFileURL(file).href;
      const result: FileResult = { path: shown, uri, findings: [] };
      results.push(result);
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (err) {
        result.error = err instanceof Error ? err.message : String(err);
        return;
      }
      texts.set(file, text);
      const doc = TextDocument.create(uri, languageOf('', file), 1, text);
      const skip = reviewSkipReason(doc, deps);
      if (skip) {
        result.skipped = skip.reason;
        return;
      }
      const lines = lineFilter?.get(file);
      try {
        const run = await reviewDocument(deps, doc, {
          signal: controller.signal,
          priority: 0,
          only: lines === undefined || lines === 'all' ? undefined : (chunk) => overlaps(lines, chunk.start, chunk.end),
          onChunkDone: showProgress,
        });
        const findings = dedupeFindings(run.outcomes.flatMap((o) => o.found ?? []));
        result.findings = findings
          .map((f): CliFinding => (f.replacement === undefined ? { range: f.range, severity: f.severity, message: f.message } : { range: f.range, severity: f.severity, message: f.message, replacement: f.replacement }))
          .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
        const failed = run.outcomes.filter((o) => o.error && o.error.kind !== 'cancelled');
        if (failed.length > 0) {
          if (failed.some((o) => UNREACHABLE.has((o.error as ModelError).kind))) unreachable = true;
          result.incomplete = `${failed.length} of ${run.outcomes.length} part${run.outcomes.length === 1 ? '' : 's'} not reviewed: ${(failed[0]?.error as ModelError).message}`;
        }
      } finally {
        done++;
        showProgress();
      }
    }),
  );
  progress.clear();
  await Promise.all([pipeline.flush(), usage.flush()]);
  if (controller.signal.aborted) {
    say('codex-lsp review: interrupted');
    return 130;
  }

  // --fix: the replacements, applied exactly, or shown as a diff.
  if (args.fix) {
    for (const r of results) {
      const abs = path.resolve(cwd, r.path);
      const before = texts.get(abs);
      if (before === undefined || !r.findings.some((f) => f.replacement !== undefined)) continue;
      const fixed = applyFixes(before, r.findings);
      if (fixed.applied === 0) continue;
      if (args.dryRun) {
        io.stdout.write(unifiedDiff(r.path, before, fixed.text));
      } else {
        try {
          // Only when the file is still as it was reviewed: never overwrite an edit made meanwhile.
          if ((await fs.readFile(abs, 'utf8')) !== before) {
            say(`codex-lsp review: ${r.path} changed during the review; not fixed`);
            continue;
          }
          const tmp = `${abs}.codex-lsp-${process.pid}.tmp`;
          const st = await fs.stat(abs);
          await fs.writeFile(tmp, fixed.text, { mode: st.mode });
          await fs.rename(tmp, abs);
          say(`codex-lsp review: fixed ${fixed.applied} finding${fixed.applied === 1 ? '' : 's'} in ${r.path}${fixed.skipped ? ` (${fixed.skipped} overlapping, left)` : ''}`);
          // Fixed findings are reported no more.
          r.findings = r.findings.filter((f) => f.replacement === undefined);
        } catch (err) {
          say(`codex-lsp review: could not write ${r.path}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  }

  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const r of results) for (const f of r.findings) counts[f.severity]++;
  const failRank = SEVERITIES.indexOf(args.failOn);
  const failed = results.some((r) => r.findings.some((f) => SEVERITIES.indexOf(f.severity) <= failRank));
  const session = summarize(usage.session.snapshot(), settings.prices);
  const summary: RunSummary = {
    files: results.length,
    reviewed: results.filter((r) => !r.error && !r.skipped).length,
    findings: counts,
    modelCalls: session.totals.requests,
    cacheHits: session.totals.cacheHits,
    tokens: { input: session.totals.input, cachedInput: session.totals.cachedInput, output: session.totals.output },
    usd: session.totals.usd,
    failOn: args.failOn,
    failed,
  };
  results.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const end = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);
  if (args.fix && args.dryRun) {
    // stdout holds the diff alone (it can go to `git apply`); the findings' summary goes to stderr.
    io.stderr.write(end(formatText(results.map((r) => ({ ...r, findings: [] })), summary, { color: false })));
  } else if (args.format === 'json') io.stdout.write(end(formatJson(results, summary)));
  else if (args.format === 'sarif') io.stdout.write(end(formatSarif(results, { toolVersion: VERSION, root, executionSuccessful: !unreachable })));
  else io.stdout.write(end(formatText(results, summary, { color: io.stdout.isTTY === true && !io.env.NO_COLOR })));

  // A usage error says the run was not what was asked; an unreachable model that it is incomplete.
  if (found.missing.length > 0) return EXIT.usage;
  if (unreachable) return EXIT.unreachable;
  return failed ? EXIT.findings : EXIT.clean;
}
