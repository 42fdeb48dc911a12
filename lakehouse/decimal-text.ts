/**
 * Exact decimals as text: `Decimal` values (DECIMAL(p,s) with p > 15) never pass through a JS `number`. The
 * lakehouses read them as DECIMAL(38, s) and print them as text fixed to s digits (`1.5000000000`); inputs are
 * checked here and bound as text that the dialect casts to DECIMAL(38, s).
 */
import { DECIMAL_PRECISION } from "./dialect.js";

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;

export interface DecimalText {
  /** Canonical: no `+`, no leading zeros (but one before the point), no trailing fraction zeros, no `-0`. */
  readonly text: string;
  /** Digits before the point (0 for `0.5`). */
  readonly integerDigits: number;
  /** Digits after the point. */
  readonly scale: number;
}

/** The canonical form of a plain decimal (`-12.50`, `+3`, `.5`, `7.`), or null for anything else (exponents too). */
export function parseDecimalText(input: string): DecimalText | null {
  const match = DECIMAL_TEXT.exec(input);
  if (!match) return null;
  const [, sign, rawInteger = "", rawFraction = ""] = match;
  if (rawInteger === "" && rawFraction === "") return null;
  const integer = rawInteger.replace(/^0+/, "");
  const fraction = rawFraction.replace(/0+$/, "");
  const zero = integer === "" && fraction === "";
  const text = `${sign === "-" && !zero ? "-" : ""}${integer || "0"}${fraction ? `.${fraction}` : ""}`;
  return { text, integerDigits: integer.length, scale: fraction.length };
}

/** Whether a decimal fits DECIMAL(38, `scale`) exactly: no digit would be rounded away, none overflow. */
export function fitsDecimal(value: DecimalText, scale: number): boolean {
  return value.scale <= scale && value.integerDigits <= DECIMAL_PRECISION - scale;
}
