/** The tagged LRU under the result cache and the response cache. */
import { describe, expect, it } from "vitest";
import { ACROSS_EXPERIMENTS, estimateJsonBytes, TaggedCache } from "../../lakehouse/tagged-cache.js";

const cache = (maxEntries = 100, maxBytes = 1_000_000) =>
  new TaggedCache<{ v: number }>({ maxEntries, maxBytes, ttlMs: 60_000, sizeOf: estimateJsonBytes });

describe("TaggedCache", () => {
  it("drops exactly the entries of an experiment, and those read across experiments", () => {
    const c = cache();
    c.set("a", { v: 1 }, ["e1"]);
    c.set("b", { v: 2 }, ["e2"]);
    c.set("ab", { v: 3 }, ["e1", "e2"]);
    c.set("all", { v: 4 }, [ACROSS_EXPERIMENTS]);
    c.invalidate("e1");
    expect(["a", "b", "ab", "all"].filter((k) => c.has(k))).toEqual(["b"]);
    expect(c.get("b")).toEqual({ v: 2 });
    c.invalidate("e2");
    expect(c.size).toBe(0);
  });

  it("forgets the tags of evicted entries, so a later invalidation drops only what is there", () => {
    const c = cache(2);
    c.set("a", { v: 1 }, ["e1"]);
    c.set("b", { v: 2 }, ["e2"]);
    c.set("c", { v: 3 }, ["e3"]);
    expect(c.has("a")).toBe(false);
    c.set("a", { v: 5 }, ["e2"]);
    c.invalidate("e1");
    expect(c.get("a")).toEqual({ v: 5 });
    c.invalidate("e2");
    expect(c.has("a")).toBe(false);
    expect(c.has("c")).toBe(true);
  });

  it("keeps its bytes under the bound", () => {
    const c = cache(1000, estimateJsonBytes({ v: 1 }) * 3);
    for (let i = 0; i < 10; i++) c.set(`k${i}`, { v: i }, ["e"]);
    expect(c.size).toBe(3);
    expect(c.bytes).toBeLessThanOrEqual(estimateJsonBytes({ v: 1 }) * 3);
    expect(["k7", "k8", "k9"].every((k) => c.has(k))).toBe(true);
  });

  it("clears everything", () => {
    const c = cache();
    c.set("a", { v: 1 }, ["e1"]);
    c.clear();
    expect(c.size).toBe(0);
    c.invalidate("e1");
    expect(c.size).toBe(0);
  });
});
