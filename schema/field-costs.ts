/**
 * Cost hints the schema puts in fields' `extensions.cost`, read by the gateway's static cost analysis
 * (`gateway/server/operation-cost.ts`) before an operation runs.
 */

/** A field that runs one statement per distinct argument set (a page, an aggregate, one experiment). */
export const ONE_STATEMENT = Object.freeze({ statements: 1 });
/** One statement whose `limit` argument (when given) is the size of its lists: an aggregate's `groups`. */
export const PAGED_BY_LIMIT = Object.freeze({ statements: 1, pageArgument: "limit" });
/** A relation read through a per-request dataloader: one statement per level, whatever the number of parents. */
export const BATCHED = Object.freeze({ statements: 1, batched: true });
/** A mutation: access, validation, the ledger and the write (an upper bound). */
export const MUTATION = Object.freeze({ statements: 6 });
