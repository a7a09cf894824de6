import {
  DiagnosticSeverity,
  DocumentDiagnosticReportKind,
  type Diagnostic,
  type DocumentDiagnosticParams,
  type DocumentDiagnosticReport,
  type Range,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { ModelError } from '../model/gateway';
import { anchorFinding, linesOf, reanchor, type LineSource } from '../review/anchor';
import { chunkContext, chunkDocument, type Chunk } from '../review/chunker';
import { dedupeFindings, parseFindings, type Severity } from '../review/findings';
import { buildReviewRequest } from '../review/prompt';
import { languageOf } from '../text/language';
import { createIgnoreMatcher } from '../privacy/ignore';
import { maskedView } from '../privacy/masked-view';
import { displayPath } from '../util/uri';
import type { Services } from './services';

/** Files above these are not reviewed (said once per file in the log): a review of them costs too much. */
export const MAX_REVIEW_BYTES = 512 * 1024;
export const MAX_REVIEW_LINES = 10_000;
/**
 * Files that are not code worth paying to review (they can still be hovered): lock files,
 * minified and generated artefacts, vendored trees, commit messages and plain text.
 */
export const REVIEW_SKIP: readonly string[] = [
  'node_modules/', '.git/', 'vendor/', '*.lock', 'package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'go.sum',
  'Cargo.lock', 'poetry.lock', 'composer.lock', 'Gemfile.lock', '*.min.js', '*.min.css', '*.map', '*.svg',
  'COMMIT_EDITMSG', 'MERGE_MSG', 'git-rebase-todo',
];
const SKIP_LANGUAGES = new Set(['plaintext', 'log', 'gitcommit', 'git-commit', 'gitrebase', 'git-rebase', 'diff', 'csv', 'tsv']);
const reviewSkip = createIgnoreMatcher(REVIEW_SKIP, []);

/** Findings kept per chunk after validation (the prompt asks for at most 10). */
const MAX_FINDINGS_PER_CHUNK = 25;
/** Quiet time before published findings are re-anchored on edited text. */
const REANCHOR_DELAY_MS = 150;

export interface StoredFinding {
  range: Range;
  severity: Severity;
  message: string;
  replacement?: string;
  /** Whether `text` is the model's quote (an exact anchor) or just the marked line. */
  exact: boolean;
  /** The document text under `range`, used to find the finding again after edits. */
  text: string;
}

/** What a diagnostic carries in `data`: enough to apply its fix with no model call. */
export interface FindingData {
  replacement: string;
  text: string;
  version: number;
}

interface DocState {
  uri: string;
  version: number;
  touched: number;
  controller?: AbortController;
  reviewingVersion?: number;
  debounce?: NodeJS.Timeout;
  reanchorTimer?: NodeJS.Timeout;
  findings: StoredFinding[];
  findingsVersion: number;
  resultId: number;
  tooLargeLogged?: boolean;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * AI review diagnostics: reviews on open and save (and after typing stops, with trigger
 * "change"), chunk by chunk through the cached pipeline; anchors findings on the exact text
 * of the version reviewed; never lets a result for an old version replace a newer one.
 */
export class ReviewFeature {
  private readonly states = new Map<string, DocState>();
  private touchCounter = 0;
  private pull = false;
  private resultCounter = 0;
  /** Reviews started, for tests and the benchmark (`codex.usage` shows model calls). */
  reviewsStarted = 0;

  constructor(private readonly s: Services) {}

  capabilities(): Partial<ServerCapabilities> {
    const caps = this.s.capabilities;
    // Pull only where the client can also be told to pull again when a review lands.
    this.pull = caps.textDocument?.diagnostic !== undefined && caps.workspace?.diagnostics?.refreshSupport === true;
    return this.pull ? { diagnosticProvider: { identifier: 'codex', interFileDependencies: false, workspaceDiagnostics: false } } : {};
  }

  get usesPull(): boolean {
    return this.pull;
  }

  /** The findings currently shown for a document (code actions read them). */
  findingsFor(uri: string): { findings: readonly StoredFinding[]; version: number } | undefined {
    const st = this.states.get(uri);
    return st ? { findings: st.findings, version: st.findingsVersion } : undefined;
  }

  private state(doc: TextDocument): DocState {
    let st = this.states.get(doc.uri);
    if (!st) {
      st = { uri: doc.uri, version: doc.version, touched: 0, findings: [], findingsVersion: doc.version, resultId: 0 };
      this.states.set(doc.uri, st);
    }
    return st;
  }

  opened(doc: TextDocument): void {
    const st = this.state(doc);
    st.version = doc.version;
    st.touched = ++this.touchCounter;
    this.startReview(st);
  }

  changed(doc: TextDocument): void {
    const st = this.states.get(doc.uri);
    if (!st || doc.version === st.version) return;
    st.version = doc.version;
    st.touched = ++this.touchCounter;
    // The review in flight is for text that no longer exists.
    this.abort(st);
    if (st.findings.length > 0) {
      clearTimeout(st.reanchorTimer);
      st.reanchorTimer = setTimeout(() => this.reanchorShown(st), REANCHOR_DELAY_MS);
    }
    const settings = this.s.config.settings.diagnostics;
    if (settings.trigger !== 'change') return;
    clearTimeout(st.debounce);
    // Trailing edge, per document: a burst of edits leads to one review of the final text.
    st.debounce = setTimeout(() => {
      st.debounce = undefined;
      this.startReview(st);
    }, settings.debounceMs);
  }

  saved(doc: TextDocument): void {
    const st = this.state(doc);
    st.touched = ++this.touchCounter;
    clearTimeout(st.debounce);
    st.debounce = undefined;
    // A review of this very version is already under way (opened and saved at once).
    if (st.controller && st.reviewingVersion === doc.version) return;
    this.startReview(st);
  }

  closed(uri: string): void {
    const st = this.states.get(uri);
    if (!st) return;
    this.abort(st);
    clearTimeout(st.debounce);
    clearTimeout(st.reanchorTimer);
    this.states.delete(uri);
    if (!this.pull) this.s.client.publishDiagnostics(uri, []);
  }

  /** Settings changed: turning reviews off or ignoring a file takes its diagnostics away at once. */
  configurationChanged(): void {
    for (const st of this.states.values()) {
      if (!this.s.config.settings.diagnostics.enabled || this.s.privacy.isIgnored(st.uri)) {
        this.abort(st);
        this.setFindings(st, [], st.version);
      }
    }
  }

  /** `textDocument/diagnostic`: answers from what is known now; a review landing later triggers a refresh. */
  pullDiagnostics(params: DocumentDiagnosticParams): DocumentDiagnosticReport {
    const st = this.states.get(params.textDocument.uri);
    if (!st) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    const resultId = `${st.resultId}`;
    if (params.previousResultId === resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId };
    return { kind: DocumentDiagnosticReportKind.Full, resultId, items: this.toDiagnostics(st) };
  }

  private abort(st: DocState): void {
    st.controller?.abort();
    st.controller = undefined;
    st.reviewingVersion = undefined;
  }

  private startReview(st: DocState): void {
    void this.review(st).catch((err: unknown) => {
      this.s.log.error(`review of ${st.uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    });
  }

  private async review(st: DocState): Promise<void> {
    await this.s.ready;
    const doc = this.s.documents.get(st.uri);
    if (!doc || this.states.get(st.uri) !== st) return;
    const settings = this.s.config.settings;
    if (!settings.diagnostics.enabled) return;
    if (this.s.privacy.isIgnored(doc.uri)) {
      this.s.log.debug(() => `review: ${doc.uri} matches an ignore glob; not sent`);
      return;
    }
    if (reviewSkip.ignores(doc.uri) || SKIP_LANGUAGES.has(doc.languageId)) {
      this.s.log.debug(() => `review: ${doc.uri} (${doc.languageId}) is not code worth reviewing; skipped`);
      return;
    }
    // No key, rejected key...: the user has been told; reviews wait for the configuration to change.
    if (this.s.gateway.blockedReason()) return;
    const text = doc.getText();
    if (Buffer.byteLength(text) > MAX_REVIEW_BYTES || doc.lineCount > MAX_REVIEW_LINES) {
      if (!st.tooLargeLogged) {
        st.tooLargeLogged = true;
        this.s.log.info(`review: ${displayPath(doc.uri, this.s.roots)} is not reviewed: ${doc.lineCount} lines, ${Math.round(Buffer.byteLength(text) / 1024)} KB (limit ${MAX_REVIEW_LINES} lines, ${MAX_REVIEW_BYTES / 1024} KB)`);
      }
      return;
    }

    this.abort(st);
    const controller = new AbortController();
    st.controller = controller;
    const version = doc.version;
    st.reviewingVersion = version;
    this.reviewsStarted++;

    const file = displayPath(doc.uri, this.s.roots);
    const language = languageOf(doc.languageId, file);
    // Chunks and prompts come from the masked text (secrets are `*`, every position unchanged);
    // findings are anchored on the real text.
    const view = maskedView(doc, this.s.privacy, 'review');
    const chunks = chunkDocument(view).filter((c) => c.lines.some((l) => l.trim() !== ''));
    const lines = linesOf(text);
    const progress = await this.s.client.beginProgress(`Reviewing ${file.split('/').pop() ?? file}`, chunks.length > 1 ? `0/${chunks.length} parts` : undefined);
    let done = 0;
    try {
      const results = await Promise.all(
        chunks.map(async (chunk) => {
          const found = await this.reviewChunk(view, chunk, lines, language, file, st.touched, controller.signal);
          done++;
          if (chunks.length > 1) progress.report(`${done}/${chunks.length} parts`, Math.round((100 * done) / chunks.length));
          return { chunk, found };
        }),
      );
      if (controller.signal.aborted || st.controller !== controller) return;
      st.controller = undefined;
      st.reviewingVersion = undefined;

      const next: StoredFinding[] = [];
      for (const { chunk, found } of results) {
        if (found) next.push(...found);
        else next.push(...this.previousIn(st, chunk, lines));
      }
      const current = this.s.documents.get(st.uri);
      if (!current || this.states.get(st.uri) !== st) return;
      // Published even when nothing changed: the client learns that the review is done.
      if (current.version === version) {
        this.setFindings(st, dedupeFindings(next), version, true);
      } else {
        // Computed for an old version: only what can be found again on the new text survives.
        this.setFindings(st, this.moveAll(next, linesOf(current.getText())), current.version, true);
      }
    } finally {
      progress.done();
    }
  }

  /** One chunk's findings, anchored on the reviewed text; undefined when the model could not answer. */
  private async reviewChunk(
    view: TextDocument,
    chunk: Chunk,
    lines: LineSource,
    language: string,
    file: string,
    priority: number,
    signal: AbortSignal,
  ): Promise<StoredFinding[] | undefined> {
    const ctx = chunkContext(view, chunk);
    const base = buildReviewRequest({ language, file, imports: ctx.imports, headers: ctx.headers, lines: chunk.lines });
    const req = {
      ...base,
      instructions: this.s.privacy.redact(base.instructions, 'review'),
      input: this.s.privacy.redact(base.input, 'review'),
      priority,
      signal,
    };
    let json: unknown;
    try {
      json = (await this.s.pipeline.run(req)).json;
    } catch (err) {
      if (err instanceof ModelError && err.kind === 'cancelled') return undefined;
      this.s.log.warn(`review of ${file} lines ${chunk.start + 1}-${chunk.end}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    const parsed = parseFindings(json, { maxFindings: MAX_FINDINGS_PER_CHUNK });
    const dropped = [...parsed.dropped];
    const window = { start: chunk.start, end: chunk.end };
    const out: StoredFinding[] = [];
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
      const stored: StoredFinding = { range: anchor.range, severity: f.severity, message: f.message, exact: anchor.exact, text: anchor.text };
      if (replacement !== undefined) stored.replacement = replacement;
      out.push(stored);
    }
    if (dropped.length > 0) this.s.log.info(`review of ${file} lines ${chunk.start + 1}-${chunk.end}: dropped ${dropped.length} unusable finding(s): ${dropped.slice(0, 5).join('; ')}`);
    return out;
  }

  /** The findings shown before inside a chunk that could not be reviewed now: kept, not lost. */
  private previousIn(st: DocState, chunk: Chunk, lines: LineSource): StoredFinding[] {
    const inside = st.findings.filter((f) => f.range.start.line >= chunk.start && f.range.start.line < chunk.end);
    return this.moveAll(inside, lines);
  }

  private moveAll(findings: readonly StoredFinding[], lines: LineSource): StoredFinding[] {
    const out: StoredFinding[] = [];
    for (const f of findings) {
      const a = reanchor(lines, { line: f.range.start.line, text: f.text, exact: f.exact });
      if (a) out.push({ ...f, range: a.range, text: a.text });
    }
    return dedupeFindings(out);
  }

  /** After edits, published findings follow their text (or go away with it) until the next review. */
  private reanchorShown(st: DocState): void {
    st.reanchorTimer = undefined;
    const doc = this.s.documents.get(st.uri);
    if (!doc || this.states.get(st.uri) !== st || doc.version === st.findingsVersion) return;
    const moved = this.moveAll(st.findings, linesOf(doc.getText()));
    this.setFindings(st, moved, doc.version);
  }

  private setFindings(st: DocState, findings: StoredFinding[], version: number, always = false): void {
    const same = !always && version === st.findingsVersion && JSON.stringify(findings) === JSON.stringify(st.findings);
    st.findings = findings;
    st.findingsVersion = version;
    if (same) return;
    st.resultId = ++this.resultCounter;
    if (this.pull) this.s.client.refreshDiagnostics();
    else this.s.client.publishDiagnostics(st.uri, this.toDiagnostics(st), version);
  }

  private toDiagnostics(st: DocState): Diagnostic[] {
    return st.findings.map((f) => {
      const d: Diagnostic = { range: f.range, severity: SEVERITY[f.severity], source: 'codex', message: f.message };
      if (f.replacement !== undefined) {
        const data: FindingData = { replacement: f.replacement, text: f.text, version: st.findingsVersion };
        d.data = data;
      }
      return d;
    });
  }
}
