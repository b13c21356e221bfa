import type { InternalErrorCode } from "../domain/errorCodes.js";
import { RttmError } from "../domain/errors.js";
import { stages, type Stage } from "../domain/stages.js";
import { isUuid } from "../domain/uuid.js";

/** Why a record is rejected, as a code, and the `errorKind` its quarantine row records. */
export const rejectionKinds = {
  RECORD_INVALID: "validation",
  RECORD_UNDECODABLE: "decode",
  RECORD_BAD_FRAMING: "framing",
  RECORD_WRONG_SCHEMA: "schema",
} as const satisfies Partial<Record<InternalErrorCode, string>>;

export type RejectionCode = keyof typeof rejectionKinds;

/**
 * A Kafka record that cannot be stored as an event: its code says why (see rejectionKinds), its
 * message which field or byte failed. The record is then quarantined, never dropped.
 */
export class RecordRejected extends RttmError<RejectionCode> {
  override name = "RecordRejected";
}

export const eventTypes = [
  "TRADE_RECEIVED",
  "TRADE_VALIDATED",
  "TRADE_ENRICHED",
  "TRADE_COMMITTED",
  "TRADE_REJECTED",
  "TRADE_FAILED",
  "TRADE_SENT_TO_DLQ",
] as const;

/** Earliest and latest accepted event times: 2000-01-01 and one day ahead of the local clock. */
const earliestEventMs = Date.UTC(2000, 0, 1);
const maxFutureSkewMs = 24 * 3600 * 1000;

/**
 * Field checks shared by the topic descriptions. Each throws a RecordRejected (RECORD_INVALID)
 * naming the field, whose message says what failed and why.
 */
function fail(field: string, message: string): never {
  throw new RecordRejected("RECORD_INVALID", message, { field });
}

export function uuid(field: string, value: string): string {
  if (!isUuid(value)) fail(field, `${field} ${JSON.stringify(truncate(value))} is not a UUID`);
  return value.toLowerCase();
}

export function optionalUuid(field: string, value: string): string | null {
  return value === "" ? null : uuid(field, value);
}

export function stage(field: string, value: string): Stage {
  if (!(stages as readonly string[]).includes(value)) {
    fail(field, `${field} ${JSON.stringify(truncate(value))} is not one of ${stages.join(", ")}`);
  }
  return value as Stage;
}

/**
 * The stage of an error or DLQ event: the producers' library lets it be left unset, and such an
 * event is an error all the same, stored with the stage unknown (null) rather than quarantined.
 */
export function optionalStage(field: string, value: string): Stage | null {
  return value === "" ? null : stage(field, value);
}

export function eventType(field: string, value: string): string {
  if (!(eventTypes as readonly string[]).includes(value)) {
    fail(
      field,
      `${field} ${JSON.stringify(truncate(value))} is not one of ${eventTypes.join(", ")}`,
    );
  }
  return value;
}

export function text(field: string, value: string, maxLength: number, required = false): string {
  if (required && value === "") fail(field, `${field} is empty`);
  if (value.length > maxLength)
    fail(field, `${field} is ${value.length} characters long, at most ${maxLength} allowed`);
  if (value.includes("\u0000")) fail(field, `${field} contains a NUL character`);
  return value;
}

export function epochMs(field: string, value: bigint, nowMs = Date.now()): Date {
  if (value === 0n) fail(field, `${field} is missing (0)`);
  if (value < BigInt(earliestEventMs) || value > BigInt(nowMs + maxFutureSkewMs)) {
    fail(
      field,
      `${field} ${value} is outside the accepted range (2000-01-01 to one day ahead of now)`,
    );
  }
  return new Date(Number(value));
}

export function int32(field: string, value: number): number {
  if (!Number.isInteger(value)) fail(field, `${field} ${value} is not an integer`);
  return value;
}

/** PostgreSQL bigint range; the protobuf int64 already fits, this documents the column's bound. */
export function int64(field: string, value: bigint): bigint {
  if (value < -(2n ** 63n) || value >= 2n ** 63n)
    fail(field, `${field} ${value} does not fit a bigint`);
  return value;
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}

/** A google.protobuf.Timestamp as a Date; any instant PostgreSQL and JavaScript can both hold. */
export function protoTimestamp(field: string, seconds: bigint, nanos: number): Date {
  const maxSeconds = 8_640_000_000_000n; // JavaScript Date's limit, ±275,760 years
  if (seconds > maxSeconds || seconds < -maxSeconds || nanos < 0 || nanos > 999_999_999) {
    fail(field, `${field} (${seconds} s, ${nanos} ns) is not a representable timestamp`);
  }
  const date = new Date(Number(seconds) * 1000 + Math.floor(nanos / 1_000_000));
  if (date.getUTCFullYear() < -4712 || date.getUTCFullYear() > 294_275)
    fail(field, `${field} ${date.toISOString()} is outside PostgreSQL's range`);
  return date;
}
