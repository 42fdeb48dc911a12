/**
 * Annotation writes, exactly once. Every mutation is validated (input, access, table and rows) and *planned* — the
 * annotations as they will be after the write (or, for a delete, as they were) — before anything is written; then
 * the plan is applied in one idempotent statement (an upsert keyed on the annotation id, an update guarded by the
 * previous `updated_at`, or a delete by ids).
 *
 * With a `clientMutationId` the plan first goes into the idempotency ledger (`experiment_annotation_requests`, keyed
 * by the viewer and the client id, in one idempotent statement). The attempt whose plan the ledger holds applies it;
 * a repeat — also one that arrives at the same moment — finds the ledger row, returns its plan and writes nothing
 * (it completes the write only if the first attempt died between ledger and apply); a repeat with other input is
 * IDEMPOTENCY_CONFLICT. See README.md beside this file for why the ledger is a table of its own.
 */
import { randomUUID } from "node:crypto";
import { LakehouseError } from "../../lakehouse/errors.js";
import type { Lakehouse } from "../../lakehouse/lakehouse.js";
import { dialectSql, ident, inValues, join, param, type Sql, sql, table } from "../../lakehouse/sql.js";
import type { ExperimentAccess, ExperimentStanding } from "../access/experiment-access.js";
import { BadUserInputError, IdempotencyConflictError, NotFoundError } from "../errors.js";
import type { AnnotationChanged, GatewayPubSub } from "../events/gateway-events.js";
import { type AnnotationRow, selectAnnotations } from "../loaders/request-loaders.js";
import {
  type AddAnnotationsInput,
  type AnnotationContent,
  type AnnotationType,
  checkClientMutationId,
  checkContent,
  checkRowIds,
  type DeleteAnnotationInput,
  type DeleteAnnotationsInput,
  type FlagType,
  inputFingerprint,
  type MutationName,
  requestKey,
  type UpdateAnnotationInput,
  updatedContent,
} from "./annotation-input.js";

export interface AnnotationWriteContext {
  readonly lakehouse: Lakehouse;
  readonly access: ExperimentAccess;
  readonly events?: GatewayPubSub;
}

export interface AnnotationPayload {
  readonly clientMutationId: string | null;
  readonly annotations: readonly AnnotationRow[];
}

/** What a mutation does, decided before anything is written; stored in the ledger as JSON. */
export interface WritePlan {
  readonly kind: AnnotationChanged["kind"];
  readonly experimentId: string;
  /** After the write (ADDED, UPDATED) or before it (DELETED). */
  readonly annotations: readonly AnnotationRow[];
  /** UPDATED: `updated_at` of the annotation before the update (the update's guard). */
  readonly previousUpdatedAt?: string;
}

interface LedgerRow {
  mutation: string;
  input_hash: string;
  attempt: string;
  plan: string;
}

const SAMPLE_TABLE = "sample";

export function addAnnotations(
  ctx: AnnotationWriteContext,
  mutation: "addAnnotation" | "addAnnotations",
  input: AddAnnotationsInput,
): Promise<AnnotationPayload> {
  const content = checkContent(input.type, input.text, input.flagType);
  const rowIds = checkRowIds(input.rowIds, mutation === "addAnnotation" ? "rowId" : "rowIds");
  return write(ctx, mutation, input, async (standing) => {
    await assertRowsExist(ctx, input.experimentId, input.table, rowIds);
    const author = await authorName(ctx, input.experimentId);
    const now = timestampNow();
    return {
      kind: "ADDED",
      experimentId: input.experimentId,
      annotations: rowIds.map((rowId) => ({
        experiment_id: input.experimentId,
        annotation_id: randomUUID(),
        table_name: input.table,
        row_id: rowId,
        type: content.type,
        content_text: content.text,
        flag_type: content.flagType,
        created_by: ctx.access.viewer.userId!,
        created_by_name: author,
        anonymized: standing.anonymize_contributors,
        created_at: now,
        updated_at: now,
      })),
    };
  });
}

export function updateAnnotation(
  ctx: AnnotationWriteContext,
  input: UpdateAnnotationInput,
): Promise<AnnotationPayload> {
  return write(ctx, "updateAnnotation", input, async (standing) => {
    const current = await requireAnnotation(ctx, input.experimentId, input.id);
    ctx.access.assertMayEdit(standing, current.created_by);
    const content = updatedContent(contentOf(current), input);
    return {
      kind: "UPDATED",
      experimentId: input.experimentId,
      previousUpdatedAt: current.updated_at,
      annotations: [
        {
          ...current,
          content_text: content.text,
          flag_type: content.flagType,
          updated_at: laterTimestamp(current.updated_at),
        },
      ],
    };
  });
}

