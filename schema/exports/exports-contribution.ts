/**
 * Exports in the schema: the `ExportFormat` enum and `exportUrl` on `Experiment.samples`' connection (the per-macro
 * connections get theirs where they are generated, `schema/macro-types.ts`). See `export-url-field.ts`.
 */
import type { SchemaContribution } from "../schema-contribution.js";
import {
  EXPORT_FORMAT_DOC,
  EXPORT_FORMAT_VALUES,
  EXPORT_URL_DOC,
  exportUrlResolver,
} from "./export-url-field.js";

export function exportsContribution(): SchemaContribution {
  return {
    name: "exports",
    addStatic(builder, refs) {
      const ExportFormat = builder.enumType("ExportFormat", {
        description: EXPORT_FORMAT_DOC,
        values: Object.fromEntries(
          Object.entries(EXPORT_FORMAT_VALUES).map(([name, value]) => [name, { value }]),
        ) as Record<keyof typeof EXPORT_FORMAT_VALUES, { value: string }>,
      });
      const SampleConnection = refs.core?.SampleConnection;
      if (!SampleConnection) throw new Error("The exports contribution needs the core types first.");
      builder.objectField(SampleConnection, "exportUrl", (t) =>
        t.string({
          description: EXPORT_URL_DOC,
          args: {
            columns: t.arg.stringList({
              description:
                "Only these columns (names as in the file; a nested object's dotted path picks all its columns).",
            }),
            format: t.arg({ type: ExportFormat, required: true, description: "The file format." }),
          },
          resolve: (connection, args, context) =>
            exportUrlResolver(connection as object, args as { format: string; columns?: string[] }, context),
        }),
      );
    },
  };
}
