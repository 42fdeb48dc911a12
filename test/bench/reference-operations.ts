/**
 * The reference operations: what the web frontend and notebooks ask most, each as a GraphQL document with its
 * variables, the floor statement that returns the same rows, and a check that both returned the same rows.
 *
 * Field and type names come from the running schema (`Discovery`); the query-language operations (`where` /
 * `orderBy`, `…Aggregate`, `…Distinct`) are built only when introspection shows them, otherwise they are
 * reported as skipped with the reason.
 */
import {
  type GraphQLArgument,
  type GraphQLField,
  getNamedType,
  isEnumType,
  isInputObjectType,
} from "graphql";
import {
  aggregateFloor,
  dashboardFloor,
  distinctFloor,
  type FloorRow,
  type FloorStatement,
  filteredPageFloor,
  measurementPageFloor,
  naiveMeasurementPageFloor,
  samplesPageFloor,
} from "./floor-statements.js";
import { type Discovery, experimentField } from "./schema-discovery.js";

/** What both sides returned, reduced to comparable keys (row ids in order, totals, relation counts). */
export interface OperationCheck {
  readonly keys: readonly string[];
  readonly total: number | null;
  readonly extra?: string;
}

export interface ReferenceOperation {
  readonly id: string;
  readonly title: string;
  /** Statement goal per operation (from the project's design), if any. */
  readonly goalStatements: number | null;
  /** `uncached`: the server runs with the result cache off; `cached`: with the default cache. */
  readonly phase: "uncached" | "cached";
  readonly document: string;
  readonly variables: (call: number) => Record<string, unknown>;
  readonly check: (data: unknown) => OperationCheck;
  readonly floor: (call: number) => FloorStatement;
  readonly floorCheck: (rows: readonly FloorRow[]) => OperationCheck;
  /** Other ways to write the floor, timed for comparison only. */
  readonly alternativeFloors?: readonly { label: string; statement: (call: number) => FloorStatement }[];
  readonly note?: string;
}

export interface SkippedOperation {
  readonly id: string;
  readonly title: string;
  readonly reason: string;
}

// biome-ignore lint/suspicious/noExplicitAny: responses are walked by the operation that asked for them
type Json = any;

const PAGE_INFO = "pageInfo { hasNextPage endCursor }";
/** The rows' 64-bit ids (`rowId`; `id` is the graph-unique object id), compared with the floor's `id` column. */
const ids = (edges: readonly { node: { rowId: string } }[]) => edges.map((e) => e.node.rowId);
const floorIds = (rows: readonly FloorRow[], size: number) =>
  rows
    .filter((r) => r.id != null)
    .slice(0, size)
    .map((r) => String(r.id));
const day = (value: unknown) =>
  value instanceof Date
    ? value.toISOString().slice(0, 10)
    : value == null
      ? "null"
      : String(value).slice(0, 10);

