/**
 * Serves every operation the schema of its caller's access set (`SchemaRegistry.schemaFor`): the token is checked
 * once per HTTP request, as the request is parsed, and the context reuses that check. Over graphql-ws the
 * connection's viewer picks the schema (`wsSchema` in the initial context). A request whose token fails is served
 * the default (anonymous) schema and fails in the context with the token's error, as before.
 */
import type { Plugin } from "graphql-yoga";
import type { SchemaScope } from "../../resolvers/access/catalog-access.js";
import { ANONYMOUS, type Viewer } from "../../resolvers/access/viewer.js";
import type { SchemaRegistry, ScopedSchema } from "../../schema/schema-registry.js";
import type { TokenVerifier } from "../auth/jwt.js";

export interface AccessSetSchema {
  readonly plugin: Plugin;
  /** The request's viewer (its token checked once per request; rejects with the token's error). */
  viewerOf(request: Request): Promise<Viewer>;
  /** The access set whose schema serves the request. */
  scopeOf(request: Request): SchemaScope | undefined;
}

export function useAccessSetSchema(
  registry: SchemaRegistry<unknown>,
  verifier: TokenVerifier,
): AccessSetSchema {
  const viewers = new WeakMap<Request, Promise<Viewer>>();
  const schemas = new WeakMap<Request, ScopedSchema>();
  const viewerOf = (request: Request) => {
    let viewer = viewers.get(request);
    if (!viewer) {
      viewer = verifier.viewerFromHeader(request.headers.get("authorization"));
      viewers.set(request, viewer);
    }
    return viewer;
  };
  const plugin: Plugin = {
    onRequestParse({ request }) {
      return {
        async onRequestParseDone() {
          const viewer = await viewerOf(request).catch(() => ANONYMOUS);
          schemas.set(request, await registry.schemaFor(viewer));
        },
      };
    },
    onEnveloped({ setSchema, context }) {
      const initial = context as { wsSchema?: ScopedSchema; request?: Request };
      const scoped = initial.wsSchema ?? (initial.request && schemas.get(initial.request));
      setSchema(scoped ? scoped.built.schema : registry.current.schema);
    },
  };
  return { plugin, viewerOf, scopeOf: (request) => schemas.get(request)?.scope };
}
