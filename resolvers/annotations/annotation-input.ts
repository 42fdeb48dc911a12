/**
 * The inputs of the annotation mutations and their pure validation (openJII's rules): a comment needs text of 1–255
 * characters and no flag type; a flag needs a flag type, its text is optional (≤ 255); row ids are 64-bit integers;
 * a bulk write names 1–1,000 rows. Also the fingerprint of an input, which the idempotency ledger compares.
 */
import { createHash } from "node:crypto";
import { INT64_MAX, INT64_MIN } from "../../lakehouse/int64.js";
import { BadUserInputError } from "../errors.js";

export type AnnotationType = "comment" | "flag";
export type FlagType = "outlier" | "needs_review";

export const MAX_TEXT_LENGTH = 255;
export const MAX_BULK_ROWS = 1000;
export const MAX_CLIENT_MUTATION_ID_LENGTH = 255;

interface Common {
  readonly clientMutationId?: string | null;
  readonly experimentId: string;
}

export interface AddAnnotationInput extends Common {
  readonly table: string;
  readonly rowId: string;
  readonly type: AnnotationType;
  readonly text?: string | null;
  readonly flagType?: FlagType | null;
}

export interface AddAnnotationsInput extends Common {
  readonly table: string;
  readonly rowIds: readonly string[];
  readonly type: AnnotationType;
  readonly text?: string | null;
  readonly flagType?: FlagType | null;
}

export interface UpdateAnnotationInput extends Common {
  readonly id: string;
  /** Absent: unchanged; null: cleared (flags only). */
  readonly text?: string | null;
  /** Absent: unchanged (flags only). */
  readonly flagType?: FlagType | null;
}

export interface DeleteAnnotationInput extends Common {
  readonly id: string;
}

export interface DeleteAnnotationsInput extends Common {
  readonly table: string;
  readonly rowIds: readonly string[];
  /** Only annotations of this type (default: both). */
  readonly type?: AnnotationType | null;
}

export type MutationName =
  | "addAnnotation"
  | "addAnnotations"
  | "updateAnnotation"
  | "deleteAnnotation"
  | "deleteAnnotations";

/** The content of a new annotation, checked: `text` null for a flag without text. */
export interface AnnotationContent {
  readonly type: AnnotationType;
  readonly text: string | null;
  readonly flagType: FlagType | null;
}

export function checkContent(
  type: AnnotationType,
  text: string | null | undefined,
  flagType: FlagType | null | undefined,
): AnnotationContent {
  if (type === "comment") {
    if (flagType != null)
      throw new BadUserInputError("A comment has no `flagType`; use type FLAG to flag a row.", {
        argument: "flagType",
      });
    if (text == null || text.trim() === "")
      throw new BadUserInputError("A comment needs `text`.", { argument: "text" });
    checkTextLength(text);
    return { type, text, flagType: null };
  }
  if (flagType == null)
    throw new BadUserInputError("A flag needs a `flagType` (OUTLIER or NEEDS_REVIEW).", {
      argument: "flagType",
    });
  if (text != null) checkTextLength(text);
  return { type, text: text ?? null, flagType };
}

/** The content after an update of `current` (fields left out stay as they are). */
export function updatedContent(current: AnnotationContent, input: UpdateAnnotationInput): AnnotationContent {
  if (input.text === undefined && input.flagType === undefined) {
    throw new BadUserInputError("Nothing to update: give `text` and/or `flagType`.");
  }
  if (current.type === "comment" && input.flagType !== undefined && input.flagType !== null) {
    throw new BadUserInputError("A comment has no `flagType`.", { argument: "flagType" });
  }
  if (current.type === "flag" && input.flagType === null) {
    throw new BadUserInputError("A flag needs a `flagType`; delete the flag to remove it.", {
      argument: "flagType",
    });
  }
  return checkContent(
    current.type,
    input.text === undefined ? current.text : input.text,
    input.flagType === undefined ? current.flagType : input.flagType,
  );
}

function checkTextLength(text: string): void {
  // Counted in characters (code points), as a person counts them.
  const length = [...text].length;
  if (length > MAX_TEXT_LENGTH) {
    throw new BadUserInputError(
      `\`text\` has ${length} characters; at most ${MAX_TEXT_LENGTH} are allowed.`,
      {
        argument: "text",
      },
    );
  }
}

/** A row id as its exact decimal text (64-bit, never through a JS number). */
export function checkRowId(rowId: string, argument = "rowId"): string {
  if (!/^-?\d{1,19}$/.test(rowId)) {
    throw new BadUserInputError(
      `\`${argument}\` ${JSON.stringify(rowId)} is not a row id (a 64-bit integer).`,
      { argument },
    );
  }
  const value = BigInt(rowId);
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new BadUserInputError(`\`${argument}\` ${rowId} is out of the 64-bit range.`, { argument });
  }
  return value.toString();
}

/** The distinct row ids of a bulk write, checked. */
export function checkRowIds(rowIds: readonly string[], argument = "rowIds"): string[] {
  if (rowIds.length === 0) throw new BadUserInputError("`rowIds` is empty.", { argument: "rowIds" });
  if (rowIds.length > MAX_BULK_ROWS) {
    throw new BadUserInputError(
      `\`rowIds\` has ${rowIds.length} ids; at most ${MAX_BULK_ROWS} are allowed.`,
      {
        argument: "rowIds",
      },
    );
  }
  return [...new Set(rowIds.map((id) => checkRowId(id, argument)))];
}

export function checkClientMutationId(id: string | null | undefined): string | null {
  if (id == null) return null;
  if (id === "" || id.length > MAX_CLIENT_MUTATION_ID_LENGTH) {
    throw new BadUserInputError(
      `\`clientMutationId\` must have 1–${MAX_CLIENT_MUTATION_ID_LENGTH} characters.`,
      {
        argument: "clientMutationId",
      },
    );
  }
  return id;
}

/** A fingerprint of a mutation and its input (keys sorted, `clientMutationId` left out). */
export function inputFingerprint(mutation: MutationName, input: object): string {
  const { clientMutationId: _, ...rest } = input as Record<string, unknown>;
  const canonical = JSON.stringify([mutation, sortKeys(rest)]);
  return createHash("sha256").update(canonical).digest("hex");
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The ledger key of a request: the viewer and their client mutation id. */
export function requestKey(userId: string, clientMutationId: string): string {
  return createHash("sha256").update(`${userId}\u0000${clientMutationId}`).digest("hex");
}
