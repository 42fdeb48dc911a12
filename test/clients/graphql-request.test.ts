/**
 * graphql-request with the generated typed documents against the real server, as the web frontend uses it: the data
 * table's filtered, sorted cursor pages, the per-device chart aggregate, and the annotation mutations — typed end to
 * end (`codegen/generated/client`), bad input answered with a stable code.
 */
import { ClientError, GraphQLClient } from "graphql-request";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddAnnotationDocument,
  DeleteAnnotationDocument,
  DeviceDailyChartDocument,
  type MeasurementRowFragment,
  MeasurementTableDocument,
  type MeasurementTableQuery,
  type PhotosynthesisMeasurementWhere,
  UpdateAnnotationDocument,
} from "../../codegen/generated/client/graphql.js";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { type GatewayProcess, startGateway, TEST_JWT_SECRET } from "../support/gateway-process.js";

const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };

let gw: GatewayProcess;
let client: GraphQLClient;
let privateId: string;

beforeAll(async () => {
  gw = await startGateway({});
  const token = await signToken(JWT, DEMO_PERSONAS.member.id);
  client = new GraphQLClient(`${gw.url}/graphql`, { headers: { authorization: `Bearer ${token}` } });
  const res = await client.request<{
    experiments: { edges: { node: { id: string; visibility: string } }[] };
  }>(`{ experiments(first: 50) { edges { node { id visibility } } } }`);
  privateId = res.experiments.edges.find((e) => e.node.visibility === "PRIVATE")!.node.id;
});

afterAll(async () => {
  await gw?.stop();
});

const WHERE: PhotosynthesisMeasurementWhere = { Phi2: { gte: 0.3 }, _not: { deviceId: { isNull: true } } };

describe("graphql-request with the generated documents", () => {
  it("pages the data table by cursor: every filtered row once, in the requested order, ids exact", async () => {
    const rows: MeasurementRowFragment[] = [];
    let after: string | null = null;
    let total = -1;
    for (let page = 0; page < 100; page++) {
      const data: MeasurementTableQuery = await client.request(MeasurementTableDocument, {
        experimentId: privateId,
        first: 7,
        after,
        where: WHERE,
        orderBy: [
          { field: "Phi2", direction: "DESC" },
          { field: "rowId", direction: "ASC" },
        ],
      });
      const connection = data.experiment!.photosynthesis;
      total = connection.totalCount ?? -1;
      rows.push(...connection.edges.map((e) => e.node));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(rows.length).toBeGreaterThan(7);
    expect(rows.length).toBe(total);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    for (const r of rows) expect(r.Phi2!).toBeGreaterThanOrEqual(0.3);
    const phi2 = rows.map((r) => r.Phi2!);
    expect(phi2).toEqual([...phi2].sort((a, b) => b - a));
    // Row ids are 64-bit: strings, beyond 2^53 in the demo data, never rounded.
    expect(rows.every((r) => /^\d+$/.test(r.rowId))).toBe(true);
    expect(rows.some((r) => BigInt(r.rowId) > 2n ** 53n)).toBe(true);
  });

  it("charts daily averages per device, the groups adding up to the table's rows", async () => {
    const chart = await client.request(DeviceDailyChartDocument, {
      experimentId: privateId,
      timeZone: "Europe/Amsterdam",
      where: WHERE,
    });
    const table = await client.request(MeasurementTableDocument, {
      experimentId: privateId,
      first: 1,
      where: WHERE,
    });
    const aggregate = chart.experiment!.photosynthesisAggregate;
    expect(aggregate.groups.length).toBeGreaterThan(1);
    expect(aggregate.groups.reduce((n, g) => n + g.count, 0)).toBe(
      table.experiment!.photosynthesis.totalCount,
    );
    for (const g of aggregate.groups) {
      expect(g.key.deviceId).not.toBeNull();
      expect(g.key.timeLocal).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00$/);
      expect(g.avg.Phi2!).toBeGreaterThanOrEqual(0.3);
    }
  });

  it("adds, updates and deletes an annotation, and answers bad input with BAD_USER_INPUT", async () => {
    const page = await client.request(MeasurementTableDocument, { experimentId: privateId, first: 1 });
    const row = page.experiment!.photosynthesis.edges[0]!.node;
    const added = await client.request(AddAnnotationDocument, {
      input: {
        experimentId: privateId,
        table: "macro_photosynthesis",
        rowId: row.rowId,
        type: "FLAG",
        flagType: "OUTLIER",
        text: "from graphql-request",
      },
    });
    const annotation = added.addAnnotation.annotations[0]!;
    expect(annotation).toMatchObject({ rowId: row.rowId, type: "FLAG", flagType: "OUTLIER" });
    const updated = await client.request(UpdateAnnotationDocument, {
      input: { experimentId: privateId, id: annotation.id, flagType: "NEEDS_REVIEW" },
    });
    expect(updated.updateAnnotation.annotations[0]).toMatchObject({
      id: annotation.id,
      flagType: "NEEDS_REVIEW",
    });
    const deleted = await client.request(DeleteAnnotationDocument, {
      input: { experimentId: privateId, id: annotation.id },
    });
    expect(deleted.deleteAnnotation.annotations.map((a) => a.id)).toEqual([annotation.id]);

    const refused = await client
      .request(AddAnnotationDocument, {
        input: {
          experimentId: privateId,
          table: "macro_photosynthesis",
          rowId: "12.5",
          type: "COMMENT",
          text: "x",
        },
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(ClientError);
    expect((refused as ClientError).response.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
