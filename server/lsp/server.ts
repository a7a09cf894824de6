import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ExecuteCommandRequest,
  HoverRequest,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findProjectFile, PROJECT_FILE, readProjectFile } from '../config/project';
import { ConfigStore, type ConfigSnapshot } from '../config/store';
import { ContextService, SOURCE_FILES_GLOB } from '../context/context-service';
import { APPLY_COMMAND } from '../features/ai-actions';
import { APPLY_EDIT_COMMAND, CodeActionFeature } from '../features/code-actions';
import { HoverFeature } from '../features/hover';
import { LastRequestCommand, SHOW_LAST_REQUEST_COMMAND } from '../features/last-request';
import { ReviewFeature } from '../features/review';
import type { Services } from '../features/services';
import { sessionSummary, UsageCommand, USAGE_COMMAND } from '../features/usage-command';
import { ModelGateway, type EndpointConfig } from '../model/gateway';
import { endpointConfig } from '../model/endpoint';
import { ModelChoices } from '../model/model-choice';
import { UsageLedger } from '../model/usage-ledger';
import { DiskCache } from '../pipeline/disk-cache';
import { Pipeline } from '../pipeline/pipeline';
import { Privacy } from '../privacy/privacy';
import { Logger } from '../util/log';
import { uriToPath } from '../util/uri';
import { VERSION } from '../version';
import { ConnectionClient } from './client';
import { OnceProblemReporter } from './problems';

export interface ServerDeps {
  env?: NodeJS.ProcessEnv;
  /** A logger already in use (main's); the server points its output at the editor. */
  log?: Logger;
}

/**
 * Builds the server on a connection and starts listening. This file only wires LSP
 * messages to features; the features know nothing of the connection.
 */
