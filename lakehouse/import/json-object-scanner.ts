/**
 * Reads one JSON object (an NDJSON line) without `JSON.parse` losing precision: it validates the whole text as
 * JSON and returns every top-level key with the exact SOURCE TEXT of its value. An `id` written as a bare
 * number above 2^53 stays its digits; a `macro_output` object stays its text and goes to DuckDB as is, so no
 * number inside it is rounded by a JS `number` either. (Node 20's `JSON.parse` has no source-text access.)
 */

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    /** 1-based column of the problem. */
    readonly column: number,
  ) {
    super(`${message} at column ${column}`);
  }
}

const WS = /[ \t\n\r]*/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings must not contain raw control characters.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const MAX_DEPTH = 512;

function skipWs(text: string, pos: number): number {
  WS.lastIndex = pos;
  WS.test(text);
  return WS.lastIndex;
}

function match(re: RegExp, text: string, pos: number): number {
  re.lastIndex = pos;
  return re.test(text) ? re.lastIndex : -1;
}

function fail(message: string, pos: number): never {
  throw new JsonSyntaxError(message, pos + 1);
}

/** Returns the end (exclusive) of the JSON value starting at `pos` (no leading whitespace). */
function skipValue(text: string, pos: number, depth: number): number {
  if (depth > MAX_DEPTH) fail("nesting too deep", pos);
  const ch = text[pos];
  if (ch === '"') {
    const end = match(STRING, text, pos);
    if (end < 0) fail("invalid string", pos);
    return end;
  }
  if (ch === "{" || ch === "[") {
    const close = ch === "{" ? "}" : "]";
    let p = skipWs(text, pos + 1);
    if (text[p] === close) return p + 1;
    for (;;) {
      if (ch === "{") {
        if (text[p] !== '"') fail("expected a key", p);
        const keyEnd = match(STRING, text, p);
        if (keyEnd < 0) fail("invalid key", p);
        p = skipWs(text, keyEnd);
        if (text[p] !== ":") fail("expected ':'", p);
        p = skipWs(text, p + 1);
      }
      p = skipWs(text, skipValue(text, p, depth + 1));
      if (text[p] === ",") {
        p = skipWs(text, p + 1);
        continue;
      }
      if (text[p] === close) return p + 1;
      fail(`expected ',' or '${close}'`, p);
    }
  }
  for (const literal of ["true", "false", "null"]) {
    if (text.startsWith(literal, pos)) return pos + literal.length;
  }
  const end = match(NUMBER, text, pos);
  if (end < 0) fail(pos >= text.length ? "unexpected end of input" : `unexpected '${text[pos]}'`, pos);
  return end;
}

/**
 * Validates `text` as one JSON object and returns its top-level keys → the source text of each value.
 * Throws `JsonSyntaxError` (with a column) for invalid JSON, a non-object, or a repeated key.
 */
export function scanJsonObject(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let p = skipWs(text, 0);
  if (text[p] !== "{") fail("expected a JSON object", p);
  p = skipWs(text, p + 1);
  if (text[p] === "}") {
    p = skipWs(text, p + 1);
    if (p !== text.length) fail("unexpected text after the object", p);
    return fields;
  }
  for (;;) {
    if (text[p] !== '"') fail("expected a key", p);
    const keyEnd = match(STRING, text, p);
    if (keyEnd < 0) fail("invalid key", p);
    const key = JSON.parse(text.slice(p, keyEnd)) as string;
    if (fields.has(key)) fail(`repeated key "${key}"`, p);
    p = skipWs(text, keyEnd);
    if (text[p] !== ":") fail("expected ':'", p);
    p = skipWs(text, p + 1);
    const valueEnd = skipValue(text, p, 1);
    fields.set(key, text.slice(p, valueEnd));
    p = skipWs(text, valueEnd);
    if (text[p] === ",") {
      p = skipWs(text, p + 1);
      continue;
    }
    if (text[p] === "}") break;
    fail("expected ',' or '}'", p);
  }
  p = skipWs(text, p + 1);
  if (p !== text.length) fail("unexpected text after the object", p);
  return fields;
}

/** True when the (validated) JSON value text is an integer literal, e.g. `9007199254740993`. */
export function isIntegerLiteral(raw: string): boolean {
  return /^-?(?:0|[1-9][0-9]*)$/.test(raw);
}
