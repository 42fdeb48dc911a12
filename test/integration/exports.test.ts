/**
 * Exports through the real server over HTTP: `GET /export/{experimentId}/{table}.{csv|ndjson|parquet}` holds exactly
 * the rows the GraphQL connection returns for the same filter and order (the URL taken from `exportUrl`), with the
 * same access rules and token, exact 64-bit ids, typed Parquet columns (read back by DuckDB's own Parquet reader),
 * keyset pages, stable error codes, rate limits, and a failure mid-stream that never looks like a complete file.
 */
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../gateway/auth/jwt.js";
import { CostBuckets } from "../../gateway/server/cost-bucket.js";
import { exportEndpoint } from "../../gateway/server/export-endpoint.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { runMaintenance } from "../../lakehouse/duckdb/centrum-maintenance.js";
import type { Lakehouse } from "../../lakehouse/lakehouse.js";
import { type Sql, sql, table } from "../../lakehouse/sql.js";
import { ExperimentAccess } from "../../resolvers/access/experiment-access.js";
import { pseudonymId } from "../../resolvers/contributors/anonymize.js";
import { openExport } from "../../resolvers/exports/export-pages.js";
import { schemaCatalogOf } from "../../schema/schema-catalog.js";
import { TEST_JWT_SECRET, tempDir } from "../support/gateway-process.js";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };
const EXACT = "export-exact-experiment";
const EXACT_IDS = [9_223_372_036_854_775_807n, 9_007_199_254_740_993n];

let gw: InProcessGateway;
let memberToken: string;
let outsiderToken: string;
let publicId: string;
let privateId: string;
let anonymizedId: string;

interface ExperimentNode {
  id: string;
  visibility: string;
  anonymizeContributors: boolean;
  macros: { filename: string; sampleCount: number }[];
}

async function fetchExport(path: string, token?: string): Promise<Response> {
  const url = path.startsWith("http") ? path : `${gw.url}${path}`;
  return fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l));
}

/** RFC 4180 records (quoted fields with doubled quotes, `\r\n` line ends), enough for the gateway's output. */
function csv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      record.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += ch;
  }
  return records;
}

/** A Parquet file read back by DuckDB's reader (not ours): every row, columns as DuckDB types them. */
async function readParquet(bytes: ArrayBuffer, select: Sql = sql`*`): Promise<Record<string, unknown>[]> {
  const path = join(tempDir("centrum-export-"), "export.parquet");
  writeFileSync(path, Buffer.from(bytes));
  return gw.lakehouse.query(sql`SELECT ${select} FROM read_parquet(${path})`);
}

beforeAll(async () => {
  gw = await startInProcessGateway({ FRESHNESS_POLL_MS: "60000" });
  memberToken = await signToken(JWT, DEMO_PERSONAS.member.id);
  outsiderToken = await signToken(JWT, DEMO_PERSONAS.outsider.id);
  const r = await gw.gql<{ experiments: { edges: { node: ExperimentNode }[] } }>(
    `{ experiments(first: 50) { edges { node { id visibility anonymizeContributors macros { filename sampleCount } } } } }`,
    {},
    { token: memberToken },
  );
  const nodes = r.data!.experiments.edges.map((e) => e.node);
  const withPhotosynthesis = (n: ExperimentNode) =>
    n.macros.some((m) => m.filename === "macro_photosynthesis" && m.sampleCount > 20);
  publicId = nodes.find(
    (n) => n.visibility === "PUBLIC" && !n.anonymizeContributors && withPhotosynthesis(n),
  )!.id;
  privateId = nodes.find((n) => n.visibility === "PRIVATE" && withPhotosynthesis(n))!.id;
  anonymizedId = nodes.find((n) => n.anonymizeContributors && withPhotosynthesis(n))!.id;

  // Ids beyond 2^53, in a macro with a typed BIGINT field and a microsecond timestamp.
  await gw.lakehouse.execute(
    sql`INSERT INTO ${table("experiments")} VALUES (${EXACT}, 'Exact export', 'ids', 'public', 'active', false, now())`,
  );
  for (const [i, id] of EXACT_IDS.entries()) {
    await gw.lakehouse.execute(
      sql`INSERT INTO ${table("experiment_macro_data")}
        (experiment_id, macro_id, macro_name, macro_filename, id, device_id, device_name, timestamp, user_id,
         macro_output, macro_error, processed_timestamp, date)
        VALUES (${EXACT}, 'macro_exact_export', 'Exact export', 'macro_exact_export', ${id}, 'dev-1', 'Device, "one"',
          CAST(${`2026-02-03 09:15:42.12345${i}`} AS TIMESTAMP), NULL,
          CAST(CAST(${`{"counter": ${id}, "nested": {"ratio": 0.5, "tags": ["a", "b"]}}`} AS JSON) AS VARIANT),
          NULL, now(), CAST('2026-02-03' AS DATE))`,
    );
  }
  await runMaintenance(gw.lakehouse, { experimentIds: [EXACT] });
  expect(await gw.runtime.refresh()).toBe(true);
});

