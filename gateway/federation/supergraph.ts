/**
 * The supergraph of the federated entry point (`gateway.config.ts`, Hive Gateway): each subgraph's SDL read from
 * its `_service { sdl }` and composed with `@theguild/federation-composition`. Hive Gateway calls this at start and
 * on every polling interval; a failure (a subgraph down, a composition error) throws, and Hive Gateway keeps serving
 * the supergraph it has.
 */
import { composeServices } from "@theguild/federation-composition";
import { parse } from "graphql";

export interface SubgraphSource {
  readonly name: string;
  /** The subgraph's GraphQL endpoint (also what the router sends its requests to). */
  readonly url: string;
}

/** `name=url` pairs separated by commas, e.g. `lakehouse=http://127.0.0.1:4000/graphql,backend=http://…`. */
export function parseSubgraphList(text: string): SubgraphSource[] {
  const sources = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf("=");
      if (at <= 0) throw new Error(`A subgraph is "name=url", not "${entry}".`);
      const name = entry.slice(0, at).trim();
      const url = entry.slice(at + 1).trim();
      if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) throw new Error(`"${name}" is not a subgraph name.`);
      const parsed = new URL(url);
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
        throw new Error(`Subgraph ${name}: ${url} is not an http(s) URL.`);
      }
      return { name, url: parsed.toString() };
    });
  if (sources.length === 0) throw new Error("No subgraphs are configured.");
  const names = new Set(sources.map((s) => s.name));
  if (names.size !== sources.length) throw new Error("Subgraph names must be unique.");
  return sources;
}

/** One subgraph's SDL, from `{ _service { sdl } }`. */
export async function fetchSubgraphSdl(source: SubgraphSource, timeoutMs = 10_000): Promise<string> {
  const response = await fetch(source.url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`Subgraph ${source.name}: HTTP ${response.status} from ${source.url}.`);
  const body = (await response.json()) as {
    data?: { _service?: { sdl?: string } };
    errors?: { message: string }[];
  };
  const sdl = body.data?._service?.sdl;
  if (typeof sdl !== "string") {
    const why = body.errors?.map((e) => e.message).join("; ") ?? "no _service.sdl";
    throw new Error(`Subgraph ${source.name} is not a federation subgraph (${why}).`);
  }
  return sdl;
}

/** The supergraph SDL of the subgraphs as they are now. */
export async function composeSupergraph(sources: readonly SubgraphSource[]): Promise<string> {
  const sdls = await Promise.all(sources.map((s) => fetchSubgraphSdl(s)));
  const result = composeServices(
    sources.map((s, i) => ({ name: s.name, url: s.url, typeDefs: parse(sdls[i]!) })),
  );
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((e) => `- ${e.message}`).join("\n")}`);
  }
  return result.supergraphSdl;
}
