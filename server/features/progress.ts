import type { LspClient, ProgressOptions } from '../lsp/client';

/** A model request shorter than this shows nothing: a flash of progress is noise. */
export const THINKING_DELAY_MS = 500;

/**
 * Work-done progress for a request that waits on the model, shown only once it has lasted
 * THINKING_DELAY_MS ("codex: explaining…"). `done()` ends it, or keeps it from ever showing.
 */
export function thinking(
  client: LspClient,
  title: string,
  options: ProgressOptions & { message?: string } = {},
  delayMs = THINKING_DELAY_MS,
): { done(): void } {
  let handle: { done(): void } | undefined;
  let finished = false;
  const timer = setTimeout(() => {
    if (!finished) handle = client.beginProgress(title, options.message, options);
  }, delayMs);
  return {
    done: () => {
      finished = true;
      clearTimeout(timer);
      handle?.done();
    },
  };
}
