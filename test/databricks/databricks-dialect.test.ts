/**
 * The Databricks dialect renders exact, parseable text for any key. Each statement is syntax-checked offline, and
 * a small model of Spark's string-literal unescaping and VARIANT path parser (transcribed from Spark's
 * `SparkParserUtils.unescapeSQLString` and `VariantPathParser`) reads the keys back out of the rendered text.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DatabricksDialect, variantPathSegment } from "../../lakehouse/databricks/databricks-dialect.js";
import type { VariantPath } from "../../lakehouse/dialect.js";
import { ident, param, render, type Sql, sql, table } from "../../lakehouse/sql.js";
import { assertDatabricksSyntax } from "../support/databricks-syntax.js";
import { expectWarehouseAccepts } from "../support/spark-analysis.js";

const dialect = new DatabricksDialect({ catalog: "main", schema: "centrum" });
const OUTPUT = ident("m", "macro_output");

/** Renders `SELECT <expr> AS v FROM … WHERE m.experiment_id = :p1`, syntax-checks it and returns the text. */
function selectText(expr: Sql): string {
  const statement = sql`SELECT ${expr} AS v FROM ${table("experiment_macro_data")} AS m WHERE m.experiment_id = ${"exp-1"}`;
  const { text, params } = render(statement, dialect);
  expect(assertDatabricksSyntax(text)).toEqual(params.map((p) => `:${p.name}`));
  return text;
}

function exprText(expr: Sql): string {
  return render(expr, dialect).text;
}

// ---- a model of how Databricks reads the rendered text --------------------------------------------------------

/** Spark's unescapeSQLString for a literal's body (between the quotes): \uXXXX, \UXXXXXXXX, octal, \<char>. */
const SPARK_ESCAPE = /\\(?:u([a-fA-F0-9]{4})|U([a-fA-F0-9]{8})|([01][0-7]{2})|([\s\S]))/y;
const SPARK_CHAR_ESCAPES: Record<string, string> = {
  "0": "\u0000",
  b: "\b",
  n: "\n",
  r: "\r",
  t: "\t",
  Z: "\u001a",
  "%": "\\%",
  _: "\\_",
};

function sparkUnescape(body: string): string {
  let out = "";
  let i = 0;
  while (i < body.length) {
    SPARK_ESCAPE.lastIndex = i;
    const m = SPARK_ESCAPE.exec(body);
    if (!m) {
      out += body[i];
      i += 1;
      continue;
    }
    const [all, u16, u32, octal, char] = m;
    if (u16) out += String.fromCharCode(Number.parseInt(u16, 16));
    else if (u32) out += String.fromCodePoint(Number.parseInt(u32, 16));
    else if (octal) out += String.fromCharCode(Number.parseInt(octal, 8));
    else out += SPARK_CHAR_ESCAPES[char!] ?? char;
    i += all.length;
  }
  return out;
}

/** Spark's VariantPathParser for object keys: `$` then `.key`, `['key']` or `["key"]`; undefined when it fails. */
function sparkVariantPath(path: string): string[] | undefined {
  if (!path.startsWith("$")) return undefined;
  const keys: string[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = /^\.([^.[]+)/.exec(rest) ?? /^\['([^'?]+)'\]/.exec(rest) ?? /^\["([^"?]+)"\]/.exec(rest);
    if (!m) return undefined;
    keys.push(m[1]!);
    rest = rest.slice(m[0].length);
  }
  return keys;
}

/** The string literals of a rendered expression, unescaped as Databricks reads them. */
function literals(text: string): string[] {
  // Rendered literals never contain a raw quote, so quotes alternate open/close.
  const parts = text.split("'");
  return parts.filter((_, i) => i % 2 === 1).map(sparkUnescape);
}

/** Reads back the keys of a `variantGet` rendering: path literals, MAP lookups, the final path and the type. */
function keysOf(text: string): string[] {
  const lits = literals(text);
  const keys: string[] = [];
  let i = 0;
  while (lits[i + 1] === "map<string, variant>") {
    keys.push(...sparkVariantPath(lits[i]!)!, lits[i + 2]!);
    i += 3;
  }
  keys.push(...sparkVariantPath(lits[i]!)!);
  expect(i + 2).toBe(lits.length);
  return keys;
}

