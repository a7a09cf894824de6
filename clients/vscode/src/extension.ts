/**
 * The thin VS Code side: starts codex-lsp (the same server every editor runs) with
 * vscode-languageclient, and adds four commands. All decisions live in ./options.
 */
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type NodeModule,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  buildClientOptions,
  buildServerOptions,
  CLIENT_ID,
  CLIENT_NAME,
  explicitSection,
  formatUsage,
  manifestSettings,
  SECRET_API_KEY,
  SECTION,
  SERVER_USAGE_COMMAND,
  type ServerLaunch,
} from './options';

let client: LanguageClient | undefined;
/** The stored key the running client was started with, to restart only when it really changed. */
let startedWithKey: string | undefined;
/** Start, stop and restart run one after another, never interleaved. */
let queue: Promise<void> = Promise.resolve();
let usageChannel: vscode.OutputChannel | undefined;

function nodeModule(l: ServerLaunch): NodeModule {
  return { module: l.module, transport: TransportKind.stdio, args: l.args, options: l.options };
}

async function start(context: vscode.ExtensionContext, output: vscode.OutputChannel): Promise<void> {
  const storedKey = await context.secrets.get(SECRET_API_KEY);
  const launch = buildServerOptions({
    extensionPath: context.extensionPath,
    env: process.env,
    storedKey,
    preferRepository: context.extensionMode !== vscode.ExtensionMode.Production,
  });
  const serverOptions: ServerOptions = { run: nodeModule(launch.run), debug: nodeModule(launch.debug) };
  const settings = manifestSettings(context.extension.packageJSON);
  const clientOptions: LanguageClientOptions = {
    ...buildClientOptions(),
    outputChannel: output,
    middleware: {
      workspace: {
        // The `codex` section carries only what the user set (see explicitSection); other sections as VS Code answers them.
        configuration: async (params, token, next) => {
          const others = params.items.some((item) => item.section !== SECTION) ? await next(params, token) : [];
          if (!Array.isArray(others)) return others;
          return params.items.map((item, i) => {
            if (item.section !== SECTION) return others[i] ?? null;
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            const config = vscode.workspace.getConfiguration(SECTION, scope);
            return explicitSection(
              settings.keys,
              { inspect: (key) => config.inspect(key), get: (key) => config.get(key) },
              {
                trusted: vscode.workspace.isTrusted,
                restricted: settings.restricted,
              },
            );
          });
        },
      },
    },
  };
  startedWithKey = storedKey;
  client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  await client.start();
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop().catch(() => undefined);
}

function enqueue(job: () => Promise<void>, output: vscode.OutputChannel): Promise<void> {
  queue = queue.then(job).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    output.appendLine(`codex: ${message}`);
    // A server that failed to start was already reported by vscode-languageclient; this is for
    // what fails before it (no server module). Never awaited: the queue must not wait for a click.
    if (client === undefined) {
      void vscode.window.showErrorMessage(`Codex: ${message}`, 'Show Output').then((choice) => {
        if (choice) output.show(true);
      });
    }
  });
  return queue;
}

/**
 * "Codex: Show Last Request": what was last sent to the model for the file in the editor, exactly.
 * The server opens it as a read-only document (window/showDocument); without a file, the last of all.
 */
async function showLastRequest(): Promise<void> {
  if (!client?.isRunning()) {
    void vscode.window.showWarningMessage('Codex: the language server is not running (see "Codex: Restart Server").');
    return;
  }
  const uri = vscode.window.activeTextEditor?.document.uri.toString();
  await client.sendRequest(ExecuteCommandRequest.type, { command: 'codex.showLastRequest', arguments: uri ? [uri] : [] });
}

async function showUsage(): Promise<void> {
  if (!client?.isRunning()) {
    void vscode.window.showWarningMessage('Codex: the language server is not running (see "Codex: Restart Server").');
    return;
  }
  const report: unknown = await client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_USAGE_COMMAND, arguments: [] });
  const { summary, text } = formatUsage(report);
  usageChannel ??= vscode.window.createOutputChannel('Codex Usage');
  usageChannel.clear();
  usageChannel.append(text);
  const choice = await vscode.window.showInformationMessage(summary, 'Details');
  if (choice) usageChannel.show(true);
}

async function setApiKey(context: vscode.ExtensionContext): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: 'Codex: API key',
    prompt: "Kept in VS Code's secret storage (the OS keychain), never in settings.json; the server gets it as CODEX_LSP_API_KEY. Leave empty to remove it.",
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  if (value.trim() === '') await context.secrets.delete(SECRET_API_KEY);
  else await context.secrets.store(SECRET_API_KEY, value.trim());
}

export function activate(context: vscode.ExtensionContext): void {
  // Activation (onStartupFinished) only creates the channel and commands and starts the server
  // process in the background; nothing here waits for the server or the model.
  const output = vscode.window.createOutputChannel(CLIENT_NAME);
  const restart = (): Promise<void> =>
    enqueue(async () => {
      await stop();
      await start(context, output);
    }, output);

  context.subscriptions.push(
    output,
    { dispose: () => usageChannel?.dispose() },
    vscode.commands.registerCommand('codex.restartServer', restart),
    vscode.commands.registerCommand('codex.showUsage', () =>
      showUsage().catch((err: unknown) => {
        void vscode.window.showErrorMessage(`Codex: usage report failed: ${err instanceof Error ? err.message : String(err)}`);
      }),
    ),
    vscode.commands.registerCommand('codex.setApiKey', () => setApiKey(context)),
    vscode.commands.registerCommand('codex.showLastRequestForFile', () =>
      showLastRequest().catch((err: unknown) => {
        void vscode.window.showErrorMessage(`Codex: could not show the last request: ${err instanceof Error ? err.message : String(err)}`);
      }),
    ),
    // Trusting the folder lets its restricted settings (endpoint, key) count: the server pulls again.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (client?.isRunning()) void client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }),
    context.secrets.onDidChange(async (e) => {
      if (e.key !== SECRET_API_KEY) return;
      // Also fires for a key set in another window; restart only if this server has another key.
      if ((await context.secrets.get(SECRET_API_KEY)) !== startedWithKey) await restart();
    }),
  );
  void restart();
}

export function deactivate(): Promise<void> {
  return (queue = queue.then(stop));
}
