import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KEY_VARIABLES } from '../config/env';
import { DEFAULT_BASE_URL } from '../config/settings';
import { loadCliSettings } from '../cli/load-settings';
import { endpointConfig } from '../model/endpoint';
import { isLoopback, ModelGateway, type ProblemKind } from '../model/gateway';
import { UsageLedger } from '../model/usage-ledger';
import { Logger, type LogLevel } from '../util/log';
import { VERSION } from '../version';
import { editorChecks } from './editors';
import { EndpointProbe } from './model-checks';
import { exitCodeOf, formatCheck, type Check } from './report';
import { messageOf } from '../util/text';

export const DOCTOR_HELP = `Usage: codex-lsp doctor [--json]

Checks the setup, one line each, in order: Node, the API key, the base URL, the endpoint
(a tiny real request, a few tokens), the model and its API, the fallback models, the cache
folder, the project file (.codex-lsp.json) and the editors' configurations. Every ✗ comes
with the fix. Settings are read from the environment and .codex-lsp.json, as the command
line does; an editor's own settings (which win in the editor) are not visible here.

  --json    one JSON object for tools: {"ok", "version", "checks": [{id, status, text, fix?, ms?}]}

Exit status: 0 nothing broken (✓, ! or -), 1 something broken (✗), 2 usage error.
`;

export interface DoctorIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const CREATE_KEY = 'create a CometAPI key at https://api.cometapi.com/console/token';

