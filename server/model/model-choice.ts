import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../util/log';
import { makeDir } from '../util/make-dir';

/** How long a fallback chosen because the model was gone is trusted without asking again. */
const CHOICE_TTL_MS = 24 * 60 * 60 * 1000;

interface Choice {
  model: string;
  at: number;
}

/**
 * Which model answers in place of a configured one that the endpoint no longer serves, per
 * base URL + configured model. Kept for the session, and on disk for a day so that every
 * server and `codex-lsp review` on the machine skips the dead model's failed call too.
 */
export class ModelChoices {
  private loaded: Map<string, Choice> | undefined;
  private writing: Promise<void> = Promise.resolve();

  /** Without a file, choices last the session only. */
  constructor(
    private readonly file: string | undefined,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  private key(baseUrl: string, model: string): string {
    return `${baseUrl} ${model}`;
  }

  private all(): Map<string, Choice> {
    if (this.loaded) return this.loaded;
    this.loaded = new Map();
    if (!this.file) return this.loaded;
    try {
      const data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, Choice>;
      for (const [k, v] of Object.entries(data)) {
        if (typeof v?.model === 'string' && typeof v.at === 'number') this.loaded.set(k, { model: v.model, at: v.at });
      }
    } catch {
      // No file yet, or a broken one: nothing is remembered, and the next choice rewrites it.
    }
    return this.loaded;
  }

  /** The model remembered in place of `model`, if chosen within the last day. */
  get(baseUrl: string, model: string): string | undefined {
    const c = this.all().get(this.key(baseUrl, model));
    return c && this.now() - c.at < CHOICE_TTL_MS ? c.model : undefined;
  }

  set(baseUrl: string, model: string, chosen: string): void {
    const all = this.all();
    all.set(this.key(baseUrl, model), { model: chosen, at: this.now() });
    if (!this.file) return;
    const file = this.file;
    const fresh = Object.fromEntries([...all].filter(([, c]) => this.now() - c.at < CHOICE_TTL_MS));
    // Atomic: another server reading the file sees the old or the new one, never half.
    this.writing = this.writing.then(async () => {
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        await makeDir(path.dirname(file));
        await fs.promises.writeFile(tmp, JSON.stringify(fresh));
        await fs.promises.rename(tmp, file);
      } catch (err) {
        await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
        this.log.warn(`could not remember the model choice in ${file}: ${String(err)}`);
      }
    });
  }

  /** Waits for the last write (tests, shutdown). */
  flush(): Promise<void> {
    return this.writing;
  }
}
