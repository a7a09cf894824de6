/**
 * Everything the extension decides, as plain data and pure functions: where the server module
 * is, how it is started, which documents it sees, what environment it gets, which settings
 * reach it and how the usage report reads. No `vscode` import here, so
 * it runs (and is tested) in plain Node; `extension.ts` turns it into a LanguageClient.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CLIENT_ID = 'codex';
export const CLIENT_NAME = 'Codex';
/** The settings section the server pulls with workspace/configuration. */
export const SECTION = 'codex';
/** The server's workspace/executeCommand that answers the token usage report. */
export const SERVER_USAGE_COMMAND = 'codex.usage';
/** SecretStorage key of the API key set with "Codex: Set API Key". */
export const SECRET_API_KEY = 'codex.apiKey';
/** The environment variable the server reads first for its key (see the contract). */
export const KEY_ENV = 'CODEX_LSP_API_KEY';

/** Every file on disk and every untitled buffer, whatever its language: the server decides what it can review. */
export const DOCUMENT_SELECTOR: ReadonlyArray<{ readonly scheme: string }> = [{ scheme: 'file' }, { scheme: 'untitled' }];

/** The bundled server inside the packaged extension, relative to the extension folder. */
export const PACKAGED_SERVER = path.join('server', 'bin', 'codex-lsp.js');
/** The launcher of the repository this extension folder (clients/vscode) lives in. */
export const REPOSITORY_SERVER = path.join('..', '..', 'bin', 'codex-lsp.js');

/**
 * The server module candidates, first match wins. A packaged extension has its bundled copy
 * of the server; a checkout (running the extension from clients/vscode, F5) uses the
 * repository's own launcher, which loads the server `npm ci` (prepare) built into dist/. In development
 * the repository comes first, so a stale bundle never shadows a fresh build.
 */
export function serverModuleCandidates(extensionPath: string, preferRepository = false): string[] {
  const packaged = path.join(extensionPath, PACKAGED_SERVER);
  const repository = path.resolve(extensionPath, REPOSITORY_SERVER);
  return preferRepository ? [repository, packaged] : [packaged, repository];
}

export function resolveServerModule(extensionPath: string, opts: { preferRepository?: boolean; exists?: (file: string) => boolean } = {}): string {
  const exists = opts.exists ?? fs.existsSync;
  const candidates = serverModuleCandidates(extensionPath, opts.preferRepository);
  const found = candidates.find((c) => exists(c));
  if (found === undefined) {
    throw new Error(
      `codex-lsp server not found (looked for ${candidates.join(' and ')}). ` +
        'Install the packaged extension (.vsix), or run `npm ci` in the codex-lsp repository.',
    );
  }
  return found;
}

/**
 * The server's environment: the editor's own (so CODEX_LSP_API_KEY, COMETAPI_KEY,
 * OPENAI_API_KEY, CODEX_LSP_BASE_URL, CODEX_LSP_MODEL, CODEX_LSP_CACHE_DIR, proxies ...
 * pass through unchanged), plus the key from VS Code's secret storage when the user set one,
 * which then wins over the other environment keys (a key in settings still wins over it).
 */
export function serverEnv(base: NodeJS.ProcessEnv, storedKey?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  const key = storedKey?.trim();
  if (key) env[KEY_ENV] = key;
  return env;
}

/** How vscode-languageclient should start the server; extension.ts maps `transport` to TransportKind. */
export interface ServerLaunch {
  module: string;
  transport: 'stdio';
  /** Extra arguments. vscode-languageclient itself appends `--stdio` and `--clientProcessId=<pid>` for the stdio transport. */
  args: string[];
  options: { env: NodeJS.ProcessEnv; execArgv?: string[] };
}

export interface ServerLaunchOptions {
  extensionPath: string;
  env: NodeJS.ProcessEnv;
  storedKey?: string;
  preferRepository?: boolean;
  exists?: (file: string) => boolean;
}

/**
 * `run` and `debug` launches of the same module with VS Code's own Node (no `runtime`: the
 * client forks the module with ELECTRON_RUN_AS_NODE), over stdio, the transport every other
 * editor uses too. `debug` (used when the extension host itself runs under a debugger) adds an
 * inspector port.
 */
export function buildServerOptions(o: ServerLaunchOptions): { run: ServerLaunch; debug: ServerLaunch } {
  const module = resolveServerModule(o.extensionPath, { preferRepository: o.preferRepository, exists: o.exists });
  const env = serverEnv(o.env, o.storedKey);
  return {
    run: { module, transport: 'stdio', args: [], options: { env } },
    debug: { module, transport: 'stdio', args: [], options: { env, execArgv: ['--nolazy', '--inspect=6019'] } },
  };
}

/**
 * The command line the client runs for a launch (module, our args, then what
 * vscode-languageclient appends for the stdio transport): what the server must accept.
 */
export function launchArgv(launch: ServerLaunch, clientPid: number): string[] {
  return [launch.module, ...launch.args, '--stdio', `--clientProcessId=${clientPid}`];
}

/** The data half of LanguageClientOptions (the middleware is wired in extension.ts). */
export interface ClientOptionsData {
  documentSelector: Array<{ scheme: string }>;
}

/**
 * No `synchronize.configurationSection` (legacy push): the server pulls `codex` with
 * workspace/configuration and registers for workspace/didChangeConfiguration itself, and
 * vscode-languageclient's default features handle both; the extension's middleware only
 * narrows the `codex` answer to what the user set (explicitSection).
 */
