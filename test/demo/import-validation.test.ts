import { describe, expect, it } from "vitest";
import { JsonSyntaxError, scanJsonObject } from "../../lakehouse/import/json-object-scanner.js";
import { parseTimestampMicros, RowValidator } from "../../lakehouse/import/validate-rows.js";

describe("scanJsonObject", () => {
  it("returns each top-level value's source text, so big integers keep every digit", () => {
    const fields = scanJsonObject(
      ' { "id" : 9223372036854775807, "o": {"a": [1, 2.5e3, {"b": null}], "n": 18446744073709551615}, "s": "x\\"y" } ',
    );
    expect([...fields.keys()]).toEqual(["id", "o", "s"]);
    expect(fields.get("id")).toBe("9223372036854775807");
    expect(fields.get("o")).toBe('{"a": [1, 2.5e3, {"b": null}], "n": 18446744073709551615}');
    expect(fields.get("s")).toBe('"x\\"y"');
  });

  it.each([
    ['{"a": 1,}', 9],
    ['{"a": 01}', 8],
    ['{"a": [1 2]}', 10],
    ['{"a": "tab\there"}', 7],
    ['{"a": 1} x', 10],
    ["[1]", 1],
    ['{"a": 1, "a": 2}', 10],
    ['{"a": tru}', 7],
  ])("rejects %s with a column", (text, column) => {
    expect(() => scanJsonObject(text)).toThrow(JsonSyntaxError);
    try {
      scanJsonObject(text);
    } catch (error) {
      expect((error as JsonSyntaxError).column).toBe(column);
    }
  });
});

describe("parseTimestampMicros", () => {
  it.each([
    ["2026-02-03T09:15:42.123456Z", Date.UTC(2026, 1, 3, 9, 15, 42) * 1000 + 123456],
    ["2026-02-03 09:15:42", Date.UTC(2026, 1, 3, 9, 15, 42) * 1000],
    ["2026-02-03T11:15:42+02:00", Date.UTC(2026, 1, 3, 9, 15, 42) * 1000],
    ["2026-02-03 09:15:42.5+00", Date.UTC(2026, 1, 3, 9, 15, 42) * 1000 + 500000],
    ["2026-02-03", Date.UTC(2026, 1, 3) * 1000],
  ])("parses %s", (text, micros) => {
    expect(parseTimestampMicros(text)).toBe(BigInt(micros));
  });

  it.each(["2026-02-30", "2026-13-01T00:00:00Z", "yesterday", "2026-02-03T25:00:00Z", ""])(
    "rejects %s",
    (text) => {
      expect(parseTimestampMicros(text)).toBeNull();
    },
  );
});

describe("RowValidator", () => {
  const macro = (extra: Record<string, unknown> = {}, id = "9007199254740993") =>
    JSON.stringify({
      experiment_id: "e1",
      macro_name: "M",
      macro_filename: "macro_m",
      timestamp: "2026-01-01T00:00:00Z",
      macro_output: { x: 1 },
      ...extra,
    }).replace("{", `{"id":${id},`);

  it("keeps ids exact and outputs as written", () => {
    const v = new RowValidator();
    v.addLine(
      macro({ macro_output: { big: 1 } }, "9223372036854775807").replace(
        '{"big":1}',
        '{"big":12345678901234567890}',
      ),
      1,
    );
    v.addLine(macro({}, '"-42"'), 2);
    expect(v.problems).toEqual([]);
    expect(v.kind).toBe("macro");
    expect(v.macroRows.map((r) => r.id)).toEqual([9223372036854775807n, -42n]);
    expect(v.macroRows[0]!.outputJson).toBe('{"big":12345678901234567890}');
    expect(v.macroRows[0]!.macroId).toBe("macro_m");
  });

  it("reports every problem of a row with its line and field", () => {
    const v = new RowValidator();
    v.addLine(macro(), 1);
    v.addLine("", 2);
    v.addLine(macro({ timestamp: "soon", macro_output: [1] }, "1.5"), 3);
    v.addLine(macro({ macro_output: null }), 4);
    v.addLine(macro({ macro_output: null, macro_error: "boom" }, "7"), 5);
    v.addLine(macro({ device_id: "other" }), 6);
    expect(v.problems).toEqual([
      { line: 3, field: "id", message: "id must be a 64-bit integer (got 1.5)" },
      { line: 3, field: "timestamp", message: expect.stringContaining("ISO 8601") },
      { line: 3, field: "macro_output", message: "macro_output must be a JSON object (got [1])" },
      {
        line: 4,
        field: "macro_output",
        message: "macro_output is required (an object) unless macro_error is set",
      },
      { line: 6, field: "id", message: "duplicate row: same key as line 1" },
    ]);
    expect(v.macroRows.map((r) => r.id)).toEqual([9007199254740993n, 7n]);
  });

  it("fills and checks the experiment from --experiment", () => {
    const v = new RowValidator({ experimentId: "e1" });
    const row = JSON.parse(macro({}, "1")) as Record<string, unknown>;
    delete row.experiment_id;
    v.addLine(JSON.stringify(row), 1);
    v.addLine(macro({ experiment_id: "e2" }, "2"), 2);
    expect(v.macroRows.map((r) => r.experimentId)).toEqual(["e1"]);
    expect(v.problems).toEqual([
      { line: 2, field: "experiment_id", message: expect.stringContaining('"e2"') },
    ]);
  });

  it("rejects ids outside the 64-bit range", () => {
    const v = new RowValidator();
    v.addLine(macro({}, "9223372036854775808"), 1);
    expect(v.problems[0]).toMatchObject({
      line: 1,
      field: "id",
      message: expect.stringContaining("64-bit range"),
    });
  });
});
