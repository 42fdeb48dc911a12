/**
 * The terms an aggregate is made of — functions, measures, `groupBy` entries and the dimensions they compile to —
 * shared by the statement compiler (`compile-aggregate.ts`) and the group order (`compile-aggregate-order.ts`).
 */
import type { TimeBucketUnit } from "../../lakehouse/dialect.js";
import { BadUserInputError } from "../errors.js";
import type { QueryField } from "./query-fields.js";

export const AGGREGATE_FUNCTIONS = [
  "sum",
  "avg",
  "min",
  "max",
  "stddev",
  "variance",
  "cumsum",
  "countDistinct",
] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

/** One entry of `groupBy`: exactly one member is set. `time` and `field` name a field of the source. */
export interface GroupByArgs {
  readonly device?: boolean | null;
  readonly contributor?: boolean | null;
  readonly experiment?: boolean | null;
  /** A question label: groups by the answer to that question. */
  readonly question?: string | null;
  /** A DateTime/Date field, bucketed by `timeBucket` in `timeZone`. */
  readonly time?: string | null;
  /** Any field: groups by its value. */
  readonly field?: string | null;
}

export type AggregateMeasure =
  | { readonly fn: AggregateFunction; readonly field: string }
  | { readonly fn: "corr"; readonly a: string; readonly b: string };

export type Dimension =
  | { readonly kind: "device" | "contributor" | "experiment"; readonly alias: string }
  | { readonly kind: "question"; readonly alias: string; readonly label: string }
  | {
      readonly kind: "time";
      readonly alias: string;
      readonly field: QueryField;
      readonly unit: TimeBucketUnit;
      readonly timeZone: string;
    }
  | { readonly kind: "field"; readonly alias: string; readonly field: QueryField };

export function measureKey(m: AggregateMeasure): string {
  return m.fn === "corr" ? `corr:${m.a}:${m.b}` : `${m.fn}:${m.field}`;
}

/**
 * The one member a `groupBy` entry sets (also an `orderBy` entry's `key`), checked: exactly one is set, and the
 * flags (device, contributor, experiment) are `true`. `at` names the entry in errors, `argument` its argument.
 */
export function groupingEntry(
  entry: GroupByArgs,
  at: string,
  argument: "groupBy" | "orderBy",
): readonly [kind: string, value: unknown] {
  const set = Object.entries(entry).filter(([, v]) => v !== null && v !== undefined);
  if (set.length !== 1) {
    throw new BadUserInputError(
      `\`${at}\` must set exactly one of device, contributor, experiment, question, time, field.`,
      { argument },
    );
  }
  const [kind, value] = set[0]!;
  if ((kind === "device" || kind === "contributor" || kind === "experiment") && value !== true) {
    throw new BadUserInputError(`\`${at}.${kind}\` must be true; leave the entry out otherwise.`, {
      argument,
    });
  }
  return [kind, value];
}
