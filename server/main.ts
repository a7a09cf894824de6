import { Console } from 'node:console';
import { createConnection } from 'vscode-languageserver/node';
import { FrameSanitizer } from './lsp/frames';
import { startServer } from './lsp/server';
import { Logger, stderrSink } from './util/log';
import { VERSION } from './version';

const HELP = `codex-lsp ${VERSION}: AI hover explanations, review diagnostics and code actions for any LSP editor,
backed by codex-mini through CometAPI (or any OpenAI-compatible endpoint).

Usage:
  codex-lsp --stdio       speak LSP over stdin/stdout (what editors run)
  codex-lsp review [PATH|GLOB ...] [--format text|json|sarif] [--changed [BASE] | --staged]
                   [--filter-mode added|diff_context|file] [--baseline FILE]
                   [--fix [--dry-run]] [--fail-on error|warning|information|hint]
                          the editor's review, headless (codex-lsp review --help)
  codex-lsp doctor [--json]
                          check the setup (key, endpoint, model, cache, editors); every ✗ with its fix
  codex-lsp --version     print the version
  codex-lsp --help        print this help

Environment:
  CODEX_LSP_API_KEY       API key (else COMETAPI_KEY, COMETAPI_API_KEY, OPENAI_API_KEY)
  CODEX_LSP_BASE_URL      OpenAI-compatible base URL (default https://api.cometapi.com/v1)
  CODEX_LSP_MODEL         model name (default codex-mini)
  CODEX_LSP_CACHE_DIR     answer cache (default $XDG_CACHE_HOME/codex-lsp or ~/.cache/codex-lsp)

Settings go in the editor's "codex" section; see the README.
`;

/** Options editors add on their own (vscode-languageclient passes the client's process id). */
const TOLERATED = /^--clientProcessId(=\d+)?$/;

export function main(argv: string[]): void {
  const args = [...argv];
  if (args[0] === 'review') {
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    // `review | head`: a reader that went away is not an error worth a stack trace (git ends
    // quietly too). The rest of the output is dropped; the exit code still tells the result.
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
      });
    }
    // Loaded only here: the language server's start-up does not pay for the command line.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runReview } = require('./cli/review-command') as typeof import('./cli/review-command');
    runReview(args.slice(1), { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr, signal: controller.signal })
      .then((code) => {
        process.exitCode = code;
      })
      .catch((err: unknown) => {
        // Not one of the documented outcomes: an internal error (70, EX_SOFTWARE), please report it.
        process.stderr.write(`codex-lsp review: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exitCode = 70;
      });
    return;
  }
  if (args[0] === 'doctor') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runDoctor } = require('./doctor/doctor-command') as typeof import('./doctor/doctor-command');
    runDoctor(args.slice(1), { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr })
      .then((code) => {
        process.exitCode = code;
      })
      .catch((err: unknown) => {
        process.stderr.write(`codex-lsp doctor: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exitCode = 70;
      });
    return;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  if (args.includes('--version') || args.includes('-v')) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const unknown = args.filter((a, i) => a !== '--stdio' && !TOLERATED.test(a) && !(args[i - 1] === '--clientProcessId' && /^\d+$/.test(a)));
  if (!args.includes('--stdio') || unknown.length > 0) {
    process.stderr.write(
      (unknown.length > 0 ? `codex-lsp: unknown argument ${unknown.map((a) => JSON.stringify(a)).join(', ')}\n` : 'codex-lsp: missing --stdio\n') +
        'Usage: codex-lsp --stdio | review ... | doctor | --version | --help\n',
    );
    process.exitCode = 2;
    return;
  }
  runStdio();
}

/** stdout carries LSP frames only: every console method of every library writes to stderr instead. */
export function routeConsoleToStderr(): void {
  const toStderr = new Console({ stdout: process.stderr, stderr: process.stderr });
  globalThis.console = toStderr;
}

function runStdio(): void {
  const log = new Logger(stderrSink);
  routeConsoleToStderr();

  process.on('unhandledRejection', (reason) => {
    log.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  });
  process.on('uncaughtException', (err) => {
    log.error(`uncaught exception: ${err.stack ?? err.message}`);
  });
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // The editor went away; nothing can be sent any more.
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(1);
  });

  const input = new FrameSanitizer((reason) => log.warn(`dropped malformed LSP input: ${reason}`));
  process.stdin.pipe(input);
  const connection = createConnection(input, process.stdout);
  startServer(connection, { env: process.env, log });
}
