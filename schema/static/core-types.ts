/**
 * The static part of the schema: viewer, experiments and their relations, samples, connections. Built once per
 * process (`static-schema.ts`); every catalog's schema shares it, copying only the types that gain per-macro fields
 * (`schema/schema-assembly.ts`).
 */

import type { Row } from "../../lakehouse/lakehouse.js";
import type { GatewayContext } from "../../resolvers/context.js";
import { pseudonymId, pseudonymName } from "../../resolvers/contributors/anonymize.js";
import {
  experimentConnection,
  headerPrefetch,
  requireExperiment,
} from "../../resolvers/experiments/experiment-queries.js";
import { SAMPLE_TABLE } from "../../resolvers/exports/export-columns.js";
import {
  type AnnotationRow,
  type ContributorRow,
  type DeviceRow,
  type ExperimentRow,
  MAX_TOP_ERRORS,
  type MacroErrors,
  type MacroInfoRow,
  NO_MACRO_ERRORS,
  type StatusRow,
} from "../../resolvers/loaders/request-loaders.js";
import type { Connection } from "../../resolvers/pagination/connection.js";
import { type SampleRow, sampleConnection } from "../../resolvers/samples/sample-page.js";
import { selectsField } from "../../resolvers/selection.js";
import { parseJson } from "../../resolvers/values/output-values.js";
import type { GatewayArgBuilder, GatewayBuilder, Ref } from "../builder.js";
import { rememberExport } from "../exports/export-url-field.js";
import { BATCHED, ONE_STATEMENT } from "../field-costs.js";
import { objectId } from "./object-ids.js";
import { queryArgs, sampleQueryTypes } from "./query-language-types.js";

export interface QuestionValue {
  question_label: string | null;
  question_text: string | null;
  question_answer: string | null;
}

export interface CoreTypes {
  readonly PageInfo: Ref<Connection<unknown>["pageInfo"]>;
  readonly Experiment: Ref<ExperimentRow>;
  readonly Device: Ref<DeviceRow>;
  readonly Contributor: Ref<ContributorRow>;
  readonly Question: Ref<QuestionValue>;
  readonly Annotation: Ref<AnnotationRow>;
  readonly AnnotationType: ReturnType<GatewayBuilder["enumType"]>;
  readonly FlagType: ReturnType<GatewayBuilder["enumType"]>;
  readonly Sample: Ref<SampleRow>;
  readonly MacroInfo: Ref<MacroInfoRow>;
  /** `Experiment.samples`' connection (the exports contribution adds `exportUrl`). */
  readonly SampleConnection: Ref<Connection<SampleRow>>;
}

/** The user id as the API shows it: the real one, or the experiment's pseudonym when it anonymizes contributors. */
const shownUserId = (c: ContributorRow): string =>
  c.anonymized ? pseudonymId(c.experiment_id, c.user_id) : c.user_id;

const toInt = (v: bigint | number | null | undefined): number | null => (v == null ? null : Number(v));

/** Descriptions of the Relay paging arguments (also used by the generated per-macro connections). */
export const PAGING_ARG_DOCS = {
  first: "Rows after `after` (default 100, at most the configured maximum).",
  after: "Cursor of the row to continue after.",
  last: "Rows before `before`, for paging backwards.",
  before: "Cursor of the row to continue before.",
  offset:
    "Skip this many rows first (at most 10,000), e.g. to jump to page k of a table. Slower than cursors for deep " +
    "pages: the lakehouse reads every skipped row.",
} as const;

/** Description of a connection's `totalCount` (also used by the generated per-macro connections). */
export const TOTAL_COUNT_DOC =
  "All rows matching the filters (costs nothing unless selected; rides in the page statement).";

export function pagingArgs(t: { arg: GatewayArgBuilder }) {
  return {
    first: t.arg.int({ description: PAGING_ARG_DOCS.first }),
    after: t.arg.string({ description: PAGING_ARG_DOCS.after }),
    last: t.arg.int({ description: PAGING_ARG_DOCS.last }),
    before: t.arg.string({ description: PAGING_ARG_DOCS.before }),
    offset: t.arg.int({ description: PAGING_ARG_DOCS.offset }),
  };
}

