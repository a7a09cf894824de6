import type { CancellationToken } from 'vscode-languageserver/node';

/**
 * Bridges an LSP cancellation token ($/cancelRequest) to an AbortSignal for the HTTP request.
 * `abort` cancels from elsewhere too (a progress bar's cancel button).
 */
export function abortOn(token: CancellationToken | undefined): { signal: AbortSignal; dispose: () => void; abort: () => void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  if (!token) return { signal: controller.signal, dispose: () => undefined, abort };
  if (token.isCancellationRequested) {
    controller.abort();
    return { signal: controller.signal, dispose: () => undefined, abort };
  }
  const sub = token.onCancellationRequested(abort);
  return { signal: controller.signal, dispose: () => sub.dispose(), abort };
}
