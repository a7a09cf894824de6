/** One line of `codex-lsp doctor`. */
export interface Check {
  id: string;
  /** ok ✓; warn ! (works, but worth acting on); fail ✗ (broken: exit 1); skip - (not checked, or nothing to check). */
  status: 'ok' | 'warn' | 'fail' | 'skip';
  /** What was found, in one line. Never a key. */
  text: string;
  /** For warn and fail: exactly what to do. */
  fix?: string;
  /** For checks that talk to the endpoint: how long they took. */
  ms?: number;
}

const MARK: Record<Check['status'], string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

export function formatCheck(c: Check): string {
  const time = c.ms !== undefined ? ` (${c.ms} ms)` : '';
  const fix = c.fix ? `\n    fix: ${c.fix}` : '';
  return `${MARK[c.status]} ${c.text}${time}${fix}\n`;
}

export function exitCodeOf(checks: readonly Check[]): number {
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}
