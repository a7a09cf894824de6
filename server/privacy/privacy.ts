import type { Logger } from '../util/log';
import { createIgnoreMatcher, DEFAULT_IGNORE, type IgnoreMatcher } from './ignore';
import { redactSecrets } from './redact';

/**
 * The privacy filter every feature goes through: files that must never reach the model,
 * and secrets taken out of every prompt before it leaves the machine.
 */
export class Privacy {
  private matcher: IgnoreMatcher;
  private patterns: readonly string[] = DEFAULT_IGNORE;
  private roots: readonly string[] = [];

  constructor(private readonly log: Logger) {
    this.matcher = createIgnoreMatcher(this.patterns, this.roots);
  }

  /** User globs are added to the built-in ones (never replace them); `!glob` re-includes. */
  configure(userPatterns: readonly string[], roots?: readonly string[]): void {
    const patterns = [...DEFAULT_IGNORE, ...userPatterns];
    const nextRoots = roots ?? this.roots;
    if (patterns.join('\n') === this.patterns.join('\n') && nextRoots.join('\n') === this.roots.join('\n')) return;
    this.patterns = patterns;
    this.roots = nextRoots;
    this.matcher = createIgnoreMatcher(patterns, nextRoots);
  }

  isIgnored(uri: string): boolean {
    return this.matcher.ignores(uri);
  }

  /** Masks secrets with `*`, keeping every position valid; logs how many (never what). */
  mask(text: string, what: string): string {
    const r = redactSecrets(text, { mask: true });
    if (r.count > 0) this.log.info(`masked ${r.count} secret(s) (${r.kinds.join(', ')}) in the ${what} text`);
    return r.text;
  }

  /** Redacts secrets; logs how many (never what). */
  redact(text: string, what: string): string {
    const r = redactSecrets(text);
    if (r.count > 0) this.log.info(`redacted ${r.count} secret(s) (${r.kinds.join(', ')}) from the ${what} prompt`);
    return r.text;
  }
}
