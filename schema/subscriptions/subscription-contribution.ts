/**
 * `type Subscription` and its event types (static: typed macro fields come in through `... on <Macro>Measurement`
 * fragments on the `Measurement` interface), and `Experiment.streamHead`. The resolvers are in
 * `resolvers/streams/`; the transports (graphql-ws, SSE) are the server's.
 */
import type { GatewayContext } from "../../resolvers/context.js";
import type { AnnotationChanged, SchemaChanged } from "../../resolvers/events/gateway-events.js";
import type { ExperimentRow } from "../../resolvers/loaders/request-loaders.js";
import type { StreamEvent } from "../../resolvers/streams/stream-hub.js";
import {
  annotationChangedStream,
  measurementAddedStream,
  type StreamHead,
  sampleAddedStream,
  schemaChangedStream,
  streamHead,
  streamPayload,
} from "../../resolvers/streams/subscription-resolvers.js";
import { ONE_STATEMENT } from "../field-costs.js";
import { schemaCatalogOf } from "../schema-catalog.js";
import type { SchemaContribution } from "../schema-contribution.js";

const AFTER_DOC =
  "Resume after this cursor (an event's `cursor`, or `Experiment.streamHead`): every row committed after it is delivered first (at most 10,000, else CURSOR_TOO_OLD), then live rows, none twice. Left out: rows committed from now on.";

type MeasurementEvent = Extract<StreamEvent, { kind: "measurement" }>;
type SampleEvent = Extract<StreamEvent, { kind: "sample" }>;

export function subscriptionsContribution(): SchemaContribution {
  return {
    name: "subscriptions",
    addStatic(builder, refs) {
      const core = refs.core;
      const Measurement = refs.measurement;
      if (!core || !Measurement) throw new Error("The subscriptions need the core types first.");

      const MeasurementEventRef = builder.objectRef<MeasurementEvent>("MeasurementEvent").implement({
        description: "A measurement (one macro's output for one sample) committed to the lakehouse.",
        fields: (t) => ({
          cursor: t.string({
            nullable: false,
            description: "Resume after this event with `measurementAdded(after: cursor)`.",
            resolve: (e) => e.cursor,
          }),
          measurement: t.field({
            type: Measurement,
            nullable: false,
            description: "Select typed output fields with `... on <Macro>Measurement { … }`.",
            resolve: (e) => e.measurement,
          }),
        }),
      });
      const SampleEventRef = builder.objectRef<SampleEvent>("SampleEvent").implement({
        description: "A raw sample committed to the lakehouse.",
        fields: (t) => ({
          cursor: t.string({ nullable: false, resolve: (e) => e.cursor }),
          sample: t.field({ type: core.Sample, nullable: false, resolve: (e) => e.sample }),
        }),
      });
      const AnnotationChange = builder.enumType("AnnotationChange", {
        values: ["ADDED", "UPDATED", "DELETED"] as const,
      });
      const AnnotationEventRef = builder.objectRef<AnnotationChanged>("AnnotationEvent").implement({
        description: "An annotation added, updated or deleted (through any gateway process).",
        fields: (t) => ({
          kind: t.field({ type: AnnotationChange, nullable: false, resolve: (e) => e.kind }),
          annotation: t.field({
            type: core.Annotation,
            nullable: false,
            description: "As written; for DELETED, as it was.",
            resolve: (e) => e.annotation,
          }),
          table: t.string({ nullable: false, resolve: (e) => e.table }),
          rowId: t.id({ nullable: false, resolve: (e) => e.rowId }),
        }),
      });
      const SchemaChangeRef = builder.objectRef<SchemaChanged>("SchemaChange").implement({
        description: "The served schema changed because the macro catalog did (macro filenames).",
        fields: (t) => ({
          version: t.string({ nullable: false, resolve: (c) => c.version }),
          added: t.stringList({ nullable: false, resolve: (c) => [...c.added] }),
          changed: t.stringList({ nullable: false, resolve: (c) => [...c.changed] }),
          removed: t.stringList({ nullable: false, resolve: (c) => [...c.removed] }),
        }),
      });
      const StreamHeadRef = builder.objectRef<StreamHead>("StreamHead").implement({
        description:
          "Where an experiment's streams are now. Query data, read this in the same request, then subscribe with it as `after`: nothing is missed between the query and the subscription.",
        fields: (t) => ({
          measurements: t.string({ nullable: false, resolve: (h) => h.measurements }),
          samples: t.string({ nullable: false, resolve: (h) => h.samples }),
        }),
      });

      builder.objectField(core.Experiment, "streamHead", (t) =>
        t.field({
          type: StreamHeadRef,
          nullable: false,
          extensions: { cost: ONE_STATEMENT },
          description:
            "Cursors at the head of this experiment's `measurementAdded` and `sampleAdded` streams.",
          resolve: (e: ExperimentRow, _a, ctx: GatewayContext) => streamHead(ctx, e.experiment_id),
        }),
      );

      builder.subscriptionType({
        description:
          "Fresh data as it lands, over graphql-ws (`graphql-transport-ws`) or SSE on `/graphql`. Events carry cursors; resume with `after` and nothing is lost or repeated.",
        fields: (t) => ({
          measurementAdded: t.field({
            type: MeasurementEventRef,
            nullable: false,
            description: "New measurements of an experiment, optionally only of some macros (filenames).",
            args: {
              experimentId: t.arg.id({ required: true }),
              macros: t.arg.stringList({
                description: "Macro filenames; all of the experiment's when left out.",
              }),
              after: t.arg.string({ description: AFTER_DOC }),
              includeErrors: t.arg.boolean({
                defaultValue: false,
                description:
                  "Also deliver rows whose macro failed (`error` set). Off by default, as on connections, so every " +
                  "event is a row the same query reads back; cursors move past left-out rows either way.",
              }),
            },
            subscribe: (_root, args, ctx, info) =>
              measurementAddedStream(
                ctx,
                {
                  experimentId: String(args.experimentId),
                  macros: args.macros,
                  after: args.after,
                  includeErrors: args.includeErrors,
                },
                info,
                schemaCatalogOf(info.schema).models,
              ) as Promise<AsyncIterable<never>>,
            resolve: (event: StreamEvent) => streamPayload(event, "measurement"),
          }),
          sampleAdded: t.field({
            type: SampleEventRef,
            nullable: false,
            description: "New raw samples of an experiment.",
            args: {
              experimentId: t.arg.id({ required: true }),
              after: t.arg.string({ description: AFTER_DOC }),
            },
            subscribe: (_root, args, ctx) =>
              sampleAddedStream(ctx, {
                experimentId: String(args.experimentId),
                after: args.after,
              }) as Promise<AsyncIterable<never>>,
            resolve: (event: StreamEvent) => streamPayload(event, "sample"),
          }),
          annotationChanged: t.field({
            type: AnnotationEventRef,
            nullable: false,
            description: "Annotations of an experiment added, updated or deleted.",
            args: { experimentId: t.arg.id({ required: true }) },
            subscribe: (_root, args, ctx) =>
              annotationChangedStream(ctx, { experimentId: String(args.experimentId) }) as Promise<
                AsyncIterable<never>
              >,
            resolve: (event: StreamEvent) => streamPayload(event, "annotation").change,
          }),
          schemaChanged: t.field({
            type: SchemaChangeRef,
            nullable: false,
            description: "The served schema was rebuilt from a changed macro catalog.",
            subscribe: (_root, _args, ctx) => schemaChangedStream(ctx) as Promise<AsyncIterable<never>>,
            resolve: (event: StreamEvent) => streamPayload(event, "schema").change,
          }),
        }),
      });
    },
  };
}
