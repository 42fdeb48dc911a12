/**
 * Annotation mutations through the real server: each mutation, each validation and authorization failure with its
 * code and nothing written (read back from the table), exactly once with clientMutationId — also for copies sent at
 * the same moment — and read-your-writes on cached reads and `hasAnnotation` filters.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { sql, table } from "../../lakehouse/sql.js";
import type { AnnotationChanged } from "../../resolvers/events/gateway-events.js";
import { TEST_JWT_SECRET } from "../support/gateway-process.js";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };

let gw: InProcessGateway;
const tokens: Record<keyof typeof DEMO_PERSONAS, string> = {} as never;
let privateId: string;
let publicId: string;
let anonymizedId: string;
let otherPrivateId: string;
/** Photosynthesis row ids of the private experiment. */
let rows: string[];
let otherRow: string;
let sampleRow: string;
const events: AnnotationChanged[] = [];

const ANNOTATION = "id table rowId type text flagType createdBy createdByName";
const ADD = `mutation($input: AddAnnotationInput!) { addAnnotation(input: $input) { clientMutationId annotations { ${ANNOTATION} } } }`;
const ADD_MANY = `mutation($input: AddAnnotationsInput!) { addAnnotations(input: $input) { annotations { ${ANNOTATION} } } }`;
const UPDATE = `mutation($input: UpdateAnnotationInput!) { updateAnnotation(input: $input) { annotations { ${ANNOTATION} } } }`;
const DELETE = `mutation($input: DeleteAnnotationInput!) { deleteAnnotation(input: $input) { annotations { id } } }`;
const DELETE_MANY = `mutation($input: DeleteAnnotationsInput!) { deleteAnnotations(input: $input) { annotations { id } } }`;

interface Annotation {
  id: string;
  table: string;
  rowId: string;
  type: string;
  text: string | null;
  flagType: string | null;
  createdBy: string;
  createdByName: string | null;
}
type Payload = { annotations: Annotation[]; clientMutationId?: string | null };

async function count(): Promise<number> {
  const [row] = await gw.lakehouse.query<{ n: bigint }>(
    sql`SELECT count(*) AS n FROM ${table("experiment_annotations")}`,
  );
  return Number(row!.n);
}

async function mutate(
  document: string,
  input: Record<string, unknown>,
  token: string | null = tokens.member,
): Promise<{ data?: Payload; code?: string; message?: string }> {
  const res = await gw.gql<Record<string, Payload>>(document, { input }, token ? { token } : {});
  const error = res.errors?.[0] as { message: string; extensions?: { code?: string } } | undefined;
  return {
    data: res.data ? Object.values(res.data)[0] : undefined,
    code: error?.extensions?.code,
    message: error?.message,
  };
}

const flag = (rowId: string, extra: Record<string, unknown> = {}) => ({
  experimentId: privateId,
  table: "macro_photosynthesis",
  rowId,
  type: "FLAG",
  flagType: "OUTLIER",
  ...extra,
});

beforeAll(async () => {
  // Limits raised: the burst below is 200 mutations by one member.
  gw = await startInProcessGateway({
    FRESHNESS_POLL_MS: "60000",
    CATALOG_POLL_MS: "60000",
    RATE_LIMIT_POINTS: "1000000",
    MUTATIONS_PER_MINUTE: "100000",
  });
  for (const [role, user] of Object.entries(DEMO_PERSONAS)) {
    tokens[role as keyof typeof DEMO_PERSONAS] = await signToken(JWT, user.id);
  }
  const experiments = await gw.lakehouse.query<{
    experiment_id: string;
    visibility: string;
    anonymize_contributors: boolean;
  }>(
    sql`SELECT e.experiment_id, e.visibility, e.anonymize_contributors FROM ${table("experiments")} e
      WHERE EXISTS (SELECT 1 FROM ${table("experiment_macro_data")} m
        WHERE m.experiment_id = e.experiment_id AND m.macro_filename = 'macro_photosynthesis')
      ORDER BY e.experiment_id`,
  );
  const privates = experiments.filter((e) => e.visibility === "private" && !e.anonymize_contributors);
  // The private experiment with the most photosynthesis rows (the tests annotate some 200 of them).
  const sizes = await gw.lakehouse.query<{ experiment_id: string }>(
    sql`SELECT experiment_id FROM ${table("experiment_macro_data")} WHERE macro_filename = 'macro_photosynthesis'
      GROUP BY experiment_id ORDER BY count(*) DESC, experiment_id`,
  );
  const privateIds = new Set(privates.map((e) => e.experiment_id));
  const bySize = sizes.map((e) => e.experiment_id).filter((id) => privateIds.has(id));
  privateId = bySize[0]!;
  otherPrivateId = bySize[1]!;
  publicId = experiments.find((e) => e.visibility === "public" && !e.anonymize_contributors)!.experiment_id;
  anonymizedId = experiments.find((e) => e.anonymize_contributors)!.experiment_id;
  const ids = await gw.lakehouse.query<{ id: bigint }>(
    sql`SELECT id FROM ${table("experiment_macro_data")}
      WHERE experiment_id = ${privateId} AND macro_filename = 'macro_photosynthesis' ORDER BY id LIMIT 260`,
  );
  rows = ids.map((r) => r.id.toString());
  if (rows.length < 40)
    throw new Error(`the test needs 40 photosynthesis rows, the ci data has ${rows.length}`);
  const [other] = await gw.lakehouse.query<{ id: bigint }>(
    sql`SELECT id FROM ${table("experiment_macro_data")}
      WHERE experiment_id = ${otherPrivateId} AND macro_filename = 'macro_photosynthesis' ORDER BY id LIMIT 1`,
  );
  otherRow = other!.id.toString();
  const [sample] = await gw.lakehouse.query<{ id: bigint }>(
    sql`SELECT id FROM ${table("experiment_raw_data")} WHERE experiment_id = ${privateId} ORDER BY id LIMIT 1`,
  );
  sampleRow = sample!.id.toString();
  await gw.runtime.pubsub.subscribe("annotation.changed", (e) => events.push(e));
});

