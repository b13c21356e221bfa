import assert from "node:assert/strict";
import { test } from "node:test";
import { frameValue, parseFramedValue } from "../../src/ingest/wireFormat.js";
import { RecordRejected } from "../../src/ingest/validate.js";

test("parses magic byte, schema id, the single-zero message index and the payload", () => {
  const framed = parseFramedValue(frameValue(258, Buffer.from([0x0a, 0x01, 0x41])));
  assert.equal(framed.schemaId, 258);
  assert.deepEqual(framed.messageIndexes, [0]);
  assert.deepEqual([...framed.payload], [0x0a, 0x01, 0x41]);
});

test("parses an explicit message-index path (count 2: indexes 1, 3)", () => {
  const value = Buffer.from([0, 0, 0, 0, 7, 4, 2, 6, 0x08, 0x01]);
  const framed = parseFramedValue(value);
  assert.equal(framed.schemaId, 7);
  assert.deepEqual(framed.messageIndexes, [1, 3]);
  assert.deepEqual([...framed.payload], [0x08, 0x01]);
});

for (const [name, bytes, reason] of [
  ["bad magic byte", Buffer.from([1, 0, 0, 0, 1, 0]), /bad magic byte 0x01/],
  ["too short", Buffer.from([0, 0, 0]), /too short/],
  ["empty", Buffer.alloc(0), /empty value/],
  ["truncated varint", Buffer.from([0, 0, 0, 0, 1, 0x80]), /truncated/],
  ["absurd index count", Buffer.from([0, 0, 0, 0, 1, 0xfe, 0x01]), /out of range/],
] as const) {
  test(`rejects a value that is ${name}`, () => {
    assert.throws(
      () => parseFramedValue(bytes),
      (err: unknown) =>
        err instanceof RecordRejected &&
        err.code === "RECORD_BAD_FRAMING" &&
        reason.test(err.message),
    );
  });
}

test("rejects a null value (tombstone)", () => {
  assert.throws(() => parseFramedValue(null), /tombstone/);
});
