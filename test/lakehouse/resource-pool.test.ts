/** The connection pool both connectors share. */
import { describe, expect, it } from "vitest";
import { ResourcePool } from "../../lakehouse/resource-pool.js";

function pool(size: number) {
  let opened = 0;
  const closed: number[] = [];
  const p = new ResourcePool<{ id: number }>({
    size,
    open: async () => ({ id: ++opened }),
    close: (r) => closed.push(r.id),
    closedError: () => new Error("closed"),
  });
  return { p, closed, opened: () => opened };
}

describe("ResourcePool", () => {
  it("opens at most `size` resources and hands released ones to waiters in turn", async () => {
    const { p, opened } = pool(2);
    const a = await p.acquire();
    const b = await p.acquire();
    const order: number[] = [];
    const c = p.acquire().then((r) => order.push(r.id));
    const d = p.acquire().then((r) => order.push(r.id));
    p.release(b);
    await c;
    p.release(a);
    await d;
    expect(order).toEqual([b.id, a.id]);
    expect(opened()).toBe(2);
  });

  it("retires drained resources: idle ones at once, busy ones when they come back", async () => {
    const { p, closed } = pool(2);
    const busy = await p.acquire();
    const idle = await p.acquire();
    p.release(idle);
    p.drain();
    expect(closed).toEqual([idle.id]);
    p.release(busy);
    expect(closed).toEqual([idle.id, busy.id]);
    expect((await p.acquire()).id).toBe(3);
  });

  it("frees a slot when an open fails or a resource is discarded", async () => {
    let fail = true;
    const p = new ResourcePool<object>({
      size: 1,
      open: async () => {
        if (fail) throw new Error("no session");
        return {};
      },
      close: () => undefined,
      closedError: () => new Error("closed"),
    });
    await expect(p.acquire()).rejects.toThrow("no session");
    fail = false;
    const r = await p.acquire();
    p.discard(r);
    await expect(p.acquire()).resolves.toBeTypeOf("object");
  });

  it("fails waiters and later acquires once closed, and closes busy resources when asked", async () => {
    const { p, closed } = pool(1);
    const held = await p.acquire();
    const waiting = p.acquire();
    p.close({ inUse: true });
    await expect(waiting).rejects.toThrow("closed");
    await expect(p.acquire()).rejects.toThrow("closed");
    expect(closed).toEqual([held.id]);
  });
});
