/**
 * Typed answers of rows read whole (a sample's measurements, streamed rows) come from the question text in JS
 * (`resolvers/values/answer-values.ts`): the same values the SQL casts give a page (checked there against DuckDB in
 * `typed-answers.test.ts`), for each type.
 */
import { describe, expect, it } from "vitest";
import type { ModelFieldType } from "../../codegen/macro-type-model.js";
import { answerFromText, answerText } from "../../resolvers/values/answer-values.js";

const scalar = (
  s: "Int" | "BigInt" | "Float" | "Boolean" | "String" | "Date" | "DateTime",
): ModelFieldType => ({
  kind: "scalar",
  scalar: s,
});
const decimal: ModelFieldType = { kind: "scalar", scalar: "Decimal", decimal: { precision: 20, scale: 2 } };

describe("answers read from their text", () => {
  it("reads integers, numbers, decimals, booleans, dates and date-times; null where the text does not fit", () => {
    const cases: [ModelFieldType, string, unknown][] = [
      [scalar("Int"), "3", 3],
      [scalar("Int"), "-1", -1],
      [scalar("Int"), "2.5", null],
      [scalar("Int"), "1e3", null],
      [scalar("Int"), "n/a", null],
      [scalar("Int"), "9999999999", null],
      [scalar("BigInt"), "9223372036854775807", 9223372036854775807n],
      [scalar("BigInt"), "9223372036854775808", null],
      [scalar("Float"), "12.5", 12.5],
      [scalar("Float"), "1e3", 1000],
      [scalar("Float"), "abc", null],
      [decimal, "12.345", "12.35"],
      [decimal, "-0.004", "0.00"],
      [decimal, "7", "7.00"],
      [decimal, "x", null],
      [scalar("Boolean"), "yes", true],
      [scalar("Boolean"), "FALSE", false],
      [scalar("Boolean"), "maybe", null],
      [scalar("Boolean"), "1", null],
      [scalar("String"), " as written ", " as written "],
      [scalar("Date"), "2026-01-15", "2026-01-15"],
      [scalar("Date"), "2026-02-30", null],
      [scalar("DateTime"), "2026-01-02T03:04:05.123456Z", "2026-01-02T03:04:05.123456Z"],
      [scalar("DateTime"), "yesterday", null],
    ];
    for (const [type, text, want] of cases) expect([text, answerFromText(type, text)]).toEqual([text, want]);
    expect(answerFromText(scalar("Int"), null)).toBeNull();
  });

  it("finds the first answer to a label in a row's questions", () => {
    const questions = [
      { question_label: "plot", question_answer: "A" },
      { question_label: "plot", question_answer: "B" },
      { question_label: "none", question_answer: null },
    ];
    expect(answerText(questions, "plot")).toBe("A");
    expect(answerText(questions, "none")).toBeNull();
    expect(answerText(questions, "missing")).toBeNull();
    expect(answerText(null, "plot")).toBeNull();
  });
});
