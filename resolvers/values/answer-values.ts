/**
 * Typed question answers (`<Macro>Answers`): a page projects each selected answer try-cast to its type (column
 * `a<n>`, `compile-measurement-page.ts`). Rows read whole — a sample's measurements, streamed measurements — carry
 * only the `questions` list, whose answers are text; there the answer is read from its text here, with the rules
 * of the SQL casts (plain numbers, `true`/`false` and friends, ISO dates and date-times). Anything that does not fit
 * its type is null for that answer, never an error.
 */
import type { ModelField, ModelFieldType } from "../../codegen/macro-type-model.js";
import { parseDecimalText } from "../../lakehouse/decimal-text.js";
import { DECIMAL_PRECISION } from "../../lakehouse/dialect.js";
import { parseInt64 } from "../../lakehouse/int64.js";
import type { RowValue } from "../../lakehouse/lakehouse.js";
import { preciseTimestamp } from "../../lakehouse/timestamps.js";
import { variantCastOf } from "../../lakehouse/variant-casts.js";
import { coerceValue, parseJson } from "./output-values.js";

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Texts both lakehouses read as booleans from a VARIANT string (not `1`/`0`: DuckDB reads those as no boolean). */
const TRUE_TEXTS = new Set(["true", "t", "yes", "y"]);
const FALSE_TEXTS = new Set(["false", "f", "no", "n"]);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The first answer to `label` in a row's `questions` list (as the SQL reads it), or null. */
export function answerText(questions: unknown, label: string): string | null {
  if (!Array.isArray(questions)) return null;
  for (const q of questions) {
    if (q && typeof q === "object" && (q as { question_label?: unknown }).question_label === label) {
      const answer = (q as { question_answer?: unknown }).question_answer;
      return typeof answer === "string" ? answer : null;
    }
  }
  return null;
}

/** An answer's text as a value of `type` (what `coerceValue` then serializes), or null when it does not fit. */
export function answerFromText(type: ModelFieldType, text: string | null): unknown {
  if (text === null) return null;
  if (type.kind !== "scalar") return null;
  const t = text.trim();
  switch (type.scalar) {
    case "Int":
    case "BigInt": {
      const n = INTEGER.test(t) ? parseInt64(t.replace(/^\+/, "")) : null;
      return n === null ? null : coerceValue(type, n);
    }
    case "Float":
      return NUMBER.test(t) ? coerceValue(type, Number(t)) : null;
    case "Decimal":
      return type.decimal ? roundedDecimal(t, type.decimal.scale) : null;
    case "Boolean": {
      const lower = t.toLowerCase();
      return TRUE_TEXTS.has(lower) ? true : FALSE_TEXTS.has(lower) ? false : null;
    }
    case "String":
      return text;
    case "Date":
      return DATE.test(t) && preciseTimestamp(`${t}T00:00:00Z`) !== null ? t : null;
    case "DateTime":
      return preciseTimestamp(t);
    case "JSON":
      // The text as the SQL reads it: a VARIANT string.
      return text;
  }
}

/** `text` cast to DECIMAL(38, scale) as the lakehouses do (half up), fixed to `scale` digits; null when it overflows. */
function roundedDecimal(text: string, scale: number): string | null {
  const parsed = parseDecimalText(text);
  if (parsed === null) return null;
  const negative = parsed.text.startsWith("-");
  const [integer = "0", fraction = ""] = parsed.text.replace(/^-/, "").split(".");
  let units = BigInt(integer + fraction.padEnd(scale, "0").slice(0, scale));
  if (fraction.length > scale && Number(fraction[scale]) >= 5) units += 1n;
  const digits = units.toString().padStart(scale + 1, "0");
  if (digits.length > DECIMAL_PRECISION) return null;
  const whole = digits.slice(0, digits.length - scale);
  const out = scale > 0 ? `${whole}.${digits.slice(digits.length - scale)}` : whole;
  return negative && units !== 0n ? `-${out}` : out;
}

/**
 * The resolver of a typed answer: its projected column when the page selected it, else its text from the row's
 * `questions` (rows read whole).
 */
export function answerFieldResolver(field: ModelField, alias: string): (parent: unknown) => unknown {
  const type = field.type;
  const label = field.key;
  const json = variantCastOf(type) === "json";
  return (parent) => {
    const row = parent as Record<string, RowValue>;
    if (!(alias in row)) return coerceValue(type, answerFromText(type, answerText(row.questions, label)));
    const raw = row[alias];
    return coerceValue(type, json && typeof raw === "string" ? parseJson(raw) : raw);
  };
}
