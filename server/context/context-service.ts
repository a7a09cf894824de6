import { pathToFileURL } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Settings } from '../config/settings';
import { Syntax, type Parsed } from '../syntax/syntax';
import { languageOf } from '../text/language';
import type { Logger } from '../util/log';
import { displayPath, uriToPath } from '../util/uri';
import { definitionsContext } from './definitions';
import { importedFiles } from './imports';
import { admitted, sourceStat, sourceText, WorkspaceIndex, type IndexedDefinition } from './workspace-index';

/** The files the index reads (those with a grammar), for the client's file watcher. */
export const SOURCE_FILES_GLOB = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,py,pyi,go,rs,java,c,h,cc,cpp,cxx,hpp,hh,cs,rb,php,lua,sh,bash}';

/** Quiet time after an edit before the edited file is indexed again. */
const REINDEX_DELAY_MS = 300;
/** Imported files whose definitions are kept (by path, size and time) for reviews. */
const ON_DISK_FILES = 500;

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
  /** Grammars already loaded by another service of this process (one per workspace folder). */
  syntax?: Syntax;
}

/**
 * Context beyond the lines a feature shows: syntax trees (tree-sitter) for the languages that
 * have a grammar, and the signatures of what the code uses from other files of the workspace.
 */
export class ContextService {
  readonly syntax: Syntax;
  readonly index: WorkspaceIndex;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly onDisk = new Map<string, { mtimeMs: number; size: number; defs: IndexedDefinition[] }>();

  constructor(private readonly deps: ContextDeps) {
    this.syntax = deps.syntax ?? new Syntax(deps.log);
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

  /**
   * What a review's chunks may cite from other files: the definitions in the files this file
   * imports (Go: its package), as saved on disk. A function of the file and those files only:
   * the editor and `codex-lsp review` send the same prompts, whatever is open or indexed.
   */
  async forReview(
    uri: string,
    text: string,
    languageId: string,
    parsed: Parsed | undefined,
  ): Promise<(lines: ReadonlyArray<readonly [number, number]>) => string[]> {
    const file = uriToPath(uri);
    if (!file || !this.enabled()) return () => [];
    const roots = this.deps.roots();
    const byName = new Map<string, IndexedDefinition[]>();
    const imported = new Set(importedFiles(file, text, languageOf(languageId, file), roots));
    for (const f of imported) {
      if (!admitted(f, roots, this.deps.isIgnored)) continue;
      const defs = await this.definitionsOnDisk(f);
      for (const d of defs) {
        const list = byName.get(d.name);
        if (list) list.push(d);
        else byName.set(d.name, [d]);
      }
    }
    return (lines) =>
      this.guarded(file, () =>
        definitionsContext({
          file,
          text,
          parsed,
          lines,
          lookup: (name) => byName.get(name) ?? [],
          imported,
          isOpen: () => false,
          display: (f) => displayPath(pathToFileURL(f).href, roots),
          maxBytes: this.deps.settings().context.maxBytes,
          callsOnly: true,
        }),
      );
  }

  /** A file's definitions as saved (masked first), read again only when it changes on disk. */
  private async definitionsOnDisk(file: string): Promise<IndexedDefinition[]> {
    const st = await sourceStat(file);
    if (!st?.isFile() || st.size > this.limits().maxFileBytes) return [];
    const known = this.onDisk.get(file);
    if (known && known.mtimeMs === st.mtimeMs && known.size === st.size) return known.defs;
    const text = await sourceText(file);
    const defs = text === undefined ? [] : await this.index.definitionsOf(file, text);
    this.onDisk.set(file, { mtimeMs: st.mtimeMs, size: st.size, defs });
    if (this.onDisk.size > ON_DISK_FILES) this.onDisk.delete(this.onDisk.keys().next().value as string);
    return defs;
  }

  private guarded(file: string, build: () => string[]): string[] {
    try {
      return build();
    } catch (err) {
      this.deps.log.debug(() => `context: ${file}: ${String(err)}`);
      return [];
    }
  }

  /** Signatures from other files that `lines` of the document use, within `context.maxBytes`. */
  definitions(
    uri: string,
    text: string,
    parsed: Parsed | undefined,
    lines: ReadonlyArray<readonly [number, number]>,
    callsOnly = false,
    first?: string,
  ): string[] {
    const file = uriToPath(uri);
    if (!file || !this.enabled()) return [];
    return this.guarded(file, () => this.definitionsFrom(file, text, parsed, lines, callsOnly, first));
  }

  private definitionsFrom(
    file: string,
    text: string,
    parsed: Parsed | undefined,
    lines: ReadonlyArray<readonly [number, number]>,
    callsOnly: boolean,
    first: string | undefined,
  ): string[] {
    return definitionsContext({
      file,
      text,
      parsed,
      lines,
      lookup: (name) => this.index.lookup(name),
      imported: new Set(importedFiles(file, text, languageOf('', file), this.deps.roots())),
      isOpen: (f) => this.deps.openDocument(f) !== undefined,
      display: (f) => displayPath(pathToFileURL(f).href, this.deps.roots()),
      maxBytes: this.deps.settings().context.maxBytes,
      callsOnly,
      ...(first ? { first } : {}),
    });
  }
}
