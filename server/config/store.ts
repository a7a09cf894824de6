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
  /** Bumped on every change; lets callers cheaply tell whether anything moved. */
  generation: number;
}

type Listener = (next: ConfigSnapshot, previous: ConfigSnapshot) => void;

/**
 * The one source of truth for configuration. Sources, later overriding earlier:
 * defaults, project file, environment, initializationOptions, workspace/configuration.
 */
export class ConfigStore {
  private layers = new Map<string, SettingsLayer>();
  private readonly order = ['project', 'environment', 'initializationOptions', 'workspace'];
  private snapshot: ConfigSnapshot;
  private listeners: Listener[] = [];
  private reported = new Set<string>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
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
  setLayer(name: 'project' | 'initializationOptions' | 'workspace', source: string, values: unknown): void {
    this.layers.set(name, { source, values });
    const previous = this.snapshot;
    const next = this.compute(previous.generation + 1);
    if (JSON.stringify(next.settings) === JSON.stringify(previous.settings) && next.blocking === previous.blocking) return;
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
    const { settings, problems, blocking } = resolveSettings(layers);
    for (const p of problems) {
      // Logged once per distinct problem: the workspace section is pulled again on every change.
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
    return { settings, keySource, cacheDir: env.cacheDir, blocking, generation };
  }
}
