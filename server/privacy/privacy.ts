import { realpathSync } from 'node:fs';
import type { Logger } from '../util/log';
import { uriToPath } from '../util/uri';
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
  private anyCase = false;

  constructor(private readonly log: Logger) {
    this.matcher = createIgnoreMatcher(this.patterns, this.roots);
  }

  /**
   * User globs are added to the built-in ones (never replace them); `!glob` re-includes.
   * Built-in globs match in any letter case; user globs as written unless `anyCase`.
   */
  configure(userPatterns: readonly string[], roots?: readonly string[], anyCase?: boolean): void {
    const patterns = [...DEFAULT_IGNORE, ...userPatterns];
    const nextRoots = roots ?? this.roots;
    const nextAnyCase = anyCase ?? this.anyCase;
    if (patterns.join('\n') === this.patterns.join('\n') && nextRoots.join('\n') === this.roots.join('\n') && nextAnyCase === this.anyCase) return;
    this.patterns = patterns;
    this.roots = nextRoots;
    this.anyCase = nextAnyCase;
    this.matcher = createIgnoreMatcher(patterns, nextRoots, nextAnyCase ? { caseInsensitive: true } : {});
  }

  /**
   * Whether a file must never be sent: its name, or (for a file reached through a symbolic
   * link, or inside a linked folder) its real path matches. `settings.ts -> .env` stays private.
   */
  isIgnored(uri: string): boolean {
    if (this.matcher.ignores(uri)) return true;
    const file = uriToPath(uri);
    if (file === undefined) return false;
    let real: string;
    try {
      real = realpathSync.native(file);
    } catch {
      return false; // not on disk (yet): only the name can be judged
    }
    return real !== file && this.matcher.ignores(real);
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
