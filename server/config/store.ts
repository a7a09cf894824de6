import { readEnvironment } from './env';
import { resolveSettings, type Settings, type SettingsLayer } from './settings';
import type { Logger } from '../util/log';

export interface ConfigSnapshot {
  settings: Settings;
  /** Where the key came from, for messages: an environment variable or a settings source. */
  keySource: string | undefined;
  cacheDir: string;
  /** A configuration error that must stop model calls (an invalid base URL). */
  blocking: string | undefined;
  /**
   * Every problem with the settings in effect, as data: bad values (each replaced by the value
   * from the source below it), unknown keys, and a project file that cannot be read. The server
   * logs and shows them; `codex-lsp review` refuses to run with any.
   */
  problems: readonly string[];
  /** Bumped on every change; lets callers cheaply tell whether anything moved. */
  generation: number;
}

type Listener = (next: ConfigSnapshot, previous: ConfigSnapshot) => void;
export type LayerName = 'project' | 'initializationOptions' | 'workspace';

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The one source of truth for configuration. Sources, later overriding earlier:
 * defaults, project file, environment, initializationOptions, workspace/configuration.
 */
export class ConfigStore {
  private layers = new Map<string, SettingsLayer>();
  private readonly order = ['project', 'environment', 'initializationOptions', 'workspace'];
  private snapshot: ConfigSnapshot;
  private listeners: Listener[] = [];
  /** Problems a source found before its values were read (a project file that is not JSON). */
  private readonly layerProblems = new Map<LayerName, readonly string[]>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
    /**
     * Problems already logged, each once: the workspace section is pulled again on every change,
     * and the stores of several workspace folders share the environment's problems.
     */
    private readonly reported = new Set<string>(),
  ) {
    const e = readEnvironment(env);
    this.layers.set('environment', e.layer);
    this.snapshot = this.compute(0);
  }

  get current(): ConfigSnapshot {
    return this.snapshot;
  }

  get settings(): Settings {
    return this.snapshot.settings;
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Replaces one source; recomputes and notifies when the result differs. */
  setLayer(name: LayerName, source: string, values: unknown, problems: readonly string[] = []): void {
    this.layers.set(name, { source, values });
    if (problems.length > 0) this.layerProblems.set(name, problems);
    else this.layerProblems.delete(name);
    const previous = this.snapshot;
    const next = this.compute(previous.generation + 1);
    if (
      JSON.stringify(next.settings) === JSON.stringify(previous.settings) &&
      next.blocking === previous.blocking &&
      sameList(next.problems, previous.problems)
    )
      return;
    this.snapshot = next;
    for (const l of this.listeners) {
      try {
        l(next, previous);
      } catch (err) {
        this.log.error(`configuration listener failed: ${String(err)}`);
      }
    }
  }

  private compute(generation: number): ConfigSnapshot {
    const layers = this.order.map((n) => this.layers.get(n)).filter((l): l is SettingsLayer => l !== undefined);
    const resolved = resolveSettings(layers);
    const { settings, blocking } = resolved;
    const problems = [...new Set([...[...this.layerProblems.values()].flat(), ...resolved.problems])];
    for (const p of resolved.problems) {
      if (this.reported.has(p)) continue;
      this.reported.add(p);
      this.log.warn(`configuration: ${p}`);
    }
    const env = readEnvironment(this.env);
    let keySource = env.keySource;
    for (const layer of layers) {
      if (layer.source === 'environment') continue;
      const v = (layer.values as Record<string, unknown> | undefined)?.apiKey;
      if (typeof v === 'string' && v.trim() !== '' && settings.apiKey === v.trim()) keySource = `the apiKey setting (${layer.source})`;
    }
    this.log.setLevel(settings.logLevel);
    this.log.setSecrets([settings.apiKey]);
    return { settings, keySource, cacheDir: env.cacheDir, blocking, problems, generation };
  }
}
