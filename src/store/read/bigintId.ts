import { InvalidInputError } from "./errors.js";

/** The largest PostgreSQL bigint: an id above it never reaches SQL (it would fail there as a server error). */
export const maxBigintId = 9_223_372_036_854_775_807n;

/** `value` as a bigint id from `min` to 2^63−1 when it is decimal digits in that range, else null. */
export function bigintIdOrNull(value: unknown, min = 0n): bigint | null {
  if (typeof value !== "string" || !/^[0-9]{1,19}$/.test(value)) return null;
  const id = BigInt(value);
  return id >= min && id <= maxBigintId ? id : null;
}

/**
 * The one check of an id argument (a bigint row id as decimal text): `what` names the kind of id
 * in the message, e.g. "an alert id (a positive whole number)".
 */
export function bigintIdArg(argument: string, value: unknown, what: string, min = 0n): bigint {
  const id = bigintIdOrNull(value, min);
  if (id === null) {
    throw new InvalidInputError(
      argument,
      `${argument} must be ${what} up to ${maxBigintId}, got ${JSON.stringify(String(value).slice(0, 40))}`,
    );
  }
  return id;
}
