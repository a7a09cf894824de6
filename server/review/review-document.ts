import type { Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { ModelError, type OutgoingRequest } from '../model/gateway';
import type { Pipeline } from '../pipeline/pipeline';
import { createIgnoreMatcher, type IgnoreMatcher } from '../privacy/ignore';
import { documentBinaryReason } from '../privacy/binary';
import { maskedView } from '../privacy/masked-view';
import type { Privacy } from '../privacy/privacy';
import { languageOf } from '../text/language';
import type { Logger } from '../util/log';
import { shortHash, messageOf } from '../util/text';
import { displayPath } from '../util/uri';
import { anchorFinding, follow, linesAt, linesOf, type LineSource } from './anchor';
import { chunkContext, chunkDocument, type Chunk } from './chunker';
import { dedupeFindings, parseFindings, type Severity } from './findings';
import { relevantImports } from './imports';
import type { Parsed } from '../syntax/syntax';
import { buildReviewRequest } from './prompt';
import { FILE_MARK_LINES, fileSuppression } from './suppress';

/** Files above these are not reviewed: a review of them costs too much. */
const MAX_REVIEW_BYTES = 512 * 1024;
const MAX_REVIEW_LINES = 10_000;
/**
 * Files that are not code worth paying to review (they can still be hovered): lock files,
 * minified and generated artefacts, vendored trees, commit messages and plain text.
 */
const REVIEW_SKIP: readonly string[] = [
  'node_modules/',
  '.git/',
  'vendor/',
  '*.lock',
  'package-lock.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'go.sum',
  'Cargo.lock',
  'poetry.lock',
  'composer.lock',
  'Gemfile.lock',
  '*.min.js',
  '*.min.css',
  '*.map',
  '*.svg',
  'COMMIT_EDITMSG',
  'MERGE_MSG',
  'git-rebase-todo',
  '.codex-lsp.json',
];
/** Language ids of text that is not code (Neovim sends "text" and "help", VS Code "plaintext"). */
const SKIP_LANGUAGES = new Set([
  'plaintext',
  'text',
  'help',
  'man',
  'qf',
  'checkhealth',
  'log',
  'gitcommit',
  'git-commit',
  'gitrebase',
  'git-rebase',
  'diff',
  'csv',
  'tsv',
]);
/** Findings kept per chunk after validation (the prompt asks for at most 10). */
const MAX_FINDINGS_PER_CHUNK = 25;

export interface StoredFinding {
  range: Range;
  severity: Severity;
  message: string;
  replacement?: string;
  /** Whether `text` is the model's quote (an exact anchor) or just the marked line. */
  exact: boolean;
  /** The document text under `range`, used to find the finding again after edits. */
  text: string;
  /** The whole lines the range was on: they carry the finding through edits elsewhere. */
  lines: string[];
}

/** Syntax and definitions from other files (context/context-service.ts); without it, line heuristics only. */
export interface ReviewContext {
  parse(text: string, languageId: string, uri: string): Promise<Parsed | undefined>;
  /** The signatures a chunk's lines call from the files this file imports. */
  forReview(uri: string, text: string, languageId: string, parsed: Parsed | undefined): Promise<(lines: ReadonlyArray<readonly [number, number]>) => string[]>;
}

/** What the review needs; the server and the command line each provide it. */
export interface ReviewDeps {
  pipeline: Pipeline;
  privacy: Privacy;
  log: Logger;
  roots: readonly string[];
  context?: ReviewContext;
}

export interface ChunkOutcome {
  chunk: Chunk;
  /** Undefined when this part could not be reviewed now (see `error`). */
  found?: StoredFinding[];
  error?: ModelError;
}

export interface ReviewRun {
  /** The parts reviewed (all, or those `only` selected), in file order. */
  outcomes: ChunkOutcome[];
  /** All parts of the file, reviewed or not. */
  chunkCount: number;
  /** The text that was reviewed, as lines: findings are anchored on it. */
  lines: LineSource;
  version: number;
}

export type SkipReason = { kind: 'ignored' | 'binary' | 'not-code' | 'too-large' | 'suppressed'; reason: string };

const skipMatchers = new WeakMap<readonly string[], IgnoreMatcher>();

/** Why a document is not reviewed, if it is not: ignored or binary (privacy), not code, or too large. */
export function reviewSkipReason(doc: TextDocument, deps: Pick<ReviewDeps, 'privacy' | 'roots'>): SkipReason | undefined {
  if (deps.privacy.isIgnored(doc.uri)) return { kind: 'ignored', reason: 'matches an "ignore" glob; never sent' };
  const binary = documentBinaryReason(doc);
  if (binary) return { kind: 'binary', reason: binary };
  // Relative to the workspace: a project that itself lives under some vendor/ folder is still reviewed.
  let skip = skipMatchers.get(deps.roots);
  if (!skip) {
    skip = createIgnoreMatcher(REVIEW_SKIP, deps.roots);
    skipMatchers.set(deps.roots, skip);
  }
  if (skip.ignores(doc.uri) || SKIP_LANGUAGES.has(doc.languageId))
    return { kind: 'not-code', reason: 'not code worth reviewing (lock, minified, vendored or plain text)' };
  const bytes = Buffer.byteLength(doc.getText());
  if (bytes > MAX_REVIEW_BYTES || doc.lineCount > MAX_REVIEW_LINES) {
    return {
      kind: 'too-large',
      reason: `too large to review: ${doc.lineCount} lines, ${Math.round(bytes / 1024)} KB (limit ${MAX_REVIEW_LINES} lines, ${MAX_REVIEW_BYTES / 1024} KB)`,
    };
  }
  const head = linesOf(doc.getText({ start: { line: 0, character: 0 }, end: { line: FILE_MARK_LINES, character: 0 } }));
  const why = fileSuppression(head);
  if (why !== undefined) return { kind: 'suppressed', reason: `codex-lsp-ignore-file${why ? `: ${why}` : ''}` };
  return undefined;
}

export interface ReviewOptions {
  signal: AbortSignal;
  priority: number;
  /** Review only these parts (the command line's --changed); the others are left alone. */
  only?: (chunk: Chunk) => boolean;
  /** Called when a part goes to the model (not for cached answers). */
  onStart?: () => void;
  onChunkDone?: (done: number, total: number) => void;
  /** Over budget: answers from the cache only (free), no model call. */
  cacheOnly?: boolean;
  /**
   * Show, don't send: each part's request goes here exactly as it would leave the machine,
   * and no model is called (`codex-lsp review --show-prompts`).
   */
  preview?: (chunk: Chunk, request: OutgoingRequest & { cached: boolean }) => void;
}

/**
 * One review of a document, part by part, through the pipeline: the text is masked, chunked
 * and numbered exactly the same way for the editor and the command line, so each one's
 * answers are the other's cache hits.
 */
export async function reviewDocument(deps: ReviewDeps, doc: TextDocument, opts: ReviewOptions): Promise<ReviewRun> {
  const version = doc.version;
  const text = doc.getText();
  const file = displayPath(doc.uri, deps.roots);
  const language = languageOf(doc.languageId, file);
  // Chunks and prompts come from the masked text (secrets are `*`, every position unchanged);
  // findings are anchored on the real text.
  const view = maskedView(doc, deps.privacy, 'review');
  // Chunks end on top-level syntax boundaries where a grammar exists.
  const parsed = await deps.context?.parse(text, doc.languageId, doc.uri);
  const syntaxStarts = parsed?.topLevelStarts();
  const calledFromImports = await deps.context?.forReview(doc.uri, text, doc.languageId, parsed);
  const all = chunkDocument(view, syntaxStarts ? { syntaxStarts } : undefined).filter((c) => c.lines.some((l) => l.trim() !== ''));
  const chunks = opts.only ? all.filter(opts.only) : all;
  const lines = linesOf(text);
  let done = 0;
  const outcomes = await Promise.all(
    chunks.map(async (chunk): Promise<ChunkOutcome> => {
      // The signatures of what the chunk calls from other files.
      const definitions = calledFromImports?.([[chunk.start, chunk.end - 1]]) ?? [];
      const out = await reviewChunk(deps, view, chunk, lines, language, file, definitions, opts);
      opts.onChunkDone?.(++done, chunks.length);
      return out;
    }),
  );
  return { outcomes, chunkCount: all.length, lines, version };
}

async function reviewChunk(
  deps: ReviewDeps,
  view: TextDocument,
  chunk: Chunk,
  lines: LineSource,
  language: string,
  file: string,
  definitions: readonly string[],
  opts: ReviewOptions,
): Promise<ChunkOutcome> {
  const ctx = chunkContext(view, chunk);
  const imports = relevantImports(ctx.imports, chunk.lines);
  const base = buildReviewRequest({ language, file, imports, headers: ctx.headers, lines: chunk.lines, definitions });
  const req = {
    ...base,
    priority: opts.priority,
    signal: opts.signal,
    onStart: opts.onStart,
    cacheOnly: opts.cacheOnly,
    // Providers route requests with the same key to the same prompt cache: per file.
    cacheKey: `codex-lsp-review-${shortHash(file)}`,
    source: view.uri,
  };
  if (opts.preview) {
    opts.preview(chunk, await deps.pipeline.preview(req));
    return { chunk, found: [] };
  }
  let json: unknown;
  try {
    json = (await deps.pipeline.run(req)).json;
  } catch (err) {
    const error = err instanceof ModelError ? err : new ModelError('bad-request', messageOf(err));
    if (error.kind !== 'cancelled' && error.kind !== 'budget') deps.log.warn(`review of ${file} lines ${chunk.start + 1}-${chunk.end}: ${error.message}`);
    return { chunk, error };
  }
  const parsed = parseFindings(json, { maxFindings: MAX_FINDINGS_PER_CHUNK });
  const dropped = [...parsed.dropped];
  const window = { start: chunk.start, end: chunk.end };
  const found: StoredFinding[] = [];
  for (const f of parsed.findings) {
    const anchor = anchorFinding(lines, chunk.start + f.line - 1, f.quote, window);
    if (!anchor) {
      dropped.push(`line ${f.line} is outside the reviewed lines or the file`);
      continue;
    }
    let replacement = f.replacement;
    // A fix is only offered where its quote was found exactly, and never writes a redaction placeholder into code.
    if (replacement !== undefined && (!anchor.exact || replacement.includes('[REDACTED') || (/\*{8}/.test(replacement) && !/\*{8}/.test(anchor.text)))) {
      replacement = undefined;
    }
    const stored: StoredFinding = {
      range: anchor.range,
      severity: f.severity,
      message: f.message,
      exact: anchor.exact,
      text: anchor.text,
      lines: linesAt(lines, anchor.range),
    };
    if (replacement !== undefined) stored.replacement = replacement;
    found.push(stored);
  }
  if (dropped.length > 0)
    deps.log.info(`review of ${file} lines ${chunk.start + 1}-${chunk.end}: dropped ${dropped.length} unusable finding(s): ${dropped.slice(0, 5).join('; ')}`);
  return { chunk, found };
}

/** Findings carried onto other text (a newer version): those whose place is found again. */
export function moveFindings(findings: readonly StoredFinding[], lines: LineSource): StoredFinding[] {
  const out: StoredFinding[] = [];
  for (const f of findings) {
    const a = follow(lines, f);
    if (a) out.push({ ...f, range: a.range, text: a.text, lines: linesAt(lines, a.range) });
  }
  return dedupeFindings(out);
}
