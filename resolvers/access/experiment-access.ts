/**
 * The one place that decides which experiments a viewer may read. Every statement that touches experiment data
 * restricts its rows with `readable(...)` (or reads through `experimentsSource()`), so the check costs no extra
 * statement and cannot be forgotten by a single resolver: the query builders take an `ExperimentAccess`, not a
 * user id.
 *
 * A private experiment the viewer may not read is indistinguishable from a missing one.
 */

import { join, type Sql, sql, table } from "../../lakehouse/sql.js";
import type { Viewer } from "./viewer.js";

export type ExperimentRole = "admin" | "member" | "viewer";

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
}
