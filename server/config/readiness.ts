/**
 * When the user's settings are known. Until the first `workspace/configuration` answer is in
 * (or given up on), nothing may be sent to a model: the user's ignore globs and endpoint decide
 * what may leave and where to.
 */
export class Readiness {
  private isReady = false;
  private resolve: () => void = () => undefined;
  /** A configuration pull in flight (after didChangeConfiguration). */
  private pulling: Promise<unknown> | undefined;
  readonly ready: Promise<void>;

  constructor() {
    this.ready = new Promise<void>((r) => (this.resolve = r)).then(() => {
      this.isReady = true;
    });
  }

  markReady(): void {
    this.resolve();
  }

  /**
   * Requests wait briefly for a pull in flight, so the first request after a change sees the
   * new settings; a pull the client never answers stops counting after `maxMs`.
   */
  track(pull: Promise<unknown>, maxMs: number): void {
    this.pulling = pull;
    const done = (): void => {
      if (this.pulling === pull) this.pulling = undefined;
    };
    const timer = setTimeout(done, maxMs).unref();
    void pull.finally(() => {
      clearTimeout(timer);
      done();
    });
  }

  /**
   * For requests the user waits on: true once the settings are in, waiting at most `ms`;
   * false means answer without the model.
   */
  settled(ms = 1000): boolean | Promise<boolean> {
    if (this.isReady && !this.pulling) return true;
    const wait = this.isReady && this.pulling ? this.pulling.then(() => true) : this.ready.then(() => true);
    return Promise.race([wait, new Promise<boolean>((r) => setTimeout(() => r(this.isReady), ms).unref())]);
  }
}