export function referenceOperations(
  discovery: Discovery,
  userId: string,
  options: { pageSize: number; dashboardSizes: readonly number[] },
): { operations: ReferenceOperation[]; skipped: SkippedOperation[] } {
  const { macro, main, typedFields } = discovery;
  const field = macro.fieldName;
  const typed = typedFields.map((f) => f.name).join(" ");
  const n = options.pageSize;
  const mainVars = () => ({ id: main.id, first: n });
  const operations: ReferenceOperation[] = [];
  const skipped: SkippedOperation[] = [];

  operations.push({
    id: "samples-page",
    title: `samples(first: ${n}) + totalCount`,
    goalStatements: 2,
    phase: "uncached",
    document: `query SamplesPage($id: ID!, $first: Int!) {
  experiment(id: $id) {
    id
    samples(first: $first) {
      totalCount ${PAGE_INFO}
      edges { cursor node { id rowId timestamp deviceId measurementSets questions { label answer } macros { filename } } }
    }
  }
}`,
    variables: mainVars,
    check: (d: Json) => ({
      keys: ids(d.experiment.samples.edges),
      total: d.experiment.samples.totalCount,
    }),
    floor: () => samplesPageFloor(main.id, userId, n),
    floorCheck: (rows) => ({ keys: floorIds(rows, n), total: Number(rows[0]?.total_count ?? 0) }),
  });

  const pageDocument = `query PhotosynthesisPage($id: ID!, $first: Int!) {
  experiment(id: $id) {
    id
    ${field}(first: $first) { ${PAGE_INFO} edges { cursor node { id rowId timestamp deviceId ${typed} } } }
  }
}`;
  operations.push({
    id: "macro-page",
    title: `${field}(first: ${n}), ${typedFields.length} typed fields`,
    goalStatements: 2,
    phase: "uncached",
    document: pageDocument,
    variables: mainVars,
    check: (d: Json) => ({ keys: ids(d.experiment[field].edges), total: null }),
    floor: () => measurementPageFloor(main.id, userId, macro.filename, typedFields, n),
    floorCheck: (rows) => ({ keys: floorIds(rows, n), total: null }),
    alternativeFloors: [
      {
        label: "typed projection before Top-N (one plain SELECT)",
        statement: () => naiveMeasurementPageFloor(main.id, userId, macro.filename, typedFields, n),
      },
    ],
  });

  const dashboardDocument = `query Dashboard($id: ID!, $first: Int!) {
  experiment(id: $id) {
    id name description visibility status anonymizeContributors createdAt
    devices { id name firmware firstSeen lastSeen totalMeasurements }
    contributors { id displayName organization totalContributions }
    ${field}(first: $first) {
      totalCount ${PAGE_INFO}
      edges {
        cursor
        node {
          id rowId timestamp ${typed}
          device { id name }
          contributor { id displayName }
          annotations { id type text flagType createdByName createdAt }
          questions { label answer }
        }
      }
    }
  }
}`;
  const dashboardCheck = (d: Json): OperationCheck => {
    const e = d.experiment;
    const edges = e[field].edges as { node: { annotations: unknown[] } }[];
    const annotations = edges.reduce((a, x) => a + x.node.annotations.length, 0);
    return {
      keys: ids(e[field].edges),
      total: e[field].totalCount,
      extra: `devices=${e.devices.length} contributors=${e.contributors.length} annotations=${annotations}`,
    };
  };
  const dashboardFloorCheck = (size: number) => (rows: readonly FloorRow[]) => {
    const r = rows[0] ?? {};
    const page = ((r.measurements as FloorRow[] | null) ?? []).slice(0, size);
    const annotations = page.reduce((a, m) => a + ((m.annotations as unknown[] | null)?.length ?? 0), 0);
    return {
      keys: page.map((m) => String(m.id)),
      total: Number(r.total_count ?? 0),
      extra: `devices=${(r.devices as unknown[] | null)?.length ?? 0} contributors=${
        (r.contributors as unknown[] | null)?.length ?? 0
      } annotations=${annotations}`,
    };
  };
  for (const size of options.dashboardSizes) {
    operations.push({
      id: `dashboard-${size}`,
      title: `dashboard, ${size} rows`,
      goalStatements: 4,
      phase: "uncached",
      document: dashboardDocument,
      variables: () => ({ id: main.id, first: size }),
      check: dashboardCheck,
      floor: () => dashboardFloor(main.id, userId, macro.filename, typedFields, size),
      floorCheck: dashboardFloorCheck(size),
    });
  }
  operations.push({
    id: `dashboard-${n}-repeated`,
    title: `dashboard, ${n} rows, repeated (default result cache)`,
    goalStatements: 4,
    phase: "cached",
    document: dashboardDocument,
    variables: mainVars,
    check: dashboardCheck,
    floor: () => dashboardFloor(main.id, userId, macro.filename, typedFields, n),
    floorCheck: dashboardFloorCheck(n),
    note: "the same request again and again on a server with the default cache settings (warm-up fills it)",
  });

  const filtered = filteredOperation(discovery, userId, n);
  if ("reason" in filtered) skipped.push(filtered);
  else operations.push(filtered);
  const aggregate = aggregateOperation(discovery, userId);
  if ("reason" in aggregate) skipped.push(aggregate);
  else operations.push(aggregate);
  const distinct = distinctOperation(discovery, userId);
  if ("reason" in distinct) skipped.push(distinct);
  else operations.push(distinct);
  return { operations, skipped };
}

