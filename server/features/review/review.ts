import {
  DiagnosticSeverity,
  DocumentDiagnosticRequest,
  DocumentDiagnosticReportKind,
  type Diagnostic,
  type DocumentDiagnosticParams,
  type DocumentDiagnosticReport,
  type Range,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ProgressHandle } from '../../lsp/client';
import { follow, linesOf, type LineSource } from '../../review/anchor';
import type { Chunk } from '../../review/chunker';
import { dedupeFindings, type Severity } from '../../review/findings';
import { moveFindings, reviewDocument, reviewSkipReason, type StoredFinding } from '../../review/review-document';
import { applySuppressions } from '../../review/suppress';
import { displayPath } from '../../util/uri';
import { request, type DocumentEvents, type Feature } from '../feature';
import type { Services } from '../services';
import { budgetReached } from '../usage/usage-command';

/** Quiet time before published findings are re-anchored on edited text. */
const REANCHOR_DELAY_MS = 150;

/** What a diagnostic carries in `data`: enough to apply its fix with no model call. */
export interface FindingData {
  replacement: string;
  text: string;
  version: number;
  lines: string[];
}

interface ActiveReview {
  seq: number;
  version: number;
  controller: AbortController;
}

interface DocState {
  uri: string;
  version: number;
  touched: number;
  /** Reviews running for this document; an older one is aborted when a newer one lands. */
  active: ActiveReview[];
  /** Sequence numbers: a review that lands aborts those started before it (see review()). */
  seq: number;
  /** Reviews started and not ended, those still waiting (for the first settings, the budget check) included. */
  running: number;
  /** The version the last completed review was of (undefined: never reviewed, e.g. no key yet). */
  reviewedVersion?: number;
  /** The last review left parts unreviewed (no key, over budget, the endpoint failing). */
  incomplete?: boolean;
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
export class ReviewFeature implements Feature {
  readonly id = 'review';
  private readonly states = new Map<string, DocState>();
  private touchCounter = 0;
  private resultCounter = 0;
  /** Reviews started, for tests and the benchmark (`codex.usage` shows model calls). */
  reviewsStarted = 0;

  constructor(private readonly s: Services) {}

  /** Pull diagnostics only where the client can also be told to pull again when a review lands. */
  private get pull(): boolean {
    const caps = this.s.capabilities;
    return caps.textDocument?.diagnostic !== undefined && caps.workspace?.diagnostics?.refreshSupport === true;
  }

  readonly requests = [request(DocumentDiagnosticRequest.type, (params) => this.pullDiagnostics(params))];
  readonly documents: DocumentEvents = {
    opened: (doc) => this.opened(doc),
    changed: (doc) => this.changed(doc),
    saved: (doc) => this.saved(doc),
    closed: (uri) => this.closed(uri),
  };

  capabilities(): Partial<ServerCapabilities> {
    return this.pull ? { diagnosticProvider: { identifier: 'codex', interFileDependencies: false, workspaceDiagnostics: false } } : {};
  }

  /**
   * The findings for the document as it is now (code actions read them): if it changed since
   * they were shown, they are found again on the current text first, or left out.
   */
  findingsFor(doc: TextDocument): { findings: readonly StoredFinding[]; version: number } | undefined {
    const st = this.states.get(doc.uri);
    if (!st) return undefined;
    if (st.findingsVersion === doc.version) return { findings: st.findings, version: st.findingsVersion };
    return { findings: moveFindings(st.findings, linesOf(doc.getText())), version: doc.version };
  }

  /** One finding found again on the current text, by its lines, else by the text it marked. */
  relocate(doc: TextDocument, placed: { range: Range; text: string; lines: readonly string[] }): Range | undefined {
    return follow(linesOf(doc.getText()), { ...placed, exact: true })?.range;
  }

