/**
 * Experiments with `anonymize_contributors` never reveal a real name or email. The SQL that reads contributors
 * and annotation authors already replaces them with NULL at the source (see `contributorColumns`); here each user
 * gets a stable pseudonym per experiment, so tables stay readable ("Contributor 3F9A2C") without linking a person
 * across experiments.
 */
import { createHash } from "node:crypto";
import { type Sql, sql } from "../../lakehouse/sql.js";

export function pseudonymId(experimentId: string, userId: string): string {
  return createHash("sha256").update(`${experimentId}\u0000${userId}`).digest("hex").slice(0, 12);
}

export function pseudonymName(experimentId: string, userId: string): string {
  return `Contributor ${pseudonymId(experimentId, userId).slice(0, 6).toUpperCase()}`;
}

/** `CASE WHEN <anonymized> THEN NULL ELSE <column> END`: personal data never leaves the lakehouse when hidden. */
export function unlessAnonymized(anonymized: Sql, column: Sql): Sql {
  return sql`CASE WHEN ${anonymized} THEN NULL ELSE ${column} END`;
}
