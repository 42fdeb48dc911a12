import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoCases, demoPlan, roleIn } from "../../lakehouse/demo/demo-plan.js";
import { DEMO_PERSONAS, DEMO_USERS } from "../../lakehouse/demo/demo-users.js";
import { seedDemo } from "../../lakehouse/demo/seed-demo.js";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import { runMaintenance } from "../../lakehouse/duckdb/centrum-maintenance.js";
import type { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import { sql } from "../../lakehouse/sql.js";

const ANCHOR = new Date("2026-03-01T12:00:00Z");
const SEED = 7;
const TWO_POW_53 = 2n ** 53n;

async function seeded(anchor = ANCHOR, seed = SEED): Promise<DuckDbLakehouse> {
  const lakehouse = await openCentrumDuckDb(":memory:", { connections: 2 });
  await seedDemo(lakehouse, { preset: "ci", seed, anchor });
  return lakehouse;
}

/** A digest of every sample and macro row (ids, timestamps, outputs) plus the row counts. */
async function digest(lakehouse: DuckDbLakehouse) {
  const [row] = await lakehouse.query(sql`SELECT
  (SELECT md5(string_agg(concat_ws('|', experiment_id, macro_filename, id, timestamp, macro_error,
     CAST(CAST(macro_output AS JSON) AS VARCHAR)), chr(10) ORDER BY experiment_id, macro_filename, id))
   FROM centrum.experiment_macro_data) AS macro_digest,
  (SELECT md5(string_agg(concat_ws('|', experiment_id, id, timestamp, sample, user_id, device_id), chr(10)
     ORDER BY experiment_id, id)) FROM centrum.experiment_raw_data) AS raw_digest,
  (SELECT md5(string_agg(concat_ws('|', experiment_id, macro_filename, id), chr(10)
     ORDER BY experiment_id, macro_filename, id)) FROM centrum.experiment_macro_data) AS key_digest,
  (SELECT count(*) FROM centrum.experiment_raw_data) AS samples,
  (SELECT count(*) FROM centrum.experiment_macro_data) AS macro_rows,
  (SELECT count(*) FROM centrum.experiment_annotations) AS annotations`);
  return row!;
}

describe("seedDemo (ci preset)", () => {
  let lakehouse: DuckDbLakehouse;

  beforeAll(async () => {
    lakehouse = await seeded();
  });
  afterAll(async () => {
    await lakehouse.close();
  });

  it("is deterministic: same seed and anchor give the same rows", async () => {
    const again = await seeded();
    try {
      expect(await digest(again)).toEqual(await digest(lakehouse));
    } finally {
      await again.close();
    }
  });

  it("keeps ids and row counts when only the anchor (the demo's 'now') changes", async () => {
    const later = await seeded(new Date("2026-07-15T08:00:00Z"));
    try {
      const a = await digest(lakehouse);
      const b = await digest(later);
      expect(b.key_digest).toBe(a.key_digest);
      expect([b.samples, b.macro_rows, b.annotations]).toEqual([a.samples, a.macro_rows, a.annotations]);
      expect(b.macro_digest).not.toBe(a.macro_digest);
    } finally {
      await later.close();
    }
  });

  it("gives another seed other data", async () => {
    const other = await seeded(ANCHOR, SEED + 1);
    try {
      expect((await digest(other)).key_digest).not.toBe((await digest(lakehouse)).key_digest);
    } finally {
      await other.close();
    }
  });

  it("has the size of the ci preset", async () => {
    const d = await digest(lakehouse);
    expect(d.samples).toBe(300n);
    expect(Number(d.macro_rows)).toBeGreaterThan(350);
    expect(Number(d.annotations)).toBeGreaterThan(0);
    const [e] = await lakehouse.query(sql`SELECT count(*) AS n FROM centrum.experiments`);
    expect(e!.n).toBe(4n);
  });

  it("uses random 63-bit ids above 2^53, exact as bigint, unique per sample", async () => {
    const rows = await lakehouse.query<{ id: bigint }>(sql`SELECT id FROM centrum.experiment_raw_data`);
    expect(rows.length).toBe(300);
    for (const { id } of rows) {
      expect(typeof id).toBe("bigint");
      expect(id > TWO_POW_53).toBe(true);
      expect(id < 2n ** 63n).toBe(true);
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    // The text form agrees with the bigint digit for digit (no rounding through a double anywhere).
    const [pair] = await lakehouse.query<{ id: bigint; text: string }>(
      sql`SELECT id, CAST(id AS VARCHAR) AS text FROM centrum.experiment_raw_data ORDER BY id DESC LIMIT 1`,
    );
    expect(pair!.id.toString()).toBe(pair!.text);
    expect(BigInt(Number(pair!.id))).not.toBe(pair!.id);
  });

  it("gives every macro row the id, questions, device and user of its sample", async () => {
    const [row] = await lakehouse.query(sql`SELECT count(*) AS orphans FROM centrum.experiment_macro_data m
ANTI JOIN centrum.experiment_raw_data r
  ON r.experiment_id = m.experiment_id AND r.id = m.id AND r.questions IS NOT DISTINCT FROM m.questions
  AND r.device_id = m.device_id AND r.user_id = m.user_id AND r.timestamp = m.timestamp`);
    expect(row!.orphans).toBe(0n);
    const [dupes] =
      await lakehouse.query(sql`SELECT count(*) - count(DISTINCT (experiment_id, macro_filename, id))
  AS n FROM centrum.experiment_macro_data`);
    expect(dupes!.n).toBe(0n);
    const [q] = await lakehouse.query<{ labels: string[] }>(
      sql`SELECT list_transform(questions, lambda q: q.question_label) AS labels FROM centrum.experiment_raw_data LIMIT 1`,
    );
    expect(q!.labels).toEqual(expect.arrayContaining(["plot", "treatment", "genotype", "notes"]));
  });

  it("has failed macro runs with an error and no output", async () => {
    const rows = await lakehouse.query<{ has_output: boolean; output: string | null }>(
      sql`SELECT macro_output IS NOT NULL AS has_output, CAST(CAST(macro_output AS JSON) AS VARCHAR) AS output
FROM centrum.experiment_macro_data WHERE macro_error IS NOT NULL`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) if (r.has_output) expect(r.output).toBe("{}");
  });

  it("has comments and flags on samples and macro rows", async () => {
    const rows = await lakehouse.query<{ kind: string; type: string; n: bigint }>(sql`SELECT
  CASE WHEN table_name = 'sample' THEN 'sample' ELSE 'macro' END AS kind, type, count(*) AS n
FROM centrum.experiment_annotations GROUP BY ALL`);
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(["sample", "macro"]));
    const [bad] = await lakehouse.query(sql`SELECT count(*) AS n FROM centrum.experiment_annotations a
WHERE (a.table_name = 'sample' AND NOT EXISTS (SELECT 1 FROM centrum.experiment_raw_data r
        WHERE r.experiment_id = a.experiment_id AND CAST(r.id AS VARCHAR) = a.row_id))
   OR (a.table_name <> 'sample' AND NOT EXISTS (SELECT 1 FROM centrum.experiment_macro_data m
        WHERE m.experiment_id = a.experiment_id AND m.macro_filename = a.table_name
          AND CAST(m.id AS VARCHAR) = a.row_id))
   OR (a.type = 'flag') <> (a.flag_type IS NOT NULL)`);
    expect(bad!.n).toBe(0n);
  });

  describe("experiment_macros", () => {
    async function schemas(filename: string): Promise<string[]> {
      const rows = await lakehouse.query<{ output_schema: string }>(
        sql`SELECT output_schema FROM centrum.experiment_macros WHERE macro_filename = ${filename}`,
      );
      return rows.map((r) => r.output_schema);
    }

    it("has a schema in the Databricks format for every macro of every experiment", async () => {
      const [missing] = await lakehouse.query(sql`SELECT count(*) AS n FROM (
  SELECT DISTINCT experiment_id, macro_name, macro_filename FROM centrum.experiment_macro_data
) d ANTI JOIN centrum.experiment_macros m USING (experiment_id, macro_name, macro_filename)`);
      expect(missing!.n).toBe(0n);
      const all = await lakehouse.query<{ macro_filename: string; output_schema: string }>(
        sql`SELECT macro_filename, output_schema FROM centrum.experiment_macros`,
      );
      expect(new Set(all.map((r) => r.macro_filename))).toEqual(
        new Set([
          "macro_photosynthesis",
          "macro_leaf_environment",
          "macro_spad",
          "macro_absorbance",
          "macro_pam_quick",
        ]),
      );
      for (const r of all) expect(r.output_schema).toMatch(/^OBJECT<.+>$/);
    });

    it("prints photosynthesis with backticked keys, doubles, arrays and the messages object", async () => {
      const list = await schemas("macro_photosynthesis");
      expect(list.length).toBeGreaterThan(0);
      for (const s of list) {
        expect(s).toContain("`Light Intensity (PAR)`: DOUBLE");
        expect(s).toContain(
          "messages: OBJECT<danger: ARRAY<STRING>, info: ARRAY<STRING>, warning: ARRAY<STRING>>",
        );
        expect(s).toContain("fluorescence_trace: ARRAY<DOUBLE>");
        expect(s).toContain("Phi2: DOUBLE, PhiNO: DOUBLE, PhiNPQ: DOUBLE");
        expect(s).toContain("`FvP/FmP`: DOUBLE");
        expect(s).toContain("`vH+`: DOUBLE");
      }
    });

    it("reports the number-or-string field as VARIANT", async () => {
      const list = await schemas("macro_pam_quick");
      expect(list.length).toBeGreaterThan(0);
      for (const s of list) expect(s).toContain("Fs: VARIANT");
    });

    it("shows fields gained by a newer macro version", async () => {
      const list = await schemas("macro_absorbance");
      expect(list.length).toBeGreaterThan(0);
      for (const s of list) {
        expect(s).toContain("absorbance_730: DOUBLE");
        expect(s).toContain(
          "detector: OBJECT<firmware_calibration: STRING, gain: DOUBLE, temperature: DOUBLE>",
        );
      }
      // Both versions are really in the data.
      const [v] = await lakehouse.query(sql`SELECT
  count(*) FILTER (WHERE macro_output['absorbance_730'] IS NULL) AS v1,
  count(*) FILTER (WHERE macro_output['absorbance_730'] IS NOT NULL) AS v2
FROM centrum.experiment_macro_data WHERE macro_filename = 'macro_absorbance' AND macro_error IS NULL`);
      expect(Number(v!.v1)).toBeGreaterThan(0);
      expect(Number(v!.v2)).toBeGreaterThan(0);
    });

    it("has counts, first/last seen and a sample output that match the macro rows", async () => {
      const [diff] = await lakehouse.query(sql`SELECT count(*) AS n FROM centrum.experiment_macros m
JOIN (SELECT experiment_id, macro_name, macro_filename, count(*) AS c, min(timestamp) AS f, max(timestamp) AS l
      FROM centrum.experiment_macro_data GROUP BY ALL) d USING (experiment_id, macro_name, macro_filename)
WHERE m.sample_count <> d.c OR m.first_seen <> d.f OR m.last_seen <> d.l OR m.output_schema_sample IS NULL`);
      expect(diff!.n).toBe(0n);
      const [row] = await lakehouse.query(sql`SELECT count(*) AS n FROM centrum.experiment_macros`);
      expect(Number(row!.n)).toBeGreaterThanOrEqual(10);
    });
  });

  it("fills device data, contributors and status that match direct SQL", async () => {
    const [devices] = await lakehouse.query(sql`SELECT count(*) AS n FROM centrum.experiment_device_data d
FULL JOIN (SELECT experiment_id, device_id, count(*) AS c, min(timestamp) AS f, max(timestamp) AS l
           FROM centrum.experiment_raw_data GROUP BY ALL) r USING (experiment_id, device_id)
WHERE d.total_measurements IS DISTINCT FROM r.c OR d.first_seen IS DISTINCT FROM r.f
   OR d.last_seen IS DISTINCT FROM r.l OR d.device_firmware IS NULL OR d.device_name IS NULL`);
    expect(devices!.n).toBe(0n);

    const [contributors] =
      await lakehouse.query(sql`SELECT count(*) AS n FROM centrum.experiment_contributors c
FULL JOIN (SELECT experiment_id, user_id, count(*) AS t, min(timestamp) AS f, max(timestamp) AS l
           FROM centrum.experiment_raw_data GROUP BY ALL) r USING (experiment_id, user_id)
WHERE c.total_contributions IS DISTINCT FROM r.t OR c.first_contribution IS DISTINCT FROM r.f
   OR c.last_contribution IS DISTINCT FROM r.l OR c.first_name IS NULL OR c.email IS NULL`);
    expect(contributors!.n).toBe(0n);

    const status = await lakehouse.query<{ experiment_id: string; status: string; latest: string | null }>(
      sql`SELECT e.experiment_id, s.status, s.latest_timestamp AS latest FROM centrum.experiments e
LEFT JOIN centrum.experiment_status s USING (experiment_id)`,
    );
    expect(status.length).toBe(4);
    for (const s of status) {
      expect(s.latest).not.toBeNull();
      // The anchor is in the past, so nothing is fresh.
      expect(s.status).toBe("stale");
    }
  });

  it("stores the demo users and the memberships the plan exports", async () => {
    const plan = demoPlan("ci", SEED);
    const members = await lakehouse.query<{ experiment_id: string; user_id: string; role: string }>(
      sql`SELECT experiment_id, user_id, role FROM centrum.experiment_members`,
    );
    expect(members.length).toBe(plan.experiments.reduce((a, e) => a + e.members.length, 0));
    for (const m of members) {
      const e = plan.experiments.find((x) => x.id === m.experiment_id)!;
      expect(roleIn(e, m.user_id)).toBe(m.role);
    }
    const users = await lakehouse.query<{ user_id: string }>(sql`SELECT user_id FROM centrum.users`);
    for (const u of DEMO_USERS) expect(users.map((r) => r.user_id)).toContain(u.id);

    const privates = plan.experiments.filter((e) => e.visibility === "private");
    expect(privates.length).toBeGreaterThan(0);
    expect(plan.experiments.some((e) => e.visibility === "public" && e.status === "active")).toBe(true);
    expect(plan.experiments.some((e) => e.anonymizeContributors)).toBe(true);
    for (const e of plan.experiments) {
      expect(roleIn(e, DEMO_PERSONAS.admin.id)).toBe("admin");
      expect(roleIn(e, DEMO_PERSONAS.outsider.id)).toBeNull();
    }
    for (const e of privates) {
      expect(roleIn(e, DEMO_PERSONAS.member.id)).toBe("member");
      expect(roleIn(e, DEMO_PERSONAS.viewer.id)).toBe("viewer");
    }
    const cases = demoCases(plan);
    expect([cases.publicActive.visibility, cases.privateActive.visibility]).toEqual(["public", "private"]);
    expect(cases.anonymized.anonymizeContributors).toBe(true);
    const [anonymized] = await lakehouse.query(
      sql`SELECT anonymize_contributors AS a FROM centrum.experiments WHERE experiment_id = ${cases.anonymized.id}`,
    );
    expect(anonymized!.a).toBe(true);
  });

  it("runs maintenance in 9 statements, for all experiments or only the given ones", async () => {
    const [one, two] = demoPlan("ci", SEED).experiments;
    await lakehouse.execute(
      sql`DELETE FROM centrum.experiment_macros WHERE experiment_id IN (${one!.id}, ${two!.id})`,
    );
    await lakehouse.execute(
      sql`DELETE FROM centrum.experiment_status WHERE experiment_id IN (${one!.id}, ${two!.id})`,
    );
    const before = lakehouse.statements.total;
    const result = await runMaintenance(lakehouse, { experimentIds: [one!.id] });
    expect(result.statements).toBe(9);
    expect(lakehouse.statements.total - before).toBe(9);
    const rows = await lakehouse.query<{ experiment_id: string; n: bigint }>(
      sql`SELECT experiment_id, count(*) AS n FROM centrum.experiment_macros
WHERE experiment_id IN (${one!.id}, ${two!.id}) GROUP BY ALL`,
    );
    expect(rows.map((r) => r.experiment_id)).toEqual([one!.id]);

    await runMaintenance(lakehouse);
    const [all] = await lakehouse.query(
      sql`SELECT count(DISTINCT experiment_id) AS n FROM centrum.experiment_macros`,
    );
    expect(all!.n).toBe(4n);
    expect((await runMaintenance(lakehouse, { experimentIds: [] })).statements).toBe(0);
  });
});
