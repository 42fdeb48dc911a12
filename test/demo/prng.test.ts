import { describe, expect, it } from "vitest";
import { Rng } from "../../lakehouse/demo/prng.js";

describe("Rng", () => {
  it("repeats for the same seed and labels, differs otherwise", () => {
    const draw = (rng: Rng) => Array.from({ length: 5 }, () => rng.nextUint32());
    expect(draw(Rng.derive(1, "a", 2))).toEqual(draw(Rng.derive(1, "a", 2)));
    expect(draw(Rng.derive(1, "a", 2))).not.toEqual(draw(Rng.derive(1, "a", 3)));
    expect(draw(new Rng(1))).not.toEqual(draw(new Rng(2)));
  });

  it("draws row ids in [2^53, 2^63) as bigint", () => {
    const rng = new Rng(99);
    for (let i = 0; i < 10_000; i++) {
      const id = rng.rowId();
      expect(id >= 2n ** 53n && id < 2n ** 63n).toBe(true);
    }
  });

  it("draws UUID-shaped ids and sane uniform/normal values", () => {
    const rng = new Rng(3);
    expect(rng.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const xs = Array.from({ length: 20_000 }, () => rng.normal(10, 2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 10)).toBeLessThan(0.1);
    for (let i = 0; i < 1000; i++) {
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });
});
