/**
 * Typed macro types against the running server: hostile VARIANT keys come back exactly, and a catalog change is
 * picked up live — a new field appears in the schema while a concurrent query loop sees no failed request.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMaintenance } from "../../lakehouse/duckdb/centrum-maintenance.js";
import { sql, table } from "../../lakehouse/sql.js";
import type { SchemaChanged } from "../../resolvers/events/gateway-events.js";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

const HOSTILE_EXPERIMENT = "hostile-keys-experiment";
const HOSTILE_OUTPUT: Record<string, unknown> = {
  "a`b": 1.5,
  "x.y": "dotted",
  "'; drop table experiments; --": "sql",
  __typename: 7,
  "1st": true,
  ΦPSII: 0.42,
  "": "empty key",
  ["k".repeat(300)]: 3,
  Phi2: 0.1,
  phi2: 0.2,
  id: "not the row id",
  timestamp: "not the timestamp",
  'quote"d': 5,
  "back\\slash": 6,
  "new\nline": 8,
  "Light Intensity (PAR)": 1234.5,
  nested: { "inner key": "deep", "a`b": 9 },
};
const HOSTILE_ROW_ID = 9_007_199_254_740_993n;

let gw: InProcessGateway;

async function insertMacroRow(
  experimentId: string,
  macroFilename: string,
  id: bigint,
  output: unknown,
  timestamp: Date,
): Promise<void> {
  await gw.lakehouse.execute(
    sql`INSERT INTO ${table("experiment_macro_data")}
      (experiment_id, macro_id, macro_name, macro_filename, id, device_id, device_name, timestamp, user_id,
       macro_output, macro_error, processed_timestamp, date)
      VALUES (${experimentId}, ${macroFilename}, ${macroFilename}, ${macroFilename}, ${id}, 'dev-1', 'Device 1',
        ${timestamp}, NULL, CAST(CAST(${JSON.stringify(output)} AS JSON) AS VARIANT), NULL, ${new Date()},
        CAST(${timestamp} AS DATE))`,
  );
}

beforeAll(async () => {
  gw = await startInProcessGateway({ CATALOG_POLL_MS: "100" });
  await gw.lakehouse.execute(
    sql`INSERT INTO ${table("experiments")} VALUES (${HOSTILE_EXPERIMENT}, 'Hostile keys', 'Keys that break naive gateways',
      'public', 'active', false, ${new Date()})`,
  );
  await insertMacroRow(HOSTILE_EXPERIMENT, "macro_hostile", HOSTILE_ROW_ID, HOSTILE_OUTPUT, new Date());
  await runMaintenance(gw.lakehouse, { experimentIds: [HOSTILE_EXPERIMENT] });
  await gw.runtime.registry.refresh();
});

afterAll(async () => {
  await gw?.stop();
});

interface MacroFieldInfo {
  name: string;
  key: string;
  path: string[];
  type: string;
}

async function macroFields(filename: string): Promise<{ fieldName: string; fields: MacroFieldInfo[] }> {
  const res = await gw.gql<{ macros: { filename: string; fieldName: string; fields: MacroFieldInfo[] }[] }>(
    "{ macros { filename fieldName fields { name key path type } } }",
  );
  expect(res.errors).toBeUndefined();
  const macro = res.data!.macros.find((m) => m.filename === filename);
  if (!macro) throw new Error(`macro ${filename} not in the schema`);
  return macro;
}

describe("hostile keys", () => {
  it("produce a valid schema and return their exact stored values", async () => {
    const { fieldName, fields } = await macroFields("macro_hostile");
    const topKeys = Object.keys(HOSTILE_OUTPUT).filter((k) => k !== "nested");
    for (const key of topKeys) expect(fields.map((f) => f.key)).toContain(key);
    const names = new Set(fields.map((f) => f.name));
    expect(names.size).toBe(fields.length);
    for (const f of fields) expect(f.name).toMatch(/^[_A-Za-z][_0-9A-Za-z]*$/);

    const nested = fields.find((f) => f.key === "nested")!;
    const selection = fields
      .filter((f) => f.key !== "nested")
      .map((f) => f.name)
      .join(" ");
    const res = await gw.gql<{ experiment: Record<string, { edges: { node: Record<string, unknown> }[] }> }>(
      `query($id: ID!) { experiment(id: $id) { ${fieldName}(first: 5) { edges { node {
        rowId timestamp ${selection} ${nested.name} { __typename } output } } } } }`,
      { id: HOSTILE_EXPERIMENT },
    );
    expect(res.errors).toBeUndefined();
    const node = res.data!.experiment[fieldName]!.edges[0]!.node;
    expect(node.rowId).toBe(HOSTILE_ROW_ID.toString());
    for (const f of fields.filter((x) => x.key !== "nested")) {
      // JSON integers are BIGINT in the catalog; the BigInt scalar is a decimal string (exact for 64 bits).
      const stored = HOSTILE_OUTPUT[f.key];
      const expected = f.type === "BigInt" ? String(stored) : stored;
      expect([f.key, node[f.name]]).toEqual([f.key, expected]);
    }
    // Common measurement fields keep their meaning; the macro's own `id`/`timestamp` keys were renamed.
    expect(node.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(node.output).toEqual(HOSTILE_OUTPUT);
  });

  it("reads nested hostile keys", async () => {
    const { fieldName, fields } = await macroFields("macro_hostile");
    const nested = fields.find((f) => f.key === "nested")!;
    const introspection = await gw.gql<{ __type: { fields: { name: string; description: string }[] } }>(
      `query($t: String!) { __type(name: $t) { fields { name description } } }`,
      { t: nested.type },
    );
    const inner = introspection.data!.__type.fields;
    const byKey = (key: string) => inner.find((f) => f.description.includes(JSON.stringify(key)))!.name;
    const res = await gw.gql<{
      experiment: Record<string, { edges: { node: Record<string, Record<string, unknown>> }[] }>;
    }>(
      `query($id: ID!) { experiment(id: $id) { ${fieldName}(first: 1) { edges { node {
        ${nested.name} { ${byKey("inner key")} ${byKey("a`b")} } } } } } }`,
      { id: HOSTILE_EXPERIMENT },
    );
    expect(res.errors).toBeUndefined();
    const value = res.data!.experiment[fieldName]!.edges[0]!.node[nested.name]!;
    expect(value[byKey("inner key")]).toBe("deep");
    expect(value[byKey("a`b")]).toBe("9");
  });

  it("a malformed value in one row is null for that field, and the rest of the page is served", async () => {
    await insertMacroRow(
      HOSTILE_EXPERIMENT,
      "macro_hostile",
      HOSTILE_ROW_ID + 1n,
      { Phi2: "not a number", phi2: 0.3 },
      new Date(Date.now() + 1000),
    );
    const { fieldName, fields } = await macroFields("macro_hostile");
    const phi2 = fields.find((f) => f.key === "Phi2")!.name;
    const phi2Lower = fields.find((f) => f.key === "phi2")!.name;
    const res = await gw.gql<{ experiment: Record<string, { edges: { node: Record<string, unknown> }[] }> }>(
      `query($id: ID!) { experiment(id: $id) { ${fieldName}(first: 5) { edges { node { rowId ${phi2} ${phi2Lower} } } } } }`,
      { id: HOSTILE_EXPERIMENT },
    );
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.experiment[fieldName]!.edges.map((e) => e.node);
    expect(nodes).toContainEqual({ rowId: (HOSTILE_ROW_ID + 1n).toString(), [phi2]: null, [phi2Lower]: 0.3 });
    expect(nodes).toContainEqual({ rowId: HOSTILE_ROW_ID.toString(), [phi2]: 0.1, [phi2Lower]: 0.2 });
  });
});

describe("live catalog", () => {
  it("an unparseable schema string drops only that macro; the rest of the schema still builds", async () => {
    const before = (await gw.gql<{ schemaVersion: string }>("{ schemaVersion }")).data!.schemaVersion;
    await gw.lakehouse.execute(
      sql`INSERT INTO ${table("experiment_macros")} (experiment_id, macro_name, macro_filename, sample_count, output_schema)
        VALUES (${HOSTILE_EXPERIMENT}, 'Broken', 'macro_broken', 1, 'OBJECT<oops: ')`,
    );
    await gw.runtime.registry.refresh();
    const res = await gw.gql<{ schemaVersion: string; macros: { filename: string }[] }>(
      "{ schemaVersion macros { filename } }",
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.schemaVersion).not.toBe(before);
    const filenames = res.data!.macros.map((m) => m.filename);
    expect(filenames).not.toContain("macro_broken");
    expect(filenames).toContain("macro_photosynthesis");
    expect(filenames).toContain("macro_hostile");
    expect(gw.runtime.registry.current.warnings.join("\n")).toMatch(/macro_broken/);
  });

  it("a new field appears after maintenance and the poll, while a query loop sees no failed request", async () => {
    const before = await gw.gql<{ schemaVersion: string }>("{ schemaVersion }");
    const version = before.data!.schemaVersion;
    const { fieldName } = await macroFields("macro_photosynthesis");
    const experiments = await gw.lakehouse.query<{ experiment_id: string }>(
      sql`SELECT experiment_id FROM ${table("experiments")} WHERE visibility = 'public' AND experiment_id <> ${HOSTILE_EXPERIMENT}
        ORDER BY experiment_id LIMIT 1`,
    );
    const experimentId = experiments[0]!.experiment_id;

    let stop = false;
    let requests = 0;
    const failures: unknown[] = [];
    const loop = (async () => {
      while (!stop) {
        try {
          const res = await gw.gql(
            `query($id: ID!) { schemaVersion experiment(id: $id) { ${fieldName}(first: 20) { totalCount edges { node { id Phi2 } } } } }`,
            { id: experimentId },
          );
          if (res.errors) failures.push(res.errors);
        } catch (error) {
          failures.push(error);
        }
        requests++;
      }
    })();

    const newKey = "Chlorophyll Fluorescence Ratio";
    const swapped = new Promise<SchemaChanged>((resolve) => {
      void gw.runtime.pubsub.subscribe("schema.changed", resolve);
    });
    await insertMacroRow(
      experimentId,
      "macro_photosynthesis",
      8_111_222_333_444_555_666n,
      { Phi2: 0.5, [newKey]: 2.25 },
      new Date(),
    );
    await runMaintenance(gw.lakehouse, { experimentIds: [experimentId] });

    // The background poll (every 100 ms) or this refresh, whichever comes first, swaps the schema.
    await gw.runtime.refresh();
    expect((await swapped).changed).toContain("macro_photosynthesis");
    const after = (await gw.gql<{ schemaVersion: string }>("{ schemaVersion }")).data!.schemaVersion;
    expect(after).not.toBe(version);

    const { fields } = await macroFields("macro_photosynthesis");
    const field = fields.find((f) => f.key === newKey);
    expect(field?.type).toBe("Float");
    const res = await gw.gql<{ experiment: Record<string, { edges: { node: Record<string, unknown> }[] }> }>(
      `query($id: ID!) { experiment(id: $id) { ${fieldName}(first: 1000) { edges { node { rowId ${field!.name} } } } } }`,
      { id: experimentId },
    );
    expect(res.errors).toBeUndefined();
    const row = res.data!.experiment[fieldName]!.edges.find((e) => e.node.rowId === "8111222333444555666");
    expect(row?.node[field!.name]).toBe(2.25);

    // A few more requests of the loop run on the new schema.
    const more = requests + 5;
    while (requests < more) await new Promise((r) => setImmediate(r));
    stop = true;
    await loop;
    expect(requests).toBeGreaterThan(5);
    expect(failures).toEqual([]);
  });
});
