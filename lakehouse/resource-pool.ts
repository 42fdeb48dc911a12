/**
 * The pool both connectors hold their connections in (DuckDB connections, Databricks sessions): at most `size`
 * open at once, opened lazily, handed to waiters in turn. `drain()` retires every resource opened so far (Databricks
 * after its client is replaced): idle ones close at once, those in use when they come back.
 */
export interface ResourcePoolOptions<T> {
  readonly size: number;
  readonly open: () => Promise<T>;
  readonly close: (resource: T) => void;
  /** The error `acquire` throws once the pool is closed. */
  readonly closedError: () => Error;
}

export class ResourcePool<T extends object> {
  readonly #options: ResourcePoolOptions<T>;
  readonly #idle: T[] = [];
  readonly #waiting: Array<() => void> = [];
  /** Every open resource with the generation it was opened in. */
  readonly #live = new Map<T, number>();
  #opening = 0;
  #generation = 0;
  #closed = false;

  constructor(options: ResourcePoolOptions<T>) {
    this.#options = { ...options, size: Math.max(1, options.size) };
  }

  get closed(): boolean {
    return this.#closed;
  }

  async acquire(): Promise<T> {
    for (;;) {
      if (this.#closed) throw this.#options.closedError();
      const idle = this.#idle.pop();
      if (idle) return idle;
      if (this.#live.size + this.#opening < this.#options.size) {
        this.#opening++;
        const generation = this.#generation;
        try {
          const resource = await this.#options.open();
          this.#live.set(resource, generation);
          return resource;
        } catch (error) {
          this.#wake();
          throw error;
        } finally {
          this.#opening--;
        }
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  /** Gives a resource back; one of a retired generation, or of a closed pool, is closed instead. */
  release(resource: T): void {
    if (this.#closed || this.#live.get(resource) !== this.#generation) {
      this.discard(resource);
      return;
    }
    this.#idle.push(resource);
    this.#wake();
  }

  /** Closes a resource that must not be used again (a dead session), making room for a new one. */
  discard(resource: T): void {
    if (this.#live.delete(resource)) this.#options.close(resource);
    this.#wake();
  }

  /** Runs `fn` with one resource held for its whole duration. */
  async use<R>(fn: (resource: T) => Promise<R>): Promise<R> {
    const resource = await this.acquire();
    try {
      return await fn(resource);
    } finally {
      this.release(resource);
    }
  }

  /** Retires every resource opened so far; waiters may open new ones at once. */
  drain(): void {
    this.#generation++;
    for (const resource of this.#idle.splice(0)) this.discard(resource);
    for (const wake of this.#waiting.splice(0)) wake();
  }

  /** Closes the idle resources (and, with `inUse`, those held right now); later `acquire`s fail. */
  close(options: { inUse?: boolean } = {}): void {
    if (this.#closed) return;
    this.#closed = true;
    const closing = options.inUse ? [...this.#live.keys()] : this.#idle;
    for (const resource of [...closing]) this.discard(resource);
    this.#idle.length = 0;
    for (const wake of this.#waiting.splice(0)) wake();
  }

  #wake(): void {
    this.#waiting.shift()?.();
  }
}
