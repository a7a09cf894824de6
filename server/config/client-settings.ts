import type { Logger } from '../util/log';
import type { Readiness } from './readiness';
import { messageOf } from '../util/text';

/** How long the first `workspace/configuration` answer is waited for before going on without it. */
const CONFIGURATION_WAIT_MS = 3000;

export interface ClientSettingsDeps {
  log: Logger;
  readiness: Readiness;
  /** Asks the client for the `codex` section (workspace/configuration). */
  pull(): Promise<unknown>;
  /** Puts what the client said in effect, as the `workspace` source. */
  apply(source: string, values: unknown): void;
}

/**
 * The editor's settings: pulled with `workspace/configuration` where the client supports it,
 * else taken from `didChangeConfiguration` pushes. A client that never answers the pull must
 * not leave the server silent: after a few seconds it goes on with the other sources (project
 * file, environment), says so once, and still applies the answer if it comes.
 */
export class ClientSettings {
  canPull = false;
  private warned = false;

  constructor(private readonly deps: ClientSettingsDeps) {}

  /** The first pull, at `initialized`: the server is ready when it is in, or when it is given up on. */
  async start(): Promise<void> {
    if (!this.canPull) {
      this.deps.readiness.markReady();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), CONFIGURATION_WAIT_MS).unref()));
    const first = await Promise.race([this.pull(false).then(() => 'in' as const), late]);
    clearTimeout(timer);
    if (first === 'late') this.tooSlow();
    this.deps.readiness.markReady();
  }

  /** `workspace/didChangeConfiguration`: pull again, or take the pushed section. */
  changed(params: unknown): void {
    if (this.canPull) {
      void this.pull();
      return;
    }
    // Push-style clients send the settings in the notification itself.
    const settings = (params as { settings?: { codex?: unknown } | null } | null | undefined)?.settings?.codex;
    if (settings !== undefined) this.deps.apply('didChangeConfiguration', settings);
  }

  /** `track`: requests wait for it (not for the first pull: they wait for readiness then). */
  private pull(track = true): Promise<void> {
    const p = (async () => {
      try {
        const section = await this.deps.pull();
        this.deps.apply('workspace/configuration', section ?? {});
      } catch (err) {
        this.deps.log.warn(`workspace/configuration failed: ${messageOf(err)}`);
      }
    })();
    if (track) this.deps.readiness.track(p, CONFIGURATION_WAIT_MS);
    return p;
  }

  private tooSlow(): void {
    if (this.warned) return;
    this.warned = true;
    this.deps.log.warn(
      `the editor has not answered workspace/configuration within ${CONFIGURATION_WAIT_MS / 1000} s; going on with the project file, the environment and the defaults. ` +
        'Its settings apply as soon as it answers.',
    );
  }
}
