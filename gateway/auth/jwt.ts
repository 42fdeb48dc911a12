/**
 * Token verification (jose). The token's `sub` names the user. Two key sources behind one `TokenVerifier`: a shared
 * HS256 secret (development, single service), or an identity provider's JWKS (RS256/ES256; jose's remote key set is
 * cached and refetched when a token names an unknown `kid`). Either way issuer and audience must match, `exp` is
 * required, clocks may differ by `clockToleranceSeconds`, and a token older than `maxAgeSeconds` (by `iat`) is refused.
 */
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify, SignJWT } from "jose";
import { ANONYMOUS, type Viewer } from "../../resolvers/access/viewer.js";
import { UnauthenticatedError } from "../../resolvers/errors.js";

export interface JwtSettings {
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
  /** An identity provider's JWKS URL: tokens are then RS256/ES256, verified against its keys (not the secret). */
  readonly jwksUrl?: string;
  readonly clockToleranceSeconds?: number;
  /** Refuse tokens issued longer ago than this (needs `iat`); unset: no limit beyond `exp`. */
  readonly maxAgeSeconds?: number;
}

export interface TokenVerifier {
  /** Resolves the viewer for an `Authorization` header value; no header → anonymous; a bad token throws. */
  viewerFromHeader(header: string | null | undefined): Promise<Viewer>;
  /** The same, with when the token expires (ms since the epoch; null for anonymous): long-lived connections end then. */
  verify(header: string | null | undefined): Promise<{ viewer: Viewer; expiresAt: number | null }>;
}

export function createTokenVerifier(settings: JwtSettings): TokenVerifier {
  const key: Uint8Array | JWTVerifyGetKey = settings.jwksUrl
    ? createRemoteJWKSet(new URL(settings.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 })
    : new TextEncoder().encode(settings.secret);
  const algorithms = settings.jwksUrl ? ["RS256", "ES256"] : ["HS256"];
  const verifier: TokenVerifier = {
    async viewerFromHeader(header) {
      return (await verifier.verify(header)).viewer;
    },
    async verify(header) {
      if (!header) return { viewer: ANONYMOUS, expiresAt: null };
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw new UnauthenticatedError("The Authorization header must be 'Bearer <token>'.");
      try {
        const { payload } = await jwtVerify(match[1]!, key as Uint8Array, {
          algorithms,
          issuer: settings.issuer,
          audience: settings.audience,
          requiredClaims: ["exp"],
          clockTolerance: settings.clockToleranceSeconds ?? 30,
          ...(settings.maxAgeSeconds ? { maxTokenAge: settings.maxAgeSeconds } : {}),
        });
        if (typeof payload.sub !== "string" || payload.sub === "") {
          throw new UnauthenticatedError("The token does not name a user (missing 'sub').");
        }
        return {
          viewer: { userId: payload.sub, name: typeof payload.name === "string" ? payload.name : null },
          expiresAt: typeof payload.exp === "number" ? payload.exp * 1000 : null,
        };
      } catch (error) {
        if (error instanceof UnauthenticatedError) throw error;
        if (error instanceof errors.JWTExpired) throw new UnauthenticatedError("The token has expired.");
        if (error instanceof errors.JWTClaimValidationFailed) {
          throw new UnauthenticatedError(
            error.claim === "exp"
              ? "The token has no expiry ('exp'); tokens must expire."
              : error.claim === "iat"
                ? "The token is older than the gateway accepts; sign in again."
                : `The token's '${error.claim}' claim is not accepted.`,
          );
        }
        throw new UnauthenticatedError("The token is malformed or its signature is invalid.");
      }
    },
  };
  return verifier;
}

export async function signToken(
  settings: JwtSettings,
  userId: string,
  options: { name?: string; expiresIn?: string | number } = {},
): Promise<string> {
  const jwt = new SignJWT(options.name ? { name: options.name } : {})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "30d");
  return jwt.sign(new TextEncoder().encode(settings.secret));
}