afterAll(async () => {
  await gw?.stop();
});

const PAGE_QUERY = `query Page($id: ID!, $where: PhotosynthesisMeasurementWhere, $orderBy: [PhotosynthesisMeasurementOrderBy!]) {
  experiment(id: $id) {
    photosynthesis(first: 1000, where: $where, orderBy: $orderBy) {
      totalCount
      edges { node { rowId timestamp deviceId Phi2 Light_Intensity_PAR messages { info } } }
      csv: exportUrl(format: CSV, columns: ["rowId", "timestamp", "deviceId", "Phi2", "Light_Intensity_PAR", "messages.info"])
      ndjson: exportUrl(format: NDJSON, columns: ["rowId", "timestamp", "deviceId", "Phi2", "Light_Intensity_PAR", "messages"])
      parquet: exportUrl(format: PARQUET)
    }
  }
}`;

interface PageNode {
  rowId: string;
  timestamp: string | null;
  deviceId: string | null;
  Phi2: number | null;
  Light_Intensity_PAR: number | null;
  messages: { info: string[] | null } | null;
}

interface PageData {
  experiment: {
    photosynthesis: {
      totalCount: number;
      edges: { node: PageNode }[];
      csv: string;
      ndjson: string;
      parquet: string;
    };
  };
}

describe("an export of a macro table", () => {
  const filter = {
    where: { Phi2: { gte: 0.3 }, _or: [{ deviceId: { isNull: false } }, { Light_Intensity_PAR: { gt: 0 } }] },
    orderBy: [{ field: "Light_Intensity_PAR", direction: "DESC", nulls: "FIRST" }],
  };

  it("holds exactly the GraphQL connection's rows for the same filter and order, in every format", async () => {
    const r = await gw.gql<PageData>(PAGE_QUERY, { id: publicId, ...filter }, { token: memberToken });
    expect(r.errors).toBeUndefined();
    const connection = r.data!.experiment.photosynthesis;
    const nodes = connection.edges.map((e) => e.node);
    expect(nodes.length).toBe(connection.totalCount);
    expect(nodes.length).toBeGreaterThan(10);
    expect(connection.csv).toMatch(
      new RegExp(`^${gw.url}/export/${publicId}/macro_photosynthesis\\.csv\\?where=`),
    );

    const fromNdjson = await fetchExport(connection.ndjson, memberToken);
    expect(fromNdjson.status).toBe(200);
    expect(fromNdjson.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    expect(ndjson(await fromNdjson.text())).toEqual(
      nodes.map((n) => ({
        rowId: n.rowId,
        timestamp: n.timestamp,
        deviceId: n.deviceId,
        Phi2: n.Phi2,
        Light_Intensity_PAR: n.Light_Intensity_PAR,
        "messages.danger": expect.anything(),
        "messages.info": n.messages?.info ?? null,
        "messages.warning": expect.anything(),
      })),
    );

    const fromCsv = await fetchExport(connection.csv, memberToken);
    expect(fromCsv.headers.get("content-type")).toMatch(/^text\/csv/);
    const [header, ...records] = csv(await fromCsv.text());
    expect(header).toEqual([
      "rowId",
      "timestamp",
      "deviceId",
      "Phi2",
      "Light_Intensity_PAR",
      "messages.info",
    ]);
    const cell = (v: unknown) =>
      v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    expect(records).toEqual(
      nodes.map((n) =>
        [n.rowId, n.timestamp, n.deviceId, n.Phi2, n.Light_Intensity_PAR, n.messages?.info].map(cell),
      ),
    );

    const fromParquet = await fetchExport(connection.parquet, memberToken);
    expect(fromParquet.headers.get("content-type")).toBe("application/vnd.apache.parquet");
    const rows = await readParquet(
      await fromParquet.arrayBuffer(),
      sql`"rowId", strftime("timestamp" AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') AS ts, "Phi2", "Light_Intensity_PAR", "messages.info" AS info, "userId"`,
    );
    expect(rows.map((row) => row.rowId)).toEqual(nodes.map((n) => BigInt(n.rowId)));
    expect(rows.map((row) => row.Phi2)).toEqual(nodes.map((n) => n.Phi2));
    expect(rows.map((row) => row.Light_Intensity_PAR)).toEqual(nodes.map((n) => n.Light_Intensity_PAR));
    expect(rows.map((row) => JSON.parse(String(row.info)))).toEqual(
      nodes.map((n) => n.messages?.info ?? null),
    );
    // TIMESTAMP(MICROS, UTC): the same instants, to the microsecond.
    expect(rows.map((row) => Date.parse(String(row.ts)))).toEqual(nodes.map((n) => Date.parse(n.timestamp!)));
  });

  it("reads keyset pages through the connection's compilers: any page size gives the same rows", async () => {
    const model = schemaCatalogOf(gw.runtime.registry.current.schema).models.get("macro_photosynthesis")!;
    const access = new ExperimentAccess({ userId: DEMO_PERSONAS.member.id, name: null });
    const read = async (pageSize: number) => {
      const statements: number[] = [];
      const opened = await openExport(
        gw.runtime.raw,
        access,
        { experimentId: publicId, table: { kind: "measurements", model }, ...filter } as never,
        { pageSize, beforeStatement: async () => void statements.push(1) },
      );
      const rows: unknown[] = [];
      for await (const page of opened.pages()) {
        expect(page.length).toBeLessThanOrEqual(pageSize);
        rows.push(...page.map((row) => opened.columns.map((c) => c.read(row, opened.context))));
      }
      return { rows, statements: statements.length };
    };
    const whole = await read(10_000);
    const paged = await read(7);
    expect(paged.rows).toEqual(whole.rows);
    // The standing, then one statement per page (the last one short).
    expect(whole.statements).toBe(2);
    expect(paged.statements).toBe(1 + Math.floor(whole.rows.length / 7) + 1);
  });

  it("keeps 64-bit ids, BIGINT fields and microseconds exact, and flattens nested objects with dotted names", async () => {
    const text = await (await fetchExport(`/export/${EXACT}/macro_exact_export.ndjson`)).text();
    expect(text).toContain('"rowId":"9223372036854775807"');
    // Newest first, as the connection orders: the second row is a microsecond younger.
    expect(ndjson(text)).toEqual([
      expect.objectContaining({
        rowId: "9007199254740993",
        timestamp: "2026-02-03T09:15:42.123451Z",
        deviceName: 'Device, "one"',
        counter: "9007199254740993",
        "nested.ratio": 0.5,
        "nested.tags": ["a", "b"],
      }),
      expect.objectContaining({
        rowId: "9223372036854775807",
        timestamp: "2026-02-03T09:15:42.123450Z",
        counter: "9223372036854775807",
      }),
    ]);
    const [header, ...records] = csv(
      await (await fetchExport(`/export/${EXACT}/macro_exact_export.csv`)).text(),
    );
    const at = (name: string) => header!.indexOf(name);
    expect(records.map((r) => r[at("rowId")])).toEqual(["9007199254740993", "9223372036854775807"]);
    expect(records.map((r) => r[at("deviceName")])).toEqual(['Device, "one"', 'Device, "one"']);
    expect(records[0]![at("nested.tags")]).toBe('["a","b"]');

    const parquet = await readParquet(
      await (await fetchExport(`/export/${EXACT}/macro_exact_export.parquet`)).arrayBuffer(),
    );
    expect(parquet.map((row) => [row.rowId, row.counter])).toEqual(
      [...EXACT_IDS].reverse().map((id) => [id, id]),
    );
    const types = await gw.lakehouse.query<{ column_name: string; column_type: string }>(
      sql`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${writeTemp(
        await (await fetchExport(`/export/${EXACT}/macro_exact_export.parquet`)).arrayBuffer(),
      )}))`,
    );
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toMatchObject({
      rowId: "BIGINT",
      timestamp: "TIMESTAMP WITH TIME ZONE",
      counter: "BIGINT",
      "nested.ratio": "DOUBLE",
      "nested.tags": "VARCHAR",
    });
  });

  it("writes a header (and a valid empty Parquet file) when no row matches", async () => {
    const where = encodeURIComponent(JSON.stringify({ Phi2: { gt: 1e9 } }));
    const text = await (
      await fetchExport(`/export/${publicId}/macro_photosynthesis.csv?where=${where}&columns=rowId,Phi2`)
    ).text();
    expect(text).toBe("rowId,Phi2\r\n");
    const empty = await fetchExport(`/export/${publicId}/macro_photosynthesis.parquet?where=${where}`);
    expect(await readParquet(await empty.arrayBuffer())).toEqual([]);
  });
});

function writeTemp(bytes: ArrayBuffer): string {
  const path = join(tempDir("centrum-export-"), "export.parquet");
  writeFileSync(path, Buffer.from(bytes));
  return path;
}

describe("access to exports", () => {
  it("answers a private experiment the caller may not read with NOT_FOUND, exactly like experiment(id)", async () => {
    const graphql = await gw.gql(
      `query($id: ID!) { experiment(id: $id) { id } }`,
      { id: privateId },
      { token: outsiderToken },
    );
    const message = graphql.errors![0]!.message;
    for (const token of [outsiderToken, undefined]) {
      const res = await fetchExport(`/export/${privateId}/macro_photosynthesis.csv`, token);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: "NOT_FOUND", message } });
    }
    const missing = await fetchExport(`/export/no-such-experiment/sample.csv`, outsiderToken);
    expect(missing.status).toBe(404);
    const member = await fetchExport(`/export/${privateId}/macro_photosynthesis.csv`, memberToken);
    expect(member.status).toBe(200);
    expect(csv(await member.text()).length).toBeGreaterThan(20);
  });

  it("refuses a bad token with 401 UNAUTHENTICATED", async () => {
    const res = await fetch(`${gw.url}/export/${publicId}/sample.csv`, {
      headers: { authorization: "Bearer nope" },
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
  });

  it("shows contributors of an anonymized experiment by their per-experiment pseudonym only", async () => {
    const text = await (await fetchExport(`/export/${anonymizedId}/sample.ndjson?columns=userId`)).text();
    const ids = ndjson(text).map((row) => row.userId);
    expect(ids.length).toBeGreaterThan(5);
    const known = Object.values(DEMO_PERSONAS).map((u) => u.id);
    for (const id of ids) {
      if (id === null) continue;
      expect(known).not.toContain(id);
      expect(id).toMatch(/^[0-9a-f]{12}$/);
    }
    expect(ids).toContain(pseudonymId(anonymizedId, DEMO_PERSONAS.admin.id));
  });
});

