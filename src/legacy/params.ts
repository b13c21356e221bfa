/**
 * Query parameters of the legacy REST calls, checked as the old service checked them (a value it
 * could not parse is a 400: an InvalidInputError naming the parameter, BAD_USER_INPUT), with a
 * message that says what is wrong.
 */
import type { Status } from "../domain/alerts.js";
import { isUuid } from "../domain/uuid.js";
import { InvalidInputError, maxPageSize } from "../store/read/index.js";

const shown = (value: string) =>
  JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);

/** Required; a UUID in any case (returned lower case). */
export function tradeIdParam(query: URLSearchParams): string {
  const value = query.get("tradeId");
  if (value === null || value.trim() === "")
    throw new InvalidInputError("tradeId", "Required parameter tradeId is missing");
  if (!isUuid(value.trim()))
    throw new InvalidInputError("tradeId", `tradeId ${shown(value)} is not a UUID`);
  return value.trim().toLowerCase();
}

/**
 * The old statuses onto RTTM's: ACTIVE meant "not resolved yet", which in RTTM is ACTIVE or ACKED;
 * the old AUTO_RESOLVED and RESOLVED are both RESOLVED (RTTM records why in `resolution`).
 */
const statusesByLegacyName: Record<string, readonly Status[]> = {
  ACTIVE: ["ACTIVE", "ACKED"],
  ACKED: ["ACKED"],
  RESOLVED: ["RESOLVED"],
  AUTO_RESOLVED: ["RESOLVED"],
};

/** Default ACTIVE; exact case as before. */
export function alertStatusParam(query: URLSearchParams): readonly Status[] {
  const value = query.get("status") ?? "ACTIVE";
  const statuses = statusesByLegacyName[value];
  if (!statuses)
    throw new InvalidInputError(
      "status",
      `status must be one of ${Object.keys(statusesByLegacyName).join(", ")}, got ${shown(value)}`,
    );
  return statuses;
}

/** Default 10; below 1 becomes 1 (as before); above the page-size limit becomes the limit. */
export function alertLimitParam(query: URLSearchParams, fallback = 10): number {
  const value = query.get("limit");
  if (value === null) return fallback;
  if (!/^[+-]?\d{1,10}$/.test(value.trim()))
    throw new InvalidInputError("limit", `limit must be a whole number, got ${shown(value)}`);
  return Math.min(Math.max(Number(value.trim()), 1), maxPageSize);
}
