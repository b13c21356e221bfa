import { optionalInstant } from "./args.js";
import { InvalidInputError } from "./errors.js";
import type { PageQuery } from "./page.js";

/** Optional time bounds of a list, both inclusive: from ≤ time ≤ to. */
export interface TimeFilter {
  from?: Date | null;
  to?: Date | null;
}

export function applyTimeFilter(query: PageQuery, column: string, filter: TimeFilter): void {
  const from = optionalInstant("from", filter.from);
  const to = optionalInstant("to", filter.to);
  if (from && to && from.getTime() > to.getTime())
    throw new InvalidInputError("from", "from must not be later than to");
  if (from) query.where(`${column} >= ${query.param(from.toISOString())}::timestamptz`);
  if (to) query.where(`${column} <= ${query.param(to.toISOString())}::timestamptz`);
}
