/**
 * Ids of the object types whose natural key is not one value: a normalized client cache (Apollo's `InMemoryCache`,
 * urql's Graphcache) keys an object by `__typename` + `id`, so an `id` must name one object in the whole graph.
 * A device, a contributor, a macro's figures and a row are per experiment (the same device, user or row id appears
 * in several experiments with other figures), so their `id` is built from the whole key. Opaque (base64url of a
 * JSON array) and stable: the same object always has the same id. The parts stay beside it as plain fields
 * (`deviceId`, `userId`, `rowId`, `experimentId`), which is what filters and the federation keys use.
 */

export type ObjectKind = "Device" | "Contributor" | "MacroInfo" | "Freshness" | "Sample" | "Measurement";

export function objectId(kind: ObjectKind, ...key: readonly string[]): string {
  return Buffer.from(JSON.stringify([kind, ...key]), "utf8").toString("base64url");
}
