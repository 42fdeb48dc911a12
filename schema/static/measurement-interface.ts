/**
 * `interface Measurement`: the fields every macro's measurement type has, and `Sample.measurements`. Static; each
 * generated `<Macro>Measurement` (`schema/macro-types.ts`) implements it and repeats these fields with the same
 * resolvers.
 */

import { OUTPUT_ALIAS } from "../../resolvers/measurements/compile-measurement-page.js";
import type { MeasurementRow } from "../../resolvers/measurements/measurement-connection.js";
import { parseJson } from "../../resolvers/values/output-values.js";
import type { GatewayBuilder } from "../builder.js";
import { BATCHED } from "../field-costs.js";
import { schemaCatalogOf } from "../schema-catalog.js";
import type { CoreTypes } from "./core-types.js";
import { objectId } from "./object-ids.js";

export type MeasurementInterface = ReturnType<typeof addMeasurementInterface>;

export function addMeasurementInterface(builder: GatewayBuilder, core: CoreTypes) {
  const Measurement = builder.interfaceRef<MeasurementRow>("Measurement").implement({
    description:
      "One macro's output for one sample. Every macro has its own type implementing this interface.",
    fields: (t) => ({
      id: t.id({
        nullable: false,
        description:
          "Opaque and stable; names this measurement in the whole graph (a row id is unique only within its " +
          "experiment and macro).",
        resolve: (m) => objectId("Measurement", m.experiment_id, m.macro_filename, m.id.toString()),
      }),
      rowId: t.id({
        nullable: false,
        description:
          "The sample's 64-bit row id, as a string (unique within the experiment and macro; what `Annotation.rowId` " +
          "and the annotation mutations' `rowId` name).",
        resolve: (m) => m.id.toString(),
      }),
      experimentId: t.id({ nullable: false, resolve: (m) => m.experiment_id }),
      macroName: t.string({ nullable: false, resolve: (m) => m.macro_name }),
      macroFilename: t.string({ nullable: false, resolve: (m) => m.macro_filename }),
      timestamp: t.field({ type: "DateTime", resolve: (m) => m.timestamp }),
      deviceId: t.string({ resolve: (m) => m.device_id }),
      device: t.field({
        extensions: { cost: BATCHED },
        type: core.Device,
        resolve: (m, _a, ctx) =>
          m.device_id ? ctx.loaders.device.load([m.experiment_id, m.device_id]) : null,
      }),
      contributor: t.field({
        extensions: { cost: BATCHED },
        type: core.Contributor,
        resolve: (m, _a, ctx) =>
          m.user_id ? ctx.loaders.contributor.load([m.experiment_id, m.user_id]) : null,
      }),
      questions: t.field({
        type: [core.Question],
        nullable: false,
        resolve: (m) => (m.questions as never) ?? [],
      }),
      annotations: t.field({
        extensions: { cost: BATCHED },
        type: [core.Annotation],
        description:
          "Comments and flags (null when they could not be read; the rest of the row is still served).",
        resolve: (m, _a, ctx) =>
          ctx.loaders.annotations.load({
            experimentId: m.experiment_id,
            tableName: m.macro_filename,
            rowId: m.id.toString(),
          }),
      }),
      sample: t.field({
        extensions: { cost: BATCHED },
        type: core.Sample,
        description: "The raw sample this measurement was computed from.",
        resolve: (m, _a, ctx) => ctx.loaders.sample.load([m.experiment_id, m.id.toString()]),
      }),
      output: t.field({
        type: "JSON",
        description: "The whole macro output object, untyped.",
        resolve: (m) => parseJson(m[OUTPUT_ALIAS] as string | null),
      }),
      error: t.string({
        description: "The macro's error, when it failed on this sample.",
        resolve: (m) => m.macro_error,
      }),
    }),
  });

  builder.objectField(core.Sample, "measurements", (t) =>
    t.field({
      type: [Measurement],
      extensions: { cost: BATCHED },
      description: "Every macro's output for this sample (one batched statement per page of samples).",
      resolve: async (s, _a, ctx, info) => {
        // A measurement's `sample` is this sample: no statement needed to go back up.
        ctx.loaders.sample.prime([s.experiment_id, s.id.toString()], s);
        const rows = await ctx.loaders.measurementsOfSample.load([s.experiment_id, s.id.toString()]);
        // Only macros this schema has a type for (a macro no experiment has a parseable schema for has none).
        const known = schemaCatalogOf(info.schema).macroFilenames;
        return rows.filter((m) => known.has(m.macro_filename));
      },
    }),
  );
  return Measurement;
}