function argType(field: GraphQLField<unknown, unknown>, name: string): GraphQLArgument | undefined {
  return field.args.find((a) => a.name === name);
}

/** The input field of `arg`'s input type that filters or names the catalog field `name`, if it has `op`. */
function hasFilterOp(arg: GraphQLArgument, fieldName: string, op: string): boolean {
  const input = getNamedType(arg.type);
  if (!isInputObjectType(input)) return false;
  const filter = input.getFields()[fieldName];
  if (!filter) return false;
  const filterType = getNamedType(filter.type);
  return isInputObjectType(filterType) && op in filterType.getFields();
}

function enumHas(arg: GraphQLArgument | undefined, inputField: string | null, value: string): boolean {
  if (!arg) return false;
  let type = getNamedType(arg.type);
  if (inputField) {
    if (!isInputObjectType(type)) return false;
    const f = type.getFields()[inputField];
    if (!f) return false;
    type = getNamedType(f.type);
  }
  return isEnumType(type) && type.getValue(value) !== undefined;
}

function filteredOperation(d: Discovery, userId: string, n: number): ReferenceOperation | SkippedOperation {
  const { macro, main, typedFields } = d;
  const id = "filtered-sorted-page";
  const title = `${macro.fieldName}(first: ${n}, where: Phi2 ≥ 0.5, orderBy: Phi2 DESC) + totalCount`;
  const connection = experimentField(d.schema, macro.fieldName);
  const where = connection && argType(connection, "where");
  const orderBy = connection && argType(connection, "orderBy");
  const phi2 = typedFields.find((f) => f.key === "Phi2");
  if (!connection || !where || !orderBy)
    return { id, title, reason: "no `where`/`orderBy` arguments in the schema" };
  if (!phi2 || !hasFilterOp(where, phi2.name, "gte") || !enumHas(orderBy, "field", phi2.name)) {
    return {
      id,
      title,
      reason: `\`where\`/\`orderBy\` have a shape this bench does not know: ${where.type} ${orderBy.type}`,
    };
  }
  const typed = typedFields.map((f) => f.name).join(" ");
  return {
    id,
    title,
    goalStatements: 2,
    phase: "uncached",
    document: `query FilteredPage($id: ID!, $first: Int!, $where: ${where.type}, $orderBy: ${orderBy.type}) {
  experiment(id: $id) {
    id
    ${macro.fieldName}(first: $first, where: $where, orderBy: $orderBy) {
      totalCount ${PAGE_INFO}
      edges { cursor node { id rowId timestamp deviceId ${typed} } }
    }
  }
}`,
    variables: () => ({
      id: main.id,
      first: n,
      where: { [phi2.name]: { gte: 0.5 } },
      orderBy: [{ field: phi2.name, direction: "DESC" }],
    }),
    check: (data: Json) => ({
      keys: ids(data.experiment[macro.fieldName].edges),
      total: data.experiment[macro.fieldName].totalCount,
    }),
    floor: () => filteredPageFloor(main.id, userId, macro.filename, typedFields, phi2, 0.5, n),
    floorCheck: (rows) => ({ keys: floorIds(rows, n), total: Number(rows[0]?.total_count ?? 0) }),
  };
}

