/**
 * The annotation mutations as a schema contribution (static: they do not depend on the catalog). The resolvers are
 * thin: validation, access, exactly-once and events live in `resolvers/annotations/`.
 */

import type {
  AnnotationType as AnnotationKind,
  FlagType as FlagKind,
} from "../../resolvers/annotations/annotation-input.js";
import {
  addAnnotations,
  deleteAnnotation,
  deleteAnnotations,
  updateAnnotation,
} from "../../resolvers/annotations/annotation-writes.js";
import type { GatewayContext } from "../../resolvers/context.js";
import { MUTATION } from "../field-costs.js";
import type { SchemaContribution } from "../schema-contribution.js";

const CLIENT_MUTATION_ID_DOC =
  "Makes the mutation exactly once: a repeat with the same id and input (by you) returns the first result and writes nothing; the same id with other input is IDEMPOTENCY_CONFLICT.";

const writeContext = (ctx: GatewayContext) => ({
  lakehouse: ctx.lakehouse,
  access: ctx.access,
  events: ctx.events,
});

export function annotationMutationsContribution(): SchemaContribution {
  return {
    name: "annotation mutations",
    addStatic(builder, refs) {
      const core = refs.core;
      if (!core) throw new Error("The annotation mutations need the core types first.");
      // biome-ignore lint/suspicious/noExplicitAny: the enum refs come from the core contribution
      const AnnotationType = core.AnnotationType as any;
      // biome-ignore lint/suspicious/noExplicitAny: see AnnotationType
      const FlagType = core.FlagType as any;

      const content = {
        type: (t: PothosInput) =>
          t.field({ type: AnnotationType, required: true, description: "COMMENT (needs text) or FLAG." }),
        text: (t: PothosInput) => t.string({ description: "1–255 characters; required for a comment." }),
        flagType: (t: PothosInput) => t.field({ type: FlagType, description: "Required for a flag." }),
      };

      /** Fields every annotation input has; `rows` names the annotated row(s). */
      const common = (t: PothosInput) => ({
        clientMutationId: t.string({ description: CLIENT_MUTATION_ID_DOC }),
        experimentId: t.id({ required: true }),
      });
      const added = (t: PothosInput) => ({
        ...common(t),
        table: t.string({
          required: true,
          description: 'The table: "sample" or a macro filename (`macroFilename`).',
        }),
        type: content.type(t),
        text: content.text(t),
        flagType: content.flagType(t),
      });
      const AddAnnotationInput = builder.inputType("AddAnnotationInput", {
        fields: (t) => ({
          ...added(t),
          rowId: t.id({ required: true, description: "The row's 64-bit id." }),
        }),
      });
      const AddAnnotationsInput = builder.inputType("AddAnnotationsInput", {
        fields: (t) => ({
          ...added(t),
          rowIds: t.idList({ required: true, description: "1–1,000 row ids; all or nothing." }),
        }),
      });
      const UpdateAnnotationInput = builder.inputType("UpdateAnnotationInput", {
        fields: (t) => ({
          ...common(t),
          id: t.id({ required: true, description: "The annotation." }),
          text: t.string({ description: "New text (null clears a flag's text); left out: unchanged." }),
          flagType: t.field({ type: FlagType, description: "A flag's new type; left out: unchanged." }),
        }),
      });
      const DeleteAnnotationInput = builder.inputType("DeleteAnnotationInput", {
        fields: (t) => ({
          ...common(t),
          id: t.id({ required: true, description: "The annotation." }),
        }),
      });
      const DeleteAnnotationsInput = builder.inputType("DeleteAnnotationsInput", {
        fields: (t) => ({
          ...common(t),
          table: t.string({ required: true }),
          rowIds: t.idList({ required: true, description: "1–1,000 row ids." }),
          type: t.field({
            type: AnnotationType,
            description: "Only annotations of this type (default: both).",
          }),
        }),
      });

      const AnnotationPayload = builder
        .objectRef<{ clientMutationId: string | null; annotations: readonly unknown[] }>("AnnotationPayload")
        .implement({
          description: "The annotations a mutation affected (for deletes: as they were).",
          fields: (t) => ({
            clientMutationId: t.exposeString("clientMutationId"),
            annotations: t.field({
              type: [core.Annotation],
              nullable: false,
              // biome-ignore lint/suspicious/noExplicitAny: rows of the annotation type
              resolve: (p) => p.annotations as any,
            }),
          }),
        });

      const ids = (list: readonly (string | number)[]) => list.map(String);
      builder.mutationType({
        description:
          "Annotations: comment and flag samples and measurements, exactly once with clientMutationId.",
        fields: (t) => ({
          addAnnotation: t.field({
            type: AnnotationPayload,
            extensions: { cost: MUTATION },
            nullable: false,
            description: "Comments on or flags one row.",
            args: { input: t.arg({ type: AddAnnotationInput, required: true }) },
            resolve: (_r, { input }, ctx) =>
              addAnnotations(writeContext(ctx), "addAnnotation", {
                ...input,
                ...baseOf(input),
                rowIds: [String(input.rowId)],
                ...contentOf(input),
              }),
          }),
          addAnnotations: t.field({
            type: AnnotationPayload,
            extensions: { cost: MUTATION },
            nullable: false,
            description: "The same comment or flag on many rows, all or nothing.",
            args: { input: t.arg({ type: AddAnnotationsInput, required: true }) },
            resolve: (_r, { input }, ctx) =>
              addAnnotations(writeContext(ctx), "addAnnotations", {
                ...input,
                ...baseOf(input),
                rowIds: ids(input.rowIds),
                ...contentOf(input),
              }),
          }),
          updateAnnotation: t.field({
            type: AnnotationPayload,
            extensions: { cost: MUTATION },
            nullable: false,
            description: "Changes the text and/or flag type (its author or an experiment admin).",
            args: { input: t.arg({ type: UpdateAnnotationInput, required: true }) },
            resolve: (_r, { input }, ctx) =>
              updateAnnotation(writeContext(ctx), {
                ...input,
                ...baseOf(input),
                id: String(input.id),
                ...contentUpdateOf(input),
              }),
          }),
          deleteAnnotation: t.field({
            type: AnnotationPayload,
            extensions: { cost: MUTATION },
            nullable: false,
            description: "Deletes one annotation (its author or an experiment admin).",
            args: { input: t.arg({ type: DeleteAnnotationInput, required: true }) },
            resolve: (_r, { input }, ctx) =>
              deleteAnnotation(writeContext(ctx), {
                ...input,
                ...baseOf(input),
                id: String(input.id),
              }),
          }),
          deleteAnnotations: t.field({
            type: AnnotationPayload,
            extensions: { cost: MUTATION },
            nullable: false,
            description:
              "Deletes the annotations (of a type) on rows of a table (yours, or any as an experiment admin).",
            args: { input: t.arg({ type: DeleteAnnotationsInput, required: true }) },
            resolve: (_r, { input }, ctx) =>
              deleteAnnotations(writeContext(ctx), {
                ...input,
                ...baseOf(input),
                rowIds: ids(input.rowIds),
                type: (input.type ?? null) as AnnotationKind | null,
              }),
          }),
        }),
      });
    },
  };
}

/** The fields every input has, typed (the input fields are built by shared helpers). */
function baseOf(input: { clientMutationId?: unknown; experimentId?: unknown }) {
  return {
    clientMutationId: input.clientMutationId as string | null | undefined,
    experimentId: String(input.experimentId),
  };
}

/** The content fields of an add, typed (the enum refs are shared as untyped refs). */
function contentOf(input: { table?: unknown; type?: unknown; text?: unknown; flagType?: unknown }) {
  return {
    table: String(input.table),
    type: input.type as AnnotationKind,
    text: input.text as string | null | undefined,
    flagType: input.flagType as FlagKind | null | undefined,
  };
}

/** An update's fields: left out stays `undefined` (unchanged), null clears. */
function contentUpdateOf(input: { text?: unknown; flagType?: unknown }) {
  return {
    text: input.text as string | null | undefined,
    flagType: input.flagType as FlagKind | null | undefined,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: Pothos' input field builder, shared by the input types above
type PothosInput = any;
