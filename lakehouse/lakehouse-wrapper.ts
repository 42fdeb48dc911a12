/**
 * A lakehouse in front of another (the result cache, a request's view): what it does not change — kind, dialect,
 * statement log, health — is the inner one's. Subclasses override reads and writes.
 */
import type { Lakehouse, LakehouseHealth, QueryOptions, Row } from "./lakehouse.js";
import type { Sql } from "./sql.js";

export abstract class LakehouseWrapper implements Lakehouse {
  constructor(readonly inner: Lakehouse) {}

  get kind() {
    return this.inner.kind;
  }

  get dialect() {
    return this.inner.dialect;
  }

  get statements() {
    return this.inner.statements;
  }

  abstract query<R extends object = Row>(statement: Sql, options?: QueryOptions): Promise<R[]>;
  abstract execute(statement: Sql, options?: QueryOptions): Promise<number | undefined>;

  health(): Promise<LakehouseHealth> {
    return this.inner.health();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
