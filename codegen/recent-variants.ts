/**
 * What a builder remembers of its recent builds, per name (a macro filename): the last few variants of each, most
 * recent first. A process builds one schema per access set (`schema/schema-registry.ts`), and the sets see
 * different variants of the same macro (a merge over fewer experiments); remembering only the last build would
 * make every set regenerate what the set built before it just threw away.
 *
 * Bounded twice: at most `perName` variants of a name, and a name no build used in the last `keepBuilds` builds is
 * forgotten (a removed macro does not stay in memory forever).
 */
export class RecentVariants<V> {
  readonly #perName: number;
  readonly #keepBuilds: number;
  #build = 0;
  readonly #byName = new Map<string, { variants: V[]; usedAt: number }>();

  constructor(options: { perName?: number; keepBuilds?: number } = {}) {
    this.#perName = options.perName ?? 4;
    this.#keepBuilds = options.keepBuilds ?? 64;
  }

  /** The most recent variant of `name` that `matches`. */
  find(name: string, matches: (variant: V) => boolean): V | undefined {
    return this.#byName.get(name)?.variants.find(matches);
  }

  /**
   * Ends a build: `used` (name → the variant this build used) become the most recent variants of their names, the
   * variants they replace (`same`) are dropped, and names unused for `keepBuilds` builds are forgotten.
   */
  commit(used: ReadonlyMap<string, V>, same: (a: V, b: V) => boolean): void {
    const build = ++this.#build;
    for (const [name, variant] of used) {
      const entry = this.#byName.get(name);
      const older = entry ? entry.variants.filter((v) => !same(v, variant)) : [];
      this.#byName.set(name, { variants: [variant, ...older].slice(0, this.#perName), usedAt: build });
    }
    for (const [name, entry] of this.#byName) {
      if (build - entry.usedAt >= this.#keepBuilds) this.#byName.delete(name);
    }
  }
}
