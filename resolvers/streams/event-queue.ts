/**
 * A subscriber's bounded queue of events, as the AsyncIterator a GraphQL subscription returns. Producers `push`;
 * when more than `capacity` events wait (a consumer slower than the stream), the queue drops them and ends with the
 * given final event, so the client resumes from the last cursor it received instead of the process buffering
 * without bound. `end` finishes after the events already queued; `return()` (the client unsubscribed) finishes at
 * once and runs `onClose` exactly once.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  /** Forced items still queued (a replay): they do not count against the capacity. */
  #forced = 0;
  #waiting: ((result: IteratorResult<T>) => void) | null = null;
  #ended = false;
  #closed = false;

  constructor(
    private readonly capacity: number,
    private readonly onClose: () => void,
    /** Called before each event is handed to the consumer (the event is about to be delivered). */
    private readonly onDeliver: (item: T) => void = () => undefined,
  ) {}

  get size(): number {
    return this.#items.length;
  }

  get closed(): boolean {
    return this.#closed || this.#ended;
  }

  /** Queues an event; returns false when the queue is over capacity (nothing queued) unless `force`d. */
  push(item: T, options: { force?: boolean } = {}): boolean {
    if (this.closed) return true;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = null;
      this.onDeliver(item);
      resolve({ value: item, done: false });
      return true;
    }
    if (this.#items.length - this.#forced >= this.capacity && !options.force) return false;
    this.#items.push(item);
    if (options.force) this.#forced++;
    return true;
  }

  /** Ends the stream after what is queued, optionally with a last event (an error the client should see). */
  end(last?: T, options: { dropQueued?: boolean } = {}): void {
    if (this.closed) return;
    if (options.dropQueued) {
      this.#items = [];
      this.#forced = 0;
    }
    if (last !== undefined) this.#items.push(last);
    this.#ended = true;
    if (this.#waiting && this.#items.length === 0) this.#finish();
    else if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = null;
      const item = this.#items.shift()!;
      this.onDeliver(item);
      resolve({ value: item, done: false });
    }
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.#items.shift();
    // Forced items are queued first (a replay before live events), so they leave first.
    if (item !== undefined && this.#forced > 0) this.#forced--;
    if (item !== undefined) {
      this.onDeliver(item);
      return Promise.resolve({ value: item, done: false });
    }
    if (this.#ended || this.#closed) {
      this.#finish();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#items = [];
    this.#forced = 0;
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.#finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #finish(): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.({ value: undefined, done: true });
    if (!this.#closed) {
      this.#closed = true;
      this.onClose();
    }
  }
}
