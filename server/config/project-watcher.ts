import { watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import { findProjectFile, PROJECT_FILE, readProjectFile, type ProjectConfig } from './project';

/**
 * A folder's `.codex-lsp.json` (the nearest at or above the folder): read at start and whenever
 * it changes. The folder holding it is watched here, by the server: a client-side watcher for a
 * glob makes some clients (Eglot, lsp-mode) watch every folder of the project. Saving the file
 * in the editor, or the client's own file events, reload it too (`load`).
 */
export class ProjectFileWatcher {
  private file: string | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    /** The workspace folder; undefined when the editor opened none (no project file then). */
    private readonly folder: string | undefined,
    /** The file found (undefined: none) and what it says. */
    private readonly apply: (file: string | undefined, project: ProjectConfig | undefined) => void,
  ) {}

  /** The project file in effect, if any. */
  get current(): string | undefined {
    return this.file;
  }

  /** Whether a change to `fsPath` may change this folder's project settings. */
  concerns(fsPath: string): boolean {
    if (path.basename(fsPath) !== PROJECT_FILE) return false;
    if (fsPath === this.file) return true;
    // A new project file between the folder and the one in effect (or where there was none).
    return (
      this.folder !== undefined &&
      isAtOrAbove(path.dirname(fsPath), this.folder) &&
      (this.file === undefined || isAtOrAbove(path.dirname(this.file), path.dirname(fsPath)))
    );
  }

  load(): void {
    if (this.closed) return;
    const found = this.folder ? findProjectFile(this.folder) : undefined;
    if (found !== this.file || !this.watcher) {
      this.file = found;
      this.watchFolder();
    }
    this.apply(this.file, this.file ? readProjectFile(this.file) : undefined);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private watchFolder(): void {
    this.watcher?.close();
    this.watcher = undefined;
    const dir = this.file ? path.dirname(this.file) : this.folder;
    if (!dir) return;
    try {
      this.watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name !== null && name.toString() !== PROJECT_FILE) return;
        // Editors save in several steps (write, rename): one reload once they are done.
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.load(), 100);
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // A folder that cannot be watched: the file is still read again when saved in the editor.
    }
  }
}

/** `dir` is `target` or one of its parents. */
function isAtOrAbove(dir: string, target: string): boolean {
  const rel = path.relative(dir, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
