/** `MacroType` and `MacroField`: the catalog as the schema generated it (`Query.macros`, `MacroInfo.fields`). */
import type { MacroTypeModel, ModelField, ModelFieldType } from "../../codegen/macro-type-model.js";
import type { GatewayBuilder } from "../builder.js";

function typeText(type: ModelFieldType): string {
  switch (type.kind) {
    case "scalar":
      return type.scalar;
    case "object":
      return type.object.typeName;
    case "list":
      return `[${typeText(type.of)}]`;
  }
}

export function addCatalogTypes(builder: GatewayBuilder) {
  const MacroField = builder.objectRef<ModelField>("MacroField").implement({
    description:
      "A typed field generated from a macro's VARIANT output schema, or a typed answer from its questions schema (`MacroType.answers`).",
    fields: (t) => ({
      name: t.exposeString("name", { nullable: false, description: "The GraphQL field name." }),
      key: t.exposeString("key", {
        nullable: false,
        description: "The original key in the macro output (of an answer: the question label).",
      }),
      path: t.exposeStringList("path", {
        nullable: false,
        description: "Original keys from the output root (of an answer: its label).",
      }),
      type: t.string({ nullable: false, description: "The GraphQL type.", resolve: (f) => typeText(f.type) }),
      description: t.exposeString("description", { nullable: false }),
      conflict: t.exposeBoolean("conflict", {
        nullable: false,
        description:
          "The experiments' outputs (or questions schemas) disagree on this key's type in a way no GraphQL type covers, so it is served as JSON (see `types`).",
      }),
      types: t.stringList({
        nullable: false,
        description:
          "The VARIANT types this key had across the experiments (more than one: the output drifted).",
        resolve: (f) => [...f.variantTypes],
      }),
    }),
  });

  const MacroType = builder.objectRef<MacroTypeModel>("MacroType").implement({
    description: "A macro in the catalog and the GraphQL type generated for it.",
    fields: (t) => ({
      name: t.exposeString("macroName", { nullable: false }),
      filename: t.exposeString("macroFilename", { nullable: false }),
      fieldName: t.exposeString("fieldName", {
        nullable: false,
        description: "Connection field on Experiment and Query.",
      }),
      typeName: t.exposeString("typeName", { nullable: false }),
      experimentCount: t.int({ nullable: false, resolve: (m) => m.experimentIds.length }),
      fields: t.field({ type: [MacroField], nullable: false, resolve: (m) => m.fields }),
      answersTypeName: t.string({
        description:
          "The type of the measurements' `answers` field; null when no experiment's catalog entry has a questions schema.",
        resolve: (m) => m.answers?.typeName ?? null,
      }),
      answers: t.field({
        type: [MacroField],
        nullable: false,
        description:
          "The typed answers (`answers { … }` on the measurement type), one per question label of the merged questions schemas (openJII's `experiment_table_metadata.questions_schema`); empty without one.",
        resolve: (m) => m.answers?.fields ?? [],
      }),
    }),
  });
  return { MacroField, MacroType };
}