  private state(doc: TextDocument): DocState {
    let st = this.states.get(doc.uri);
    if (!st) {
      st = { uri: doc.uri, version: doc.version, touched: 0, active: [], seq: 0, running: 0, findings: [], findingsVersion: doc.version, resultId: 0 };
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
    // A review in flight goes on: its unchanged parts are paid for and the next review shares
    // them; its result is re-anchored on the newer text, and it is aborted once a newer one lands.
    if (st.findings.length > 0) {
      clearTimeout(st.reanchorTimer);
      st.reanchorTimer = setTimeout(() => this.reanchorShown(st), REANCHOR_DELAY_MS);
    }
    const settings = this.s.scopeFor(doc.uri).config.settings.diagnostics;
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
    if (st.active.some((r) => r.version === doc.version)) return;
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

  /**
   * Settings changed: turning reviews off or ignoring a file takes its diagnostics away at
   * once; a document that could not be reviewed before (reviews off, no key, ignored) is
   * reviewed now that it can be.
   */
  configurationChanged(): void {
    for (const st of this.states.values()) {
      const scope = this.s.scopeFor(st.uri);
      if (!scope.config.settings.diagnostics.enabled || scope.privacy.isIgnored(st.uri)) {
        this.abort(st);
        this.setFindings(st, [], st.version);
      } else if ((st.reviewedVersion === undefined || st.incomplete) && st.running === 0) {
        // Never (fully) reviewed (reviews were off, no key, ignored, over budget): now it may
        // be. A document merely edited since its review waits for its trigger, as always.
        this.startReview(st);
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
    for (const r of st.active) r.controller.abort();
    st.active = [];
  }

  private startReview(st: DocState): void {
    // Counted from the start, not from when it is in `active`: a document opened before the
    // first settings arrive is reviewed once, not again by the settings change that ends the wait.
    st.running++;
    void this.review(st)
      .catch((err: unknown) => {
        this.s.log.error(`review of ${st.uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      })
      .finally(() => st.running--);
  }

  private async review(st: DocState): Promise<void> {
    await this.s.ready;
    const doc = this.s.documents.get(st.uri);
    if (!doc || this.states.get(st.uri) !== st) return;
    let scope = this.s.scopeFor(doc.uri);
    if (!scope.config.settings.diagnostics.enabled) return;
    const skip = reviewSkipReason(doc, scope);
    if (skip) {
      // `codex-lsp-ignore-file` added since the last review: what was shown goes away.
      if (skip.kind === 'suppressed' && st.findings.length > 0) this.setFindings(st, [], doc.version);
      if (skip.kind === 'too-large' && !st.tooLargeLogged) {
        st.tooLargeLogged = true;
        this.s.log.info(`review: ${displayPath(doc.uri, scope.roots)} is not reviewed: ${skip.reason}`);
      } else {
        this.s.log.debug(() => `review: ${doc.uri} (${doc.languageId}): ${skip.reason}`);
      }
      return;
    }
    // No key, rejected key...: the user has been told; reviews wait for the configuration to change.
    if (scope.gateway.blockedReason()) return;
    // The daily budget stops automatic work only (hover and chosen actions still run); what the
    // cache can answer is free and still shown.
    const over = await budgetReached(this.s);
    if (over) {
      this.s.problems.report(
        'budget',
        `codex-lsp: today's estimated spend ($${over.spent.toFixed(2)}) reached the daily budget ($${over.budget.toFixed(2)}, "codex.budget.dailyUSD"). ` +
          `Automatic reviews are paused until tomorrow or a higher budget (answers already in the cache still show); hovers and the code actions you choose still run.`,
      );
    }
    if (this.states.get(st.uri) !== st) return;
    // The settings may have changed during that wait (the file is ignored now, reviews are off):
    // what goes to the model is decided by the settings in force when it is sent.
    scope = this.s.scopeFor(doc.uri);
    if (!scope.config.settings.diagnostics.enabled || reviewSkipReason(doc, scope)) return;

    const controller = new AbortController();
    const version = doc.version;
    const me: ActiveReview = { seq: ++st.seq, version, controller };
    st.active.push(me);
    this.reviewsStarted++;
    const name = displayPath(doc.uri, scope.roots).split('/').pop() ?? doc.uri;
    // Shown once a part actually goes to the model (not for answers from the cache, not while queued).
    let progress: ProgressHandle | undefined;
    let parts = { done: 0, total: 0 };
    try {
      const run = await reviewDocument({ ...scope, log: this.s.log }, doc, {
        signal: controller.signal,
        priority: st.touched,
        cacheOnly: over !== undefined,
        onStart: () => {
          progress ??= this.s.client.beginProgress(`Reviewing ${name}`, parts.total > 1 ? `${parts.done}/${parts.total} parts` : undefined);
        },
        onChunkDone: (done, total) => {
          parts = { done, total };
          if (total > 1) progress?.report(`${done}/${total} parts`, Math.round((100 * done) / total));
        },
      });
      // Aborted: the file was closed or became ignored, or a review started later has landed
      // (it aborts the older ones, below). Whatever this one found is not shown.
      if (controller.signal.aborted || this.states.get(st.uri) !== st) return;
      st.reviewedVersion = version;
      st.incomplete = run.outcomes.some((o) => o.error !== undefined);
      // Older reviews still running can only produce older results. Aborting them is what keeps
      // them from publishing after this one: a review stays in `active` until it ends.
      for (const r of st.active) if (r.seq < me.seq) r.controller.abort();
      st.active = st.active.filter((r) => r.seq > me.seq);

      const next: StoredFinding[] = [];
      for (const { chunk, found } of run.outcomes) {
        if (found) next.push(...found);
        else next.push(...this.previousIn(st, chunk, run.lines));
      }
      const current = this.s.documents.get(st.uri);
      if (!current) return;
      // Published even when nothing changed: the client learns that the review is done.
      if (current.version === version) {
        this.setFindings(st, dedupeFindings(next), version, true);
      } else {
        // Computed for an old version: only what can be found again on the new text survives.
        this.setFindings(st, moveFindings(next, linesOf(current.getText())), current.version, true);
      }
    } finally {
      st.active = st.active.filter((r) => r !== me);
      progress?.done();
    }
  }

  /** The findings shown before inside a chunk that could not be reviewed now: kept, not lost. */
  private previousIn(st: DocState, chunk: Chunk, lines: LineSource): StoredFinding[] {
    const inside = st.findings.filter((f) => f.range.start.line >= chunk.start && f.range.start.line < chunk.end);
    return moveFindings(inside, lines);
  }

  /** After edits, published findings follow their text (or go away with it) until the next review. */
  private reanchorShown(st: DocState): void {
    st.reanchorTimer = undefined;
    const doc = this.s.documents.get(st.uri);
    if (!doc || this.states.get(st.uri) !== st || doc.version === st.findingsVersion) return;
    const moved = moveFindings(st.findings, linesOf(doc.getText()));
    this.setFindings(st, moved, doc.version);
  }

  private setFindings(st: DocState, all: StoredFinding[], version: number, always = false): void {
    // A `codex-lsp-ignore` comment on a finding's line or the line above hides it (as in the CLI).
    const doc = this.s.documents.get(st.uri);
    const findings = doc && doc.version === version ? applySuppressions(linesOf(doc.getText()), all).kept : all;
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
        const data: FindingData = { replacement: f.replacement, text: f.text, version: st.findingsVersion, lines: f.lines };
        d.data = data;
      }
      return d;
    });
  }
}
