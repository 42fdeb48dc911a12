/**
 * Parses the text of Databricks `schema_of_variant_agg` (the `output_schema` column) into the type model.
 * The inverse of `printVariantSchema`, but lenient where Databricks output may vary: keywords in any case,
 * whitespace anywhere between tokens, unquoted keys with any character that cannot end a key.
 * Offsets in errors are UTF-16 code-unit indexes into the input (what `String.prototype.slice` takes).
 */
import { PRIMITIVE_KINDS, type VariantField, type VariantType } from "./variant-type.js";

/** Deeper nesting is rejected: no real macro output needs it, and recursion must not overflow the stack. */
export const MAX_VARIANT_SCHEMA_DEPTH = 64;
export const MAX_DECIMAL_PRECISION = 38;

export class VariantSchemaParseError extends Error {
  override readonly name = "VariantSchemaParseError";
  /** Where the input stopped making sense (UTF-16 code units from the start). */
  readonly offset: number;
  /** What the parser would have accepted at `offset`. */
  readonly expected: string;

  constructor(offset: number, expected: string, found: string) {
    super(`Invalid VARIANT schema at offset ${offset}: expected ${expected}, found ${found}`);
    this.offset = offset;
    this.expected = expected;
  }
}

/** Keyword → the (immutable, so shared) type it denotes. */
const PRIMITIVES: ReadonlyMap<string, VariantType> = new Map(
  PRIMITIVE_KINDS.map((kind) => [kind.toUpperCase(), Object.freeze({ kind })]),
);

const EXPECTED_TYPE =
  "a type (BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p,s), STRING, DATE, TIMESTAMP, " +
  "TIMESTAMP_NTZ, BINARY, VOID, VARIANT, ARRAY<…> or OBJECT<…>)";
const EXPECTED_KEY = "an OBJECT key (a plain name or a `backtick-quoted` name)";

