/**
 * HS256 JWTs (jose). The token's `sub` names the user. RS256/JWKS plugs in here later: `TokenVerifier` is the seam.
 */
import { errors, jwtVerify, SignJWT } from "jose";
import { ANONYMOUS, type Viewer } from "../../resolvers/access/viewer.js";
import { UnauthenticatedError } from "../../resolvers/errors.js";

export interface JwtSettings {
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
}

export interface TokenVerifier {
  /** Resolves the viewer for an `Authorization` header value; no header → anonymous; a bad token throws. */
  viewerFromHeader(header: string | null | undefined): Promise<Viewer>;
}

export function createHs256Verifier(settings: JwtSettings): TokenVerifier {
  const key = new TextEncoder().encode(settings.secret);
  return {
    async viewerFromHeader(header) {
      if (!header) return ANONYMOUS;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw new UnauthenticatedError("The Authorization header must be 'Bearer <token>'.");
      try {
        const { payload } = await jwtVerify(match[1]!, key, {
          algorithms: ["HS256"],
          issuer: settings.issuer,
          audience: settings.audience,
        });
        if (typeof payload.sub !== "string" || payload.sub === "") {
          throw new UnauthenticatedError("The token does not name a user (missing 'sub').");
        }
        return { userId: payload.sub, name: typeof payload.name === "string" ? payload.name : null };
      } catch (error) {
        if (error instanceof UnauthenticatedError) throw error;
        if (error instanceof errors.JWTExpired) throw new UnauthenticatedError("The token has expired.");
        throw new UnauthenticatedError("The token is malformed or its signature is invalid.");
      }
    },
  };
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