export function startServer(connection: Connection, deps: ServerDeps = {}): void {
  const log = deps.log ?? new Logger();
  const client = new ConnectionClient(connection);
  // Until `initialize` arrives nothing may be sent to the client: early lines go to stderr.

  const config = new ConfigStore(deps.env ?? process.env, log);
  const usage = new UsageLedger(path.join(config.current.cacheDir, 'usage'), log);
  const problems = new OnceProblemReporter(client, log);
  const endpoint = (): EndpointConfig => endpointConfig(config.current);
  const choices = new ModelChoices(path.join(config.current.cacheDir, 'model-choices.json'), log);
  const gateway = new ModelGateway(endpoint, log, usage, problems, {}, choices);
  const diskFor = (snap: ConfigSnapshot): DiskCache | undefined =>
    snap.settings.cache.enabled ? new DiskCache(snap.cacheDir, snap.settings.cache.maxDiskMB * 1024 * 1024, log) : undefined;
  let disk = diskFor(config.current);
  const privacy = new Privacy(log);
  privacy.configure(config.settings.ignore, undefined, config.settings.ignoreAnyCase);
  const pipeline = new Pipeline(
    gateway,
    disk,
    usage,
    log,
    // Cache keys name the model that answers: a fallback's answers are its own. Every prompt is redacted in the pipeline.
    { endpoint: () => ({ baseUrl: config.settings.baseUrl, model: gateway.currentModel() }), cacheEnabled: () => config.settings.cache.enabled, redactor: privacy },
    config.settings.maxConcurrency,
  );
  const documents = new TextDocuments(TextDocument);

  let isReady = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve)).then(() => {
    isReady = true;
  });
  // A configuration pull in flight (after didChangeConfiguration): requests wait for it briefly,
  // so the first request after a change already sees the new settings.
  let pulling: Promise<void> | undefined;
  const settled = (ms = 1000): boolean | Promise<boolean> => {
    if (isReady && !pulling) return true;
    const wait = isReady && pulling ? pulling.then(() => true) : ready.then(() => true);
    return Promise.race([wait, new Promise<boolean>((r) => setTimeout(() => r(isReady), ms).unref())]);
  };
  const context = new ContextService({
    log,
    settings: () => config.settings,
    roots: () => services.roots,
    isIgnored: (file) => privacy.isIgnored(pathToFileURL(file).href),
    openDocument: (file) => documents.all().find((d) => uriToPath(d.uri) === file),
    openDocuments: () => documents.all(),
    mask: (text) => privacy.mask(text, 'workspace index'),
  });
  const services: Services = { config, log, client, gateway, pipeline, privacy, context, usage, problems, documents, capabilities: {}, roots: [], ready, settled };
  const hover = new HoverFeature(services);
  const review = new ReviewFeature(services);
  const codeActions = new CodeActionFeature(services, review);
  const usageCommand = new UsageCommand(services);
  const lastRequest = new LastRequestCommand(services);

  config.onChange((next, previous) => {
    gateway.configurationChanged();
    problems.reset();
    pipeline.limiter.setLimit(next.settings.maxConcurrency);
    privacy.configure(next.settings.ignore, undefined, next.settings.ignoreAnyCase);
    if (next.settings.cache.enabled !== previous.settings.cache.enabled) {
      disk = diskFor(next);
      pipeline.setDisk(disk);
      if (!next.settings.cache.enabled) pipeline.clearMemory();
    } else {
      disk?.setMaxBytes(next.settings.cache.maxDiskMB * 1024 * 1024);
    }
    review.configurationChanged();
    if (JSON.stringify([next.settings.context, next.settings.ignore]) !== JSON.stringify([previous.settings.context, previous.settings.ignore])) context.reconfigure();
    log.info(`configuration changed: model ${next.settings.model} at ${next.settings.baseUrl} (api ${next.settings.api})`);
  });

  let canPullConfiguration = false;
  let canRegisterConfiguration = false;
  let canWatchSources = false;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    log.setSink((level, message) => client.log(level, message));
    services.capabilities = params.capabilities ?? {};
    if (typeof params.clientInfo?.name === 'string') services.clientName = params.clientInfo.name;
    const folders = params.workspaceFolders?.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined) ?? [];
    const rootFromUri = params.rootUri ? uriToPath(params.rootUri) : undefined;
    services.roots = folders.length > 0 ? folders : rootFromUri ? [rootFromUri] : params.rootPath ? [params.rootPath] : [];
    loadProjectFile();
    privacy.configure(config.settings.ignore, services.roots, config.settings.ignoreAnyCase);
    canPullConfiguration = params.capabilities?.workspace?.configuration === true;
    canRegisterConfiguration = params.capabilities?.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    // The index follows files changed outside the editor (a branch switch, a generator) through
    // the client's watcher. Not asked of Emacs clients: there a watcher on a large tree asks the
    // user first, for every project; they re-index on save and edit instead.
    canWatchSources =
      params.capabilities?.workspace?.didChangeWatchedFiles?.dynamicRegistration === true && !/emacs|eglot|lsp-mode/i.test(params.clientInfo?.name ?? '');
    // Without workspace/configuration there is nothing to wait for. With it, requests wait for the
    // first pull: the user's ignore globs and endpoint must be known before anything is sent.
    if (!canPullConfiguration) markReady();
    if (params.initializationOptions !== undefined && params.initializationOptions !== null) {
      config.setLayer('initializationOptions', 'initializationOptions', params.initializationOptions);
    }
    return {
      capabilities: {
        positionEncoding: 'utf-16',
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        ...hover.capabilities(),
        ...review.capabilities(),
        ...codeActions.capabilities(),
        executeCommandProvider: { commands: [USAGE_COMMAND, SHOW_LAST_REQUEST_COMMAND, ...codeActions.commands()] },
      },
      serverInfo: { name: 'codex-lsp', version: VERSION },
    };
  });

  const pullConfiguration = (): Promise<void> => {
    const p = (async () => {
      try {
        const section = await client.pullConfiguration();
        config.setLayer('workspace', 'workspace/configuration', section ?? {});
      } catch (err) {
        log.warn(`workspace/configuration failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    })();
    pulling = p;
    void p.finally(() => {
      if (pulling === p) pulling = undefined;
    });
    return p;
  };

  /**
   * The team's `.codex-lsp.json` (nearest at or above the first workspace folder): read at start
   * and whenever it changes. The server watches that one folder itself: a client-side watcher
   * for a glob makes some clients (Eglot, lsp-mode) watch every folder of the project.
   */
  let projectFile: string | undefined;
  let watcher: FSWatcher | undefined;
  let reloadTimer: NodeJS.Timeout | undefined;
  const watchProjectFolder = (): void => {
    watcher?.close();
    watcher = undefined;
    const dir = projectFile ? path.dirname(projectFile) : services.roots[0];
    if (!dir) return;
    try {
      watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name !== null && name.toString() !== PROJECT_FILE) return;
        clearTimeout(reloadTimer);
        reloadTimer = setTimeout(() => loadProjectFile(), 100);
      });
      watcher.on('error', () => watcher?.close());
    } catch {
      // A folder that cannot be watched: the file is still read again when saved in the editor.
    }
  };
  const loadProjectFile = (): void => {
    const start = services.roots[0];
    const found = start ? findProjectFile(start) : undefined;
    if (found !== projectFile || !watcher) {
      projectFile = found;
      watchProjectFolder();
    }
    if (!projectFile) {
      config.setLayer('project', 'project file', undefined);
      return;
    }
    const project = readProjectFile(projectFile);
    config.setLayer('project', projectFile, project.values);
    if (project.problems.length > 0) {
      // Shown (and logged) once, all together.
      problems.report('project', `codex-lsp: ${project.problems.join(' ')}`);
    } else {
      log.info(`project settings from ${projectFile}`);
    }
  };
  connection.onInitialized(async () => {
    if (canRegisterConfiguration) {
      connection.client.register(DidChangeConfigurationNotification.type, { section: 'codex' }).catch(() => undefined);
    }
    if (canPullConfiguration) await pullConfiguration();
    markReady();
    if (canWatchSources && config.settings.context.workspace) {
      connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: SOURCE_FILES_GLOB }] }).catch(() => undefined);
    }
    const s = config.current;
    log.info(
      `codex-lsp ${VERSION} ready: model ${s.settings.model} at ${s.settings.baseUrl} (api ${s.settings.api}), ` +
        `key ${s.keySource ? `from ${s.keySource}` : 'missing'}, cache ${s.settings.cache.enabled ? s.cacheDir : 'off'}`,
    );
    // Tell the user now, not at their first hover, when the model cannot be reached at all.
    gateway.blockedReason();
  });

  connection.onDidChangeConfiguration(async (params) => {
    if (canPullConfiguration) {
      await pullConfiguration();
      return;
    }
    // Push-style clients send the settings in the notification itself.
    const settings = (params?.settings as Record<string, unknown> | null | undefined)?.codex;
    if (settings !== undefined) config.setLayer('workspace', 'didChangeConfiguration', settings);
  });

  // Registered as plain requests: the onHover/onExecuteCommand sugar takes `workDoneToken` out of
  // the params, and the features need it to show their progress on the client's own token.
  connection.onRequest(HoverRequest.type, (params, token) => hover.hover(params, token));
  connection.onCodeAction(async (params) => ((await services.settled()) ? codeActions.codeActions(params) : []));
  connection.onCodeActionResolve((action, token) => codeActions.ai.resolve(action, token));
  connection.languages.diagnostics.on((params) => review.pullDiagnostics(params));
  documents.onDidOpen((e) => {
    // Index a big document's lines as its text arrives (once; incremental changes keep the
    // index up to date), so the first hover in a 5 MB file does not pay for it.
    if (e.document.getText().length > 256 * 1024) void e.document.lineCount;
    context.opened(e.document);
    review.opened(e.document);
  });
  documents.onDidChangeContent((e) => {
    context.changed(e.document);
    review.changed(e.document);
  });
  documents.onDidSave((e) => {
    if (e.document.uri.endsWith(`/${PROJECT_FILE}`)) loadProjectFile();
    context.changed(e.document);
    review.saved(e.document);
  });
  connection.onDidChangeWatchedFiles((params) => {
    // Clients that watch files on their own (VS Code does) may tell us too.
    if (params.changes.some((c) => c.uri.endsWith(`/${PROJECT_FILE}`))) loadProjectFile();
    context.filesChanged(params.changes);
  });
  documents.onDidClose((e) => {
    context.closed(e.document.uri);
    review.closed(e.document.uri);
  });
  connection.onRequest(ExecuteCommandRequest.type, async (params, token) => {
    if (params.command === APPLY_COMMAND) return codeActions.ai.execute(params.arguments, token, params.workDoneToken);
    if (params.command === APPLY_EDIT_COMMAND) {
      const edit = params.arguments?.[0] as WorkspaceEdit | undefined;
      if (edit) await client.applyEdit({ edit });
      return null;
    }
    if (params.command === SHOW_LAST_REQUEST_COMMAND) return lastRequest.execute(params);
    return usageCommand.execute(params);
  });
  connection.onShutdown(async () => {
    watcher?.close();
    await Promise.all([pipeline.flush(), usage.flush(), choices.flush()]);
    log.info(sessionSummary(usage, config.settings.prices));
  });

  documents.listen(connection);
  connection.listen();
}
