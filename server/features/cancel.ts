import type { CancellationToken } from 'vscode-languageserver/node';

/** Bridges an LSP cancellation token ($/cancelRequest) to an AbortSignal for the HTTP request. */
export function abortOn(token: CancellationToken | undefined): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  if (!token) return { signal: controller.signal, dispose: () => undefined };
  if (token.isCancellationRequested) {
    controller.abort();
    return { signal: controller.signal, dispose: () => undefined };
  }
  const sub = token.onCancellationRequested(() => controller.abort());
  return { signal: controller.signal, dispose: () => sub.dispose() };
}
