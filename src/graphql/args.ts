/**
 * Argument definitions the schema files share, and the checks of id arguments. A check throws
 * InvalidInputError naming the argument; the masking policy (src/http/error-masking.ts) answers it
 * as BAD_USER_INPUT with its message.
 */
import { isUuid } from "../domain/uuid.js";
import { defaultWindowSeconds } from "../domain/window.js";
import {
  defaultPageSize,
  InvalidInputError,
  maxPageSize,
  bigintIdArg,
} from "../store/read/index.js";
import { builder } from "./builder.js";
import { StageEnum } from "./enums.js";

/** The window of a windowed view. */
export const windowArgs = builder.args((t) => ({
  windowSeconds: t.int({ description: `Seconds; default ${defaultWindowSeconds} (24 h).` }),
}));

/** A keyset page of a list, newest first. */
export const pageArgs = builder.args((t) => ({
  first: t.int({ description: `Page size, 1–${maxPageSize}; default ${defaultPageSize}.` }),
  after: t.string({ description: "endCursor of the previous page." }),
}));

/** Bounds on the list's time (`timeField`), both inclusive. */
export const timeRangeArgs = (timeField: string) =>
  builder.args((t) => ({
    from: t.field({ type: "DateTime", description: `${timeField} at or after.` }),
    to: t.field({ type: "DateTime", description: `${timeField} at or before.` }),
  }));

/** Filters of the lists of pipeline events. */
export const stageArg = builder.args((t) => ({ stage: t.field({ type: StageEnum }) }));
export const serviceArg = builder.args((t) => ({ service: t.string() }));

/** A trade id must be a UUID; lower-cased, as stored. */
export function tradeIdArg(value: string): string {
  if (!isUuid(value)) {
    const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
    throw new InvalidInputError("tradeId", `tradeId ${JSON.stringify(shown)} is not a UUID`);
  }
  return value.toLowerCase();
}

/** An alert id: a positive bigint (ids start at 1). */
export const alertIdArg = (argument: string, value: string | number): string =>
  bigintIdArg(argument, String(value), "an alert id (a positive whole number)", 1n).toString();

/** An alert event id to resume after (0: from the first event). */
export const eventIdArg = (argument: string, value: string | number | null | undefined) =>
  value === null || value === undefined
    ? null
    : bigintIdArg(argument, String(value), "an alert event id (a whole number)");