export function deleteAnnotation(
  ctx: AnnotationWriteContext,
  input: DeleteAnnotationInput,
): Promise<AnnotationPayload> {
  return write(ctx, "deleteAnnotation", input, async (standing) => {
    const current = await requireAnnotation(ctx, input.experimentId, input.id);
    ctx.access.assertMayEdit(standing, current.created_by);
    return { kind: "DELETED", experimentId: input.experimentId, annotations: [current] };
  });
}

export function deleteAnnotations(
  ctx: AnnotationWriteContext,
  input: DeleteAnnotationsInput,
): Promise<AnnotationPayload> {
  const rowIds = checkRowIds(input.rowIds);
  return write(ctx, "deleteAnnotations", input, async (standing) => {
    const matching = await readAnnotations(
      ctx,
      sql`a.experiment_id = ${input.experimentId} AND a.table_name = ${input.table}
        AND ${inValues(ident("a", "row_id"), rowIds)}
        ${input.type ? sql`AND a.type = ${input.type}` : sql``}`,
    );
    for (const annotation of matching) ctx.access.assertMayEdit(standing, annotation.created_by);
    return { kind: "DELETED", experimentId: input.experimentId, annotations: matching };
  });
}

/**
 * The shared frame of every mutation: access, the ledger when the client sent an id, planning, applying, events.
 * `plan` validates against the lakehouse and returns what to write; it runs only for a first attempt.
 */
async function write(
  ctx: AnnotationWriteContext,
  mutation: MutationName,
  input: { readonly clientMutationId?: string | null; readonly experimentId: string },
  plan: (standing: ExperimentStanding) => Promise<WritePlan>,
): Promise<AnnotationPayload> {
  const clientMutationId = checkClientMutationId(input.clientMutationId);
  const [standingRow] = await ctx.lakehouse.query<ExperimentStanding>(
    ctx.access.standingStatement(input.experimentId),
  );
  const standing = ctx.access.assertMayContribute(standingRow, input.experimentId);

  if (clientMutationId === null) {
    const planned = await plan(standing);
    await apply(ctx, planned);
    publish(ctx, planned);
    return { clientMutationId, annotations: planned.annotations };
  }

  const key = requestKey(ctx.access.viewer.userId!, clientMutationId);
  const hash = inputFingerprint(mutation, input);
  const earlier = await readLedger(ctx, key);
  if (earlier) return repeat(ctx, earlier, mutation, hash, clientMutationId);

  const planned = await plan(standing);
  const attempt = randomUUID();
  let recordError: unknown;
  try {
    await ctx.lakehouse.execute(
      ledgerStatement({
        key,
        userId: ctx.access.viewer.userId!,
        clientMutationId,
        experimentId: input.experimentId,
        mutation,
        hash,
        attempt,
        plan: planned,
        at: timestampNow(),
      }),
    );
  } catch (error) {
    // Two copies at the same moment: the other one's row may have won the key (a write-write conflict here).
    if (!(error instanceof LakehouseError)) throw error;
    recordError = error;
  }
  const recorded = await readLedger(ctx, key);
  if (!recorded) throw recordError ?? new Error("The idempotency ledger lost a request.");
  if (recorded.attempt !== attempt) return repeat(ctx, recorded, mutation, hash, clientMutationId);
  await apply(ctx, planned);
  publish(ctx, planned);
  return { clientMutationId, annotations: planned.annotations };
}

/** A request the ledger already holds: the first result, or a conflict; completes a write that never landed. */
async function repeat(
  ctx: AnnotationWriteContext,
  recorded: LedgerRow,
  mutation: MutationName,
  hash: string,
  clientMutationId: string,
): Promise<AnnotationPayload> {
  if (recorded.mutation !== mutation || recorded.input_hash !== hash) {
    throw new IdempotencyConflictError(
      `\`clientMutationId\` ${JSON.stringify(clientMutationId)} was already used for a different ${recorded.mutation === mutation ? "input" : `mutation (${recorded.mutation})`}; use a new id for a new request.`,
    );
  }
  const planned = JSON.parse(recorded.plan) as WritePlan;
  if (!(await isApplied(ctx, planned))) {
    try {
      await apply(ctx, planned);
    } catch (error) {
      // The first attempt may be applying it right now; it is done when the rows say so.
      if (!(error instanceof LakehouseError) || !(await isApplied(ctx, planned))) throw error;
    }
  }
  return { clientMutationId, annotations: planned.annotations };
}

