import * as path from 'node:path';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { ProjectFileWatcher } from '../config/project-watcher';
import { PROJECT_FILE } from '../config/project';
import { ConfigStore, type ConfigSnapshot } from '../config/store';
import type { Scope } from '../features/services';
import type { ProblemReporter } from '../model/gateway';
import { createModelStack, createSharedParts, type ModelStack, type SharedParts } from '../stack/model-stack';
import type { Logger } from '../util/log';
import { uriToPath } from '../util/uri';

/** Settings the editor gives (the same for every folder), by source. */
type ClientLayer = 'initializationOptions' | 'workspace';

export interface WorkspaceDeps {
  env: NodeJS.ProcessEnv;
  log: Logger;
  problems: ProblemReporter;
  documents: { all(): readonly TextDocument[] };
  /** A folder's settings changed (its project file, or the editor's settings). */
  changed(scope: Scope, next: ConfigSnapshot, previous: ConfigSnapshot): void;
}

interface Folder extends Scope {
  readonly store: ConfigStore;
  readonly stack: ModelStack;
  readonly project: ProjectFileWatcher;
}

/**
 * The workspace folders the editor opened, each with its own settings (its `.codex-lsp.json`
 * over the editor's settings and the environment) and its own model stack; one usage ledger,
 * disk cache, concurrency limit and set of grammars for all. With no folder, one scope serves
 * every file.
 */
export class Workspace {
  private folders: Folder[] = [];
  private readonly layers = new Map<ClientLayer, { source: string; values: unknown }>();
  /** Settings problems logged so far, by every folder's store: each is logged once. */
  private readonly reported = new Set<string>();
  readonly shared: SharedParts;

  constructor(private readonly deps: WorkspaceDeps) {
    // The cache folder and the first limits come from the environment (the same for every folder).
    const environment = new ConfigStore(deps.env, deps.log, this.reported);
    this.shared = createSharedParts(environment.current, deps.log);
  }

  /**
   * Sets the folders (at initialize, and when the editor adds or removes some). Folders that
   * stay keep their settings and model stack; with no folder, one scope serves every file.
   */
  setRoots(roots: readonly string[]): void {
    const wanted = [...new Set(roots.map((r) => path.resolve(r)))];
    const keep = this.folders.filter((f) => (f.root === undefined ? wanted.length === 0 : wanted.includes(f.root)));
    for (const f of this.folders) if (!keep.includes(f)) f.project.close();
    if (wanted.length > 0) this.folders = wanted.map((root) => keep.find((f) => f.root === root) ?? this.create(root));
    else this.folders = keep.length > 0 ? keep : [this.create(undefined)];
    for (const f of this.folders) if (!keep.includes(f)) f.project.load();
  }

  get roots(): readonly string[] {
    return this.folders.flatMap((f) => (f.root === undefined ? [] : [f.root]));
  }

  scopes(): readonly Scope[] {
    return this.folders;
  }

  /** The folder holding the file (the innermost, for nested folders); else the first. */
  scopeFor(uri?: string): Scope {
    return this.folderFor(uri);
  }

  /** The editor's settings, for every folder. */
  setClientLayer(name: ClientLayer, source: string, values: unknown): void {
    this.layers.set(name, { source, values });
    for (const f of this.folders) f.store.setLayer(name, source, values);
  }

  /** A project file changed on disk or was saved: the folders it may concern read theirs again. */
  projectFileChanged(fsPath: string): void {
    for (const f of this.folders) if (f.project.concerns(fsPath)) f.project.load();
  }

  isProjectFile(uri: string): boolean {
    return uri.endsWith(`/${PROJECT_FILE}`);
  }

  opened(doc: TextDocument): void {
    this.folderFor(doc.uri).context.opened(doc);
  }

  changed(doc: TextDocument): void {
    this.folderFor(doc.uri).context.changed(doc);
  }

  closed(uri: string): void {
    this.folderFor(uri).context.closed(uri);
  }

  /** The client's file events, each to the folder it belongs to. */
  filesChanged(changes: ReadonlyArray<{ uri: string; type: number }>): void {
    for (const f of this.folders) {
      const mine = changes.filter((c) => this.folderFor(c.uri) === f);
      if (mine.length > 0) f.context.filesChanged(mine);
    }
  }

  async flush(): Promise<void> {
    await Promise.all(this.folders.map((f) => f.stack.flush()));
  }

  close(): void {
    for (const f of this.folders) f.project.close();
  }

  private folderFor(uri?: string): Folder {
    // Asked before initialize named the folders: one scope for every file until then.
    if (this.folders.length === 0) this.setRoots([]);
    const file = uri === undefined ? undefined : uriToPath(uri);
    let best: Folder | undefined;
    if (file !== undefined) {
      for (const f of this.folders) {
        if (f.root === undefined || !inside(f.root, file)) continue;
        if (!best || f.root.length > (best.root?.length ?? 0)) best = f;
      }
    }
    return best ?? this.folders[0]!;
  }

  private create(root: string | undefined): Folder {
    const { log } = this.deps;
    const store = new ConfigStore(this.deps.env, log, this.reported);
    for (const [name, layer] of this.layers) store.setLayer(name, layer.source, layer.values);
    const roots = root === undefined ? [] : [root];
    // Declared before the stack and the folder: the closures below read them only once built.
    let folder: Folder;
    const stack = createModelStack({
      config: () => store.current,
      log,
      problems: this.deps.problems,
      roots: () => roots,
      shared: this.shared,
      documents: {
        byPath: (file) => this.deps.documents.all().find((d) => uriToPath(d.uri) === file),
        all: () => this.deps.documents.all().filter((d) => this.folderFor(d.uri) === folder),
      },
    });
    const project = new ProjectFileWatcher(root, (file, config) => {
      store.setLayer('project', file ?? 'project file', config?.values, config?.problems ?? []);
      if (!file || !config) return;
      // Shown (and logged) once, all together.
      if (config.problems.length > 0) this.deps.problems.report('project', `codex-lsp: ${config.problems.join(' ')}`);
      else log.info(`project settings from ${file}`);
    });
    folder = {
      root,
      roots,
      store,
      stack,
      project,
      config: store,
      gateway: stack.gateway,
      pipeline: stack.pipeline,
      privacy: stack.privacy,
      context: stack.context,
    };
    store.onChange((next, previous) => {
      stack.reconfigure(next, previous);
      this.deps.changed(folder, next, previous);
    });
    return folder;
  }
}

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
