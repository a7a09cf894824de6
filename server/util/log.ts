export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export type LogSink = (level: LogLevel, message: string) => void;

/** Writes to stderr: the only safe place before (or without) an LSP connection. */
export const stderrSink: LogSink = (level, message) => {
  process.stderr.write(`[codex-lsp ${level}] ${message}\n`);
};

/**
 * One logger for the whole process. Every line passes through the scrubber, so the
 * configured API key cannot reach a log even when an error message quotes it.
 */
export class Logger {
  private level: LogLevel = 'info';
  private secrets: string[] = [];

  constructor(private sink: LogSink = stderrSink) {}

  setSink(sink: LogSink): void {
    this.sink = sink;
  }

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  /** Values that must never be logged (the API key); short values are ignored to avoid mangling text. */
  setSecrets(values: Array<string | undefined>): void {
    this.secrets = values.filter((v): v is string => typeof v === 'string' && v.length >= 8);
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] <= RANK[this.level];
  }

  error(message: string): void {
    this.write('error', message);
  }
  warn(message: string): void {
    this.write('warn', message);
  }
  info(message: string): void {
    this.write('info', message);
  }
  debug(message: string | (() => string)): void {
    if (!this.enabled('debug')) return;
    this.write('debug', typeof message === 'function' ? message() : message);
  }

  /** Removes secrets from any text that leaves the process (logs, messages shown to the user). */
  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
    }
    return out;
  }

  private write(level: LogLevel, message: string): void {
    if (!this.enabled(level)) return;
    try {
      this.sink(level, this.scrub(message));
    } catch {
      // A broken sink (closed pipe) must never take the server down.
    }
  }
}