afterAll(async () => {
  await gw?.stop();
});

describe("annotation mutations", () => {
  it("adds a flag that the very next query of the measurement and a hasAnnotation filter return", async () => {
    const query = `query($id: ID!) { experiment(id: $id) {
      photosynthesis(first: 5, where: { hasAnnotation: { type: FLAG, flagType: OUTLIER } }) { totalCount edges { node { rowId } } }
      all: photosynthesis(first: 1000) { edges { node { rowId annotations { id type flagType } } } }
    } }`;
    type Page = { edges: { node: { rowId: string; annotations?: { id: string }[] } }[]; totalCount?: number };
    const read = () =>
      gw.gql<{ experiment: { photosynthesis: Page; all: Page } }>(
        query,
        { id: privateId },
        { token: tokens.member },
      );
    const before = await read();
    expect((await read()).extensions!.statements!.count).toBe(0); // cached

    const added = await mutate(ADD, flag(rows[0]!));
    expect(added.code).toBeUndefined();
    const annotation = added.data!.annotations[0]!;
    expect(annotation).toMatchObject({
      table: "macro_photosynthesis",
      rowId: rows[0],
      type: "FLAG",
      flagType: "OUTLIER",
      text: null,
      createdBy: DEMO_PERSONAS.member.id,
    });

    const after = await read();
    const node = after.data!.experiment.all.edges.find((e) => e.node.rowId === rows[0])!.node;
    expect(node.annotations!.map((a) => a.id)).toContain(annotation.id);
    expect(after.data!.experiment.photosynthesis.edges.map((e) => e.node.rowId)).toContain(rows[0]);
    expect(after.data!.experiment.photosynthesis.totalCount).toBe(
      (before.data!.experiment.photosynthesis.totalCount ?? 0) + 1,
    );
    expect(events.at(-1)).toMatchObject({
      kind: "ADDED",
      experimentId: privateId,
      table: "macro_photosynthesis",
      rowId: rows[0],
    });
  });

  it("adds a comment on a sample, and the same comment on many rows all at once", async () => {
    const comment = await mutate(ADD, {
      experimentId: privateId,
      table: "sample",
      rowId: sampleRow,
      type: "COMMENT",
      text: "leaf was wet",
    });
    expect(comment.data!.annotations[0]).toMatchObject({
      table: "sample",
      text: "leaf was wet",
      flagType: null,
    });
    const many = await mutate(ADD_MANY, {
      experimentId: privateId,
      table: "macro_photosynthesis",
      rowIds: rows.slice(10, 20),
      type: "COMMENT",
      text: "calibration drift",
    });
    expect(many.data!.annotations.map((a) => a.rowId)).toEqual(rows.slice(10, 20));
  });

  it("updates text and flag type (author, or an experiment admin) and deletes", async () => {
    const { data } = await mutate(ADD, flag(rows[1]!, { text: "odd" }));
    const id = data!.annotations[0]!.id;
    const updated = await mutate(UPDATE, { experimentId: privateId, id, flagType: "NEEDS_REVIEW" });
    expect(updated.data!.annotations[0]).toMatchObject({ id, flagType: "NEEDS_REVIEW", text: "odd" });
    const byAdmin = await mutate(UPDATE, { experimentId: privateId, id, text: null }, tokens.admin);
    expect(byAdmin.data!.annotations[0]).toMatchObject({ id, flagType: "NEEDS_REVIEW", text: null });
    const [stored] = await gw.lakehouse.query<{ flag_type: string; content_text: string | null }>(
      sql`SELECT flag_type, content_text FROM ${table("experiment_annotations")} WHERE annotation_id = ${id}`,
    );
    expect(stored).toEqual({ flag_type: "needs_review", content_text: null });

    const deleted = await mutate(DELETE, { experimentId: privateId, id });
    expect(deleted.data!.annotations.map((a) => a.id)).toEqual([id]);
    const left = await gw.lakehouse.query(
      sql`SELECT 1 FROM ${table("experiment_annotations")} WHERE annotation_id = ${id}`,
    );
    expect(left).toEqual([]);
    expect(events.at(-1)).toMatchObject({ kind: "DELETED", rowId: rows[1] });
  });

  it("deletes by table, type and rows", async () => {
    await mutate(ADD_MANY, { ...flag(rows[30]!), rowId: undefined, rowIds: rows.slice(30, 35) });
    await mutate(ADD, {
      experimentId: privateId,
      table: "macro_photosynthesis",
      rowId: rows[30],
      type: "COMMENT",
      text: "keep",
    });
    const gone = await mutate(DELETE_MANY, {
      experimentId: privateId,
      table: "macro_photosynthesis",
      rowIds: rows.slice(30, 35),
      type: "FLAG",
    });
    expect(gone.data!.annotations).toHaveLength(5);
    const kept = await gw.lakehouse.query<{ type: string }>(
      sql`SELECT type FROM ${table("experiment_annotations")} WHERE experiment_id = ${privateId}
        AND row_id IN (${sql`${rows[30]!}`}, ${rows[31]!}, ${rows[32]!}, ${rows[33]!}, ${rows[34]!})`,
    );
    expect(kept).toEqual([{ type: "comment" }]);
  });

  it("stores the real author of an anonymized experiment but shows only the pseudonym", async () => {
    const [row] = await gw.lakehouse.query<{ id: bigint }>(
      sql`SELECT id FROM ${table("experiment_raw_data")} WHERE experiment_id = ${anonymizedId} ORDER BY id LIMIT 1`,
    );
    const named = await signToken(JWT, DEMO_PERSONAS.admin.id, { name: "Maria Santos" });
    const res = await mutate(
      ADD,
      { experimentId: anonymizedId, table: "sample", rowId: row!.id.toString(), type: "COMMENT", text: "hi" },
      named,
    );
    const shown = res.data!.annotations[0]!;
    expect(shown.createdBy).not.toBe(DEMO_PERSONAS.admin.id);
    expect(shown.createdByName).toMatch(/^Contributor [0-9A-F]{6}$/);
    const [stored] = await gw.lakehouse.query<{ created_by: string; created_by_name: string }>(
      sql`SELECT created_by, created_by_name FROM ${table("experiment_annotations")} WHERE annotation_id = ${shown.id}`,
    );
    expect(stored).toEqual({ created_by: DEMO_PERSONAS.admin.id, created_by_name: "Maria Santos" });
  });
});

