/**
 * Runs a check (a freshness poll, a catalog refresh) so that every caller gets a run that *started after it
 * asked*: a call while a run is in flight waits for it and shares the next run, never the stale one. Tests and
 * writers await such a run instead of sleeping; concurrent callers still cost one run each round.
 */
export class FreshRun<T> {
  #running: Promise<T> | null = null;
  #next: Promise<T> | null = null;

  constructor(private readonly run: () => Promise<T>) {}

  request(): Promise<T> {
    if (this.#next) return this.#next;
    if (!this.#running) return this.#start();
    this.#next = this.#running
      .catch(() => undefined)
      .then(() => {
        this.#next = null;
        return this.#start();
      });
    return this.#next;
  }

  #start(): Promise<T> {
    const running = this.run().finally(() => {
      if (this.#running === running) this.#running = null;
    });
    this.#running = running;
    return running;
  }
}
