/** What `codex-lsp review` writes while it works: progress, messages, its log. */
import { Logger, type LogLevel } from '../../util/log';
import type { Io, Stop } from './stage';

const LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** Progress on a terminal's stderr only (nothing of the sort when output is piped), and the messages that interrupt it. */
export class Terminal {
  private last = 0;
  private shown = false;

  constructor(private readonly io: Io) {}

  /** One line on stderr, over the progress line if one is shown. */
  say(line: string): void {
    this.clear();
    this.io.stderr.write(`${line}\n`);
  }

  update(text: string): void {
    if (!this.io.stderr.isTTY) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.shown = true;
    this.io.stderr.write(`\r\x1b[2K${text}`);
  }

  clear(): void {
    if (this.shown) this.io.stderr.write('\r\x1b[2K');
    this.shown = false;
  }

  /** Says what a stage that stopped the run has to say; returns its exit code. */
  stop(s: Stop): number {
    if (s.stdout !== undefined) this.io.stdout.write(s.stdout);
    for (const line of s.stderr ?? []) this.say(line);
    return s.stop;
  }
}

/**
 * The command's log: errors always, the rest only at the level CODEX_LSP_LOG asks for.
 * `secrets` (the API key) never reach it, even quoted in an error.
 */
export function cliLogger(env: NodeJS.ProcessEnv, terminal: Terminal, secrets: ReadonlyArray<string | undefined>): Logger {
  const asked = LEVELS.find((l) => l === env.CODEX_LSP_LOG);
  const log = new Logger((_level, message) => terminal.say(`codex-lsp: ${message}`));
  log.setLevel(asked ?? 'error');
  log.setSecrets([...secrets]);
  return log;
}
