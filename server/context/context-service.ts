import { pathToFileURL } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Settings } from '../config/settings';
import { Syntax, type Parsed } from '../syntax/syntax';
import { languageOf } from '../text/language';
import type { Logger } from '../util/log';
import { displayPath, uriToPath } from '../util/uri';
import { definitionsContext } from './definitions';
import { WorkspaceIndex } from './workspace-index';

/** The files the index reads (those with a grammar), for the client's file watcher. */
export const SOURCE_FILES_GLOB = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,py,pyi,go,rs,java,c,h,cc,cpp,cxx,hpp,hh,cs,rb,php,lua,sh,bash}';

/** Quiet time after an edit before the edited file is indexed again. */
const REINDEX_DELAY_MS = 300;
/** How long a review waits for the first index build, so its prompts do not change when the build ends. */
const REVIEW_WAIT_MS = 5000;

export interface ContextDeps {
  log: Logger;
  settings(): Settings;
  roots(): readonly string[];
  isIgnored(file: string): boolean;
  /** Open documents by path. */
  openDocument(file: string): TextDocument | undefined;
  /** All open documents (indexed from their text after a reset). */
  openDocuments(): readonly TextDocument[];
  /** Masks secrets, keeping every position (privacy.mask). */
  mask(text: string): string;
  /** How long a review waits for the first index build (default 5 s; the command line waits for all of it). */
  reviewWaitMs?: number;
}

/**
 * Context beyond the lines a feature shows: syntax trees (tree-sitter) for the languages that
 * have a grammar, and the signatures of what the code uses from other files of the workspace.
 */
export class ContextService {
  readonly syntax: Syntax;
  readonly index: WorkspaceIndex;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: ContextDeps) {
    this.syntax = new Syntax(deps.log);
    this.index = new WorkspaceIndex(this.syntax, deps.log, deps.isIgnored, deps.mask);
  }

  private enabled(): boolean {
    const c = this.deps.settings().context;
    return c.workspace && c.maxFiles > 0;
  }

  private limits(): { maxFiles: number; maxFileBytes: number } {
    const c = this.deps.settings().context;
    return { maxFiles: c.maxFiles, maxFileBytes: c.maxFileKB * 1024 };
  }

  /** Starts the background build once it is wanted (and again after a reset). */
  private ensureIndex(): void {
    if (this.enabled() && this.deps.roots().length > 0) {
      void this.index.build(this.deps.roots(), this.limits(), (file) => this.deps.openDocument(file) !== undefined);
    }
  }

  /** Settings or folders changed: what was indexed may now be ignored, or unwanted. */
  reconfigure(): void {
    this.index.reset();
    this.ensureIndex();
    for (const doc of this.deps.openDocuments()) this.changed(doc);
  }

  opened(doc: TextDocument): void {
    this.syntax.warm(languageOf(doc.languageId, doc.uri));
    this.ensureIndex();
    this.changed(doc);
  }

  closed(uri: string): void {
    this.syntax.forget(uri);
  }

  /** An open document's text is the truth for its file: parsed and indexed shortly after typing stops. */
  changed(doc: TextDocument): void {
    const file = uriToPath(doc.uri);
    if (!file) return;
    clearTimeout(this.timers.get(file));
    this.timers.set(
      file,
      setTimeout(() => {
        this.timers.delete(file);
        const current = this.deps.openDocument(file);
        if (!current) return;
        // Parsed now, in the background: the next hover finds the tree ready.
        void this.parse(current.getText(), current.languageId, current.uri);
        void this.index.update(file, current.getText(), current.languageId);
      }, REINDEX_DELAY_MS),
    );
  }

  /** File events from the client (created, changed, deleted on disk). */
  filesChanged(changes: ReadonlyArray<{ uri: string; type: number }>): void {
    if (!this.enabled()) return;
    for (const c of changes) {
      const file = uriToPath(c.uri);
      if (!file || this.deps.openDocument(file)) continue;
      // 3 = Deleted (FileChangeType).
      if (c.type === 3) this.index.remove(file);
      else void this.index.updateFromDisk(file, this.limits());
    }
  }

  /** The syntax tree of a (masked) text, or undefined where the heuristics serve. */
  async parse(text: string, languageId: string, file: string): Promise<Parsed | undefined> {
    try {
      return await this.syntax.parse(languageOf(languageId, file), text, file);
    } catch (err) {
      // The heuristics serve instead; a grammar's failure never costs a feature.
      this.deps.log.debug(() => `syntax: ${file}: ${String(err)}`);
      return undefined;
    }
  }

  /** Waits (briefly) for the first index build, so that a review's prompts are those of a built index. */
  async settled(): Promise<void> {
    if (this.enabled()) {
      this.ensureIndex();
      await this.index.ready(this.deps.reviewWaitMs ?? REVIEW_WAIT_MS);
    }
  }

  /** Signatures from other files that `lines` of the document use, within `context.maxBytes`. */
  definitions(uri: string, text: string, parsed: Parsed | undefined, lines: ReadonlyArray<readonly [number, number]>, callsOnly = false, first?: string): string[] {
    const file = uriToPath(uri);
    if (!file || !this.enabled()) return [];
    try {
      return this.definitionsFrom(file, text, parsed, lines, callsOnly, first);
    } catch (err) {
      this.deps.log.debug(() => `context: ${file}: ${String(err)}`);
      return [];
    }
  }

  private definitionsFrom(file: string, text: string, parsed: Parsed | undefined, lines: ReadonlyArray<readonly [number, number]>, callsOnly: boolean, first: string | undefined): string[] {
    return definitionsContext({
      file,
      text,
      parsed,
      lines,
      lookup: (name) => this.index.lookup(name),
      isOpen: (f) => this.deps.openDocument(f) !== undefined,
      display: (f) => displayPath(pathToFileURL(f).href, this.deps.roots()),
      maxBytes: this.deps.settings().context.maxBytes,
      callsOnly,
      ...(first ? { first } : {}),
    });
  }
}
