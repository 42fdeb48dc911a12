/**
 * The response cache's hit lane through the real server: the third identical request is answered before Yoga with
 * the bytes Yoga answered the second (only the bucket's `remaining`/`resetAt` and the request id differ), it pours
 * one cost point like a hit through Yoga and is refused the same way once the bucket is empty, GET requests take
 * it too, and what it does not know — another Accept header, a streamed body, a body over its size — Yoga answers.
 * Who may see an answer, and what makes a change visible, is tested with the lane in the way in
 * `response-cache.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

const QUERY = `{ experiments(first: 3) { edges { node { id name visibility } } } }`;

let gw: InProcessGateway;

const laneAnswers = async (g: InProcessGateway) =>
  Number(
    /^centrum_response_cache_lane_answers (\d+)/m.exec(await (await fetch(`${g.url}/metrics`)).text())?.[1],
  );

const post = (g: InProcessGateway, body: string, headers: Record<string, string> = {}) =>
  fetch(`${g.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });

interface Answer {
  data?: unknown;
  errors?: { extensions?: { code?: string; retryAfter?: number } }[];
  extensions?: { cost?: { remaining?: number; resetAt?: string }; responseCache?: { hit?: boolean } };
}

/** The answer with the figures that are this request's own (the bucket's state) taken out. */
const withoutBucket = (text: string) =>
  text.replace(/"remaining":\d+,"resetAt":"[^"]+"/, '"remaining":0,"resetAt":""');

beforeAll(async () => {
  gw = await startInProcessGateway({ FRESHNESS_POLL_MS: "600000", CATALOG_POLL_MS: "600000" });
}, 120_000);

afterAll(async () => {
  await gw?.stop();
});

describe("the hit lane", () => {
  it("answers the third identical request with the bytes and headers Yoga answered the second", async () => {
    const body = JSON.stringify({ query: QUERY });
    const before = await laneAnswers(gw);
    const miss = await post(gw, body);
    expect(((await miss.json()) as Answer).extensions?.responseCache?.hit).toBe(false);
    const viaYoga = await post(gw, body);
    const yogaText = await viaYoga.text();
    expect((JSON.parse(yogaText) as Answer).extensions?.responseCache?.hit).toBe(true);
    expect(await laneAnswers(gw)).toBe(before);

    const viaLane = await post(gw, body, { "x-request-id": "lane-probe-1" });
    const laneText = await viaLane.text();
    expect(await laneAnswers(gw)).toBe(before + 1);
    expect(viaLane.status).toBe(200);
    expect(withoutBucket(laneText)).toBe(withoutBucket(yogaText));
    expect(viaLane.headers.get("content-type")).toBe(viaYoga.headers.get("content-type"));
    expect(viaLane.headers.get("content-length")).toBe(String(Buffer.byteLength(laneText)));
    // A sane incoming request id is kept, as through Yoga; otherwise a new one.
    expect(viaLane.headers.get("x-request-id")).toBe("lane-probe-1");
    const next = await post(gw, body, { "x-request-id": "not sane!" });
    expect(next.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    // The bucket is poured on the lane too: `remaining` is this request's.
    const a = JSON.parse(laneText) as Answer;
    const b = (await next.json()) as Answer;
    expect(typeof a.extensions?.cost?.remaining).toBe("number");
    expect(b.extensions!.cost!.remaining!).toBeLessThanOrEqual(a.extensions!.cost!.remaining!);
    expect(await laneAnswers(gw)).toBe(before + 2);
  });

  it("answers repeated GET requests", async () => {
    const url = `${gw.url}/graphql?query=${encodeURIComponent(QUERY.replace("first: 3", "first: 4"))}`;
    const before = await laneAnswers(gw);
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      texts.push(withoutBucket(await res.text()));
    }
    expect(await laneAnswers(gw)).toBe(before + 1);
    expect(texts[2]).toBe(texts[1]);
  });

  it("keeps another Accept header's answer apart", async () => {
    const body = JSON.stringify({ query: QUERY });
    const accept = { accept: "application/graphql-response+json" };
    for (let i = 0; i < 3; i++) await post(gw, body);
    const before = await laneAnswers(gw);
    const other = await post(gw, body, accept);
    expect(other.headers.get("content-type")).toMatch(/^application\/graphql-response\+json/);
    expect(((await other.json()) as Answer).extensions?.responseCache?.hit).toBe(true);
    expect(await laneAnswers(gw)).toBe(before);
  });

  it("leaves streamed bodies and bodies over its size to Yoga, which answers them", async () => {
    const body = JSON.stringify({ query: QUERY });
    const before = await laneAnswers(gw);
    for (let i = 0; i < 3; i++) {
      // No content length (chunked): the lane does not read it.
      const res = await fetch(`${gw.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new Blob([body]).stream(),
        duplex: "half",
      } as RequestInit);
      expect(((await res.json()) as Answer).data).toBeDefined();
    }
    const padded = `${body.slice(0, -1)}${" ".repeat(70 * 1024)}}`;
    for (let i = 0; i < 3; i++) {
      const res = await post(gw, padded);
      expect(((await res.json()) as Answer).data).toBeDefined();
    }
    expect(await laneAnswers(gw)).toBe(before);
  });

  it("pours a point per answer and, once the bucket is empty, is refused with RATE_LIMITED like Yoga", async () => {
    const small = await startInProcessGateway({
      FRESHNESS_POLL_MS: "600000",
      CATALOG_POLL_MS: "600000",
      RATE_LIMIT_POINTS: "6",
      RATE_LIMIT_DRAIN_PER_S: "0.001",
    });
    try {
      const body = JSON.stringify({ query: QUERY });
      const answers: Answer[] = [];
      let refused: Response | undefined;
      for (let i = 0; i < 10 && !refused; i++) {
        const res = await post(small, body);
        if (res.status === 429) refused = res;
        else answers.push((await res.json()) as Answer);
      }
      expect(await laneAnswers(small)).toBeGreaterThan(0);
      const remaining = answers.map((a) => a.extensions!.cost!.remaining!);
      // A miss pours its statements, every hit (Yoga's or the lane's) one point.
      for (let i = 2; i < remaining.length; i++) expect(remaining[i]).toBe(remaining[i - 1]! - 1);
      expect(refused, "the bucket never ran out").toBeDefined();
      expect(Number(refused!.headers.get("retry-after"))).toBeGreaterThan(0);
      const answer = (await refused!.json()) as Answer;
      expect(answer.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
      // The server keeps serving others (another caller: a signed-in user has their own bucket).
      expect((await (await fetch(`${small.url}/healthz`)).status) === 200).toBe(true);
    } finally {
      await small.stop();
    }
  });

  it("is off with RESPONSE_CACHE_LANE=false: every hit runs through Yoga", async () => {
    const off = await startInProcessGateway({ RESPONSE_CACHE_LANE: "false" });
    try {
      const body = JSON.stringify({ query: QUERY });
      const answers: Answer[] = [];
      for (let i = 0; i < 4; i++) answers.push((await (await post(off, body)).json()) as Answer);
      expect(answers.map((a) => a.extensions?.responseCache?.hit)).toEqual([false, true, true, true]);
      expect(await laneAnswers(off)).toBeNaN(); // no lane, no figure
    } finally {
      await off.stop();
    }
  });
});
