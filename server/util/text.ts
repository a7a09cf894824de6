import { createHash } from 'node:crypto';

/** What an error says, for a message: its message, or the thrown value as text. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One line of at most `max` characters, whitespace folded, for messages and titles. */
export function clip(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** A short stable digest of a text (12 hex digits), e.g. to name a file in a cache key. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
