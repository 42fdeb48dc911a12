/** A `Lakehouse` decorator that keeps every statement (as `Sql`) it is asked to run, then delegates. */
import type { Dialect } from "../../lakehouse/dialect.js";
import type { Lakehouse, LakehouseHealth, QueryOptions, Row } from "../../lakehouse/lakehouse.js";
import type { Sql } from "../../lakehouse/sql.js";
import type { StatementLog } from "../../lakehouse/statement-log.js";

export class RecordingLakehouse implements Lakehouse {
  readonly statementsSeen: Sql[] = [];

  constructor(private readonly inner: Lakehouse) {}

  get kind(): Lakehouse["kind"] {
    return this.inner.kind;
  }

  get dialect(): Dialect {
    return this.inner.dialect;
  }

  get statements(): StatementLog {
    return this.inner.statements;
  }

  query<R extends object = Row>(statement: Sql, options?: QueryOptions): Promise<R[]> {
    this.statementsSeen.push(statement);
    return this.inner.query<R>(statement, options);
  }

  execute(statement: Sql, options?: QueryOptions): Promise<number | undefined> {
    this.statementsSeen.push(statement);
    return this.inner.execute(statement, options);
  }

  health(): Promise<LakehouseHealth> {
    return this.inner.health();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
