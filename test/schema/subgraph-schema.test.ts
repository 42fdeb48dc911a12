/**
 * The federation subgraph (`schema/federation/`) is the plain schema plus federation's parts: every type, field,
 * argument default, enum value and cost hint of the plain schema survives the SDL round trip through
 * `buildSubgraphSchema`, the SDL composes, and its pinned form is reviewable.
 */
import { composeServices } from "@theguild/federation-composition";
import {
  type GraphQLSchema,
  graphql,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  parse,
} from "graphql";
import { describe, expect, it } from "vitest";
import { GatewaySchemaBuilder, gatewayContributions } from "../../schema/build-schema.js";
import { schemaCatalogOf } from "../../schema/schema-catalog.js";
import { SMALL_CATALOG } from "./small-catalog.js";

const plain = new GatewaySchemaBuilder().build({ version: "test", catalog: SMALL_CATALOG }).schema;
const federated = new GatewaySchemaBuilder(gatewayContributions({ federation: true })).build({
  version: "test",
  catalog: SMALL_CATALOG,
}).schema;

async function serviceSdl(schema: GraphQLSchema): Promise<string> {
  const result = await graphql({ schema, source: "{ _service { sdl } }" });
  expect(result.errors).toBeUndefined();
  return (result.data as { _service: { sdl: string } })._service.sdl;
}

/** Federation's own additions to the plain schema. */
const ADDED_FIELDS: Record<string, readonly string[]> = {
  Query: ["_entities", "_service"],
  Contributor: ["user"],
  Annotation: ["author"],
};

describe("the subgraph schema", () => {
  it("keeps every type, field, argument default, enum value and cost hint of the plain schema", () => {
    let defaults = 0;
    let costs = 0;
    for (const type of Object.values(plain.getTypeMap())) {
      if (isIntrospectionType(type)) continue;
      const twin = federated.getType(type.name);
      expect(twin?.constructor, type.name).toBe(type.constructor);
      if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(twin) || isInterfaceType(twin))) {
        const fields = type.getFields();
        const twinFields = twin.getFields();
        expect(Object.keys(twinFields).filter((f) => !ADDED_FIELDS[type.name]?.includes(f))).toEqual(
          Object.keys(fields),
        );
        for (const [name, field] of Object.entries(fields)) {
          const copy = twinFields[name]!;
          expect(String(copy.type), `${type.name}.${name}`).toBe(String(field.type));
          const cost = (field.extensions as { cost?: unknown }).cost;
          expect((copy.extensions as { cost?: unknown }).cost, `${type.name}.${name}`).toEqual(cost);
          if (cost) costs++;
          expect(copy.args.map((a) => [a.name, String(a.type), a.defaultValue])).toEqual(
            field.args.map((a) => [a.name, String(a.type), a.defaultValue]),
          );
          defaults += field.args.filter((a) => a.defaultValue !== undefined).length;
        }
      }
      if (isInputObjectType(type) && isInputObjectType(twin)) {
        const fields = type.getFields();
        expect(Object.keys(twin.getFields())).toEqual(Object.keys(fields));
        for (const [name, field] of Object.entries(fields)) {
          expect(twin.getFields()[name]!.defaultValue).toEqual(field.defaultValue);
        }
      }
      if (isEnumType(type) && isEnumType(twin)) {
        expect(twin.getValues().map((v) => [v.name, v.value])).toEqual(
          type.getValues().map((v) => [v.name, v.value]),
        );
      }
    }
    // The round trip had something to keep.
    expect(defaults).toBeGreaterThan(0);
    expect(costs).toBeGreaterThan(10);
    expect(schemaCatalogOf(federated).macroFilenames).toEqual(schemaCatalogOf(plain).macroFilenames);
  });

  it("gives _entities a batched cost hint", () => {
    const entities = federated.getQueryType()!.getFields()._entities!;
    expect(entities.extensions).toEqual({
      cost: { statements: 3, batched: true, listSizeArgument: "representations" },
    });
  });

  it("serves an SDL that composes, with keys on every measurement type", async () => {
    const sdl = await serviceSdl(federated);
    await expect(sdl).toMatchFileSnapshot("../fixtures/schema/small-catalog.subgraph.graphql");
    const result = composeServices([
      { name: "lakehouse", url: "http://lakehouse/graphql", typeDefs: parse(sdl) },
    ]);
    expect(result.errors).toBeUndefined();
    for (const model of schemaCatalogOf(federated).models.values()) {
      expect(sdl).toContain(
        `type ${model.typeName} implements Measurement @key(fields: "experimentId rowId")`,
      );
    }
  });

  it("is not served without FEDERATION: the plain schema has no federation fields", () => {
    const fields = plain.getQueryType()!.getFields();
    expect(fields._service).toBeUndefined();
    expect(fields._entities).toBeUndefined();
    expect(plain.getType("User")).toBeUndefined();
  });
});
