/**
 * How long editors wait for a request before giving up on it, by the name they send in
 * `clientInfo`. An AI action answers before that with a message, rather than being dropped
 * with the client's own (less telling) timeout error.
 */
const KNOWN_LIMITS_MS: Array<{ name: RegExp; ms: number; why: string }> = [
  // languages.toml `timeout`, 20 s by default.
  { name: /^helix$/i, ms: 20_000, why: 'Helix' },
  // jsonrpc-default-request-timeout (Eglot) and lsp-response-timeout (lsp-mode), 10 s by default.
  { name: /^eglot$/i, ms: 10_000, why: 'Eglot' },
  { name: /^emacs$/i, ms: 10_000, why: 'lsp-mode' },
];

/** Time left for the client after our answer is sent (the reply's trip, the client's own work). */
const MARGIN_MS = 1500;

export interface ClientLimit {
  ms: number;
  /** Who stops waiting, for the message: "Helix", or the setting. */
  who: string;
}

/** The limit in force: the setting when set, else the client's known one; undefined when there is none. */
export function clientLimit(setting: number, clientName: string | undefined): ClientLimit | undefined {
  if (setting > 0) return { ms: setting, who: `the editor (after "codex.clientTimeoutMs")` };
  const known = clientName === undefined ? undefined : KNOWN_LIMITS_MS.find((k) => k.name.test(clientName));
  return known ? { ms: known.ms, who: known.why } : undefined;
}

/** When to answer: MARGIN_MS before the limit, but never before half of it. */
export function answerByMs(limit: ClientLimit): number {
  return Math.max(limit.ms - MARGIN_MS, Math.floor(limit.ms / 2));
}

/** The work's result, or LATE once `ms` have passed (the work itself goes on; its failure is then nobody's). */
export const LATE = Symbol('late');
export async function orLate<T>(work: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  try {
    return await Promise.race([work, new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