describe("export errors", () => {
  const cases: [string, string][] = [
    ["a table that is not in the catalog", `/export/PUB/macro_missing.csv`],
    ["a format that does not exist", `/export/PUB/sample.xlsx`],
    ["a where that is not JSON", `/export/PUB/sample.csv?where=%7Bnope`],
    [
      "a where field that does not exist",
      `/export/PUB/sample.csv?where=${encodeURIComponent('{"Phi2":{"gt":1}}')}`,
    ],
    [
      "an orderBy field that does not exist",
      `/export/PUB/macro_photosynthesis.csv?orderBy=${encodeURIComponent('[{"field":"nope"}]')}`,
    ],
    ["an unknown column", `/export/PUB/macro_photosynthesis.csv?columns=rowId,nope`],
    ["includeErrors that is not a boolean", `/export/PUB/macro_photosynthesis.csv?includeErrors=maybe`],
  ];
  it.each(cases)("answers %s with 400 BAD_USER_INPUT as JSON", async (_name, path) => {
    const res = await fetchExport(path.replace("PUB", publicId));
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("BAD_USER_INPUT");
    expect(body.error.message.length).toBeGreaterThan(10);
  });
});

/** The endpoint alone on a plain HTTP server, over a lakehouse of the test's choosing (failures, small pages). */
async function serveEndpoint(
  lakehouse: Lakehouse,
  options: { buckets?: CostBuckets; pageSize: number },
): Promise<{ url: string; server: Server }> {
  const handle = exportEndpoint({
    lakehouse,
    verifier: gw.runtime.verifier,
    schemaFor: (viewer) => gw.runtime.registry.schemaFor(viewer),
    buckets: options.buckets ?? null,
    log: () => undefined,
    pageSize: options.pageSize,
  });
  const server = createServer((req, res) => {
    if (!handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("exports under failure and limits", () => {
  it("aborts the response when a page fails mid-stream, so a cut file never reads as complete", async () => {
    let statements = 0;
    const failing: Lakehouse = Object.create(gw.runtime.raw, {
      query: {
        value: (statement: Sql, options: unknown) => {
          statements++;
          if (statements === 4) return Promise.reject(new Error("warehouse fell over"));
          return gw.runtime.raw.query(statement, options as never);
        },
      },
    });
    const { url, server } = await serveEndpoint(failing, { pageSize: 5 });
    try {
      const res = await fetch(`${url}/export/${publicId}/macro_photosynthesis.csv`);
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
      expect(statements).toBe(4);
    } finally {
      server.close();
    }
  });

  it("pours one cost point per statement: a full bucket refuses with 429, a draining one paces the export", async () => {
    const tight = new CostBuckets({ capacity: 2, drainPerSecond: 0.001 });
    const limited = await serveEndpoint(gw.runtime.raw, { buckets: tight, pageSize: 10_000 });
    try {
      const first = await fetch(`${limited.url}/export/${publicId}/sample.csv`);
      expect(first.status).toBe(200);
      await first.text();
      const second = await fetch(`${limited.url}/export/${publicId}/sample.csv`);
      expect(second.status).toBe(429);
      expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await second.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    } finally {
      limited.server.close();
    }

    const paced = new CostBuckets({ capacity: 3, drainPerSecond: 200 });
    const pacing = await serveEndpoint(gw.runtime.raw, { buckets: paced, pageSize: 5 });
    try {
      const res = await fetch(`${pacing.url}/export/${publicId}/macro_photosynthesis.csv?columns=rowId`);
      const rows = csv(await res.text()).slice(1);
      const whole = csv(
        await (await fetchExport(`/export/${publicId}/macro_photosynthesis.csv?columns=rowId`)).text(),
      ).slice(1);
      expect(rows).toEqual(whole);
      expect(rows.length).toBeGreaterThan(15);
    } finally {
      pacing.server.close();
    }
  });
});