function aggregateOperation(d: Discovery, userId: string): ReferenceOperation | SkippedOperation {
  const { macro, main, typedFields } = d;
  const id = "aggregate-device-day";
  const fieldName = `${macro.fieldName}Aggregate`;
  const title = `${fieldName}, by device and day: count, avg/min/max of 2 fields`;
  const aggregate = experimentField(d.schema, fieldName);
  if (!aggregate) return { id, title, reason: `no \`${fieldName}\` in the schema` };
  const groupBy = argType(aggregate, "groupBy");
  const bucket = argType(aggregate, "timeBucket");
  const [a, b] = [typedFields.find((f) => f.key === "Phi2"), typedFields.find((f) => f.key === "PhiNPQ")];
  if (
    !groupBy ||
    !bucket ||
    !a ||
    !b ||
    !enumHas(groupBy, "time", "timestamp") ||
    !enumHas(bucket, null, "DAY")
  ) {
    return { id, title, reason: `\`${fieldName}\` has a shape this bench does not know` };
  }
  return {
    id,
    title,
    goalStatements: 2,
    phase: "uncached",
    document: `query Aggregate($id: ID!, $groupBy: ${groupBy.type}) {
  experiment(id: $id) {
    id
    ${fieldName}(groupBy: $groupBy, timeBucket: DAY, timeZone: "UTC") {
      count
      groups { key { deviceId time } count avg { ${a.name} ${b.name} } min { ${a.name} } max { ${a.name} } }
    }
  }
}`,
    variables: () => ({ id: main.id, groupBy: [{ device: true }, { time: "timestamp" }] }),
    note: "group order is not compared (keys sorted on both sides)",
    check: (data: Json) => {
      const groups = data.experiment[fieldName].groups as {
        key: { deviceId: string; time: string };
        count: number;
      }[];
      return {
        keys: groups.map((g) => `${g.key.deviceId}|${day(g.key.time)}|${g.count}`).sort(),
        total: data.experiment[fieldName].count,
      };
    },
    floor: () => aggregateFloor(main.id, userId, macro.filename, a, b),
    alternativeFloors: [
      {
        label: "the same with an always-true predicate on the path (DuckDB then reads it after filtering)",
        statement: () => aggregateFloor(main.id, userId, macro.filename, a, b, { pathInFilter: true }),
      },
    ],
    floorCheck: (rows) => ({
      keys: rows.map((r) => `${r.device_id}|${day(r.day)}|${Number(r.count)}`).sort(),
      total: rows.reduce((s, r) => s + Number(r.count), 0),
    }),
  };
}

function distinctOperation(d: Discovery, userId: string): ReferenceOperation | SkippedOperation {
  const { macro, main } = d;
  const id = "distinct-device";
  const fieldName = `${macro.fieldName}Distinct`;
  const title = `${fieldName}(field: deviceId) + totalCount`;
  const distinct = experimentField(d.schema, fieldName);
  if (!distinct) return { id, title, reason: `no \`${fieldName}\` in the schema` };
  if (!enumHas(argType(distinct, "field"), null, "deviceId")) {
    return { id, title, reason: `\`${fieldName}\` has a shape this bench does not know` };
  }
  return {
    id,
    title,
    goalStatements: 2,
    phase: "uncached",
    document: `query Distinct($id: ID!) {
  experiment(id: $id) { id ${fieldName}(field: deviceId, first: 100) { totalCount hasMore values { value count } } }
}`,
    variables: () => ({ id: main.id }),
    check: (data: Json) => {
      const r = data.experiment[fieldName];
      return {
        keys: r.values.map((v: { value: unknown; count: number }) => `${v.value}:${v.count}`),
        total: r.totalCount,
      };
    },
    floor: () => distinctFloor(main.id, userId, macro.filename, 100),
    floorCheck: (rows) => ({
      keys: rows.slice(0, 100).map((r) => `${r.value}:${Number(r.count)}`),
      total: Number(rows[0]?.total ?? 0),
    }),
  };
}
