import {
  MessageType,
  type ApplyWorkspaceEditParams,
  type ApplyWorkspaceEditResult,
  type Connection,
  type Diagnostic,
  type ProgressToken,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import type { LogLevel } from '../util/log';

/**
 * Everything the server sends to the editor goes through this seam, so features never
 * touch the connection and a test double is just another implementation.
 */
export interface LspClient {
  showMessage(type: 'error' | 'warning' | 'info', message: string): void;
  log(level: LogLevel, message: string): void;
  publishDiagnostics(uri: string, diagnostics: Diagnostic[], version?: number): void;
  applyEdit(params: ApplyWorkspaceEditParams): Promise<ApplyWorkspaceEditResult>;
  /** The `codex` section, or undefined when the client cannot answer. */
  pullConfiguration(): Promise<unknown>;
  /**
   * Work-done progress shown by the client ("Reviewing check.ts"); a no-op where unsupported.
   * Never waits on the client: a client that does not answer the create request just shows nothing.
   */
  beginProgress(title: string, message?: string, options?: ProgressOptions): ProgressHandle;
  /** Asks a pull-diagnostics client to pull again (workspace/diagnostic/refresh). */
  refreshDiagnostics(): void;
  /** Opens a document in the editor (window/showDocument); false when the client did not. */
  showDocument(uri: string): Promise<boolean>;
}

export interface ProgressOptions {
  /** The request's own token (`workDoneToken`), when the client sent one: used instead of creating one. */
  workDoneToken?: ProgressToken;
  /** Offer a cancel button; `onCancel` runs when the user presses it. */
  onCancel?: () => void;
}

export interface ProgressHandle {
  report(message: string, percentage?: number): void;
  done(): void;
}

const LOG_TYPE: Record<LogLevel, MessageType> = {
  error: MessageType.Error,
  warn: MessageType.Warning,
  info: MessageType.Info,
  debug: MessageType.Log,
};

const SHOW_TYPE = { error: MessageType.Error, warning: MessageType.Warning, info: MessageType.Info } as const;

export class ConnectionClient implements LspClient {
  constructor(private readonly connection: Connection) {}

  showMessage(type: 'error' | 'warning' | 'info', message: string): void {
    void this.connection.sendNotification('window/showMessage', { type: SHOW_TYPE[type], message }).catch(() => undefined);
  }

  log(level: LogLevel, message: string): void {
    void this.connection.sendNotification('window/logMessage', { type: LOG_TYPE[level], message }).catch(() => undefined);
  }

  publishDiagnostics(uri: string, diagnostics: Diagnostic[], version?: number): void {
    void this.connection.sendDiagnostics({ uri, diagnostics, version }).catch(() => undefined);
  }

  applyEdit(params: ApplyWorkspaceEditParams): Promise<ApplyWorkspaceEditResult> {
    return this.connection.workspace.applyEdit(params);
  }

  beginProgress(title: string, message?: string, options: ProgressOptions = {}): ProgressHandle {
    let ended = false;
    let reporter: WorkDoneProgressReporter | undefined;
    let pending: { message: string; pct: number } | undefined;
    const cancellable = options.onCancel !== undefined;
    const start = (r: WorkDoneProgressReporter): void => {
      r.begin(title, 0, message, cancellable);
      reporter = r;
      if (pending) r.report(pending.pct, pending.message);
    };
    if (options.workDoneToken !== undefined) {
      // The client made the token with the request: no create round trip; cancelling is cancelling the request.
      start(this.connection.window.attachWorkDoneProgress(options.workDoneToken));
    } else {
      // Sends window/workDoneProgress/create only when the client advertised window.workDoneProgress.
      this.connection.window
        .createWorkDoneProgress()
        .then((r) => {
          if (ended) {
            // Finished before the client answered: nothing to show.
            return;
          }
          // The client's cancel button (window/workDoneProgress/cancel) cancels this token.
          if (options.onCancel) r.token.onCancellationRequested(options.onCancel);
          start(r);
        })
        .catch(() => undefined);
    }
    return {
      report: (m, pct) => {
        if (ended) return;
        if (reporter) reporter.report(pct ?? 0, m);
        else pending = { message: m, pct: pct ?? 0 };
      },
      done: () => {
        if (ended) return;
        ended = true;
        reporter?.done();
      },
    };
  }

  async showDocument(uri: string): Promise<boolean> {
    const r = await this.connection.window.showDocument({ uri, takeFocus: true });
    return r.success;
  }

  refreshDiagnostics(): void {
    // Typed as void, but it is a request: keep its rejection (client gone) from going unhandled.
    void this.connection.sendRequest('workspace/diagnostic/refresh').catch(() => undefined);
  }

  async pullConfiguration(): Promise<unknown> {
    const result: unknown = await this.connection.workspace.getConfiguration({ section: 'codex' });
    // Some clients answer a one-element array where a single section was asked for.
    return Array.isArray(result) ? result[0] : result;
  }
}
