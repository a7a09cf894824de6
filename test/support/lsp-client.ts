/**
 * An LSP test client: drives the server either as the built child process over stdio
 * or in-process over a pair of PassThrough streams, and records everything the server sends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  ApplyWorkspaceEditRequest,
  CodeLensRefreshRequest,
  ConfigurationRequest,
  createMessageConnection,
  DiagnosticRefreshRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  ErrorCodes,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  InlayHintRefreshRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ResponseError,
  SemanticTokensRefreshRequest,
  ShowDocumentRequest,
  type ShowDocumentParams,
  ShowMessageNotification,
  ShowMessageRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  TelemetryEventNotification,
  UnregistrationRequest,
  WorkDoneProgressCreateRequest,
  WorkspaceFoldersRequest,
  type ApplyWorkspaceEditParams,
  type ApplyWorkspaceEditResult,
  type CancellationToken,
  type ClientCapabilities,
  type ConfigurationParams,
  type Hover,
  type InitializeParams,
  type InitializeResult,
  type Logger,
  type MessageActionItem,
  type MessageConnection,
  type LogMessageParams,
  type Position,
  type ProgressToken,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Registration,
  type ShowMessageParams,
  type ShowMessageRequestParams,
  type TextEdit,
  type WorkspaceFolder,
} from 'vscode-languageserver-protocol/node';
import { createConnection, type Connection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { SCRUBBED_ENV, SERVER_BIN } from './paths';

/** The signature the lead's server/lsp/server.ts exports; declared here so this file type-checks before it exists. */
export type StartServer = (connection: Connection, deps?: { env?: NodeJS.ProcessEnv }) => void;

export interface ClientOptions {
  env?: Record<string, string | undefined>;
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  settings?: Record<string, unknown>;
  rootUri?: string | null;
  workspaceFolders?: WorkspaceFolder[] | null;
  /** Default true: send initialize + initialized before returning. */
  initialize?: boolean;
  /** Default true; false: workspace/configuration requests are recorded and never answered (a hung client). */
  answerConfiguration?: boolean;
}

export interface SpawnOptions extends ClientOptions {
  /** Script run with process.execPath; defaults to <repo>/bin/codex-lsp.js (override for stand-ins). */
  serverModule?: string;
  /** Defaults to ['--stdio']. */
  args?: string[];
}

export interface InProcessOptions extends ClientOptions {
  /** Defaults to startServer from server/lsp/server (loaded lazily). */
  startServer?: StartServer;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const DEFAULT_CAPABILITIES: ClientCapabilities = {
  general: { positionEncodings: ['utf-16'] },
  textDocument: {
    synchronization: { didSave: true, dynamicRegistration: false },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    publishDiagnostics: {},
    codeAction: {
      // Without literal support a spec-following server may only answer bare Commands.
      codeActionLiteralSupport: {
        codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.rewrite', 'source'] },
      },
      dataSupport: true,
      isPreferredSupport: true,
    },
  },
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    applyEdit: true,
    workspaceEdit: { documentChanges: true },
  },
  window: { workDoneProgress: true },
};

/** A client that takes an AI action's edit from codeAction/resolve (quick fixes and refactors only). */
export const RESOLVING_CLIENT: ClientCapabilities = {
  textDocument: {
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor'] } },
      dataSupport: true,
      resolveSupport: { properties: ['edit'] },
    },
  },
  workspace: { configuration: true, applyEdit: true, workspaceEdit: { documentChanges: true } },
};

const EXIT_GRACE_MS = 100;

const LANGUAGE_BY_EXT: Record<string, string> = {
  '.ts': 'typescript',
  '.tsx': 'typescriptreact',
  '.js': 'javascript',
  '.jsx': 'javascriptreact',
  '.py': 'python',
  '.go': 'go',
  '.rs': 'rust',
  '.java': 'java',
  '.c': 'c',
  '.cpp': 'cpp',
  '.md': 'markdown',
  '.json': 'json',
};