const ANNOTATION_COLUMNS = [
  "experiment_id",
  "annotation_id",
  "table_name",
  "row_id",
  "type",
  "content_text",
  "flag_type",
  "created_by",
  "created_by_name",
  "created_at",
  "updated_at",
] as const;

/** Writes a plan in its one statement, tagged so cached reads of the experiment drop at once. */
async function apply(ctx: AnnotationWriteContext, plan: WritePlan): Promise<void> {
  const statement = applyStatement(plan);
  if (statement) await ctx.lakehouse.execute(statement, { cacheTags: [plan.experimentId] });
}

/** The ledger entry of a first attempt: one idempotent insert keyed on the request (MERGE on Databricks). */
export function ledgerStatement(entry: {
  readonly key: string;
  readonly userId: string;
  readonly clientMutationId: string;
  readonly experimentId: string;
  readonly mutation: MutationName;
  readonly hash: string;
  readonly attempt: string;
  readonly plan: WritePlan;
  readonly at: string;
}): Sql {
  return dialectSql((d) =>
    d.upsert({
      table: "experiment_annotation_requests",
      columns: LEDGER_COLUMNS,
      rows: [
        [
          sql`${entry.key}`,
          sql`${entry.userId}`,
          sql`${entry.clientMutationId}`,
          sql`${entry.experimentId}`,
          sql`${entry.mutation}`,
          sql`${entry.hash}`,
          sql`${entry.attempt}`,
          sql`${JSON.stringify(entry.plan)}`,
          sql`${param(entry.at, "timestamp")}`,
        ],
      ],
      key: ["request_key"],
    }),
  );
}

const LEDGER_COLUMNS = [
  "request_key",
  "user_id",
  "client_mutation_id",
  "experiment_id",
  "mutation",
  "input_hash",
  "attempt",
  "plan",
  "created_at",
];

/**
 * The one idempotent statement that writes a plan (null for an empty one): an upsert keyed on the annotation id that
 * leaves existing rows alone, an update guarded by the previous `updated_at`, or a delete by ids.
 */
export function applyStatement(plan: WritePlan): Sql | null {
  if (plan.annotations.length === 0) return null;
  switch (plan.kind) {
    case "ADDED":
      return dialectSql((d) =>
        d.upsert({
          table: "experiment_annotations",
          columns: ANNOTATION_COLUMNS,
          rows: plan.annotations.map((a) =>
            ANNOTATION_COLUMNS.map((c) =>
              c === "created_at" || c === "updated_at" ? sql`${param(a[c], "timestamp")}` : sql`${a[c]}`,
            ),
          ),
          key: ["annotation_id"],
        }),
      );
    case "UPDATED": {
      const a = plan.annotations[0]!;
      return sql`UPDATE ${table("experiment_annotations")}
          SET content_text = ${a.content_text}, flag_type = ${a.flag_type}, updated_at = ${param(a.updated_at, "timestamp")}
          WHERE experiment_id = ${a.experiment_id} AND annotation_id = ${a.annotation_id}
            AND updated_at IN (${param(plan.previousUpdatedAt!, "timestamp")}, ${param(a.updated_at, "timestamp")})`;
    }
    case "DELETED":
      return sql`DELETE FROM ${table("experiment_annotations")}
          WHERE experiment_id = ${plan.experimentId}
            AND annotation_id IN (${join(plan.annotations.map((a) => sql`${a.annotation_id}`))})`;
  }
}

/** Whether the lakehouse already shows the plan's outcome. */
async function isApplied(ctx: AnnotationWriteContext, plan: WritePlan): Promise<boolean> {
  if (plan.annotations.length === 0) return true;
  const rows = await ctx.lakehouse.query<{ annotation_id: string; updated_at: string }>(
    sql`SELECT annotation_id, updated_at FROM ${table("experiment_annotations")}
      WHERE experiment_id = ${plan.experimentId}
        AND annotation_id IN (${join(plan.annotations.map((a) => sql`${a.annotation_id}`))})`,
  );
  switch (plan.kind) {
    case "ADDED":
      return rows.length === plan.annotations.length;
    case "UPDATED":
      // Applied, or changed again since by someone else (then it must not be applied any more).
      return rows.length === 0 || rows[0]!.updated_at !== plan.previousUpdatedAt;
    case "DELETED":
      return rows.length === 0;
  }
}