export async function runDoctor(argv: readonly string[], io: DoctorIo): Promise<number> {
  const unknown = argv.filter((a) => !['--json', '--help', '-h'].includes(a));
  if (unknown.length > 0) {
    io.stderr.write(`codex-lsp doctor: unknown argument ${JSON.stringify(unknown[0])}\n\n${DOCTOR_HELP}`);
    return 2;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(DOCTOR_HELP);
    return 0;
  }
  const json = argv.includes('--json');
  const checks: Check[] = [];
  // Lines appear as each check ends: the network ones take a moment.
  const add = (c: Check): void => {
    checks.push(c);
    if (!json) io.stdout.write(formatCheck(c));
  };
  if (!json) io.stdout.write(`codex-lsp ${VERSION} doctor\n`);

  const level = io.env.CODEX_LSP_LOG as LogLevel | undefined;
  const log = new Logger((l, m) => {
    if (level && ['warn', 'info', 'debug'].includes(level)) io.stderr.write(`codex-lsp: ${l}: ${m}\n`);
  });
  log.setLevel(level && ['error', 'warn', 'info', 'debug'].includes(level) ? level : 'error');

  // The settings, as `codex-lsp review` reads them: defaults < .codex-lsp.json < environment.
  const { snapshot: snap, projectFile } = loadCliSettings(io.cwd, io.env);
  log.setSecrets([snap.settings.apiKey]);
  const cfg = endpointConfig(snap);

  // 1. Node.
  const major = Number(process.versions.node.split('.')[0]);
  add(
    major >= 20
      ? { id: 'node', status: 'ok', text: `Node ${process.versions.node}` }
      : {
          id: 'node',
          status: 'fail',
          text: `Node ${process.versions.node} is too old`,
          fix: 'install Node 20 or newer (https://nodejs.org), then reinstall codex-lsp.',
        },
  );

  // 2. The key: where from, never what.
  const local = isLoopback(cfg.baseUrl);
  const problems: Array<{ kind: ProblemKind; message: string }> = [];
  const preflight = new ModelGateway(
    () => cfg,
    log,
    { recordCall: () => undefined, recordCacheHit: () => undefined },
    { report: (kind, message) => problems.push({ kind, message }) },
  );
  const blocked = snap.blocking ? undefined : preflight.blockedReason();
  let keyOk = true;
  if (cfg.apiKey) {
    if (blocked?.kind === 'key-mismatch') {
      keyOk = false;
      add({
        id: 'key',
        status: 'fail',
        text: `API key found in ${cfg.keySource}, but it is an OpenAI key and the endpoint is not OpenAI (it was not sent)`,
        fix: problems[0]?.message.replace(/^codex-lsp /, '') ?? CREATE_KEY,
      });
    } else {
      add({ id: 'key', status: 'ok', text: `API key found in ${cfg.keySource} (not shown)` });
    }
  } else if (local) {
    add({ id: 'key', status: 'ok', text: `no API key, and none needed: ${cfg.baseUrl} is on this machine` });
  } else {
    keyOk = false;
    add({
      id: 'key',
      status: 'fail',
      text: `no API key found (looked in the environment: ${KEY_VARIABLES.join(', ')})`,
      fix: `${CREATE_KEY}, then \`export COMETAPI_KEY=<key>\` where your editor starts (your shell profile), or run a local model (README: Local models).`,
    });
  }

  // 3. The base URL.
  const urlOk = !snap.blocking;
  add(
    urlOk
      ? { id: 'base-url', status: 'ok', text: `base URL ${cfg.baseUrl}${cfg.baseUrl === DEFAULT_BASE_URL ? ' (the default, CometAPI)' : ''}` }
      : {
          id: 'base-url',
          status: 'fail',
          text: `base URL: ${snap.blocking}`,
          fix: `set CODEX_LSP_BASE_URL (or "codex.baseUrl") to an http(s) URL, such as ${DEFAULT_BASE_URL}.`,
        },
  );

  // 4-6. The endpoint, the model, the fallbacks: tiny real requests.
  const usage = new UsageLedger(path.join(snap.cacheDir, 'usage'), log);
  if (keyOk && urlOk) {
    for (const c of await new EndpointProbe(cfg, log, usage).run()) add(c);
  } else {
    const why = !urlOk ? 'the base URL is invalid' : 'no usable API key';
    add({ id: 'endpoint', status: 'skip', text: `endpoint: not checked (${why})` });
    add({ id: 'model', status: 'skip', text: `model "${cfg.model}": not checked (${why})` });
    add({ id: 'fallbacks', status: 'skip', text: `fallback models: not checked (${why})` });
  }

  // 7. The cache folder.
  add(cacheCheck(snap.cacheDir));

  // 8. The project file, and any other problem with the settings (a bad base URL has its own line above).
  const settingsProblems = snap.problems.filter((p) => !(snap.blocking && p.startsWith(snap.blocking)));
  if (settingsProblems.length > 0)
    add({
      id: 'project',
      status: 'fail',
      text: settingsProblems.join(' '),
      fix: projectFile ? `edit ${projectFile} as said; the README's "Project settings" lists the keys.` : 'change the settings named, as said.',
    });
  else if (!projectFile) add({ id: 'project', status: 'ok', text: `no .codex-lsp.json at or above ${io.cwd} (it is optional)` });
  else add({ id: 'project', status: 'ok', text: `project file ${projectFile} is valid` });

  // 9. The editors.
  for (const c of editorChecks(io.env, io.env.HOME || os.homedir())) add(c);

  await usage.flush().catch(() => undefined);
  const code = exitCodeOf(checks);
  if (json) {
    io.stdout.write(`${JSON.stringify({ ok: code === 0, version: VERSION, checks }, null, 2)}\n`);
  } else {
    const broken = checks.filter((c) => c.status === 'fail').length;
    io.stdout.write(broken === 0 ? 'Nothing is broken.\n' : `${broken} thing${broken === 1 ? ' is' : 's are'} broken: see the fixes above.\n`);
  }
  return code;
}

function cacheCheck(dir: string): Check {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.doctor-${process.pid}`);
    writeFileSync(probe, 'ok');
    rmSync(probe, { force: true });
  } catch (err) {
    return {
      id: 'cache',
      status: 'fail',
      text: `cache folder ${dir} is not writable (${messageOf(err)})`,
      fix: 'set CODEX_LSP_CACHE_DIR to a writable folder, or fix the permissions of this one.',
    };
  }
  return { id: 'cache', status: 'ok', text: `cache folder ${dir} is writable (${formatBytes(folderSize(dir))})` };
}

function folderSize(dir: string, depth = 0): number {
  if (depth > 6) return 0;
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const p = path.join(dir, name);
    try {
      const st = statSync(p);
      total += st.isDirectory() ? folderSize(p, depth + 1) : st.size;
    } catch {
      // Removed meanwhile (another server pruning): not counted.
    }
  }
  return total;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
