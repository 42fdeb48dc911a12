/**
 * Table shapes: how a deployment's physical tables hold the centrum tables the gateway reads.
 *
 * Every statement names centrum tables with `table(…)` and their columns as `design.md` lists them. A shape maps a
 * logical table that a deployment stores differently to a derived relation over its physical table, rendered by
 * the dialect wherever the statement names the table — so the compilers, loaders, streams and exports never know
 * which shape they read.
 *
 * - `centrum` (default): the tables of `design.md`, as the embedded lakehouse creates them.
 * - `openjii`: openJII's production pipeline tables. `experiment_macro_data` has `raw_id` (the sample's 64-bit id)
 *   beside `id`, a 32-bit `abs(hash(…))` that collides at scale, so the measurement's row id — its key, its cursor,
 *   its annotations' `row_id` — is `raw_id`; questions are `questions_data`, a VARIANT object of label → answer;
 *   a raw sample's payload is `data` (VARIANT); there is no `experiment_macros`: the catalog is
 *   `experiment_table_metadata`, whose macro rows are keyed by `identifier` = `macro_id` (UUID), with the macro's
 *   name, filename and first/last seen read from the data table (grouped per experiment and macro).
 *
 * Writes go to physical tables only; the gateway writes none of the reshaped ones (annotations and the request
 * ledger are the same in both shapes).
 */
import type { CentrumTable, Dialect, VariantPath } from "./dialect.js";
import { empty, ident, join, physicalTable, type Sql, sql } from "./sql.js";

export { TABLE_SHAPES, type TableShape } from "./dialect.js";

const columns = (alias: string, names: readonly string[]): Sql => join(names.map((n) => ident(alias, n)));

/**
 * The macros of `experiment_table_metadata` (macro rows only) as `experiment_macros` rows, plus `macro_id`:
 * name, filename, first and last seen from `macroData` grouped by experiment and macro id. Experiments are always
 * part of the join, so a filter on `experiment_id` reaches both sides; `where` adds conditions on `t` (each
 * starting with `AND`).
 */
export function macrosFromTableMetadata(metadata: Sql, macroData: Sql, where: Sql = empty): Sql {
  return sql`SELECT t.experiment_id, n.macro_name, n.macro_filename, n.first_seen, n.last_seen,
  t.row_count AS sample_count, t.macro_schema AS output_schema, t.questions_schema, t.identifier AS macro_id
FROM ${metadata} AS t
JOIN (
  SELECT experiment_id, macro_id, max(macro_name) AS macro_name, max(macro_filename) AS macro_filename,
    min(${ident("timestamp")}) AS first_seen, max(${ident("timestamp")}) AS last_seen
  FROM ${macroData}
  GROUP BY experiment_id, macro_id
) AS n ON n.experiment_id = t.experiment_id AND n.macro_id = t.identifier
WHERE t.table_type = ${"macro"}${where}`;
}

function openjiiRelation(dialect: Dialect, table: CentrumTable, commit: boolean): Sql | null {
  switch (table) {
    case "experiment_macro_data": {
      const d = (n: string) => ident("d", n);
      return sql`(SELECT ${columns("d", ["experiment_id", "macro_id", "macro_name", "macro_filename"])},
  ${d("raw_id")} AS id, ${columns("d", ["device_id", "device_name", "timestamp", "user_id"])},
  ${dialect.questionsFromObject(d("questions_data"))} AS questions, ${d("questions_data")},
  ${columns("d", ["macro_output", "macro_error", "processed_timestamp", "date"])}${commit ? dialect.commitColumns("d") : empty}
FROM ${physicalTable("experiment_macro_data")} AS d)`;
    }
    case "experiment_raw_data": {
      const r = (n: string) => ident("r", n);
      return sql`(SELECT ${columns("r", ["experiment_id", "id", "device_id", "device_name", "timestamp"])},
  ${dialect.variantJson(r("data"), [])} AS sample, ${dialect.nullStringList()} AS measurement_sets,
  ${dialect.questionsFromObject(r("questions_data"))} AS questions,
  ${columns("r", ["macros", "user_id", "processed_timestamp", "date"])}${commit ? dialect.commitColumns("r") : empty}
FROM ${physicalTable("experiment_raw_data")} AS r)`;
    }
    case "experiment_macros":
      return sql`(${macrosFromTableMetadata(
        physicalTable("experiment_table_metadata"),
        physicalTable("experiment_macro_data"),
      )})`;
    default:
      return null;
  }
}

/**
 * `Dialect.questionAnswerSource`: where a data-table row read under `alias` holds its answer to `label`, as a
 * VARIANT and a path in it. The centrum shape keeps answers as text in `questions`: the first element with that
 * label (the label bound, as in `where.question`), its answer as a VARIANT string, so a try-cast reads the text as the
 * declared type. The openJII shape keeps them in `questions_data` (an object of label → answer, which the data
 * table's relation carries): the label is a key of it, quoted by the dialect like a macro output key.
 */
export function questionAnswerSource(
  dialect: Dialect,
  alias: string,
  label: string,
): { readonly column: Sql; readonly path: VariantPath } {
  if (dialect.shape === "openjii") return { column: ident(alias, "questions_data"), path: [label] };
  const text = dialect.listFirst(
    ident(alias, "questions"),
    (el) => sql`${el}.question_label = ${label}`,
    "question_answer",
  );
  return { column: sql`CAST(${text} AS VARIANT)`, path: [] };
}

const RELATIONS = new WeakMap<Dialect, Map<string, Sql>>();

/**
 * What `table(name)` stands for in `dialect`: its physical table, or the shape's relation over it; with
 * `commit`, a data table's relation also carries its commit position (`committedTable`).
 */
export function tableSource(dialect: Dialect, table: CentrumTable, commit = false): Sql {
  if (dialect.shape === "centrum") return physicalTable(table);
  let byTable = RELATIONS.get(dialect);
  if (!byTable) {
    byTable = new Map();
    RELATIONS.set(dialect, byTable);
  }
  const key = commit ? `${table}+commit` : table;
  let source = byTable.get(key);
  if (!source) {
    source = openjiiRelation(dialect, table, commit) ?? physicalTable(table);
    byTable.set(key, source);
  }
  return source;
}