describe("Databricks dialect: quoting", () => {
  it("quotes identifiers with backticks, doubling inner backticks", () => {
    expect(dialect.quoteIdent("experiment_id")).toBe("`experiment_id`");
    expect(dialect.quoteIdent("a`b")).toBe("`a``b`");
    expect(dialect.quoteIdent("x.y")).toBe("`x.y`");
    expect(selectText(ident("m", "a`b"))).toBe(
      "SELECT `m`.`a``b` AS v FROM `main`.`centrum`.`experiment_macro_data` AS m WHERE m.experiment_id = :p1",
    );
  });

  it("qualifies tables with the configured catalog and schema", () => {
    expect(dialect.tableName("experiment_macros")).toBe("`main`.`centrum`.`experiment_macros`");
    const odd = new DatabricksDialect({ catalog: "prod`cat", schema: "centrum v2" });
    expect(odd.tableName("experiment_annotations")).toBe("`prod``cat`.`centrum v2`.`experiment_annotations`");
  });

  it("writes string literals that cannot be ended early", () => {
    expect(dialect.quoteString("plain")).toBe("'plain'");
    expect(dialect.quoteString("'; drop table x; --")).toBe("'\\u0027; drop table x; --'");
    expect(dialect.quoteString("back\\slash")).toBe("'back\\\\slash'");
    expect(dialect.quoteString("line\nbreak\r\ttab")).toBe("'line\\nbreak\\r\\ttab'");
    expect(dialect.quoteString("nul\u0000 bell\u0007")).toBe("'nul\\u0000 bell\\u0007'");
    expect(dialect.quoteString('"quoted"')).toBe("'\"quoted\"'");
    expect(dialect.quoteString("µmol/m²·s Φ₂ 😀")).toBe("'µmol/m²·s Φ₂ 😀'");
    expect(dialect.quoteString("")).toBe("''");
  });

  it("round-trips any string through Databricks' unescaping, and always parses", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const lit = dialect.quoteString(s);
        expect(lit.slice(1, -1)).not.toContain("'");
        expect(sparkUnescape(lit.slice(1, -1))).toBe(s);
        assertDatabricksSyntax(`SELECT ${lit} AS v`);
      }),
      { numRuns: 300 },
    );
  });
});

describe("Databricks dialect: parameters", () => {
  it("uses :name markers, casting timestamps and dates", () => {
    const since = new Date("2026-01-02T03:04:05.123Z");
    const statement = sql`SELECT * FROM ${table("experiment_raw_data")} WHERE id = ${12345678901234567890n} AND device_id = ${"d"} AND timestamp >= ${since} AND date = ${param("2026-01-02", "date")} AND x > ${1.5} AND ok = ${true}`;
    const { text, params } = render(statement, dialect);
    expect(text).toBe(
      "SELECT * FROM `main`.`centrum`.`experiment_raw_data` WHERE id = :p1 AND device_id = :p2 AND timestamp >= CAST(:p3 AS TIMESTAMP) AND date = CAST(:p4 AS DATE) AND x > :p5 AND ok = :p6",
    );
    expect(params.map((p) => p.type)).toEqual(["bigint", "string", "timestamp", "date", "double", "boolean"]);
    expect(assertDatabricksSyntax(text)).toEqual([":p1", ":p2", ":p3", ":p4", ":p5", ":p6"]);
  });

  it("casts NULL values to their type (the driver sends a NULL untyped, as VOID)", () => {
    const statement = sql`SELECT coalesce(${param(null, "string")}, 'x') AS a, ${param(null, "bigint")} AS b, ${param(null, "int")} AS c, ${param(null, "double")} AS d, ${param(null, "boolean")} AS e, ${param(null, "timestamp")} AS f, ${"set"} AS g`;
    const { text } = render(statement, dialect);
    expect(text).toBe(
      "SELECT coalesce(CAST(:p1 AS STRING), 'x') AS a, CAST(:p2 AS BIGINT) AS b, CAST(:p3 AS INT) AS c, CAST(:p4 AS DOUBLE) AS d, CAST(:p5 AS BOOLEAN) AS e, CAST(:p6 AS TIMESTAMP) AS f, :p7 AS g",
    );
    expect(assertDatabricksSyntax(text)).toEqual([":p1", ":p2", ":p3", ":p4", ":p5", ":p6", ":p7"]);
  });
});

