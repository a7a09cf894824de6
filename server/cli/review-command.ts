import { setMaxListeners } from 'node:events';
import { existsSync, promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { findProjectFile, readProjectFile } from '../config/project';
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
import { findFiles, isGlobPattern } from './files';
import { applyFixes, unifiedDiff } from './fix';
import { formatJson, formatSarif, formatText, SEVERITIES, type CliFinding, type FileResult, type RunSummary, type Severity } from './format';
import { changedFiles, changedLines, gitRoot, isCommit, mapLimit, type LineRange } from './git';

export const EXIT = { clean: 0, findings: 1, usage: 2, unreachable: 3 } as const;


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
  const progress = new Progress(io.stderr);
  const say = (line: string): void => {
    progress.clear();
    io.stderr.write(`${line}\n`);
  };
  const cwd = path.resolve(io.cwd);
  let args: ReviewArgs;
  try {
    args = await parseReviewArgs(argv, (w) => isCommit(w, cwd).catch(() => false), (w) => existsSync(path.resolve(cwd, w)));
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

  // The project: its .codex-lsp.json is the nearest one above the paths asked for (their common
  // folder), so `review packages/web` from the top of a monorepo takes packages/web's settings.
  const start = commonFolder(args.paths.filter((p) => !isGlobPattern(p)).map((p) => path.resolve(cwd, p))) ?? cwd;
  const projectFile = findProjectFile(start);
  const repo = await gitRoot(existsSync(start) ? start : cwd).catch(() => undefined);
  const projectDir = projectFile ? path.dirname(projectFile) : (repo ?? cwd);
  // Prompts name files relative to the repository (as an editor opened there does), and SARIF
  // locations are relative to it too, which is what code-scanning tools expect.
  const top = repo ?? projectDir;
  const roots = top === projectDir ? [top] : [top, projectDir];

  // Configuration: defaults < .codex-lsp.json < environment. Errors in the project file stop the run.
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
    configProblems.push(...project.problems);
    config.setLayer('project', projectFile, project.values);
    if (typeof project.values?.model === 'string' && !io.env.CODEX_LSP_MODEL) say(`codex-lsp review: model "${project.values.model}" (from ${projectFile})`);
  }
  const snap = config.current;
  if (snap.blocking) configProblems.push(snap.blocking);
  if (configProblems.length > 0) {
    for (const p of [...new Set(configProblems)]) say(`codex-lsp review: configuration error: ${p}`);
    return EXIT.usage;
  }
  const settings = snap.settings;

  // Problems the user must act on: said once, as in the editor, and only when a model call is
  // needed (an unchanged tree, or answers all in the cache, need no key).
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
  const disk = settings.cache.enabled ? new DiskCache(snap.cacheDir, settings.cache.maxDiskMB * 1024 * 1024, log) : undefined;
  const privacy = new Privacy(log);
  privacy.configure(settings.ignore, roots, settings.ignoreAnyCase);
  const pipeline = new Pipeline(gateway, disk, usage, log, { endpoint: () => settings, cacheEnabled: () => settings.cache.enabled, redactor: privacy }, settings.maxConcurrency);
  const deps: ReviewDeps = { pipeline, privacy, log, roots };

  // Which files, and with --changed which lines.
  let found;
  try {
    found = await findFiles(args.paths, { cwd, root: projectDir, ignore: settings.ignore });
  } catch (err) {
    say(`codex-lsp review: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.usage;
  }
  for (const m of found.missing) say(`codex-lsp review: no such file or nothing matches: ${m}`);
  // One review per file, even when it is reached through a symbolic link too.
  const seen = new Set<string>();
  let files: string[] = [];
  for (const f of found.files) {
    const real = await fs.realpath(f).catch(() => f);
    if (seen.has(real)) continue;
    seen.add(real);
    files.push(f);
  }
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

  const shownPath = (f: string): string => toPosix(path.relative(cwd, f)) || path.basename(f);
  const results: FileResult[] = [];
  for (const f of found.ignored) results.push({ path: shownPath(f), uri: pathToFileURL(f).href, findings: [], skipped: 'matches an "ignore" glob; never sent' });
  for (const f of found.binary) results.push({ path: shownPath(f), uri: pathToFileURL(f).href, findings: [], skipped: 'binary' });

  const controller = new AbortController();
  // Many parts wait on one signal: not a leak.
  setMaxListeners(0, controller.signal);
  io.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  let done = 0;
  let incomplete = false;
  /** What --fix needs of each file: its bytes as read, and whether it had a BOM. */
  const originals = new Map<string, { bytes: Buffer; bom: boolean }>();
  const showProgress = (): void => {
    const t = usage.session.totals();
    progress.update(`codex-lsp review: ${done}/${files.length} files, ${t.input + t.output} tokens`);
  };

  // A bounded number of files at a time: file handles and memory stay small on a large tree;
  // the model calls themselves are bounded by maxConcurrency in the pipeline.
  await mapLimit(files, Math.max(4, settings.maxConcurrency * 2), async (file): Promise<void> => {
    if (controller.signal.aborted) return;
    const uri = pathToFileURL(file).href;
    const result: FileResult = { path: shownPath(file), uri, findings: [] };
    results.push(result);
    try {
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(file);
      } catch (err) {
        result.error = err instanceof Error ? err.message : String(err);
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
      const lines = lineFilter?.get(file);
      const run = await reviewDocument(deps, doc, {
        signal: controller.signal,
        priority: 0,
        only: lines === undefined || lines === 'all' ? undefined : (chunk) => overlaps(lines, chunk.start, chunk.end),
        onChunkDone: showProgress,
      });
      result.findings = dedupeFindings(run.outcomes.flatMap((o) => o.found ?? []))
        .map((f): CliFinding => (f.replacement === undefined ? { range: f.range, severity: f.severity, message: f.message } : { range: f.range, severity: f.severity, message: f.message, replacement: f.replacement }))
        .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
      const failed = run.outcomes.filter((o) => o.error && o.error.kind !== 'cancelled');
      if (failed.length > 0) {
        // Whatever the reason (no key, an outage, a timeout, answers that were not JSON), the
        // review is not complete: that is exit 3, never a green run.
        incomplete = true;
        result.incomplete = `${failed.length} of ${run.outcomes.length} part${run.outcomes.length === 1 ? '' : 's'} not reviewed: ${(failed[0]?.error as ModelError).message}`;
      }
    } finally {
      done++;
      showProgress();
    }
  });
  progress.clear();
  await Promise.all([pipeline.flush(), usage.flush()]);
  if (controller.signal.aborted) {
    say('codex-lsp review: interrupted');
    return 130;
  }

  // --fix: the replacements, applied exactly, or shown as a diff (paths as git sees them).
  if (args.fix) {
    for (const r of results) {
      const abs = fileURLToPath(r.uri);
      const original = originals.get(abs);
      if (!original || !r.findings.some((f) => f.replacement !== undefined)) continue;
      const text = original.bytes.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(original.bytes)) {
        say(`codex-lsp review: ${r.path} is not valid UTF-8; not fixed`);
        continue;
      }
      const before = original.bom ? text.slice(1) : text;
      const fixed = applyFixes(before, r.findings);
      if (fixed.applied === 0) continue;
      const after = (original.bom ? '\uFEFF' : '') + fixed.text;
      if (args.dryRun) {
        const diffPath = repo ? toPosix(path.relative(repo, abs)) : r.path;
        io.stdout.write(unifiedDiff(diffPath, text, after));
        continue;
      }
      try {
        const target = await fs.realpath(abs);
        // Only when the file is still as it was reviewed: never overwrite an edit made meanwhile.
        if (!(await fs.readFile(target)).equals(original.bytes)) {
          say(`codex-lsp review: ${r.path} changed during the review; not fixed`);
          continue;
        }
        const st = await fs.stat(target);
        const tmp = `${target}.codex-lsp-${process.pid}.tmp`;
        await fs.writeFile(tmp, after);
        // The file keeps its mode (writeFile's mode is subject to the umask).
        await fs.chmod(tmp, st.mode & 0o7777);
        await fs.rename(tmp, target);
        say(`codex-lsp review: fixed ${fixed.applied} finding${fixed.applied === 1 ? '' : 's'} in ${r.path}${fixed.skipped ? ` (${fixed.skipped} overlapping, left)` : ''}`);
        // The fixed findings are reported no more; the others (no fix, or overlapping) still are.
        const applied = new Set(fixed.appliedFindings);
        r.findings = r.findings.filter((f) => !applied.has(f));
      } catch (err) {
        say(`codex-lsp review: could not write ${r.path}: ${err instanceof Error ? err.message : String(err)}`);
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
    // stdout holds the diff alone (it can go to `git apply`); the findings go to stderr.
    io.stderr.write(end(formatText(results, summary, { color: false })));
  } else if (args.format === 'json') io.stdout.write(end(formatJson(results, summary)));
  else if (args.format === 'sarif') io.stdout.write(end(formatSarif(results, { toolVersion: VERSION, root: top, executionSuccessful: !incomplete })));
  else io.stdout.write(end(formatText(results, summary, { color: io.stdout.isTTY === true && !io.env.NO_COLOR })));

  // A usage error says the run was not what was asked; an incomplete review that it cannot be trusted.
  if (found.missing.length > 0) return EXIT.usage;
  if (incomplete) return EXIT.unreachable;
  return failed ? EXIT.findings : EXIT.clean;
}

/** The deepest folder that holds every path (a file's folder for one file); undefined for none. */
function commonFolder(paths: readonly string[]): string | undefined {
  if (paths.length === 0) return undefined;
  const folders = paths.map((p) => {
    try {
      return statSync(p).isDirectory() ? p : path.dirname(p);
    } catch {
      return path.dirname(p);
    }
  });
  let common = folders[0] as string;
  for (const f of folders.slice(1)) {
    while (common !== path.dirname(common) && !(f === common || f.startsWith(common + path.sep))) common = path.dirname(common);
  }
  return common;
}
