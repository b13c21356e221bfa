/**
 * Conversions of values read from PostgreSQL. src/store/pool.ts makes int8 arrive as a JS bigint;
 * a pool without that parser gives strings; aggregates may be numeric (strings) or float8. These
 * accept all of them, so the read models work with either pool.
 */
export function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint" || typeof value === "string") return Number(value);
  if (value === null || value === undefined) return 0;
  throw new TypeError(`not a number: ${String(value)}`);
}

export function toNullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

export function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "string" || (typeof value === "number" && Number.isInteger(value)))
    return BigInt(value);
  throw new TypeError(`not an integer: ${String(value)}`);
}