function publish(ctx: AnnotationWriteContext, plan: WritePlan): void {
  if (!ctx.events || plan.annotations.length === 0) return;
  for (const annotation of plan.annotations) {
    void ctx.events.publish("annotation.changed", {
      kind: plan.kind,
      experimentId: plan.experimentId,
      annotation,
      table: annotation.table_name,
      rowId: annotation.row_id,
    });
  }
  void ctx.events.publish("experiment.changed", { experimentIds: [plan.experimentId], source: "write" });
}

async function readLedger(ctx: AnnotationWriteContext, key: string): Promise<LedgerRow | undefined> {
  const [row] = await ctx.lakehouse.query<LedgerRow>(
    sql`SELECT mutation, input_hash, attempt, plan FROM ${table("experiment_annotation_requests")}
      WHERE request_key = ${key}`,
  );
  return row;
}

/** The table must be the experiment's (a macro in its catalog, or `sample`) and every row must exist in it. */
async function assertRowsExist(
  ctx: AnnotationWriteContext,
  experimentId: string,
  tableName: string,
  rowIds: readonly string[],
): Promise<void> {
  const idList = join(rowIds.map((id) => sql`${BigInt(id)}`));
  const rows = await ctx.lakehouse.query<{ what: string; id: bigint | null }>(
    tableName === SAMPLE_TABLE
      ? sql`SELECT 'table' AS what, CAST(NULL AS BIGINT) AS id
          UNION ALL SELECT DISTINCT 'row' AS what, id FROM ${table("experiment_raw_data")}
            WHERE experiment_id = ${experimentId} AND id IN (${idList})`
      : sql`SELECT 'table' AS what, CAST(NULL AS BIGINT) AS id FROM ${table("experiment_macros")}
            WHERE experiment_id = ${experimentId} AND macro_filename = ${tableName}
          UNION ALL SELECT DISTINCT 'row' AS what, id FROM ${table("experiment_macro_data")}
            WHERE experiment_id = ${experimentId} AND macro_filename = ${tableName} AND id IN (${idList})`,
  );
  if (!rows.some((r) => r.what === "table")) {
    throw new BadUserInputError(
      `\`table\` ${JSON.stringify(tableName)} is not in this experiment's catalog: use "sample" or a macro filename (a measurement's \`macroFilename\`).`,
      { argument: "table" },
    );
  }
  const found = new Set(rows.flatMap((r) => (r.what === "row" && r.id !== null ? [r.id.toString()] : [])));
  const missing = rowIds.filter((id) => !found.has(id));
  if (missing.length) {
    throw new NotFoundError(
      `${missing.length} of the rows do not exist in ${tableName} of this experiment: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}.`,
    );
  }
}

async function requireAnnotation(
  ctx: AnnotationWriteContext,
  experimentId: string,
  id: string,
): Promise<AnnotationRow> {
  const [annotation] = await readAnnotations(
    ctx,
    sql`a.experiment_id = ${experimentId} AND a.annotation_id = ${id}`,
  );
  if (!annotation) throw new NotFoundError(`No annotation with id ${JSON.stringify(id)} in this experiment.`);
  return annotation;
}

/** Annotations as the API shows them, with the real author (for the edit check) and the anonymization flag. */
function readAnnotations(ctx: AnnotationWriteContext, where: Sql): Promise<AnnotationRow[]> {
  return ctx.lakehouse.query<AnnotationRow>(
    sql`${selectAnnotations("stored")} WHERE ${where} ORDER BY a.created_at, a.annotation_id`,
  );
}

/** The author's name: from the token, else from the experiment's contributor profile (never from input). */
async function authorName(ctx: AnnotationWriteContext, experimentId: string): Promise<string | null> {
  const viewer = ctx.access.viewer;
  if (viewer.name) return viewer.name;
  const [profile] = await ctx.lakehouse.query<{ first_name: string | null; last_name: string | null }>(
    sql`SELECT first_name, last_name FROM ${table("experiment_contributors")}
      WHERE experiment_id = ${experimentId} AND user_id = ${viewer.userId}`,
  );
  const name = [profile?.first_name, profile?.last_name].filter(Boolean).join(" ");
  return name || null;
}

function contentOf(a: AnnotationRow): AnnotationContent {
  return { type: a.type as AnnotationType, text: a.content_text, flagType: a.flag_type as FlagType | null };
}

/** Now, in the lakehouse's timestamp text (microseconds, UTC). */
function timestampNow(): string {
  return new Date().toISOString().replace("Z", "000Z");
}

/** Now, but strictly after `previous` (the update guard tells the two apart). */
function laterTimestamp(previous: string): string {
  const now = timestampNow();
  if (now > previous) return now;
  const ms = Date.parse(previous) + 1;
  return new Date(ms).toISOString().replace("Z", "000Z");
}
