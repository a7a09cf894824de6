import { AbortedError } from '../model/retry';

interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

/**
 * Identical requests in flight share one call. Each caller keeps its own cancellation:
 * a caller that aborts gets AbortedError at once, and the shared call is aborted only
 * when every caller has gone.
 */
export class SingleFlight<T> {
  private flights = new Map<string, Flight<T>>();

  get size(): number {
    return this.flights.size;
  }

  run(key: string, signal: AbortSignal | undefined, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AbortedError());
    let flight = this.flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      const f: Flight<T> = { controller, waiters: 0, promise: undefined as unknown as Promise<T> };
      f.promise = start(controller.signal).finally(() => {
        if (this.flights.get(key) === f) this.flights.delete(key);
      });
      // The shared promise may reject after every caller left; that is not unhandled.
      f.promise.catch(() => undefined);
      this.flights.set(key, f);
      flight = f;
    }
    const f = flight;
    f.waiters++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        f.waiters--;
        if (f.waiters === 0) {
          // Nobody wants it any more: close the HTTP request, and let the next caller start afresh.
          if (this.flights.get(key) === f) this.flights.delete(key);
          f.controller.abort();
        }
        reject(new AbortedError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      f.promise.then(
        (v) => {
          if (settled) return;
          settled = true;
          f.waiters--;
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (err: unknown) => {
          if (settled) return;
          settled = true;
          f.waiters--;
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }
}
