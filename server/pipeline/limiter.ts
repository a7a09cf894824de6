import { AbortedError } from '../model/retry';

interface Waiter {
  priority: number;
  seq: number;
  grant: () => void;
}

/**
 * A counting semaphore with priorities: at most `limit` tasks run; waiting tasks start
 * highest priority first, then in arrival order. A waiter whose signal aborts leaves the
 * queue at once. The limit can change while tasks run.
 */
export class Limiter {
  private running = 0;
  private queue: Waiter[] = [];
  private seq = 0;
  /** Highest number of tasks seen running at once (for tests and the benchmark). */
  peak = 0;

  constructor(private limit: number) {}

  setLimit(limit: number): void {
    this.limit = Math.max(1, limit);
    this.pump();
  }

  get active(): number {
    return this.running;
  }

  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(task: () => Promise<T>, opts: { priority?: number; signal?: AbortSignal } = {}): Promise<T> {
    await this.acquire(opts.priority ?? 0, opts.signal);
    try {
      return await task();
    } finally {
      this.running--;
      this.pump();
    }
  }

  private acquire(priority: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortedError());
    if (this.running < this.limit && this.queue.length === 0) {
      this.take();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        seq: this.seq++,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new AbortedError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.insert(waiter);
    });
  }

  private insert(w: Waiter): void {
    // Sorted by priority (desc), then arrival; queues are short, a linear insert is fine.
    let i = this.queue.length;
    while (i > 0 && (this.queue[i - 1] as Waiter).priority < w.priority) i--;
    this.queue.splice(i, 0, w);
  }

  private take(): void {
    this.running++;
    if (this.running > this.peak) this.peak = this.running;
  }

  private pump(): void {
    while (this.running < this.limit && this.queue.length > 0) {
      const next = this.queue.shift() as Waiter;
      this.take();
      next.grant();
    }
  }
}
