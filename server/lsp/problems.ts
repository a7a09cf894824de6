import type { ProblemKind, ProblemReporter } from '../model/gateway';
import type { Logger } from '../util/log';
import type { LspClient } from './client';

/**
 * Tells the user about a problem they must act on, once per kind, until the configuration
 * changes (then a problem that persists is worth saying again). Always logged.
 */
export class OnceProblemReporter implements ProblemReporter {
  private shown = new Set<ProblemKind>();

  constructor(
    private readonly client: LspClient,
    private readonly log: Logger,
  ) {}

  report(kind: ProblemKind, message: string): void {
    const text = this.log.scrub(message);
    if (this.shown.has(kind)) {
      this.log.debug(text);
      return;
    }
    this.shown.add(kind);
    this.log.warn(text);
    const type = kind === 'rate-limit' || kind === 'unreachable' ? 'warning' : 'error';
    this.client.showMessage(type, text);
  }

  reset(): void {
    this.shown.clear();
  }
}
