/**
 * GraphiQL as a notebook user meets it, in a real browser: Debian's headless Chromium driven by playwright-core
 * (background networking, component updates and sync off; a fresh profile). The page loads with no request leaving
 * 127.0.0.1 (every request is logged, anything else aborted), a query runs with a token typed into the Headers tab,
 * the result is read off the page and a screenshot is kept in `test-artifacts/`. Before that, over plain HTTP: the
 * page comes compressed (brotli or gzip, as accepted) with an ETag that revalidates to a 304.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { type GatewayProcess, startGateway, TEST_JWT_SECRET } from "../support/gateway-process.js";

const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };
const ARTIFACTS = "test-artifacts";
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

let gw: GatewayProcess;

beforeAll(async () => {
  gw = await startGateway({});
});

afterAll(async () => {
  await gw?.stop();
});

/** A raw GET (node:http, which decodes nothing): status, headers and the bytes as sent. */
function rawGet(path: string, headers: Record<string, string>) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = request(`${gw.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("GraphiQL over HTTP", () => {
  it("is sent compressed as accepted, the same page in every encoding, and revalidates with its ETag", async () => {
    const html = { accept: "text/html" };
    const plain = await rawGet("/graphql", { ...html, "accept-encoding": "identity" });
    const br = await rawGet("/graphql", { ...html, "accept-encoding": "gzip, deflate, br" });
    const gz = await rawGet("/graphql", { ...html, "accept-encoding": "gzip;q=1, br;q=0" });
    expect([plain.status, br.status, gz.status]).toEqual([200, 200, 200]);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(br.headers["content-encoding"]).toBe("br");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(plain.body.toString("utf8")).toContain("<title>centrum-gateway</title>");
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    console.info(
      `GraphiQL: ${plain.body.length} bytes as they are, ${br.body.length} with brotli, ${gz.body.length} with gzip`,
    );
    expect(br.body.length).toBeLessThan(plain.body.length * 0.3);
    expect(gz.body.length).toBeLessThan(plain.body.length * 0.35);
    for (const r of [plain, br, gz]) {
      expect(r.headers["cache-control"]).toMatch(/max-age=\d+/);
      expect(r.headers.vary).toMatch(/Accept-Encoding/);
    }
    expect(new Set([plain.headers.etag, br.headers.etag, gz.headers.etag]).size).toBe(3);
    const again = await rawGet("/graphql", {
      ...html,
      "accept-encoding": "gzip, deflate, br",
      "if-none-match": String(br.headers.etag),
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    // A GraphQL GET is still GraphQL.
    const query = await rawGet(`/graphql?query=${encodeURIComponent("{ __typename }")}`, {
      accept: "application/json",
    });
    expect(JSON.parse(query.body.toString("utf8"))).toMatchObject({ data: { __typename: "Query" } });
  });
});

describe("GraphiQL in headless Chromium", () => {
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), "centrum-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1400, height: 900 },
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("loads with no request leaving 127.0.0.1 and runs a query with a token from the Headers tab", async () => {
    const token = await signToken(JWT, DEMO_PERSONAS.member.id);
    const requested: string[] = [];
    const refused: string[] = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      requested.push(url.href);
      if ((url.protocol === "http:" || url.protocol === "ws:") && url.hostname === "127.0.0.1") {
        return route.continue();
      }
      refused.push(url.href);
      return route.abort();
    });
    const page = await context.newPage();
    page.on("websocket", (ws) => {
      const url = new URL(ws.url());
      if (url.hostname !== "127.0.0.1") refused.push(ws.url());
    });
    await page.goto(`${gw.url}/graphql`);
    const run = page.locator(".graphiql-execute-button");
    await run.waitFor();

    // The query, then the token under Headers (inserted as text: the editors would auto-close brackets as typed).
    await page.locator(".graphiql-query-editor .monaco-editor").first().click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.insertText("query Me { viewer { userId authenticated name } }");
    await page.getByRole("button", { name: "Headers" }).click();
    await page.locator(".graphiql-editor-tool .monaco-editor").last().click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}` }));
    await run.click();

    // Monaco renders spaces as no-break spaces.
    const response = page.locator(".graphiql-response .monaco-editor .view-lines");
    const text = async () => ((await response.textContent()) ?? "").replaceAll("\u00a0", " ");
    await expect.poll(text, { timeout: 20_000 }).toContain('"authenticated": true');
    expect(await text()).toContain(DEMO_PERSONAS.member.id);

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = await page.screenshot({ path: join(ARTIFACTS, "graphiql.png"), fullPage: true });
    expect(shot.length).toBeGreaterThan(10_000);

    expect(requested.some((u) => u.startsWith(`${gw.url}/graphql`))).toBe(true);
    expect(refused).toEqual([]);
  });
});