export function addCoreTypes(builder: GatewayBuilder): CoreTypes {
  const PageInfo = builder.objectRef<Connection<unknown>["pageInfo"]>("PageInfo").implement({
    description: "Relay page information.",
    fields: (t) => ({
      hasNextPage: t.exposeBoolean("hasNextPage", { nullable: false }),
      hasPreviousPage: t.exposeBoolean("hasPreviousPage", { nullable: false }),
      startCursor: t.exposeString("startCursor"),
      endCursor: t.exposeString("endCursor"),
    }),
  });

  function connection<T>(name: string, node: unknown, description: string): Ref<Connection<T>> {
    const Edge = builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
      fields: (t) => ({
        cursor: t.exposeString("cursor", { nullable: false }),
        // biome-ignore lint/suspicious/noExplicitAny: the node ref is generic over every connection
        node: t.field({ type: node as any, nullable: false, resolve: (e) => e.node as any }),
      }),
    });
    return builder.objectRef<Connection<T>>(`${name}Connection`).implement({
      description,
      fields: (t) => ({
        edges: t.field({ type: [Edge], nullable: false, resolve: (c) => c.edges }),
        pageInfo: t.field({ type: PageInfo, nullable: false, resolve: (c) => c.pageInfo }),
        totalCount: t.int({ description: TOTAL_COUNT_DOC, resolve: (c) => c.totalCount }),
      }),
    });
  }

  const Visibility = builder.enumType("Visibility", {
    values: { PUBLIC: { value: "public" }, PRIVATE: { value: "private" } } as const,
  });
  const ExperimentStatus = builder.enumType("ExperimentStatus", {
    values: {
      ACTIVE: { value: "active" },
      STALE: { value: "stale" },
      ARCHIVED: { value: "archived" },
      PUBLISHED: { value: "published" },
    } as const,
  });
  const FreshnessStatus = builder.enumType("FreshnessStatus", {
    values: { FRESH: { value: "fresh" }, STALE: { value: "stale" } } as const,
  });
  const AnnotationType = builder.enumType("AnnotationType", {
    values: { COMMENT: { value: "comment" }, FLAG: { value: "flag" } } as const,
  });
  const FlagType = builder.enumType("FlagType", {
    values: { OUTLIER: { value: "outlier" }, NEEDS_REVIEW: { value: "needs_review" } } as const,
  });

  const Viewer = builder.objectRef<GatewayContext["viewer"]>("Viewer").implement({
    description: "Who is asking: anonymous callers read public experiments only.",
    fields: (t) => ({
      userId: t.exposeID("userId"),
      name: t.exposeString("name"),
      authenticated: t.boolean({ nullable: false, resolve: (v) => v.userId !== null }),
    }),
  });

  const Device = builder.objectRef<DeviceRow>("Device").implement({
    description:
      "A MultispeQ device that measured in an experiment: its figures are this experiment's (the same device in " +
      "another experiment is another `Device`, with another `id` and the same `deviceId`).",
    fields: (t) => ({
      id: t.id({
        nullable: false,
        description: "Opaque and stable; names this device in this experiment.",
        resolve: (d) => objectId("Device", d.experiment_id, d.device_id),
      }),
      deviceId: t.exposeString("device_id", { nullable: false, description: "The device's own id." }),
      experimentId: t.exposeID("experiment_id", { nullable: false }),
      name: t.exposeString("device_name"),
      firmware: t.exposeString("device_firmware"),
      firstSeen: t.field({ type: "DateTime", resolve: (d) => d.first_seen }),
      lastSeen: t.field({ type: "DateTime", resolve: (d) => d.last_seen }),
      totalMeasurements: t.int({ resolve: (d) => toInt(d.total_measurements) }),
    }),
  });

  const Contributor = builder.objectRef<ContributorRow>("Contributor").implement({
    description:
      "A person's contributions to one experiment: the figures are this experiment's (the same person in another " +
      "experiment is another `Contributor`, with another `id`). In experiments that anonymize contributors, names " +
      "and email are hidden and `userId`/`displayName` are a stable pseudonym per experiment.",
    fields: (t) => ({
      id: t.id({
        nullable: false,
        description:
          "Opaque and stable; names this person in this experiment (never reveals a hidden user id).",
        resolve: (c) => objectId("Contributor", c.experiment_id, shownUserId(c)),
      }),
      userId: t.id({
        nullable: false,
        description:
          "The user's id, the same in every experiment — or, in experiments that anonymize contributors, a " +
          "pseudonym of this experiment. What the `userId` filters and group keys take and return.",
        resolve: shownUserId,
      }),
      experimentId: t.exposeID("experiment_id", { nullable: false }),
      anonymized: t.exposeBoolean("anonymized", { nullable: false }),
      displayName: t.string({
        nullable: false,
        resolve: (c) =>
          c.anonymized
            ? pseudonymName(c.experiment_id, c.user_id)
            : [c.first_name, c.last_name].filter(Boolean).join(" ") || c.user_id,
      }),
      firstName: t.exposeString("first_name"),
      lastName: t.exposeString("last_name"),
      email: t.exposeString("email", {
        description:
          "Only for admins of this experiment (null for everyone else, and in anonymizing experiments).",
      }),
      organization: t.exposeString("organization", {
        description:
          "Only for admins of this experiment (null for everyone else, and in anonymizing experiments).",
      }),
      firstContribution: t.field({ type: "DateTime", resolve: (c) => c.first_contribution }),
      lastContribution: t.field({ type: "DateTime", resolve: (c) => c.last_contribution }),
      totalContributions: t.int({ resolve: (c) => toInt(c.total_contributions) }),
    }),
  });

  const Question = builder.objectRef<QuestionValue>("Question").implement({
    description: "A question answered on the device when the sample was taken.",
    fields: (t) => ({
      label: t.exposeString("question_label"),
      text: t.exposeString("question_text"),
      answer: t.exposeString("question_answer"),
    }),
  });

  const Annotation = builder.objectRef<AnnotationRow>("Annotation").implement({
    description: "A comment or flag on a sample or measurement.",
    fields: (t) => ({
      id: t.exposeID("annotation_id", { nullable: false }),
      table: t.exposeString("table_name", {
        nullable: false,
        description: 'The annotated table: "sample" or the macro filename of the row.',
      }),
      rowId: t.exposeID("row_id", { nullable: false, description: "The annotated row's 64-bit id." }),
      type: t.field({ type: AnnotationType, nullable: false, resolve: (a) => a.type as "comment" | "flag" }),
      text: t.exposeString("content_text"),
      flagType: t.field({ type: FlagType, resolve: (a) => a.flag_type as "outlier" | "needs_review" | null }),
      createdBy: t.id({
        nullable: false,
        resolve: (a) => (a.anonymized ? pseudonymId(a.experiment_id, a.created_by) : a.created_by),
      }),
      createdByName: t.string({
        resolve: (a) => (a.anonymized ? pseudonymName(a.experiment_id, a.created_by) : a.created_by_name),
      }),
      createdAt: t.field({ type: "DateTime", nullable: false, resolve: (a) => a.created_at }),
      updatedAt: t.field({ type: "DateTime", nullable: false, resolve: (a) => a.updated_at }),
    }),
  });

  const MacroRef = builder
    .objectRef<{ id: string | null; name: string | null; filename: string | null }>("SampleMacro")
    .implement({
      description: "A macro that was run over a sample.",
      fields: (t) => ({
        id: t.exposeString("id"),
        name: t.exposeString("name"),
        filename: t.exposeString("filename"),
      }),
    });

  const Sample = builder.objectRef<SampleRow>("Sample").implement({
    description: "One raw MultispeQ sample (a measurement before macros run over it).",
    fields: (t) => ({
      id: t.id({
        nullable: false,
        description:
          "Opaque and stable; names this sample in the whole graph (a row id is unique only within its experiment).",
        resolve: (s) => objectId("Sample", s.experiment_id, s.id.toString()),
      }),
      rowId: t.id({
        nullable: false,
        description:
          "The 64-bit row id, as a string (unique within the experiment; what `Annotation.rowId` names).",
        resolve: (s) => s.id.toString(),
      }),
      experimentId: t.exposeID("experiment_id", { nullable: false }),
      timestamp: t.field({ type: "DateTime", resolve: (s) => s.timestamp }),
      processedTimestamp: t.field({ type: "DateTime", resolve: (s) => s.processed_timestamp }),
      deviceId: t.exposeString("device_id"),
      device: t.field({
        extensions: { cost: BATCHED },
        type: Device,
        resolve: (s, _a, ctx) =>
          s.device_id ? ctx.loaders.device.load([s.experiment_id, s.device_id]) : null,
      }),
      contributor: t.field({
        extensions: { cost: BATCHED },
        type: Contributor,
        resolve: (s, _a, ctx) =>
          s.user_id ? ctx.loaders.contributor.load([s.experiment_id, s.user_id]) : null,
      }),
      questions: t.field({ type: [Question], nullable: false, resolve: (s) => s.questions ?? [] }),
      measurementSets: t.stringList({ nullable: false, resolve: (s) => s.measurement_sets ?? [] }),
      macros: t.field({ type: [MacroRef], nullable: false, resolve: (s) => s.macros ?? [] }),
      data: t.field({
        type: "JSON",
        description: "The sample payload as recorded by the device.",
        resolve: (s) => parseJson(s.sample),
      }),
      annotations: t.field({
        extensions: { cost: BATCHED },
        type: [Annotation],
        description:
          "Comments and flags (null when they could not be read; the rest of the row is still served).",
        resolve: (s, _a, ctx) =>
          ctx.loaders.annotations.load({
            experimentId: s.experiment_id,
            tableName: "sample",
            rowId: s.id.toString(),
          }),
      }),
    }),
  });

  const MacroErrorCount = builder.objectRef<MacroErrors["top"][number]>("MacroErrorCount").implement({
    description: "An error message of a macro's failed runs and how many runs failed with it.",
    fields: (t) => ({
      message: t.exposeString("message", { nullable: false }),
      count: t.exposeInt("count", { nullable: false }),
    }),
  });

  const MacroInfo = builder.objectRef<MacroInfoRow>("MacroInfo").implement({
    description: "A macro present in an experiment, from the catalog (`experiment_macros`).",
    fields: (t) => ({
      id: t.id({
        nullable: false,
        description: "Opaque and stable; names this macro in this experiment.",
        resolve: (m) => objectId("MacroInfo", m.experiment_id, m.macro_filename),
      }),
      name: t.exposeString("macro_name", { nullable: false }),
      filename: t.exposeString("macro_filename", { nullable: false }),
      sampleCount: t.int({ resolve: (m) => toInt(m.sample_count) }),
      firstSeen: t.field({ type: "DateTime", resolve: (m) => m.first_seen }),
      lastSeen: t.field({ type: "DateTime", resolve: (m) => m.last_seen }),
      outputSchema: t.exposeString("output_schema", {
        description: "The aggregated VARIANT schema (`schema_of_variant_agg` format).",
      }),
      errorCount: t.int({
        nullable: false,
        description:
          "Runs of this macro in this experiment that failed (`macro_error` set; their rows are left out of pages unless `includeErrors`).",
        extensions: { cost: BATCHED },
        resolve: async (m, _args, ctx) =>
          (
            (await ctx.loaders.macroErrorsByExperiment.load(m.experiment_id)).get(m.macro_filename) ??
            NO_MACRO_ERRORS
          ).count,
      }),
      topErrors: t.field({
        type: [MacroErrorCount],
        nullable: false,
        description: `The most frequent error messages of this macro's failed runs, most frequent first (at most ${MAX_TOP_ERRORS}).`,
        extensions: { cost: BATCHED },
        resolve: async (m, _args, ctx) =>
          (
            (await ctx.loaders.macroErrorsByExperiment.load(m.experiment_id)).get(m.macro_filename) ??
            NO_MACRO_ERRORS
          ).top,
      }),
    }),
  });

  const Freshness = builder.objectRef<StatusRow>("Freshness").implement({
    description: "How current the experiment's data is.",
    fields: (t) => ({
      id: t.id({
        nullable: false,
        description: "Opaque and stable; one per experiment.",
        resolve: (s) => objectId("Freshness", s.experiment_id),
      }),
      status: t.field({ type: FreshnessStatus, resolve: (s) => s.status as "fresh" | "stale" | null }),
      latestTimestamp: t.field({ type: "DateTime", resolve: (s) => s.latest_timestamp }),
      latestProcessedTimestamp: t.field({ type: "DateTime", resolve: (s) => s.latest_processed_timestamp }),
      statusUpdatedAt: t.field({ type: "DateTime", resolve: (s) => s.status_updated_at }),
    }),
  });

  const SampleConnection = connection<SampleRow>("Sample", Sample, "A page of samples, newest first.");

  const Experiment = builder.objectRef<ExperimentRow>("Experiment").implement({
    description: "An openJII experiment: its metadata, devices, contributors, macros and data.",
    fields: (t) => ({
      id: t.exposeID("experiment_id", { nullable: false }),
      name: t.exposeString("name", { nullable: false }),
      description: t.exposeString("description"),
      visibility: t.field({
        type: Visibility,
        nullable: false,
        resolve: (e) => e.visibility as "public" | "private",
      }),
      status: t.field({
        type: ExperimentStatus,
        nullable: false,
        resolve: (e) => e.status as "active" | "stale" | "archived" | "published",
      }),
      anonymizeContributors: t.exposeBoolean("anonymize_contributors", { nullable: false }),
      createdAt: t.field({ type: "DateTime", nullable: false, resolve: (e) => e.created_at }),
      freshness: t.field({
        extensions: { cost: BATCHED },
        type: Freshness,
        resolve: (e, _a, ctx) => ctx.loaders.status.load(e.experiment_id),
      }),
      devices: t.field({
        extensions: { cost: BATCHED },
        type: [Device],
        nullable: false,
        resolve: (e, _a, ctx) => ctx.loaders.devicesByExperiment.load(e.experiment_id),
      }),
      deviceCount: t.int({
        nullable: false,
        resolve: async (e, _a, ctx) => (await ctx.loaders.devicesByExperiment.load(e.experiment_id)).length,
      }),
      contributors: t.field({
        extensions: { cost: BATCHED },
        type: [Contributor],
        nullable: false,
        resolve: (e, _a, ctx) => ctx.loaders.contributorsByExperiment.load(e.experiment_id),
      }),
      contributorCount: t.int({
        nullable: false,
        resolve: async (e, _a, ctx) =>
          (await ctx.loaders.contributorsByExperiment.load(e.experiment_id)).length,
      }),
      macros: t.field({
        extensions: { cost: BATCHED },
        type: [MacroInfo],
        nullable: false,
        resolve: (e, _a, ctx) => ctx.loaders.macrosByExperiment.load(e.experiment_id),
      }),
      samples: t.field({
        extensions: { cost: ONE_STATEMENT },
        type: SampleConnection,
        nullable: false,
        args: { ...pagingArgs(t), ...queryArgs(t, sampleQueryTypes(builder)) },
        resolve: (e, args, ctx, info) =>
          sampleConnection(ctx, e.experiment_id, args, { withTotal: selectsField(info, "totalCount") }).then(
            (c) => rememberExport(c, info, args, e.experiment_id, SAMPLE_TABLE),
          ),
      }),
    }),
  });

  const ExperimentConnection = connection<ExperimentRow>(
    "Experiment",
    Experiment,
    "A page of experiments by name.",
  );

  builder.queryType({
    fields: (t) => ({
      viewer: t.field({ type: Viewer, nullable: false, resolve: (_r, _a, ctx) => ctx.viewer }),
      experiments: t.field({
        extensions: { cost: ONE_STATEMENT },
        type: ExperimentConnection,
        nullable: false,
        description: "Experiments you may read (public ones, and private ones you are a member of), by name.",
        args: pagingArgs(t),
        resolve: (_r, args, ctx, info) =>
          experimentConnection(ctx, args, {
            withTotal: selectsField(info, "totalCount"),
            include: headerPrefetch(info, ["edges", "node"]),
          }),
      }),
      experiment: t.field({
        extensions: { cost: ONE_STATEMENT },
        type: Experiment,
        description: "One experiment; NOT_FOUND when it does not exist or you may not read it.",
        args: { id: t.arg.id({ required: true }) },
        resolve: (_r, args, ctx, info) => requireExperiment(ctx, String(args.id), headerPrefetch(info)),
      }),
    }),
  });

  return {
    PageInfo,
    Experiment,
    Device,
    Contributor,
    Question,
    Annotation,
    AnnotationType,
    FlagType,
    Sample,
    MacroInfo,
    SampleConnection,
  };
}

export type { Row };
