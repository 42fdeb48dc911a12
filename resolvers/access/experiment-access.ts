/**
 * The one place that decides which experiments a viewer may read. Every statement that touches experiment data
 * restricts its rows with `readable(...)` (or reads through `experimentsSource()`), so the check costs no extra
 * statement and cannot be forgotten by a single resolver: the query builders take an `ExperimentAccess`, not a
 * user id.
 *
 * A private experiment the viewer may not read is indistinguishable from a missing one.
 */

import { join, type Sql, sql, table } from "../../lakehouse/sql.js";
import { ForbiddenError, NotFoundError, UnauthenticatedError } from "../errors.js";
import type { Viewer } from "./viewer.js";

export type ExperimentRole = "admin" | "member" | "viewer";

/** The viewer's standing in one experiment, read by `standingStatement` (null: no such experiment). */
export interface ExperimentStanding {
  readonly experiment_id: string;
  readonly visibility: string;
  readonly anonymize_contributors: boolean;
  /** The viewer's role, or null for a non-member. */
  readonly role: ExperimentRole | null;
}

/** Roles that may annotate (contribute to) an experiment: every member role, as in openJII. */
const CONTRIBUTOR_ROLES: readonly ExperimentRole[] = ["admin", "member", "viewer"];

export class ExperimentAccess {
  constructor(readonly viewer: Viewer) {}

  get isAnonymous(): boolean {
    return this.viewer.userId === null;
  }

  /** The set of experiment ids the viewer may read, as a subquery. */
  readableIds(): Sql {
    if (this.viewer.userId === null) {
      return sql`SELECT experiment_id FROM ${table("experiments")} WHERE visibility = 'public'`;
    }
    return sql`SELECT experiment_id FROM ${table("experiments")} WHERE visibility = 'public'
      UNION SELECT experiment_id FROM ${table("experiment_members")} WHERE user_id = ${this.viewer.userId}`;
  }

  /** A predicate: the experiment id expression names an experiment the viewer may read. */
  readable(experimentId: Sql): Sql {
    return sql`${experimentId} IN (${this.readableIds()})`;
  }

  /** Predicate for rows of experiments where the viewer holds one of `roles` (for writes). */
  hasRole(experimentId: Sql, roles: readonly ExperimentRole[]): Sql {
    if (this.viewer.userId === null || roles.length === 0) return sql`FALSE`;
    const inList = join(roles.map((r) => sql`${r}`));
    return sql`${experimentId} IN (SELECT experiment_id FROM ${table("experiment_members")}
      WHERE user_id = ${this.viewer.userId} AND role IN (${inList}))`;
  }

  /** One statement: which of `experimentIds` the viewer administers (imports into them need it). */
  administeredStatement(experimentIds: readonly string[]): Sql {
    if (experimentIds.length === 0) return sql`SELECT experiment_id FROM ${table("experiments")} WHERE FALSE`;
    return sql`SELECT e.experiment_id FROM ${table("experiments")} e
      WHERE e.experiment_id IN (${join(experimentIds.map((id) => sql`${id}`))})
        AND ${this.hasRole(sql`e.experiment_id`, ["admin"])}`;
  }

  /** One statement: the experiment and the viewer's role in it (no row when the experiment does not exist). */
  standingStatement(experimentId: string): Sql {
    return sql`SELECT e.experiment_id, e.visibility, e.anonymize_contributors, m.role
      FROM ${table("experiments")} e
      LEFT JOIN ${table("experiment_members")} m ON m.experiment_id = e.experiment_id AND m.user_id = ${this.viewer.userId ?? ""}
      WHERE e.experiment_id = ${experimentId}`;
  }

  /** May the viewer read the experiment of this standing? (The rule `readableIds` states in SQL.) */
  mayRead(standing: Pick<ExperimentStanding, "visibility" | "role">): boolean {
    return standing.visibility === "public" || (this.viewer.userId !== null && standing.role !== null);
  }

  /**
   * May the viewer contribute (annotate) to this experiment? Anonymous callers are UNAUTHENTICATED; a private
   * experiment the viewer may not read is NOT_FOUND (exactly like a missing one); a public one they are not a member
   * of is FORBIDDEN.
   */
  assertMayContribute(standing: ExperimentStanding | undefined, experimentId: string): ExperimentStanding {
    if (this.viewer.userId === null)
      throw new UnauthenticatedError("Sign in to annotate: send a bearer token.");
    if (!standing || (standing.visibility !== "public" && standing.role === null)) {
      throw new NotFoundError(`No experiment with id ${JSON.stringify(experimentId)}.`);
    }
    if (standing.role === null || !CONTRIBUTOR_ROLES.includes(standing.role)) {
      throw new ForbiddenError("Only members of this experiment may annotate it.");
    }
    return standing;
  }

  /** May the viewer change or delete an annotation by `authorId`? Its author, or an admin of the experiment. */
  assertMayEdit(standing: ExperimentStanding, authorId: string): void {
    if (authorId !== this.viewer.userId && standing.role !== "admin") {
      throw new ForbiddenError(
        "Only the author of an annotation or an experiment admin may change or delete it.",
      );
    }
  }
}
