/**
 * Scalars. DateTime, Date and JSON come from graphql-scalars. BigInt is ours: graphql-scalars serializes safe
 * values as JSON numbers and larger ones as strings, so a typed client would see two shapes for one field; ours is
 * always a decimal string (and accepts strings or integers as input), like the 64-bit row ids.
 */
import { GraphQLError, GraphQLScalarType, Kind } from "graphql";
import { DateResolver, DateTimeResolver, JSONResolver } from "graphql-scalars";
import type { GatewayBuilder } from "../builder.js";

const INT64 = /^-?\d{1,19}$/;

function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && INT64.test(value)) return BigInt(value);
  throw new GraphQLError("BigInt must be an integer or a decimal string of a 64-bit integer.", {
    extensions: { code: "BAD_USER_INPUT" },
  });
}

export const BigIntScalar = new GraphQLScalarType({
  name: "BigInt",
  description: "A 64-bit integer, serialized as a decimal string so no precision is lost in JSON.",
  serialize: (value) => toBigInt(value).toString(),
  parseValue: toBigInt,
  parseLiteral(ast) {
    if (ast.kind === Kind.INT || ast.kind === Kind.STRING) return toBigInt(ast.value);
    throw new GraphQLError("BigInt must be an integer or a decimal string.", {
      extensions: { code: "BAD_USER_INPUT" },
    });
  },
});

export function addScalars(builder: GatewayBuilder): void {
  builder.addScalarType("BigInt", BigIntScalar);
  builder.addScalarType("DateTime", DateTimeResolver);
  builder.addScalarType("Date", DateResolver);
  builder.addScalarType("JSON", JSONResolver);
}
