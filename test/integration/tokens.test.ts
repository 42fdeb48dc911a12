/**
 * Authentication that cannot be misconfigured, through the real server: tokens from an identity provider's JWKS
 * (served here by a real HTTP server), issuer/audience/expiry checks, tokens without `exp` and too old ones refused.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { TEST_JWT_SECRET } from "../support/gateway-process.js";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

const VIEWER = "{ viewer { userId authenticated } }";
let jwks: Server;
let idp: InProcessGateway;
let hs: InProcessGateway;
let privateKey: CryptoKey;
let stranger: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  privateKey = pair.privateKey as CryptoKey;
  stranger = (await generateKeyPair("RS256")).privateKey as CryptoKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  jwks = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  const { port } = jwks.address() as AddressInfo;
  idp = await startInProcessGateway({
    FRESHNESS_POLL_MS: "60000",
    JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    JWT_ISSUER: "https://idp.example",
    JWT_AUDIENCE: "centrum",
  });
  hs = await startInProcessGateway({ FRESHNESS_POLL_MS: "60000", JWT_MAX_AGE_S: "3600" });
});

afterAll(async () => {
  await idp?.stop();
  await hs?.stop();
  await new Promise((resolve) => jwks?.close(resolve));
});

function rs256(
  claims: { iss?: string; aud?: string; exp?: number | null; kid?: string; key?: CryptoKey } = {},
) {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: claims.kid ?? "k1" })
    .setSubject(DEMO_PERSONAS.member.id)
    .setIssuer(claims.iss ?? "https://idp.example")
    .setAudience(claims.aud ?? "centrum")
    .setIssuedAt();
  if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? "1h");
  return jwt.sign(claims.key ?? privateKey);
}

async function codeFor(gateway: InProcessGateway, token: string): Promise<string | undefined> {
  const res = await gateway.gql<{ viewer: { userId: string } }>(VIEWER, {}, { token });
  return (
    res.errors?.[0]?.extensions?.code ??
    (res.data?.viewer.userId === DEMO_PERSONAS.member.id ? "OK" : "WRONG")
  );
}

describe("tokens from a JWKS", () => {
  it("accepts an RS256 token signed by the provider's key", async () => {
    expect(await codeFor(idp, await rs256())).toBe("OK");
  });

  it("refuses another key, issuer or audience, a token without exp, an expired one, and the shared secret", async () => {
    const hsToken = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(DEMO_PERSONAS.member.id)
      .setIssuer("https://idp.example")
      .setAudience("centrum")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const cases = {
      stranger: await rs256({ key: stranger }),
      unknownKid: await rs256({ kid: "nope", key: stranger }),
      issuer: await rs256({ iss: "https://evil.example" }),
      audience: await rs256({ aud: "someone-else" }),
      noExp: await rs256({ exp: null }),
      expired: await rs256({ exp: Math.floor(Date.now() / 1000) - 3600 }),
      sharedSecret: hsToken,
    };
    const codes = Object.fromEntries(
      await Promise.all(
        Object.entries(cases).map(async ([name, token]) => [name, await codeFor(idp, token)]),
      ),
    );
    expect(codes).toEqual(Object.fromEntries(Object.keys(cases).map((name) => [name, "UNAUTHENTICATED"])));
  });

  it("tolerates a small clock skew on exp", async () => {
    expect(await codeFor(idp, await rs256({ exp: Math.floor(Date.now() / 1000) - 5 }))).toBe("OK");
  });
});

describe("shared-secret tokens", () => {
  const sign = (build: (jwt: SignJWT) => SignJWT) =>
    build(
      new SignJWT({})
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(DEMO_PERSONAS.member.id)
        .setIssuer("centrum-gateway")
        .setAudience("centrum"),
    ).sign(new TextEncoder().encode(TEST_JWT_SECRET));

  it("refuses a token without exp, with a message that says so", async () => {
    const res = await hs.gql(VIEWER, {}, { token: await sign((j) => j.setIssuedAt()) });
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(res.errors?.[0]?.message).toMatch(/no expiry/);
  });

  it("refuses a token older than JWT_MAX_AGE_S, and accepts a fresh one", async () => {
    const old = await sign((j) =>
      j.setIssuedAt(Math.floor(Date.now() / 1000) - 7200).setExpirationTime("1h"),
    );
    expect(await codeFor(hs, old)).toBe("UNAUTHENTICATED");
    expect(await codeFor(hs, await sign((j) => j.setIssuedAt().setExpirationTime("1h")))).toBe("OK");
  });
});