// Sticky patterns scan a whole token from `lastIndex` in one step.
const WHITESPACE = /\s*/y;
const DIGITS = /[0-9]*/y;
const SPACE = 32;
/** An unquoted key ends at whitespace, `:`, `,`, `<`, `>` or a backtick; anything else Databricks prints bare is kept. */
const UNQUOTED_KEY = /[^\s:,<>`]*/y;

export function parseVariantSchema(text: string): VariantType {
  const reader = new SchemaReader(text);
  reader.skipWhitespace();
  const type = reader.readType(0);
  reader.skipWhitespace();
  reader.expectEnd();
  return type;
}

class SchemaReader {
  private pos = 0;

  constructor(private readonly text: string) {}

  skipWhitespace(): void {
    // Fast path for the single space Databricks prints; the pattern handles every other whitespace.
    const next = this.text.charCodeAt(this.pos + 1);
    if (this.text.charCodeAt(this.pos) === SPACE && next > SPACE && next < 128) this.pos++;
    else this.scan(WHITESPACE);
  }

  /** Advances past the match of a sticky pattern at the current position (possibly empty) and returns it. */
  private scan(pattern: RegExp): string {
    pattern.lastIndex = this.pos;
    const match = pattern.exec(this.text)?.[0] ?? "";
    this.pos += match.length;
    return match;
  }

  expectEnd(): void {
    if (this.pos < this.text.length) throw this.error(this.pos, "end of input");
  }

  readType(depth: number): VariantType {
    const start = this.pos;
    const word = this.readWord().toUpperCase();
    if (word === "") throw this.error(start, EXPECTED_TYPE);
    const primitive = PRIMITIVES.get(word);
    if (primitive !== undefined) return primitive;
    switch (word) {
      case "DECIMAL":
        return this.readDecimalParameters();
      case "ARRAY": {
        this.enter(start, depth);
        this.skipWhitespace();
        this.expect("<", "'<' after ARRAY");
        this.skipWhitespace();
        const element = this.readType(depth + 1);
        this.skipWhitespace();
        this.expect(">", "'>' closing ARRAY<…>");
        return { kind: "array", element };
      }
      case "OBJECT":
        this.enter(start, depth);
        return this.readObjectBody(depth + 1);
      default:
        throw this.error(start, EXPECTED_TYPE);
    }
  }

  private enter(start: number, depth: number): void {
    if (depth >= MAX_VARIANT_SCHEMA_DEPTH) {
      throw this.error(start, `at most ${MAX_VARIANT_SCHEMA_DEPTH} levels of ARRAY/OBJECT nesting`);
    }
  }

  private readDecimalParameters(): VariantType {
    this.skipWhitespace();
    this.expect("(", "'(' after DECIMAL");
    this.skipWhitespace();
    const precisionAt = this.pos;
    const precision = this.readInteger("the DECIMAL precision (1-38)");
    if (precision < 1 || precision > MAX_DECIMAL_PRECISION) {
      throw this.error(precisionAt, `a DECIMAL precision from 1 to ${MAX_DECIMAL_PRECISION}`);
    }
    this.skipWhitespace();
    this.expect(",", "',' between DECIMAL precision and scale");
    this.skipWhitespace();
    const scaleAt = this.pos;
    const scale = this.readInteger("the DECIMAL scale");
    if (scale > precision) throw this.error(scaleAt, `a DECIMAL scale from 0 to the precision ${precision}`);
    this.skipWhitespace();
    this.expect(")", "')' closing DECIMAL(p,s)");
    return { kind: "decimal", precision, scale };
  }

  private readObjectBody(depth: number): VariantType {
    this.skipWhitespace();
    this.expect("<", "'<' after OBJECT");
    this.skipWhitespace();
    const fields: VariantField[] = [];
    if (this.peek() === ">") {
      this.pos++;
      return { kind: "object", fields };
    }
    const seen = new Set<string>();
    for (;;) {
      const keyAt = this.pos;
      const key = this.readKey();
      // A repeated key would make the VARIANT path ambiguous; Databricks never prints one.
      if (seen.has(key)) throw this.error(keyAt, "a key that is not already in this OBJECT");
      seen.add(key);
      this.skipWhitespace();
      this.expect(":", "':' after an OBJECT key");
      this.skipWhitespace();
      fields.push({ key, type: this.readType(depth) });
      this.skipWhitespace();
      if (this.peek() === ",") {
        this.pos++;
        this.skipWhitespace();
        continue;
      }
      this.expect(">", "',' or '>' after an OBJECT field");
      return { kind: "object", fields };
    }
  }

  private readKey(): string {
    const start = this.pos;
    if (this.peek() === "`") return this.readQuotedKey(start);
    const key = this.scan(UNQUOTED_KEY);
    if (key === "") throw this.error(start, EXPECTED_KEY);
    return key;
  }

  /** `` `a``b` `` is the key a`b: a doubled backtick inside the quotes is one backtick. */
  private readQuotedKey(start: number): string {
    let key = "";
    let from = start + 1;
    for (;;) {
      const close = this.text.indexOf("`", from);
      if (close < 0) {
        this.pos = this.text.length;
        throw this.error(this.text.length, `a closing backtick for the key opened at offset ${start}`);
      }
      key += this.text.slice(from, close);
      if (this.text[close + 1] === "`") {
        key += "`";
        from = close + 2;
        continue;
      }
      this.pos = close + 1;
      return key;
    }
  }

  private readWord(): string {
    const start = this.pos;
    let code = this.text.charCodeAt(this.pos);
    if (!isWordStart(code)) return "";
    do code = this.text.charCodeAt(++this.pos);
    while (isWordStart(code) || (code >= 48 && code <= 57));
    return this.text.slice(start, this.pos);
  }

  private readInteger(expected: string): number {
    const start = this.pos;
    const digits = this.scan(DIGITS);
    if (digits === "") throw this.error(start, expected);
    // Anything longer is out of range anyway; the caller's range check reports it.
    return digits.length > 3 ? Number.POSITIVE_INFINITY : Number.parseInt(digits, 10);
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private expect(token: string, expected: string): void {
    if (this.peek() !== token) throw this.error(this.pos, expected);
    this.pos++;
  }

  private error(offset: number, expected: string): VariantSchemaParseError {
    return new VariantSchemaParseError(offset, expected, describeInputAt(this.text, offset));
  }
}

function describeInputAt(text: string, offset: number): string {
  if (offset >= text.length) return "end of input";
  const snippet = text.slice(offset, offset + 16);
  return JSON.stringify(snippet) + (offset + 16 < text.length ? "…" : "");
}

/** [A-Za-z_] */
function isWordStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}