interface OpenDocument {
  text: string;
  version: number;
  languageId: string;
}

interface Transport {
  kind: 'stdio' | 'in-process';
  /** server -> client */
  input: Readable;
  /** client -> server */
  output: Writable;
  child?: ChildProcess;
  tempDir: string;
  cacheDir: string;
  settings: Record<string, unknown>;
}

export class LspTestClient {
  /** The typed LSP view of the connection (same object as `rpc`). */
  readonly connection: ProtocolConnection;
  /** The raw jsonrpc view: star handlers and unhandled-progress events live here. */
  readonly rpc: MessageConnection;
  readonly kind: 'stdio' | 'in-process';
  initializeResult?: InitializeResult;
  readonly messages: ShowMessageParams[] = [];
  /** window/showDocument requests from the server. */
  readonly shownDocuments: ShowDocumentParams[] = [];
  readonly messageRequests: ShowMessageRequestParams[] = [];
  readonly logs: LogMessageParams[] = [];
  readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  readonly registrations: Registration[] = [];
  readonly progress: Array<{ token: ProgressToken; value: unknown }> = [];
  readonly workDoneCreates: ProgressToken[] = [];
  readonly configurationRequests: ConfigurationParams[] = [];
  readonly applyEditRequests: ApplyWorkspaceEditParams[] = [];
  readonly telemetry: unknown[] = [];
  /** Server->client requests and notifications nobody registered a handler for. */
  readonly otherMessages: Array<{ kind: 'request' | 'notification'; method: string; params: unknown }> = [];
  /** jsonrpc's own log output (e.g. unexpected responses). */
  readonly rpcLog: string[] = [];
  /** workspace/diagnostic/refresh requests received. */
  diagnosticRefreshes = 0;
  applyEditResult: ApplyWorkspaceEditResult = { applied: true };
  /** The answer to window/showMessageRequest (null = dismissed). */
  showMessageRequestResult: MessageActionItem | null = null;
  stderr = '';
  readonly errors: Error[] = [];
  /** undefined while running (or in-process); the exit code (null if killed by a signal) once exited. */
  exitCode: number | null | undefined = undefined;
  exitSignal: NodeJS.Signals | null | undefined = undefined;
  settings: Record<string, unknown>;
  readonly cacheDir: string;
  readonly tempDir: string;

  private readonly transport: Transport;
  private readonly documents = new Map<string, OpenDocument>();
  private readonly exited: Promise<ExitInfo>;
  private disposing: Promise<void> | undefined;
  /** True once the child exited and its last messages had time to be dispatched. */
  private gone = false;
  private resolveGone: () => void = () => undefined;
  private readonly goneSignal = new Promise<void>((resolve) => (this.resolveGone = resolve));

  constructor(
    transport: Transport,
    private readonly options: ClientOptions,
  ) {
    this.transport = transport;
    this.kind = transport.kind;
    this.tempDir = transport.tempDir;
    this.cacheDir = transport.cacheDir;
    this.settings = transport.settings;

    const logger: Logger = {
      error: (m) => this.rpcLog.push(`error: ${m}`),
      warn: (m) => this.rpcLog.push(`warn: ${m}`),
      info: (m) => this.rpcLog.push(`info: ${m}`),
      log: (m) => this.rpcLog.push(`log: ${m}`),
    };
    // createProtocolConnection is this same call with a narrower type that hides star handlers.
    this.rpc = createMessageConnection(new StreamMessageReader(transport.input), new StreamMessageWriter(transport.output), logger);
    this.connection = this.rpc;
    this.exited = this.watchChild(transport.child);
    this.installHandlers();
    this.connection.listen();
  }

