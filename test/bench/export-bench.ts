/**
 * `npm run bench:export -- [--rows 300000]`: exports of a generated macro table through the real server process,
 * with the gateway's RSS sampled while each file streams. The table is the `ci` preset plus `--rows` copies of one
 * photosynthesis row (each with its own id and timestamp, the real VARIANT payload) in one public experiment, so it
 * runs in seconds without the `bench` preset. Each format is exported twice — about a third of the rows (a
 * timestamp filter) and all of them — so a bounded RSS shows as the same peak for both sizes.
 */
import { createWriteStream, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { runMaintenance } from "../../lakehouse/duckdb/centrum-maintenance.js";
import { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import { sql } from "../../lakehouse/sql.js";
import { startGateway, tempDir } from "../support/gateway-process.js";

const { values } = parseArgs({ options: { rows: { type: "string", default: "300000" } } });
const ROWS = Number(values.rows);
const MACRO = "macro_photosynthesis";

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function main(): Promise<void> {
  const dir = tempDir("centrum-export-bench-");
  const dbFile = join(dir, "centrum.duckdb");
  // The ci preset, seeded by the gateway's own first start.
  await (await startGateway({ dir, dbFile })).stop();

  const lakehouse = await DuckDbLakehouse.open({ path: dbFile, connections: 1 });
  const [template] = await lakehouse.query<{ experiment_id: string; timestamp: string }>(
    sql`SELECT m.experiment_id, m.timestamp FROM centrum.experiment_macro_data m JOIN centrum.experiments e USING (experiment_id)
        WHERE e.visibility = 'public' AND m.macro_filename = ${MACRO} AND m.macro_error IS NULL
        ORDER BY m.id LIMIT 1`,
  );
  const experimentId = template!.experiment_id;
  const started = performance.now();
  await lakehouse.execute(sql`INSERT INTO centrum.experiment_macro_data
    SELECT t.experiment_id, t.macro_id, t.macro_name, t.macro_filename, t.id + CAST(g.i AS BIGINT) * 1000003,
      t.device_id, t.device_name, t.timestamp - to_microseconds(CAST(g.i AS BIGINT) * 1000), t.user_id, t.questions,
      t.macro_output, NULL, t.processed_timestamp, t.date
    FROM (SELECT * FROM centrum.experiment_macro_data WHERE experiment_id = ${experimentId}
          AND macro_filename = ${MACRO} AND macro_error IS NULL ORDER BY id LIMIT 1) t,
         generate_series(1, ${ROWS}) g(i)`);
  await runMaintenance(lakehouse, { experimentIds: [experimentId] });
  await lakehouse.close();
  console.log(`generated ${ROWS} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const gw = await startGateway({ dir, dbFile });
  try {
    const total = await gw.gql<{ experiment: { photosynthesis: { totalCount: number } } }>(
      `query($id: ID!) { experiment(id: $id) { photosynthesis(first: 1) { totalCount } } }`,
      { id: experimentId },
    );
    const all = total.data!.experiment.photosynthesis.totalCount;
    // A cut at about a third of the generated rows, by time (they are a millisecond apart, older than the template).
    const third = new Date(Date.parse(template!.timestamp) - Math.floor(ROWS / 3)).toISOString();
    const baseline = await rssKiB(gw.pid);
    console.log(
      `gateway pid ${gw.pid}, ${all} rows in the table, RSS before exports ${(baseline / 1024).toFixed(0)} MiB`,
    );
    console.log(
      `machine: ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}, node ${process.version}`,
    );
    console.log("| format | rows | MB | s | rows/s | peak RSS MiB |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (const format of ["csv", "ndjson", "parquet"]) {
      for (const where of [{ timestamp: { gte: third } }, null]) {
        const query = where ? `?where=${encodeURIComponent(JSON.stringify(where))}` : "";
        const file = join(dir, `export.${format}`);
        let peak = await rssKiB(gw.pid);
        const sampler = setInterval(() => {
          void rssKiB(gw.pid).then((kib) => {
            peak = Math.max(peak, kib);
          });
        }, 50);
        const t0 = performance.now();
        const res = await fetch(`${gw.url}/export/${experimentId}/${MACRO}.${format}${query}`);
        if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
        let newlines = 0;
        const counter = new Writable({
          write(chunk: Buffer, _e, done) {
            for (const byte of chunk) if (byte === 10) newlines++;
            done();
          },
        });
        const out = createWriteStream(file);
        await pipeline(
          Readable.fromWeb(res.body as never),
          async function* (source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              counter.write(chunk);
              yield chunk;
            }
          },
          out,
        );
        const seconds = (performance.now() - t0) / 1000;
        clearInterval(sampler);
        let rows = format === "parquet" ? -1 : newlines - (format === "csv" ? 1 : 0);
        if (format === "parquet") {
          const reader = await DuckDbLakehouse.open({ path: ":memory:", connections: 1 });
          const [count] = await reader.query<{ n: bigint }>(
            sql`SELECT count(*) AS n FROM read_parquet(${file})`,
          );
          rows = Number(count!.n);
          await reader.close();
        }
        const mb = statSync(file).size / 1e6;
        console.log(
          `| ${format} | ${rows} | ${mb.toFixed(1)} | ${seconds.toFixed(1)} | ${Math.round(rows / seconds)} | ${(peak / 1024).toFixed(0)} |`,
        );
      }
    }
  } finally {
    await gw.stop();
  }
}

await main();
