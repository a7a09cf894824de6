import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ConfigSnapshot } from '../config/store';
import { ContextService } from '../context/context-service';
import { endpointConfig } from '../model/endpoint';
import { ModelGateway, type ProblemReporter } from '../model/gateway';
import { ModelChoices } from '../model/model-choice';
import { UsageLedger } from '../model/usage-ledger';
import { DiskCache } from '../pipeline/disk-cache';
import { Limiter } from '../pipeline/limiter';
import { Pipeline } from '../pipeline/pipeline';
import { Privacy } from '../privacy/privacy';
import type { Syntax } from '../syntax/syntax';
import type { Logger } from '../util/log';

/**
 * What every model stack of one process shares, whatever folder or settings it serves: the
 * usage ledger (one budget), the remembered model choices, the answers on disk, one
 * concurrency limit, and the loaded grammars.
 */
export interface SharedParts {
  usage: UsageLedger;
  choices: ModelChoices;
  /** undefined when the cache folder cannot be used (answers then stay in memory). */
  disk: DiskCache | undefined;
  limiter: Limiter;
  syntax?: Syntax;
}

/**
 * The shared parts for a process. `cacheDir` undefined: nothing is kept on disk (the folder
 * could not be created); the caller has said so.
 */
export function createSharedParts(snap: ConfigSnapshot, log: Logger, cacheDir: string | undefined = snap.cacheDir): SharedParts {
  const settings = snap.settings;
  return {
    usage: new UsageLedger(cacheDir === undefined ? undefined : path.join(cacheDir, 'usage'), log),
    choices: new ModelChoices(cacheDir === undefined ? undefined : path.join(cacheDir, 'model-choices.json'), log),
    disk: cacheDir === undefined ? undefined : new DiskCache(cacheDir, settings.cache.maxDiskMB * 1024 * 1024, log),
    limiter: new Limiter(settings.maxConcurrency),
  };
}

export interface ModelStackOptions {
  /** The settings in effect, read at each use (they change while the server runs). */
  config: () => ConfigSnapshot;
  log: Logger;
  /** Problems the user must act on (said once each). */
  problems: ProblemReporter;
  /** Folders file names are made relative to, and the workspace index covers. */
  roots: () => readonly string[];
  shared: SharedParts;
  /** Wording of the gateway's messages for this front end (the CLI names environment variables). */
  messages?: { noKey?: string };
  /** The editor's open documents, for the index; the CLI has none. */
  documents?: { byPath(file: string): TextDocument | undefined; all(): readonly TextDocument[] };
}

/** Everything between a feature and the model, for one set of settings. No LSP in here. */
export interface ModelStack {
  readonly gateway: ModelGateway;
  readonly pipeline: Pipeline;
  readonly privacy: Privacy;
  readonly context: ContextService;
  readonly shared: SharedParts;
  /** Applies a settings change to every part; the caller calls it from the store's onChange. */
  reconfigure(next: ConfigSnapshot, previous: ConfigSnapshot): void;
  /** Waits for answers, usage and choices still being written. */
  flush(): Promise<void>;
}

/**
 * The one recipe for the model side, used by the language server (one per workspace folder)
 * and by `codex-lsp review`, so both send the same prompts, redact in the same place and share
 * cached answers.
 */
export function createModelStack(options: ModelStackOptions): ModelStack {
  const { config, log, shared } = options;
  const settings = (): ConfigSnapshot['settings'] => config().settings;
  const gateway = new ModelGateway(() => endpointConfig(config()), log, shared.usage, options.problems, options.messages ?? {}, shared.choices);
  const privacy = new Privacy(log);
  privacy.configure(settings().ignore, options.roots(), settings().ignoreAnyCase);
  const pipeline = new Pipeline(
    gateway,
    settings().cache.enabled ? shared.disk : undefined,
    shared.usage,
    log,
    // Cache keys name the model that answers: a fallback's answers are its own. Every prompt is redacted here.
    { endpoint: () => ({ baseUrl: settings().baseUrl, model: gateway.currentModel() }), cacheEnabled: () => settings().cache.enabled, redactor: privacy },
    shared.limiter,
  );
  const documents = options.documents;
  const context = new ContextService({
    log,
    settings,
    roots: options.roots,
    isIgnored: (file) => privacy.isIgnored(pathToFileURL(file).href),
    openDocument: (file) => documents?.byPath(file),
    openDocuments: () => documents?.all() ?? [],
    mask: (text) => privacy.mask(text, 'workspace index'),
    syntax: shared.syntax,
  });
  shared.syntax ??= context.syntax;

  return {
    gateway,
    pipeline,
    privacy,
    context,
    shared,
    reconfigure(next, previous) {
      gateway.configurationChanged();
      shared.limiter.setLimit(next.settings.maxConcurrency);
      privacy.configure(next.settings.ignore, options.roots(), next.settings.ignoreAnyCase);
      if (next.settings.cache.enabled !== previous.settings.cache.enabled) {
        pipeline.setDisk(next.settings.cache.enabled ? shared.disk : undefined);
        if (!next.settings.cache.enabled) pipeline.clearMemory();
      } else {
        shared.disk?.setMaxBytes(next.settings.cache.maxDiskMB * 1024 * 1024);
      }
      const reach = (s: ConfigSnapshot): string => JSON.stringify([s.settings.context, s.settings.ignore, s.settings.ignoreAnyCase]);
      if (reach(next) !== reach(previous)) context.reconfigure();
    },
    async flush() {
      await Promise.all([pipeline.flush(), shared.usage.flush(), shared.choices.flush()]);
    },
  };
}