describe("Databricks dialect: VARIANT access", () => {
  const cases: Array<[string, VariantPath, string]> = [
    ["a plain key", ["Phi2"], `'$["Phi2"]'`],
    ["spaces and parentheses", ["Light Intensity (PAR)"], `'$["Light Intensity (PAR)"]'`],
    ["a backtick", ["a`b"], `'$["a\`b"]'`],
    ["a dot", ["x.y"], `'$["x.y"]'`],
    ["a single quote", ["'; drop table"], `'$["\\u0027; drop table"]'`],
    ["double quotes", ['"quoted"'], `'$[\\u0027"quoted"\\u0027]'`],
    ["a backslash", ["a\\b"], `'$["a\\\\b"]'`],
    ["a newline", ["a\nb"], `'$["a\\nb"]'`],
    ["unicode", ["Φ₂ µmol/m²"], `'$["Φ₂ µmol/m²"]'`],
    ["both quotes", [`it's "x"`], `'$.it\\u0027s "x"'`],
    ["nested keys", ["messages", "info"], `'$["messages"]["info"]'`],
  ];

  it.each(cases)("try_variant_get with %s", (_, path, pathLiteral) => {
    const text = exprText(dialect.variantGet(OUTPUT, path, "double"));
    expect(text).toBe(`try_variant_get(\`m\`.\`macro_output\`, ${pathLiteral}, 'double')`);
    expect(keysOf(text)).toEqual([...path]);
    selectText(dialect.variantGet(OUTPUT, path, "double"));
  });

  it("looks up keys no JSON path can spell through a MAP", () => {
    expect(variantPathSegment("a.b?")).toBeUndefined();
    expect(variantPathSegment("")).toBeUndefined();
    const text = exprText(dialect.variantGet(OUTPUT, ["data", "a.b?", "v"], "bigint"));
    expect(text).toBe(
      "try_variant_get(try_element_at(try_variant_get(`m`.`macro_output`, '$[\"data\"]', 'map<string, variant>'), 'a.b?'), '$[\"v\"]', 'bigint')",
    );
    expect(keysOf(text)).toEqual(["data", "a.b?", "v"]);
    expect(keysOf(exprText(dialect.variantGet(OUTPUT, [""], "string")))).toEqual([""]);
    selectText(dialect.variantGet(OUTPUT, ["data", "a.b?", ""], "string"));
  });

  it("casts lists and every scalar type with try semantics", () => {
    expect(exprText(dialect.variantGet(OUTPUT, ["trace"], { list: "double" }))).toBe(
      "try_variant_get(`m`.`macro_output`, '$[\"trace\"]', 'array<double>')",
    );
    for (const type of ["boolean", "bigint", "double", "string", "date", "timestamp"] as const) {
      expect(exprText(dialect.variantGet(OUTPUT, ["k"], type))).toBe(
        `try_variant_get(\`m\`.\`macro_output\`, '$["k"]', '${type}')`,
      );
    }
  });

  it("reads a Decimal as DECIMAL(38, s) and then as text, compares it with a bound text cast to DECIMAL(38, s), and the warehouse accepts it", () => {
    const value = dialect.variantDecimal(OUTPUT, ["Light Intensity (PAR)"], 10);
    expect(exprText(value)).toBe(
      "try_variant_get(`m`.`macro_output`, '$[\"Light Intensity (PAR)\"]', 'decimal(38,10)')",
    );
    expect(exprText(dialect.variantGet(OUTPUT, ["a"], { decimal: 3 }))).toBe(
      "CAST(try_variant_get(`m`.`macro_output`, '$[\"a\"]', 'decimal(38,3)') AS STRING)",
    );
    expect(exprText(dialect.variantGet(OUTPUT, ["a"], { list: { decimal: 2 } }))).toBe(
      "CAST(try_variant_get(`m`.`macro_output`, '$[\"a\"]', 'array<decimal(38,2)>') AS ARRAY<STRING>)",
    );
    const bound = dialect.decimal(sql`${param("12345678901234567890.123456789", "decimal")}`, 10);
    const statement = sql`SELECT ${dialect.decimalText(value)} AS v, ${dialect.decimalText(sql`max(${value})`)} AS top
      FROM ${table("experiment_macro_data")} AS m WHERE ${value} >= ${bound}
      GROUP BY v ORDER BY ${dialect.decimal(ident("v"), 10)} ASC NULLS LAST`;
    const { text, params } = render(statement, dialect);
    expect(text).toContain("try_cast(:p1 AS DECIMAL(38,10))");
    expect(params).toEqual([{ name: "p1", value: "12345678901234567890.123456789", type: "decimal" }]);
    expect(assertDatabricksSyntax(text)).toEqual([":p1"]);
    expectWarehouseAccepts(text, params);
  });

  it("reads any path of any keys back exactly, and the statement parses", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary", maxLength: 12 }), { maxLength: 4 }), (path) => {
        const expr = dialect.variantGet(OUTPUT, path, "double");
        expect(keysOf(exprText(expr))).toEqual(path);
        selectText(expr);
      }),
      { numRuns: 300 },
    );
  });

  it("renders JSON text with to_json", () => {
    expect(exprText(dialect.variantJson(OUTPUT, []))).toBe("to_json(`m`.`macro_output`)");
    expect(exprText(dialect.variantJson(OUTPUT, ["messages"]))).toBe(
      "to_json(try_variant_get(`m`.`macro_output`, '$[\"messages\"]', 'variant'))",
    );
    expect(exprText(dialect.variantJson(OUTPUT, ["a.b?"]))).toBe(
      "to_json(try_element_at(try_variant_get(`m`.`macro_output`, '$', 'map<string, variant>'), 'a.b?'))",
    );
    selectText(dialect.variantJson(OUTPUT, ["x.y", "'; drop table"]));
  });
});

