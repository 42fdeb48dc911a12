/**
 * Federation entity references → rows, through the request's loaders: a router's `_entities` call with N
 * representations costs one batched statement per kind of entity, and access applies exactly as for
 * `experiment(id)` — a representation the caller may not read (or that does not exist) resolves to null.
 */
import { parseInt64 } from "../../lakehouse/int64.js";
import type { GatewayContext } from "../context.js";
import { BadUserInputError } from "../errors.js";
import type { ExperimentRow } from "../loaders/request-loaders.js";
import type { MeasurementRow, SampleRow } from "../rows.js";

/** What a router sends for one entity: `__typename` and the fields of the entity's key. */
export type Representation = Readonly<Record<string, unknown>>;

function keyText(representation: Representation, field: string, typeName: string): string {
  const value = representation[field];
  if (typeof value !== "string" || value.length === 0) {
    throw new BadUserInputError(`A ${typeName} representation needs "${field}" as a non-empty string.`, {
      field,
    });
  }
  return value;
}

/** A 64-bit row id as canonical decimal text (ids never pass through a JS number, so a number is refused). */
function rowId(representation: Representation, typeName: string): string {
  const id = parseInt64(keyText(representation, "rowId", typeName));
  if (id === null) {
    throw new BadUserInputError(
      `A ${typeName} representation's "rowId" must be a 64-bit integer as a string.`,
      {
        field: "rowId",
      },
    );
  }
  return id.toString();
}

export function experimentReference(
  representation: Representation,
  ctx: GatewayContext,
): Promise<ExperimentRow | null> {
  return ctx.loaders.experiment.load(keyText(representation, "id", "Experiment"));
}

export function sampleReference(
  representation: Representation,
  ctx: GatewayContext,
): Promise<SampleRow | null> {
  return ctx.loaders.sample.load([
    keyText(representation, "experimentId", "Sample"),
    rowId(representation, "Sample"),
  ]);
}

/** The reference resolver of one macro's measurement type. */
export function measurementReference(
  macroFilename: string,
  typeName: string,
): (representation: Representation, ctx: GatewayContext) => Promise<MeasurementRow | null> {
  return (representation, ctx) =>
    ctx.loaders.measurement.load([
      keyText(representation, "experimentId", typeName),
      macroFilename,
      rowId(representation, typeName),
    ]);
}
