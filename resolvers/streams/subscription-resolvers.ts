/**
 * The subscription fields' resolvers: argument checks, what the selection reads (the VARIANT paths of each followed
 * macro, exactly as a page query would project them), then a stream from the hub. The schema side is
 * `schema/subscriptions/subscription-contribution.ts`.
 */
import type { GraphQLResolveInfo } from "graphql";
import type { MacroTypeModel } from "../../codegen/macro-type-model.js";
import { CodedError } from "../../lakehouse/errors.js";
import type { Row } from "../../lakehouse/lakehouse.js";
import { variantCastOf } from "../../lakehouse/variant-casts.js";
import type { GatewayContext } from "../context.js";
import { BadUserInputError } from "../errors.js";
import { selectMeasurementFields } from "../measurements/measurement-selection.js";
import { nestedSelections } from "../selection.js";
import type { MacroFollow, OpenStream, StreamEvent } from "./stream-hub.js";
import { encodeStreamCursor, headPosition } from "./stream-position.js";
import { leafKey, type StreamStart, startStatement } from "./stream-statements.js";

/** At most this many macros in one `measurementAdded(macros: …)`. */
export const MAX_FOLLOWED_MACROS = 100;

function hubOf(ctx: GatewayContext) {
  if (!ctx.streams) throw new CodedError("Subscriptions are not served here.", "INTERNAL_SERVER_ERROR");
  return ctx.streams;
}

/** What the selection under `measurement` reads of each followed macro. */
function follows(
  models: ReadonlyMap<string, MacroTypeModel>,
  experimentId: string,
  macros: readonly string[] | null | undefined,
  info: GraphQLResolveInfo,
): Map<string, MacroFollow> {
  let chosen: MacroTypeModel[];
  if (macros == null) {
    chosen = [...models.values()].filter((m) => m.experimentIds.includes(experimentId));
  } else {
    if (macros.length > MAX_FOLLOWED_MACROS) {
      throw new BadUserInputError(
        `\`macros\` lists ${macros.length} macros; at most ${MAX_FOLLOWED_MACROS} are allowed.`,
        {
          argument: "macros",
        },
      );
    }
    const unknown = macros.filter((f) => !models.has(f));
    if (unknown.length) {
      throw new BadUserInputError(
        `Unknown macro filename(s): ${unknown.map((f) => JSON.stringify(f)).join(", ")}. \`Query.macros\` lists them.`,
        { argument: "macros" },
      );
    }
    chosen = [...new Set(macros)].map((f) => models.get(f)!);
  }
  const sets = nestedSelections(info, ["measurement"]);
  const out = new Map<string, MacroFollow>();
  for (const model of chosen) {
    const selection = selectMeasurementFields(model, sets, info);
    out.set(model.macroFilename, {
      model,
      output: selection.output,
      leaves: selection.leaves.map((f) => {
        const cast = variantCastOf(f.type);
        return { key: leafKey(f.path, cast), path: f.path, cast };
      }),
    });
  }
  return out;
}

/** Opens a stream of the caller's, with fresh per-event loaders. */
function open(
  ctx: GatewayContext,
  kind: OpenStream["kind"],
  experimentId: string,
  extra: Pick<OpenStream, "after" | "macros" | "includeErrors"> = {},
): Promise<AsyncIterable<StreamEvent>> {
  return hubOf(ctx).open({
    kind,
    experimentId,
    access: ctx.access,
    caller: ctx.caller,
    ...extra,
    beforeEvent: () => ctx.renew(),
    schemaScope: ctx.schemaScope,
  });
}

export function measurementAddedStream(
  ctx: GatewayContext,
  args: {
    experimentId: string;
    macros?: readonly string[] | null;
    after?: string | null;
    includeErrors?: boolean | null;
  },
  info: GraphQLResolveInfo,
  models: ReadonlyMap<string, MacroTypeModel>,
): Promise<AsyncIterable<StreamEvent>> {
  const experimentId = String(args.experimentId);
  return open(ctx, "measurements", experimentId, {
    after: args.after,
    macros: follows(models, experimentId, args.macros, info),
    includeErrors: args.includeErrors ?? false,
  });
}

export function sampleAddedStream(
  ctx: GatewayContext,
  args: { experimentId: string; after?: string | null },
): Promise<AsyncIterable<StreamEvent>> {
  return open(ctx, "samples", String(args.experimentId), { after: args.after });
}

export function annotationChangedStream(
  ctx: GatewayContext,
  args: { experimentId: string },
): Promise<AsyncIterable<StreamEvent>> {
  return open(ctx, "annotations", String(args.experimentId));
}

export function schemaChangedStream(ctx: GatewayContext): Promise<AsyncIterable<StreamEvent>> {
  return open(ctx, "schema", "");
}

/** A stream event as the payload GraphQL resolves; the last event of an ended stream raises its error. */
export function streamPayload<E extends StreamEvent["kind"]>(
  event: StreamEvent,
  kind: E,
): Extract<StreamEvent, { kind: E }> {
  if (event.kind === "end") throw event.error;
  if (event.kind !== kind) throw new CodedError("Unexpected stream event.", "INTERNAL_SERVER_ERROR");
  return event as Extract<StreamEvent, { kind: E }>;
}

export interface StreamHead {
  readonly measurements: string;
  readonly samples: string;
}

/** The cursors of an experiment's streams now: subscribe with one as `after` to get every row after a query. */
export async function streamHead(ctx: GatewayContext, experimentId: string): Promise<StreamHead> {
  const [row] = await ctx.lakehouse.query<StreamStart & Row>(startStatement(ctx.access, experimentId), {
    signal: ctx.signal,
  });
  return {
    measurements: encodeStreamCursor(
      "measurements",
      experimentId,
      headPosition(row?.head_measurements ?? null),
    ),
    samples: encodeStreamCursor("samples", experimentId, headPosition(row?.head_samples ?? null)),
  };
}
