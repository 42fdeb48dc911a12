/**
 * Positions in an experiment's stream of new rows, and the opaque cursors that carry them to clients.
 *
 * A position is `(pos, file, id)`: `pos` the row's commit position (`Dialect.commitPosition`), then the row key —
 * the macro filename (`""` for samples) and the 64-bit row id. Positions are unique and totally ordered in commit
 * order, so "every row after this cursor" loses nothing written by concurrent writers and has no ties. A position
 * with `file`/`id` null stands for the end of its commit (after every row at `pos`): a stream's head.
 */
import { parseInt64 } from "../../lakehouse/int64.js";
import { BadUserInputError } from "../errors.js";

export type StreamKind = "measurements" | "samples";

export interface StreamPosition {
  readonly pos: bigint;
  readonly file: string | null;
  readonly id: bigint | null;
}

/** Before every row. */
export const STREAM_START: StreamPosition = { pos: -1n, file: null, id: null };

/** The end of the commit at `pos` (or the start, when the stream has no rows yet). */
export function headPosition(pos: bigint | null): StreamPosition {
  return pos === null ? STREAM_START : { pos, file: null, id: null };
}

/** Orders positions: commit position, then file, then id; a null file/id is after every row of its commit. */
export function comparePositions(a: StreamPosition, b: StreamPosition): number {
  if (a.pos !== b.pos) return a.pos < b.pos ? -1 : 1;
  if (a.file === null || b.file === null) return a.file === b.file ? 0 : a.file === null ? 1 : -1;
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.id === null || b.id === null) return a.id === b.id ? 0 : a.id === null ? 1 : -1;
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1;
}

export function minPosition(a: StreamPosition, b: StreamPosition): StreamPosition {
  return comparePositions(a, b) <= 0 ? a : b;
}

export function maxPosition(a: StreamPosition, b: StreamPosition): StreamPosition {
  return comparePositions(a, b) >= 0 ? a : b;
}

/** A position as JSON (it crosses processes): `[pos, file, id]` with bigints as strings. */
export type EncodedPosition = readonly [string, string | null, string | null];

export function encodePosition(p: StreamPosition): EncodedPosition {
  return [p.pos.toString(), p.file, p.id === null ? null : p.id.toString()];
}

export function decodePosition(p: EncodedPosition): StreamPosition {
  return { pos: BigInt(p[0]), file: p[1], id: p[2] === null ? null : BigInt(p[2]) };
}

export function earlierEncoded(a: EncodedPosition, b: EncodedPosition): EncodedPosition {
  return comparePositions(decodePosition(a), decodePosition(b)) <= 0 ? a : b;
}

const VERSION = 1;
const KIND_TAGS: Record<StreamKind, string> = { measurements: "m", samples: "s" };

/** The cursor a client resumes from: bound to one experiment's stream of one kind. */
export function encodeStreamCursor(kind: StreamKind, experimentId: string, position: StreamPosition): string {
  const json = JSON.stringify({
    v: VERSION,
    k: KIND_TAGS[kind],
    e: experimentId,
    p: position.pos.toString(),
    f: position.file,
    i: position.id === null ? null : position.id.toString(),
  });
  return Buffer.from(json, "utf8").toString("base64url");
}

/** Decodes and validates a cursor of `kind` for `experimentId`; anything else is BAD_USER_INPUT. */
export function decodeStreamCursor(kind: StreamKind, experimentId: string, cursor: string): StreamPosition {
  const malformed = () =>
    new BadUserInputError(
      "The cursor is malformed. Resume with a cursor this subscription delivered (or leave `after` out).",
      { argument: "after" },
    );
  let parsed: Record<string, unknown>;
  try {
    if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error("alphabet");
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (parsed === null || typeof parsed !== "object") throw new Error("shape");
  } catch {
    throw malformed();
  }
  if (parsed.v !== VERSION || typeof parsed.p !== "string") throw malformed();
  if (parsed.k !== KIND_TAGS[kind] || parsed.e !== experimentId) {
    throw new BadUserInputError(
      `The cursor belongs to another stream: resume with a cursor of this experiment's ${kind}.`,
      { argument: "after" },
    );
  }
  const pos = parseInt64(parsed.p);
  const file = parsed.f;
  const id = parsed.i === null ? null : typeof parsed.i === "string" ? parseInt64(parsed.i) : undefined;
  if (pos === null || id === undefined || (file !== null && typeof file !== "string")) throw malformed();
  if ((file === null) !== (id === null)) throw malformed();
  if (id === null && parsed.i !== null) throw malformed();
  return { pos, file: file as string | null, id };
}
