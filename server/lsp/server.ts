import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  ExecuteCommandRequest,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ClientSettings } from '../config/client-settings';
import { Readiness } from '../config/readiness';
import { SOURCE_FILES_GLOB } from '../context/context-service';
import type { Feature } from '../features/feature';
import { createFeatures } from '../features/registry';
import type { Services } from '../features/services';
import { sessionSummary } from '../features/usage/usage-command';
import { Logger } from '../util/log';
import { uriToPath } from '../util/uri';
import { VERSION } from '../version';
import { Workspace } from '../workspace/folders';
import { ConnectionClient } from './client';
import { mergeFeatures } from './features';
import { OnceProblemReporter } from './problems';

export interface ServerDeps {
  env?: NodeJS.ProcessEnv;
  /** A logger already in use (main's); the server points its output at the editor. */
  log?: Logger;
  /** The features to serve; by default every feature of the registry (tests add their own). */
  features?: (services: Services) => Feature[];
}

/**
 * Builds the server on a connection and starts listening. Wiring only: the protocol's
 * lifecycle here, the features' requests, commands and document events from their own
 * objects (`features/registry.ts`), settings in `config/`, folders in `workspace/`.
 */
export function startServer(connection: Connection, deps: ServerDeps = {}): void {
  const log = deps.log ?? new Logger();
  const client = new ConnectionClient(connection);
  // Until `initialize` arrives nothing may be sent to the client: early lines go to stderr.
  const problems = new OnceProblemReporter(client, log);
  const documents = new TextDocuments(TextDocument);
  const readiness = new Readiness();
  const workspace = new Workspace({
    env: deps.env ?? process.env,
    log,
    problems,
    documents,
    changed: (_scope, next) => {
      problems.reset();
      for (const f of features) f.configurationChanged?.();
      log.info(`configuration changed: model ${next.settings.model} at ${next.settings.baseUrl} (api ${next.settings.api})`);
    },
  });
  const settings = new ClientSettings({
    log,
    readiness,
    pull: () => client.pullConfiguration(),
    apply: (source, values) => workspace.setClientLayer('workspace', source, values),
  });
  const services: Services = {
    log,
    client,
    scopeFor: (uri) => workspace.scopeFor(uri),
    scopes: () => workspace.scopes(),
    usage: workspace.shared.usage,
    problems,
    documents,
    capabilities: {},
    ready: readiness.ready,
    settled: (ms) => readiness.settled(ms),
  };
  const features = (deps.features ?? createFeatures)(services);
  const merged = mergeFeatures(features);

  let canRegisterConfiguration = false;
  let canWatchSources = false;
  let canFollowFolders = false;
  let shutDown = false;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    log.setSink((level, message) => client.log(level, message));
    services.capabilities = params.capabilities ?? {};
    if (typeof params.clientInfo?.name === 'string') services.clientName = params.clientInfo.name;
    const folders = params.workspaceFolders?.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined) ?? [];
    const rootFromUri = params.rootUri ? uriToPath(params.rootUri) : undefined;
    if (params.initializationOptions !== undefined && params.initializationOptions !== null) {
      workspace.setClientLayer('initializationOptions', 'initializationOptions', params.initializationOptions);
    }
    workspace.setRoots(folders.length > 0 ? folders : rootFromUri ? [rootFromUri] : params.rootPath ? [params.rootPath] : []);
    settings.canPull = params.capabilities?.workspace?.configuration === true;
    // Without workspace/configuration there is nothing to wait for.
    if (!settings.canPull) readiness.markReady();
    canRegisterConfiguration = params.capabilities?.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    canFollowFolders = params.capabilities?.workspace?.workspaceFolders === true;
    // The index follows files changed outside the editor (a branch switch, a generator) through
    // the client's watcher. Not asked of Emacs clients: there a watcher on a large tree asks the
    // user first, for every project; they re-index on save and edit instead.
    canWatchSources =
      params.capabilities?.workspace?.didChangeWatchedFiles?.dynamicRegistration === true && !/emacs|eglot|lsp-mode/i.test(params.clientInfo?.name ?? '');
    return {
      capabilities: {
        positionEncoding: 'utf-16',
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        ...merged.capabilities(),
        executeCommandProvider: { commands: merged.commandNames },
      },
      serverInfo: { name: 'codex-lsp', version: VERSION },
    };
  });

  connection.onInitialized(async () => {
    if (canRegisterConfiguration) {
      connection.client.register(DidChangeConfigurationNotification.type, { section: 'codex' }).catch(() => undefined);
    }
    if (canFollowFolders) {
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        const gone = new Set(e.removed.map((f) => uriToPath(f.uri)));
        const added = e.added.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
        workspace.setRoots([...workspace.roots.filter((r) => !gone.has(r)), ...added]);
        log.info(`workspace folders: ${workspace.roots.join(', ') || 'none'}`);
      });
    }
    // Without workspace/configuration there is nothing to wait for. With it, requests wait for the
    // first pull (or give up on it after a few seconds): the user's ignore globs and endpoint must
    // be known before anything is sent.
    await settings.start();
    const first = workspace.scopeFor().config.settings;
    if (canWatchSources && first.context.workspace) {
      connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: SOURCE_FILES_GLOB }] }).catch(() => undefined);
    }
    const s = workspace.scopeFor().config.current;
    log.info(
      `codex-lsp ${VERSION} ready: model ${s.settings.model} at ${s.settings.baseUrl} (api ${s.settings.api}), ` +
        `key ${s.keySource ? `from ${s.keySource}` : 'missing'}, cache ${s.settings.cache.enabled ? s.cacheDir : 'off'}` +
        (workspace.roots.length > 1 ? `, ${workspace.roots.length} folders` : ''),
    );
    // Tell the user now, not at their first hover, when the model cannot be reached at all.
    for (const scope of workspace.scopes()) scope.gateway.blockedReason();
  });

  connection.onDidChangeConfiguration((params) => settings.changed(params));

  // After `shutdown` the protocol allows only `exit`: every request gets InvalidRequest.
  const guard = <T>(answer: () => T): T => {
    if (shutDown) throw new ResponseError(ErrorCodes.InvalidRequest, 'the server is shutting down: only "exit" is accepted now');
    return answer();
  };
  for (const r of merged.requests) connection.onRequest(r.type, (params, token) => guard(() => r.handle(params, token)));
  connection.onRequest(ExecuteCommandRequest.type, (params, token) => guard(() => merged.execute(params, token)));

  documents.onDidOpen((e) => {
    // Index a big document's lines as its text arrives (once; incremental changes keep the
    // index up to date), so the first hover in a 5 MB file does not pay for it.
    if (e.document.getText().length > 256 * 1024) void e.document.lineCount;
    workspace.opened(e.document);
    merged.documents.opened(e.document);
  });
  documents.onDidChangeContent((e) => {
    workspace.changed(e.document);
    merged.documents.changed(e.document);
  });
  documents.onDidSave((e) => {
    if (workspace.isProjectFile(e.document.uri)) workspace.projectFileChanged(uriToPath(e.document.uri) ?? '');
    workspace.changed(e.document);
    merged.documents.saved(e.document);
  });
  documents.onDidClose((e) => {
    workspace.closed(e.document.uri);
    merged.documents.closed(e.document.uri);
  });
  connection.onDidChangeWatchedFiles((params) => {
    // Clients that watch files on their own (VS Code does) may tell us of project files too.
    for (const c of params.changes) if (workspace.isProjectFile(c.uri)) workspace.projectFileChanged(uriToPath(c.uri) ?? '');
    workspace.filesChanged(params.changes);
  });
  connection.onShutdown(async () => {
    shutDown = true;
    workspace.close();
    await workspace.flush();
    log.info(sessionSummary(workspace.shared.usage, workspace.scopeFor().config.settings.prices));
  });

  documents.listen(connection);
  connection.listen();
}
