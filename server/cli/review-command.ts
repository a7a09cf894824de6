import { setMaxListeners } from 'node:events';
import { existsSync, promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { findProjectFile, readProjectFile } from '../config/project';
import { ConfigStore } from '../config/store';
import { ModelError, ModelGateway, type EndpointConfig, type ProblemKind } from '../model/gateway';
import { endpointConfig } from '../model/endpoint';
import { ContextService } from '../context/context-service';
import { ModelChoices } from '../model/model-choice';
import { summarize, UsageLedger } from '../model/usage-ledger';
import { DiskCache } from '../pipeline/disk-cache';
import { Pipeline } from '../pipeline/pipeline';
import { Privacy } from '../privacy/privacy';
import { dedupeFindings } from '../review/findings';
import { reviewDocument, reviewSkipReason, type ReviewDeps } from '../review/review-document';
import { languageOf } from '../text/language';
import { Logger, type LogLevel } from '../util/log';
import { makeDir } from '../util/make-dir';
import { VERSION } from '../version';
import { parseReviewArgs, REVIEW_HELP, UsageError, type ReviewArgs } from './args';
import { readBaseline } from './baseline';
import { findFiles, isGlobPattern } from './files';
import { gateFindings } from './gate';
import { isInside, selectFiles, type Selection } from './select';
import { stagedText } from './staged';
import { applyFixes, unifiedDiff } from './fix';
import { formatPrompts, type PromptEntry } from './show-prompts';
import { formatJson, formatSarif, formatText, oneBased, SEVERITIES, type FileResult, type RunSummary, type Severity } from './format';
import { gitRoot, isCommit, mapLimit, type LineRange } from './git';

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
  // A cache folder that cannot be created: memory only, said once (never a hang, never a stop).
  const cacheProblem = await makeDir(snap.cacheDir).then(() => undefined, (err: unknown) => (err instanceof Error ? err.message : String(err)));
  if (cacheProblem !== undefined) say(`codex-lsp review: warning: the cache folder ${snap.cacheDir} cannot be created (${cacheProblem}); answers are kept in memory only for this run`);
  const usage = new UsageLedger(cacheProblem === undefined ? path.join(snap.cacheDir, 'usage') : undefined, log);
  const endpoint = (): EndpointConfig => endpointConfig(snap);
  const choices = new ModelChoices(cacheProblem === undefined ? path.join(snap.cacheDir, 'model-choices.json') : undefined, log);
  const gateway = new ModelGateway(
    endpoint,
    log,
    usage,
    problems,
    { noKey: 'codex-lsp review: no API key. Set CODEX_LSP_API_KEY or COMETAPI_KEY (also read: COMETAPI_API_KEY, OPENAI_API_KEY) in the environment; in CI, from a secret.' },
    choices,
  );
  const disk = settings.cache.enabled && cacheProblem === undefined ? new DiskCache(snap.cacheDir, settings.cache.maxDiskMB * 1024 * 1024, log) : undefined;
  const privacy = new Privacy(log);
  privacy.configure(settings.ignore, roots, settings.ignoreAnyCase);
  const pipeline = new Pipeline(
    gateway,
    disk,
    usage,
    log,
    // Every prompt is redacted here, before its cache key and before it leaves.
    { endpoint: () => ({ baseUrl: settings.baseUrl, model: gateway.currentModel() }), cacheEnabled: () => settings.cache.enabled, redactor: privacy },
    settings.maxConcurrency,
  );
  // The same syntax and cross-file context as the editor (the files each file imports), so
  // that both send the same prompts and share cached answers. No workspace index is built.
  const context = new ContextService({
    log,
    settings: () => settings,
    roots: () => [top],
    isIgnored: (file) => privacy.isIgnored(pathToFileURL(file).href),
    openDocument: () => undefined,
    openDocuments: () => [],
    mask: (text) => privacy.mask(text, 'workspace index'),
  });
  const deps: ReviewDeps = { pipeline, privacy, log, roots, context };

  // Which files, and with --changed/--staged which lines.
  let found;
  try {
    found = await findFiles(args.paths, { cwd, root: projectDir, ignore: settings.ignore, contain: top });
  } catch (err) {
    say(`codex-lsp review: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.usage;
  }
  // A wrong argument stops the run before any model call: no summary, nothing spent.
  if (found.missing.length > 0) {
    for (const m of found.missing) {
      if (m === args.changedWord) say(`codex-lsp review: "${m}" is neither a git revision (a branch, tag or commit here) nor a file; for a base that is also a path, write --changed=${m}`);
      else say(`codex-lsp review: no such file or nothing matches: ${m}`);
    }
    return EXIT.usage;
  }
  let baseline: Set<string> | undefined;
  if (args.baseline !== undefined) {
    try {
      baseline = await readBaseline(path.resolve(cwd, args.baseline));
    } catch (err) {
      say(`codex-lsp review: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT.usage;
    }
  }
  // Links resolved, and with --changed/--staged only what changed (see select.ts).
  let selection: Selection;
  try {
    selection = await selectFiles(found.files, args, { cwd, repo, top, projectDir, ignore: settings.ignore });
  } catch (err) {
    say(`codex-lsp review: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.usage;
  }
  const { files, plans } = selection;

  const shownPath = (f: string): string => toPosix(path.relative(cwd, f)) || path.basename(f);
  const results: FileResult[] = [];
  for (const f of found.ignored) results.push({ path: shownPath(f), uri: pathToFileURL(f).href, findings: [], skipped: 'matches an "ignore" glob; never sent' });
  for (const f of found.binary) results.push({ path: shownPath(f), uri: pathToFileURL(f).href, findings: [], skipped: 'binary' });
  for (const l of selection.skipped) results.push({ path: shownPath(l.file), uri: pathToFileURL(l.file).href, findings: [], skipped: l.reason });
  const tally = { unlocated: 0, suppressed: 0, known: 0, outsideChange: 0 };

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

  // --show-prompts: the requests each part would send, collected instead of sent.
  const prompts: PromptEntry[] | undefined = args.showPrompts ? [] : undefined;
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
        // --staged: the index's content, what the commit records (repo is set: checked above).
        bytes = args.staged && repo ? Buffer.from(await stagedText(repo, toPosix(path.relative(repo, file))), 'utf8') : await fs.readFile(file);
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
      const plan = plans?.get(file);
      const lines = plan?.review;
      const run = await reviewDocument(deps, doc, {
        signal: controller.signal,
        priority: 0,
        only: lines === undefined || lines === 'all' ? undefined : (chunk) => overlaps(lines, chunk.start, chunk.end),
        onChunkDone: showProgress,
        ...(prompts ? { preview: (chunk, request) => prompts.push({ path: result.path, lines: { start: chunk.start + 1, end: chunk.end }, cached: request.cached, request }) } : {}),
      });
      const gate = gateFindings({
        findings: dedupeFindings(run.outcomes.flatMap((o) => o.found ?? [])),
        lines: run.lines,
        relPath: path.relative(top, file),
        decide: plan?.decide ?? 'all',
        baseline,
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
  progress.clear();
  if (prompts) {
    // Nothing was sent: the requests are the output, skipped and unreadable files on stderr.
    for (const r of results) if (r.skipped !== undefined || r.error !== undefined) say(`codex-lsp review: ${r.path}: ${r.skipped !== undefined ? `skipped: ${r.skipped}` : `not read: ${r.error}`}`);
    io.stdout.write(formatPrompts(prompts, settings.prices, args.format === 'json' ? 'json' : 'text'));
    return EXIT.clean;
  }
  // The disk cache is within cache.maxDiskMB when the command exits.
  await Promise.all([pipeline.flush().then(() => disk?.trim()), usage.flush(), choices.flush()]);
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
      // Of two overlapping fixes only one can be applied: the other is named, never dropped silently.
      const applied = new Set(fixed.appliedFindings);
      for (const f of r.findings) {
        if (f.replacement === undefined || applied.has(f)) continue;
        const { line, column } = oneBased(f.range);
        say(`codex-lsp review: ${r.path}:${line}:${column}: fix not applied: it overlaps another fix (${f.message}); the finding stays reported`);
      }
      if (fixed.applied === 0) continue;
      const after = (original.bom ? '\uFEFF' : '') + fixed.text;
      if (args.dryRun) {
        const diffPath = repo ? toPosix(path.relative(repo, abs)) : r.path;
        io.stdout.write(unifiedDiff(diffPath, text, after));
        continue;
      }
      let tmp: string | undefined;
      try {
        const target = await fs.realpath(abs);
        // Never through a link out of the repository (one made since the listing checked).
        if (!isInside(await fs.realpath(top).catch(() => top), target)) {
          say(`codex-lsp review: ${r.path} now leads outside the repository (${target}); not fixed`);
          continue;
        }
        // Only when the file is still as it was reviewed: never overwrite an edit made meanwhile.
        if (!(await fs.readFile(target)).equals(original.bytes)) {
          say(`codex-lsp review: ${r.path} changed during the review; not fixed`);
          continue;
        }
        const st = await fs.stat(target);
        tmp = `${target}.codex-lsp-${process.pid}.tmp`;
        await fs.writeFile(tmp, after);
        // The file keeps its mode (writeFile's mode is subject to the umask).
        await fs.chmod(tmp, st.mode & 0o7777);
        await fs.rename(tmp, target);
        tmp = undefined;
        say(`codex-lsp review: fixed ${fixed.applied} finding${fixed.applied === 1 ? '' : 's'} in ${r.path}${fixed.skipped ? ` (${fixed.skipped} overlapping, left)` : ''}${args.staged ? ' (in the working tree: git add it to commit the fix)' : ''}`);
        // The fixed findings are reported no more; the others (no fix, or overlapping) still are.
        r.findings = r.findings.filter((f) => !applied.has(f));
      } catch (err) {
        say(`codex-lsp review: could not write ${r.path}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        // A write that failed half-way leaves nothing behind in the repository.
        if (tmp !== undefined) await fs.rm(tmp, { force: true }).catch(() => undefined);
      }
    }
  }

  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  // Notes whose quote is not in the file are shown, never counted.
  for (const r of results) for (const f of r.findings) if (f.located !== false) counts[f.severity]++;
  const failRank = SEVERITIES.indexOf(args.failOn);
  const failed = results.some((r) => r.findings.some((f) => f.located !== false && SEVERITIES.indexOf(f.severity) <= failRank));
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
    ...tally,
  };
  results.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const end = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);
  if (args.fix && args.dryRun) {
    // stdout holds the diff alone (it can go to `git apply`); the findings go to stderr.
    io.stderr.write(end(formatText(results, summary, { color: false })));
  } else if (args.format === 'json') io.stdout.write(end(formatJson(results, summary)));
  else if (args.format === 'sarif') io.stdout.write(end(formatSarif(results, { toolVersion: VERSION, root: top, executionSuccessful: !incomplete, baseline: baseline !== undefined })));
  else io.stdout.write(end(formatText(results, summary, { color: io.stdout.isTTY === true && !io.env.NO_COLOR })));

  // An incomplete review cannot be trusted.
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