describe("bad input writes nothing", () => {
  const long = "x".repeat(256);
  const cases: [string, () => Promise<{ code?: string; message?: string }>, string, RegExp][] = [
    [
      "a comment without text",
      () => mutate(ADD, flag(rows[2]!, { type: "COMMENT", flagType: undefined })),
      "BAD_USER_INPUT",
      /needs `text`/,
    ],
    [
      "a comment with a flag type",
      () => mutate(ADD, flag(rows[2]!, { type: "COMMENT", text: "x" })),
      "BAD_USER_INPUT",
      /no `flagType`/,
    ],
    [
      "a flag without a flag type",
      () => mutate(ADD, flag(rows[2]!, { flagType: undefined })),
      "BAD_USER_INPUT",
      /needs a `flagType`/,
    ],
    [
      "text over 255 characters",
      () => mutate(ADD, flag(rows[2]!, { text: long })),
      "BAD_USER_INPUT",
      /256 characters/,
    ],
    [
      "a bulk write over 1,000 rows",
      () =>
        mutate(ADD_MANY, {
          ...flag(rows[2]!),
          rowId: undefined,
          rowIds: Array.from({ length: 1001 }, (_, i) => String(i)),
        }),
      "BAD_USER_INPUT",
      /1001 ids/,
    ],
    ["a malformed row id", () => mutate(ADD, flag("12a")), "BAD_USER_INPUT", /`rowId` "12a" is not a row id/],
    [
      "a table not in the catalog",
      () => mutate(ADD, flag(rows[2]!, { table: "macro_nope" })),
      "BAD_USER_INPUT",
      /not in this experiment's catalog/,
    ],
    ["a row that does not exist", () => mutate(ADD, flag("42")), "NOT_FOUND", /do not exist/],
    ["a row of another experiment", () => mutate(ADD, flag(otherRow)), "NOT_FOUND", /do not exist/],
    [
      "one missing row in a bulk write",
      () => mutate(ADD_MANY, { ...flag(rows[2]!), rowId: undefined, rowIds: [rows[2], rows[3], "42"] }),
      "NOT_FOUND",
      /1 of the rows/,
    ],
    [
      "an unknown experiment",
      () => mutate(ADD, flag(rows[2]!, { experimentId: "no-such-experiment" })),
      "NOT_FOUND",
      /No experiment/,
    ],
    ["an anonymous caller", () => mutate(ADD, flag(rows[2]!), null), "UNAUTHENTICATED", /Sign in/],
    [
      "an outsider on a private experiment",
      () => mutate(ADD, flag(rows[2]!), tokens.outsider),
      "NOT_FOUND",
      /No experiment/,
    ],
    [
      "a non-member on a public experiment",
      () => mutate(ADD, flag(rows[2]!, { experimentId: publicId }), tokens.outsider),
      "FORBIDDEN",
      /members/,
    ],
  ];
  for (const [name, run, code, message] of cases) {
    it(name, async () => {
      const before = await count();
      const res = await run();
      expect(res.code).toBe(code);
      expect(res.message).toMatch(message);
      expect(await count()).toBe(before);
    });
  }

  it("a viewer editing or deleting someone else's annotation", async () => {
    const { data } = await mutate(ADD, flag(rows[3]!), tokens.admin);
    const id = data!.annotations[0]!.id;
    const before = await count();
    const edit = await mutate(
      UPDATE,
      { experimentId: privateId, id, flagType: "NEEDS_REVIEW" },
      tokens.viewer,
    );
    expect(edit.code).toBe("FORBIDDEN");
    const drop = await mutate(DELETE, { experimentId: privateId, id }, tokens.viewer);
    expect(drop.code).toBe("FORBIDDEN");
    const bulk = await mutate(
      DELETE_MANY,
      { experimentId: privateId, table: "macro_photosynthesis", rowIds: [rows[3]] },
      tokens.viewer,
    );
    expect(bulk.code).toBe("FORBIDDEN");
    const [row] = await gw.lakehouse.query<{ flag_type: string }>(
      sql`SELECT flag_type FROM ${table("experiment_annotations")} WHERE annotation_id = ${id}`,
    );
    expect(row).toEqual({ flag_type: "outlier" });
    expect(await count()).toBe(before);
  });
});

