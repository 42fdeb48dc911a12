/**
 * Scalars. DateTime, Date and JSON come from graphql-scalars. BigInt is ours: graphql-scalars serializes safe
 * values as JSON numbers and larger ones as strings, so a typed client would see two shapes for one field; ours is
 * always a decimal string (and accepts strings or integers as input), like the 64-bit row ids. Decimal is ours too:
 * exact decimals wider than a double (DECIMAL(p,s) with p > 15) as decimal strings.
 */
import { GraphQLError, GraphQLScalarType, Kind } from "graphql";
import { DateResolver, JSONResolver } from "graphql-scalars";
import { parseDecimalText } from "../../lakehouse/decimal-text.js";
import { dateTimestamp, preciseTimestamp } from "../../lakehouse/timestamps.js";
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

function toTimestamp(value: unknown): string {
  if (value instanceof Date && Number.isFinite(value.getTime())) return dateTimestamp(value);
  const precise = typeof value === "string" ? preciseTimestamp(value) : null;
  if (precise !== null) return precise;
  throw new GraphQLError(
    "DateTime must be an ISO 8601 date-time, to the microsecond at most (e.g. 2026-02-03T09:15:42.123456Z).",
    {
      extensions: { code: "BAD_USER_INPUT" },
    },
  );
}

/**
 * An instant as ISO 8601 UTC text with the lakehouse's microseconds (`.123456Z`; `.123Z` when milliseconds hold
 * it). graphql-scalars' DateTime goes through a JS `Date` and would cut the microseconds; inputs come back as the
 * same normalized text, so a filter can name any stored instant exactly.
 */
export const DateTimeScalar = new GraphQLScalarType({
  name: "DateTime",
  description:
    "An instant in ISO 8601, UTC, with microseconds when the value has them (e.g. 2026-02-03T09:15:42.123456Z). " +
    "Inputs accept any UTC offset.",
  serialize: (value) => {
    if (typeof value === "number" && Number.isFinite(value)) return dateTimestamp(new Date(value));
    return toTimestamp(value);
  },
  parseValue: toTimestamp,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING) return toTimestamp(ast.value);
    throw new GraphQLError("DateTime must be a string.", { extensions: { code: "BAD_USER_INPUT" } });
  },
  specifiedByURL: "https://scalars.graphql.org/andimarek/date-time",
});

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

function decimalError(): GraphQLError {
  return new GraphQLError(
    'Decimal must be a decimal string such as "-12345678901234567890.125" (no exponent); an integer is accepted too.',
    { extensions: { code: "BAD_USER_INPUT" } },
  );
}

/** Input: a plain decimal string (or a safe integer), to its canonical text; the field's scale is checked later. */
function toDecimalInput(value: unknown): string {
  const text =
    typeof value === "string"
      ? value
      : typeof value === "bigint" || (typeof value === "number" && Number.isSafeInteger(value))
        ? String(value)
        : null;
  const parsed = text === null ? null : parseDecimalText(text);
  if (parsed === null) throw decimalError();
  return parsed.text;
}

export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: "Decimal",
  description:
    'An exact decimal number as a decimal string (e.g. "12345678901234567890.1234567890"), for DECIMAL values wider ' +
    "than a double holds (more than 15 digits). Outputs keep the field's scale (trailing zeros included). Inputs " +
    "take a string, or an integer or float literal (its digits are kept as written); a value with more fraction " +
    "digits than the field's scale, or too many integer digits, is refused.",
  serialize: (value) => {
    // Values come from the lakehouse as exact text already (never a double): pass them on unchanged.
    if (typeof value === "string" && parseDecimalText(value) !== null) return value;
    if (typeof value === "bigint") return value.toString();
    throw new GraphQLError("Decimal cannot represent this value.");
  },
  parseValue: toDecimalInput,
  parseLiteral(ast) {
    // A float literal's digits are its source text: exact, as written.
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) {
      const parsed = parseDecimalText(ast.value);
      if (parsed !== null) return parsed.text;
    }
    throw decimalError();
  },
});

export function addScalars(builder: GatewayBuilder): void {
  builder.addScalarType("BigInt", BigIntScalar);
  builder.addScalarType("Decimal", DecimalScalar);
  builder.addScalarType("DateTime", DateTimeScalar);
  builder.addScalarType("Date", DateResolver);
  builder.addScalarType("JSON", JSONResolver);
}