  private watchChild(child: ChildProcess | undefined): Promise<ExitInfo> {
    if (!child) return new Promise<ExitInfo>(() => undefined);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
      if (process.env['CODEX_LSP_TEST_DEBUG']) process.stderr.write(chunk);
    });
    // Writing to a dead server raises EPIPE on stdin; record it instead of crashing the runner.
    child.stdin?.on('error', (err) => this.errors.push(err));
    child.on('error', (err) => this.errors.push(err));
    return new Promise<ExitInfo>((resolve) => {
      // 'close' comes after stdout/stderr drained, so the last frames and stderr lines are in.
      child.on('close', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        // jsonrpc dispatches one queued message per tick: give the last frames time before declaring the server gone.
        setTimeout(() => {
          this.gone = true;
          this.resolveGone();
        }, EXIT_GRACE_MS);
        resolve({ code, signal });
      });
    });
  }

  private installHandlers(): void {
    const c = this.rpc;
    c.onError(([error]) => this.errors.push(error));
    c.onUnhandledProgress((p) => this.progress.push({ token: p.token, value: p.value }));

    c.onNotification(ShowMessageNotification.type, (p) => this.messages.push(p));
    c.onNotification(LogMessageNotification.type, (p) => this.logs.push(p));
    c.onNotification(TelemetryEventNotification.type, (p: unknown) => this.telemetry.push(p));
    c.onNotification(PublishDiagnosticsNotification.type, (p) => {
      const list = this.diagnostics.get(p.uri) ?? [];
      list.push(p);
      this.diagnostics.set(p.uri, list);
    });
    c.onNotification((method, params) => this.otherMessages.push({ kind: 'notification', method, params }));

    c.onRequest(ConfigurationRequest.type, (p) => {
      this.configurationRequests.push(p);
      if (this.options.answerConfiguration === false) return new Promise<never>(() => undefined);
      return p.items.map((item) => this.configurationFor(item.section));
    });
    c.onRequest(WorkDoneProgressCreateRequest.type, (p) => {
      this.workDoneCreates.push(p.token);
      return null;
    });
    c.onRequest(RegistrationRequest.type, (p) => {
      this.registrations.push(...p.registrations);
    });
    c.onRequest(UnregistrationRequest.type, (p) => {
      for (const u of p.unregisterations) {
        const i = this.registrations.findIndex((r) => r.id === u.id);
        if (i >= 0) this.registrations.splice(i, 1);
      }
    });
    c.onRequest(ApplyWorkspaceEditRequest.type, (p) => {
      this.applyEditRequests.push(p);
      return this.applyEditResult;
    });
    c.onRequest(ShowMessageRequest.type, (p) => {
      this.messageRequests.push(p);
      return this.showMessageRequestResult;
    });
    c.onRequest(ShowDocumentRequest.type, (p) => {
      this.shownDocuments.push(p);
      return { success: true };
    });
    c.onRequest(WorkspaceFoldersRequest.type, () => this.options.workspaceFolders ?? null);
    c.onRequest(DiagnosticRefreshRequest.type, () => {
      this.diagnosticRefreshes++;
      return null;
    });
    c.onRequest(CodeLensRefreshRequest.type, () => null);
    c.onRequest(SemanticTokensRefreshRequest.type, () => null);
    c.onRequest(InlayHintRefreshRequest.type, () => null);
    // Anything else still gets an answer, so the server never waits on us.
    c.onRequest((method, params) => {
      this.otherMessages.push({ kind: 'request', method, params });
      return null;
    });
  }

  /** 'codex' -> settings; 'codex.a.b' -> the nested value; no section -> {codex}; others -> null. */
  private configurationFor(section: string | undefined): unknown {
    const snapshot = structuredClone(this.settings);
    if (section === undefined || section === '') return { codex: snapshot };
    if (section === 'codex') return snapshot;
    if (!section.startsWith('codex.')) return null;
    let cur: unknown = snapshot;
    for (const key of section.slice('codex.'.length).split('.')) {
      if (typeof cur !== 'object' || cur === null) return null;
      cur = (cur as Record<string, unknown>)[key];
    }
    return cur ?? null;
  }

  async initialize(): Promise<InitializeResult> {
    const params: InitializeParams = {
      // The real pid lets a spawned server's watchdog exit if the test runner dies; in-process must not watch.
      processId: this.kind === 'stdio' ? process.pid : null,
      clientInfo: { name: 'codex-lsp-test-client', version: '0.0.0' },
      locale: 'en',
      rootUri: this.options.rootUri ?? null,
      workspaceFolders: this.options.workspaceFolders ?? null,
      capabilities: deepMerge(DEFAULT_CAPABILITIES, this.options.capabilities ?? {}) as ClientCapabilities,
    };
    if (this.options.initializationOptions !== undefined) params.initializationOptions = this.options.initializationOptions;
    const result = await this.request<InitializeResult>(InitializeRequest.method, params);
    this.initializeResult = result;
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  /** Pull-style by default ({settings: null}); `push: true` sends {settings: {codex}}. */
  async changeConfiguration(options: { push?: boolean } = {}): Promise<void> {
    const settings = options.push ? { codex: structuredClone(this.settings) } : null;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings });
  }

  async open(uri: string, text: string, languageId?: string, version = 1): Promise<void> {
    const lang = languageId ?? LANGUAGE_BY_EXT[path.extname(uri).toLowerCase()] ?? 'plaintext';
    this.documents.set(uri, { text, version, languageId: lang });
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: lang, version, text },
    });
  }

  /** Full-text change (no range), version + 1. */
  async change(uri: string, text: string): Promise<void> {
    const doc = this.requireDocument(uri);
    doc.text = text;
    doc.version += 1;
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: doc.version },
      contentChanges: [{ text }],
    });
  }

  async save(uri: string): Promise<void> {
    const doc = this.requireDocument(uri);
    await this.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri }, text: doc.text });
  }

  async close(uri: string): Promise<void> {
    this.requireDocument(uri);
    this.documents.delete(uri);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** The client's copy of an open document. */
  document(uri: string): Readonly<OpenDocument> | undefined {
    return this.documents.get(uri);
  }

  hover(uri: string, position: Position, token?: CancellationToken): Promise<Hover | null> {
    return this.request<Hover | null>(HoverRequest.method, { textDocument: { uri }, position }, token);
  }

  /** Sends a request; if it fails because the server died, the error says so and carries the stderr tail. */
  async request<R>(method: string, params: unknown, token?: CancellationToken): Promise<R> {
    try {
      const sent = token ? this.connection.sendRequest<R>(method, params, token) : this.connection.sendRequest<R>(method, params);
      // A closed connection never rejects pending requests by itself, so race them against the exit.
      const died = this.goneSignal.then((): never => {
        throw new Error('the server exited before answering');
      });
      return await Promise.race([sent, died]);
    } catch (err) {
      if (this.exitCode !== undefined && err instanceof Error && !isServerAnswer(err)) {
        throw new Error(`${method} failed: ${err.message}\n${this.describeState()}`, { cause: err });
      }
      throw err;
    }
  }

  async notify(method: string, params: unknown): Promise<void> {
    await this.connection.sendNotification(method, params);
  }

  /** Bypasses framing: bytes go straight to the server's input, for malformed-message tests. */
  sendRaw(bytes: string | Buffer): void {
    this.transport.output.write(bytes);
  }

  /** Polls every 10 ms until the predicate returns something truthy. */
  async waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (this.gone) {
        throw new Error(`Server exited while waiting for ${what}\n${this.describeState()}`);
      }
      if (Date.now() >= deadline) {
        throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}\n${this.describeState()}`);
      }
      await sleep(10);
    }
  }

  /**
   * The first message (already received or future) whose text matches, from window/showMessage
   * or window/showMessageRequest: vscode-languageserver's connection.window.showXxxMessage() sends the request form.
   */
  waitForMessage(re: RegExp, timeoutMs = 5000): Promise<ShowMessageParams> {
    return this.waitFor(() => [...this.messages, ...this.messageRequests].find((m) => m.message.search(re) >= 0), timeoutMs, `showMessage matching ${re}`);
  }

  /** The newest publish for `uri` that satisfies the predicate (any publish if none given). */
  waitForDiagnostics(uri: string, predicate: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 5000): Promise<PublishDiagnosticsParams> {
    return this.waitFor(
      () => {
        const list = this.diagnostics.get(uri) ?? [];
        for (let i = list.length - 1; i >= 0; i--) {
          const p = list[i];
          if (p && predicate(p)) return p;
        }
        return undefined;
      },
      timeoutMs,
      `diagnostics for ${uri}`,
    );
  }

  /** The server's process id (stdio only): for memory readings in the benchmark. */
  get pid(): number | undefined {
    return this.transport.child?.pid;
  }

  /** Resolves when the child exits (stdio only); rejects on timeout. */
  async waitForExit(timeoutMs = 5000): Promise<ExitInfo> {
    if (this.kind !== 'stdio') throw new Error('waitForExit: the in-process server never exits');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Server did not exit within ${timeoutMs} ms\n${this.describeState()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * shutdown + exit, then waits for the process to exit. In-process only sends shutdown:
   * vscode-languageserver answers `exit` with process.exit(), which would kill the test worker.
   */
  async shutdown(timeoutMs = 5000): Promise<void> {
    await this.request<null>(ShutdownRequest.method, undefined);
    if (this.kind === 'in-process') return;
    await this.connection.sendNotification(ExitNotification.type);
    await this.waitForExit(timeoutMs);
  }

  /** Kills the server if still running, closes streams, removes the temp dir. Idempotent. */
  dispose(): Promise<void> {
    this.disposing ??= this.doDispose();
    return this.disposing;
  }

  private async doDispose(): Promise<void> {
    const child = this.transport.child;
    if (child && this.exitCode === undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const gone = await Promise.race([this.exited.then(() => true), sleep(2000).then(() => false)]);
      if (!gone) {
        child.kill('SIGKILL');
        await Promise.race([this.exited, sleep(2000)]);
      }
    }
    this.connection.dispose();
    this.transport.output.end();
    this.transport.input.destroy();
    // Another server of the test may share this cache folder and still be writing to it: retry.
    fs.rmSync(this.tempDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }

  private requireDocument(uri: string): OpenDocument {
    const doc = this.documents.get(uri);
    if (!doc) throw new Error(`Document not open in the test client: ${uri}`);
    return doc;
  }

  /** Exit status, the stderr tail and recent logs: what you need to see when a test times out. */
  describeState(): string {
    const lines: string[] = [];
    if (this.exitCode !== undefined) lines.push(`server exited: code=${String(this.exitCode)} signal=${String(this.exitSignal)}`);
    const tail = this.stderr
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-20);
    if (tail.length) lines.push('--- server stderr (last 20 lines) ---', ...tail);
    const logs = this.logs.slice(-10).map((l) => `[log ${l.type}] ${l.message}`);
    if (logs.length) lines.push('--- window/logMessage (last 10) ---', ...logs);
    if (this.errors.length) lines.push('--- connection errors ---', ...this.errors.map((e) => e.message));
    return lines.join('\n');
  }
}

function makeTempDirs(opts: ClientOptions): { tempDir: string; cacheDir: string; env: NodeJS.ProcessEnv } {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-lsp-test-'));
  const home = path.join(tempDir, 'home');
  const xdgCache = path.join(tempDir, 'xdg-cache');
  fs.mkdirSync(home);
  fs.mkdirSync(xdgCache);
  // Left uncreated on purpose: creating it is the server's job.
  const cacheDir = path.join(tempDir, 'cache');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SCRUBBED_ENV) delete env[name];
  env['HOME'] = home;
  env['XDG_CACHE_HOME'] = xdgCache;
  env['CODEX_LSP_CACHE_DIR'] = cacheDir;
  for (const [name, value] of Object.entries(opts.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return { tempDir, cacheDir, env };
}

/** Spawns the built server (`node bin/codex-lsp.js --stdio`) with a scrubbed env and a private HOME/cache. */
export async function spawnServer(opts: SpawnOptions = {}): Promise<LspTestClient> {
  const { tempDir, cacheDir, env } = makeTempDirs(opts);
  const child = spawn(process.execPath, [opts.serverModule ?? SERVER_BIN, ...(opts.args ?? ['--stdio'])], {
    env,
    cwd: tempDir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const { stdin, stdout } = child;
  if (!stdin || !stdout) throw new Error('spawnServer: child has no stdio pipes');
  const client = new LspTestClient({ kind: 'stdio', input: stdout, output: stdin, child, tempDir, cacheDir, settings: opts.settings ?? {} }, opts);
  return finishSetup(client, opts);
}

/** Runs startServer in this process over PassThrough streams: fast, debuggable, same client API. */
export async function inProcessServer(opts: InProcessOptions = {}): Promise<LspTestClient> {
  const startServer = opts.startServer ?? (await loadStartServer());
  const { tempDir, cacheDir, env } = makeTempDirs(opts);
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const serverConnection = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  const client = new LspTestClient({ kind: 'in-process', input: toClient, output: toServer, tempDir, cacheDir, settings: opts.settings ?? {} }, opts);
  try {
    startServer(serverConnection, { env });
  } catch (err) {
    await client.dispose();
    throw err;
  }
  return finishSetup(client, opts);
}

async function finishSetup(client: LspTestClient, opts: ClientOptions): Promise<LspTestClient> {
  if (opts.initialize === false) return client;
  try {
    await client.initialize();
  } catch (err) {
    await client.dispose();
    throw err;
  }
  return client;
}

async function loadStartServer(): Promise<StartServer> {
  // A non-literal specifier keeps tsc from requiring the module before the lead has written it.
  const specifier = '../../server/lsp/server';
  const mod: unknown = await import(specifier);
  const start = typeof mod === 'object' && mod !== null ? (mod as { startServer?: unknown }).startServer : undefined;
  if (typeof start !== 'function') throw new Error('server/lsp/server does not export startServer()');
  return start as StartServer;
}

/** LSP position (UTF-16 code units) of the nth (0-based) occurrence of `needle`, plus `offsetInNeedle`. */
export function position(text: string, needle: string, nth = 0, offsetInNeedle = 0): Position {
  let index = -1;
  for (let i = 0; i <= nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`position: occurrence ${nth} of ${JSON.stringify(needle)} not found`);
  }
  return offsetToPosition(text, index + offsetInNeedle);
}

/** Offset -> Position, treating \r\n, \n and \r as line breaks as LSP does. */
function offsetToPosition(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const ch = text.charCodeAt(i);
    // In \r\n the \n ends the line; a lone \r ends it by itself.
    if (ch === 10 || (ch === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

export function fileUri(absPath: string): string {
  return pathToFileURL(absPath).href;
}

/** Applies TextEdits the way an editor would, e.g. to check a code action's result. */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'plaintext', 0, text), edits);
}

/** jsonrpc's own codes for "no answer arrived"; any other ResponseError is the server's real reply. */
const LOCAL_RPC_CODES: ReadonlySet<number> = new Set([
  ErrorCodes.PendingResponseRejected,
  ErrorCodes.ConnectionInactive,
  ErrorCodes.MessageWriteError,
  ErrorCodes.MessageReadError,
]);

function isServerAnswer(err: Error): boolean {
  return err instanceof ResponseError && !LOCAL_RPC_CODES.has(err.code);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