describe("exactly once", () => {
  it("a repeat returns the first result and writes nothing; other input under the same id is a conflict", async () => {
    const input = flag(rows[4]!, { clientMutationId: "phone-1" });
    const first = await mutate(ADD, input);
    const before = await count();
    const again = await mutate(ADD, input);
    expect(again.data).toEqual(first.data);
    expect(await count()).toBe(before);
    const other = await mutate(ADD, { ...input, text: "changed my mind" });
    expect(other.code).toBe("IDEMPOTENCY_CONFLICT");
    expect(await count()).toBe(before);
    // Another viewer may use the same client id for their own request.
    const byAdmin = await mutate(ADD, input, tokens.admin);
    expect(byAdmin.code).toBeUndefined();
    expect(await count()).toBe(before + 1);
  });

  it("a repeated delete returns what it deleted", async () => {
    const { data } = await mutate(ADD, flag(rows[5]!));
    const input = { experimentId: privateId, id: data!.annotations[0]!.id, clientMutationId: "delete-1" };
    const first = await mutate(DELETE, input);
    const again = await mutate(DELETE, input);
    expect(again.code).toBeUndefined();
    expect(again.data).toEqual(first.data);
  });

  it("100 concurrent adds, each sent twice at once, leave exactly 100 annotations", async () => {
    const before = await count();
    const ids = Array.from({ length: 100 }, (_, i) => `burst-${i}`);
    const results = await Promise.all(
      ids.flatMap((clientMutationId, i) => {
        const input = flag(rows[20 + (i % 20)]!, { clientMutationId, text: `burst ${i}` });
        return [mutate(ADD, input), mutate(ADD, input)];
      }),
    );
    expect(results.filter((r) => r.code !== undefined)).toEqual([]);
    for (let i = 0; i < results.length; i += 2) expect(results[i]!.data).toEqual(results[i + 1]!.data);
    expect(await count()).toBe(before + 100);
    const burst = await gw.lakehouse.query<{ content_text: string }>(
      sql`SELECT content_text FROM ${table("experiment_annotations")}
        WHERE experiment_id = ${privateId} AND content_text LIKE 'burst %'`,
    );
    expect(burst.map((r) => r.content_text).sort()).toEqual(ids.map((_, i) => `burst ${i}`).sort());
  });
});
