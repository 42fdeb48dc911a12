/**
 * The supergraph as a file Hive Gateway serves and watches (its documented reload path: a changed file is read and
 * put in service; operations in flight finish on the previous generation). This process composes it — at start,
 * whenever a subgraph's `schemaChanged` fires (`follow-subgraphs.ts`) and on a timer for subgraphs that have no
 * such subscription — and rewrites it only when the composed SDL changed. A failed recomposition (a subgraph down,
 * a composition error) leaves the file, and so the router, as it was.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { followSubgraphSchemas, type SubgraphFollower } from "./follow-subgraphs.js";
import { composeSupergraph, type SubgraphSource } from "./supergraph.js";

export interface SupergraphLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface SupergraphFileOptions {
  readonly path: string;
  readonly sources: readonly SubgraphSource[];
  /** Recomposition interval for changes no subscription reports. */
  readonly pollMs: number;
  readonly log: SupergraphLog;
}

export class SupergraphFile {
  readonly #options: SupergraphFileOptions;
  #current: string | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #timer: NodeJS.Timeout | null = null;
  #follower: SubgraphFollower | null = null;

  constructor(options: SupergraphFileOptions) {
    this.#options = options;
  }

  /**
   * Composes and writes the file, then follows the subgraphs. When the first composition fails (a subgraph not up
   * yet), an existing file is served as it is and the timer and subscriptions recompose once they can; without a
   * file there is nothing to serve, and it throws.
   */
  async start(): Promise<void> {
    try {
      this.#write(await composeSupergraph(this.#options.sources));
    } catch (error) {
      if (!existsSync(this.#options.path)) throw error;
      this.#current = readFileSync(this.#options.path, "utf8");
      this.#options.log.warn(`Serving the last supergraph in ${this.#options.path}: ${String(error)}`);
    }
    this.#timer = setInterval(() => void this.recompose("polling"), this.#options.pollMs);
    this.#timer.unref();
    this.#follower = followSubgraphSchemas(
      this.#options.sources,
      { recompose: (why) => this.recompose(why) },
      this.#options.log,
    );
  }

  /** Recomposes now (one at a time; a request while one runs starts another after it). */
  recompose(why: string): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          const sdl = await composeSupergraph(this.#options.sources);
          if (sdl !== this.#current) {
            this.#write(sdl);
            this.#options.log.info(`Supergraph recomposed (${why}).`);
          }
        } catch (error) {
          this.#options.log.warn(`Supergraph not recomposed (${why}): ${String(error)}`);
        }
      } while (this.#again);
    })().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#follower?.stop();
  }

  #write(sdl: string): void {
    mkdirSync(dirname(this.#options.path), { recursive: true });
    // Rewritten in place: Hive Gateway's watcher reloads on a change and treats a rename as an error.
    let onDisk: string | null = null;
    try {
      onDisk = readFileSync(this.#options.path, "utf8");
    } catch {
      onDisk = null;
    }
    if (onDisk !== sdl) writeFileSync(this.#options.path, sdl);
    this.#current = sdl;
  }
}