describe("Databricks dialect: functions", () => {
  it("buckets time in a zone bound as a parameter", () => {
    const { text, params } = render(
      dialect.timeBucket("hour", ident("m", "timestamp"), "Europe/Amsterdam"),
      dialect,
    );
    expect(text).toBe("date_trunc('HOUR', from_utc_timestamp(`m`.`timestamp`, :p1))");
    expect(params).toEqual([{ name: "p1", value: "Europe/Amsterdam", type: "string" }]);
    for (const unit of ["minute", "hour", "day", "week", "month", "year"] as const) {
      selectText(dialect.timeBucket(unit, ident("m", "timestamp"), "UTC"));
    }
  });

  it("renders startswith, contains and exists", () => {
    expect(exprText(dialect.startsWith(ident("m", "device_id"), sql`${"MPF"}`))).toBe(
      "startswith(`m`.`device_id`, :p1)",
    );
    expect(exprText(dialect.contains(ident("m", "device_name"), sql`${"leaf"}`))).toBe(
      "contains(`m`.`device_name`, :p1)",
    );
    const any = dialect.listAny(ident("m", "questions"), (el) => sql`${el}.question_label = ${"plot"}`);
    expect(exprText(any)).toBe("exists(`m`.`questions`, el -> el.question_label = :p1)");
    selectText(any);
  });

  it("renders a realistic page statement that parses", () => {
    const page = sql`SELECT m.id, m.timestamp, ${dialect.variantGet(OUTPUT, ["Phi2"], "double")} AS phi2,
  ${dialect.variantJson(OUTPUT, ["messages"])} AS messages, count(*) OVER () AS total_count
FROM ${table("enriched_experiment_macro_data")} AS m
WHERE m.experiment_id = ${"exp-1"} AND m.macro_filename = ${"photosynthesis"}
  AND (m.timestamp, m.id) < (${param("2026-01-02T03:04:05.123456Z", "timestamp")}, ${123n})
  AND ${dialect.startsWith(ident("m", "device_id"), sql`${"MPF"}`)}
  AND m.id IN (${1n}, ${2n})
ORDER BY m.timestamp DESC, m.id DESC
LIMIT ${51}`;
    const { text, params } = render(page, dialect);
    expect(assertDatabricksSyntax(text)).toEqual(params.map((p) => `:${p.name}`));
  });
});