export function buildClientOptions(): ClientOptionsData {
  return { documentSelector: DOCUMENT_SELECTOR.map((s) => ({ ...s })) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What `WorkspaceConfiguration.inspect` reports for one setting (the parts used here). */
export interface Inspected {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

export interface SectionReader {
  inspect(key: string): Inspected | undefined;
  get(key: string): unknown;
}

/** The setting keys (without "codex.") and the restricted ones, from the extension's own manifest. */
export function manifestSettings(packageJSON: unknown): { keys: string[]; restricted: Set<string> } {
  const pkg = isRecord(packageJSON) ? packageJSON : {};
  const contributes = isRecord(pkg.contributes) ? pkg.contributes : {};
  const configuration = isRecord(contributes.configuration) ? contributes.configuration : {};
  const properties = isRecord(configuration.properties) ? configuration.properties : {};
  const keys = Object.keys(properties)
    .filter((k) => k.startsWith(`${SECTION}.`))
    .map((k) => k.slice(SECTION.length + 1));
  const caps = isRecord(pkg.capabilities) && isRecord(pkg.capabilities.untrustedWorkspaces) ? pkg.capabilities.untrustedWorkspaces : {};
  const restricted = Array.isArray(caps.restrictedConfigurations) ? caps.restrictedConfigurations.filter((k): k is string => typeof k === 'string') : [];
  return { keys, restricted: new Set(restricted.map((k) => k.slice(SECTION.length + 1))) };
}

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    if (!isRecord(cur[part])) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1] as string] = value;
}

/**
 * The `codex` section as the server should see it: only the settings the user actually set
 * (user, workspace or folder settings), never VS Code's defaults. VS Code's own answer would
 * include every contributed default, and the section outranks the environment, so a default
 * `baseUrl` or `model` would silently override CODEX_LSP_BASE_URL / CODEX_LSP_MODEL (the
 * server applies the same defaults itself). Also: in an untrusted workspace the workspace's
 * values of restricted settings (endpoint, key) do not count, and an empty `apiKey` (what the
 * Settings editor leaves behind) means "no key here".
 */
export function explicitSection(
  keys: readonly string[],
  reader: SectionReader,
  trust: { trusted: boolean; restricted: ReadonlySet<string> } = { trusted: true, restricted: new Set() },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const seen = reader.inspect(key);
    if (!seen) continue;
    const workspaceCounts = trust.trusted || !trust.restricted.has(key);
    const set = seen.globalValue !== undefined || (workspaceCounts && (seen.workspaceValue !== undefined || seen.workspaceFolderValue !== undefined));
    if (!set) continue;
    const value = reader.get(key);
    if (value === undefined || value === null) continue;
    if (key === 'apiKey' && typeof value === 'string' && value.trim() === '') continue;
    setPath(out, key, JSON.parse(JSON.stringify(value)) as unknown);
  }
  return out;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function usd(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '?';
  return `$${v > 0 && v < 0.01 ? v.toFixed(4) : v.toFixed(2)}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, c) => (c < 2 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function block(title: string, summary: unknown): { line: string; lines: string[] } | undefined {
  if (!isRecord(summary) || !isRecord(summary.totals)) return undefined;
  const t = summary.totals;
  const calls = num(t.requests);
  const line =
    `${title}: ${calls} model call${calls === 1 ? '' : 's'}, ${num(t.cacheHits)} from cache, ` +
    `tokens in ${num(t.input)} (cached ${num(t.cachedInput)}) out ${num(t.output)}` +
    ('usd' in t ? `, about ${usd(t.usd)}` : '');
  const rows = Array.isArray(summary.rows) ? summary.rows.filter(isRecord) : [];
  const lines =
    rows.length === 0
      ? ['  (no model calls)']
      : table([
          ['feature', 'model', 'calls', 'cache hits', 'input', 'cached input', 'output', 'cost'],
          ...rows.map((r) => [
            String(r.feature ?? ''),
            String(r.model ?? ''),
            String(num(r.requests)),
            String(num(r.cacheHits)),
            String(num(r.input)),
            String(num(r.cachedInput)),
            String(num(r.output)),
            'usd' in r ? usd(r.usd) : '',
          ]),
        ]).map((l) => `  ${l}`);
  return { line, lines };
}

/**
 * The `codex.usage` answer as a one-line summary (for a notification) and a plain-text report
 * (for an output channel). Reads the fields it knows and ignores the rest, so a server that
 * reports more keeps working.
 */
export function formatUsage(report: unknown): { summary: string; text: string } {
  if (!isRecord(report)) return { summary: 'Codex: the server sent no usage report.', text: JSON.stringify(report) ?? 'undefined' };
  const today = isRecord(report.today) ? report.today : undefined;
  const blocks = [block('This session', report.session), block(typeof today?.date === 'string' ? `Today (${today.date})` : 'Today', today)].filter(
    (b): b is NonNullable<typeof b> => b !== undefined,
  );
  const lines: string[] = [];
  for (const b of blocks) lines.push(b.line, ...b.lines, '');
  if (typeof today?.budgetUSD === 'number') {
    lines.push(`Daily budget: ${usd(today.budgetUSD)}${today.budgetReached === true ? ' (reached: automatic reviews are paused)' : ''}`, '');
  }
  if (blocks.length === 0) lines.push(JSON.stringify(report, null, 2), '');
  const summary = blocks.length > 0 ? `Codex: ${blocks.map((b) => b.line).join('. ')}.` : 'Codex: usage report received.';
  return { summary, text: lines.join('\n') };
}
