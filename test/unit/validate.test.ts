import assert from "node:assert/strict";
import { test } from "node:test";
import * as check from "../../src/ingest/validate.js";

const rejected = (code: string, message: RegExp) => (err: unknown) =>
  err instanceof check.RecordRejected && err.code === code && message.test(err.message);

test("ids: UUIDs are lower-cased; an empty optional id is null; anything else is rejected", () => {
  assert.equal(
    check.uuid("tradeId", "6F1C2B9E-3A7D-4C1E-9B2A-0D4E5F6A7B8C"),
    "6f1c2b9e-3a7d-4c1e-9b2a-0d4e5f6a7b8c",
  );
  assert.equal(check.optionalUuid("tradeId", ""), null);
  assert.throws(
    () => check.uuid("tradeId", "T-1"),
    rejected("RECORD_INVALID", /tradeId "T-1" is not a UUID/),
  );
  assert.throws(
    () => check.uuid("tradeId", "x".repeat(200)),
    rejected("RECORD_INVALID", /…" is not a UUID/),
  );
});

test("stages and event types from their lists only", () => {
  assert.equal(check.stage("eventStage", "ENRICHED"), "ENRICHED");
  assert.throws(
    () => check.stage("eventStage", "SHIPPED"),
    rejected("RECORD_INVALID", /is not one of RECEIVED, VALIDATED, ENRICHED, COMMITTED/),
  );
  assert.equal(check.eventType("eventType", "TRADE_FAILED"), "TRADE_FAILED");
  assert.throws(
    () => check.eventType("eventType", "TRADE_LOST"),
    rejected("RECORD_INVALID", /TRADE_LOST/),
  );
});

test("an optional stage (error and DLQ events): empty is null (stage unknown), otherwise from the list; a rejection names its field", () => {
  assert.equal(check.optionalStage("event_stage", ""), null);
  assert.equal(check.optionalStage("event_stage", "VALIDATED"), "VALIDATED");
  assert.throws(
    () => check.optionalStage("event_stage", "SHIPPED"),
    (err: unknown) => err instanceof check.RecordRejected && err.field === "event_stage",
  );
});

test("text: required, length and NUL checks", () => {
  assert.equal(check.text("service", "svc", 8), "svc");
  assert.throws(
    () => check.text("service", "", 8, true),
    rejected("RECORD_INVALID", /service is empty/),
  );
  assert.throws(
    () => check.text("service", "123456789", 8),
    rejected("RECORD_INVALID", /9 characters long, at most 8 allowed/),
  );
  assert.throws(() => check.text("service", "a\u0000b", 8), rejected("RECORD_INVALID", /NUL/));
});

test("event times: from 2000-01-01 to one day ahead of now; 0 is missing", () => {
  const now = Date.UTC(2026, 10, 27);
  assert.equal(check.epochMs("eventTime", BigInt(now), now).getTime(), now);
  assert.throws(() => check.epochMs("eventTime", 0n, now), rejected("RECORD_INVALID", /missing/));
  assert.throws(
    () => check.epochMs("eventTime", BigInt(Date.UTC(1999, 11, 31)), now),
    rejected("RECORD_INVALID", /outside the accepted range/),
  );
  assert.throws(
    () => check.epochMs("eventTime", BigInt(now + 25 * 3600 * 1000), now),
    rejected("RECORD_INVALID", /outside the accepted range/),
  );
});

test("numbers: int32 whole, int64 within PostgreSQL's bigint", () => {
  assert.equal(check.int32("partition", 3), 3);
  assert.throws(() => check.int32("partition", 1.5), rejected("RECORD_INVALID", /not an integer/));
  assert.equal(check.int64("offset", 2n ** 63n - 1n), 2n ** 63n - 1n);
  assert.throws(
    () => check.int64("offset", 2n ** 63n),
    rejected("RECORD_INVALID", /does not fit a bigint/),
  );
});

test("protobuf timestamps: representable instants only", () => {
  assert.equal(check.protoTimestamp("ts", 1n, 500_000_000).getTime(), 1500);
  assert.throws(
    () => check.protoTimestamp("ts", 1n, 1_000_000_000),
    rejected("RECORD_INVALID", /not a representable/),
  );
  assert.throws(
    () => check.protoTimestamp("ts", 8_640_000_000_001n, 0),
    rejected("RECORD_INVALID", /not a representable/),
  );
});
