/**
 * The one table of scalar kinds. Every typed field of the model has one of these scalars; what each means to the
 * layers above — numeric widening, time buckets, filter families — is read from here, never from a list of its own.
 * (How a lakehouse reads each kind is the dialect's business: `lakehouse/variant-casts.ts`.)
 */
export const SCALAR_KINDS = {
  Int: { numericRank: 0, time: false, filterable: true },
  BigInt: { numericRank: 1, time: false, filterable: true },
  /** DECIMAL(p,s) with p > 15: exact, as a decimal string (a double holds 15 significant digits exactly). */
  Decimal: { numericRank: 2, time: false, filterable: true },
  Float: { numericRank: 3, time: false, filterable: true },
  String: { numericRank: null, time: false, filterable: true },
  Boolean: { numericRank: null, time: false, filterable: true },
  Date: { numericRank: null, time: true, filterable: true },
  DateTime: { numericRank: null, time: true, filterable: true },
  /** VARIANT, VOID, BINARY and conflicting types: opaque, no typed operators. */
  JSON: { numericRank: null, time: false, filterable: false },
} as const satisfies Record<string, ScalarKind>;

export interface ScalarKind {
  /**
   * Int ⊂ BigInt ⊂ Decimal ⊂ Float: the wider one holds both (Decimal exactly within 38 digits, Float
   * approximately); null for non-numeric kinds.
   */
  readonly numericRank: number | null;
  /** Dates and timestamps: time buckets and time ranges apply. */
  readonly time: boolean;
  /** Has a typed filter input (`<Scalar>Filter`) and sorts. */
  readonly filterable: boolean;
}

export type GraphQLScalarName = keyof typeof SCALAR_KINDS;
export const GRAPHQL_SCALAR_NAMES = Object.keys(SCALAR_KINDS) as readonly GraphQLScalarName[];

/**
 * The filter family of a field: every filterable scalar of the model, plus `ID` for row ids and experiment ids of
 * base columns. One GraphQL filter input type each (`FloatFilter`, `StringFilter`, …).
 */
export type FieldScalar =
  | {
      [K in GraphQLScalarName]: (typeof SCALAR_KINDS)[K]["filterable"] extends true ? K : never;
    }[GraphQLScalarName]
  | "ID";
export const FIELD_SCALARS: readonly FieldScalar[] = [
  ...GRAPHQL_SCALAR_NAMES.filter((s): s is Exclude<FieldScalar, "ID"> => SCALAR_KINDS[s].filterable),
  "ID",
];

export function isNumericScalar(scalar: FieldScalar): boolean {
  return scalar !== "ID" && SCALAR_KINDS[scalar].numericRank !== null;
}

export function isTimeScalar(scalar: FieldScalar): boolean {
  return scalar !== "ID" && SCALAR_KINDS[scalar].time;
}
