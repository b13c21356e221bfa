import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidInputError } from "../../src/store/read/errors.js";
import { decodeCursor, encodeCursor, maxPageSize, pageSize } from "../../src/store/read/page.js";

const refusedAs = (why: RegExp) => (err: unknown) =>
  err instanceof InvalidInputError && err.argument === "after" && why.test(err.message);

test("a cursor decodes to the key it was made from, for the same list only", () => {
  const key = { timeMs: Date.UTC(2026, 10, 27), id: "9223372036854775807" };
  const cursor = encodeCursor("dlq", key);
  assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeCursor("dlq", cursor), key);
  assert.throws(() => decodeCursor("error", cursor), refusedAs(/made for another list/));
});

test("no cursor is the first page", () => {
  assert.equal(decodeCursor("dlq", undefined), null);
  assert.equal(decodeCursor("dlq", null), null);
});

test("malformed cursors are refused with the reason, never reaching SQL", () => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  assert.throws(() => decodeCursor("dlq", ""), refusedAs(/not base64url text/));
  assert.throws(() => decodeCursor("dlq", "a+b/"), refusedAs(/not base64url text/));
  assert.throws(() => decodeCursor("dlq", "x".repeat(201)), refusedAs(/not base64url text/));
  assert.throws(() => decodeCursor("dlq", "bm90IGpzb24"), refusedAs(/undecodable/));
  assert.throws(() => decodeCursor("dlq", encode(["dlq", 1])), refusedAs(/wrong shape/));
  assert.throws(() => decodeCursor("dlq", encode(["dlq", 1.5, "1"])), refusedAs(/bad time/));
  assert.throws(() => decodeCursor("dlq", encode(["dlq", 9e15, "1"])), refusedAs(/bad time/));
  assert.throws(() => decodeCursor("dlq", encode(["dlq", 1, "-1"])), refusedAs(/bad id/));
  assert.throws(() => decodeCursor("dlq", encode(["dlq", 1, 7])), refusedAs(/bad id/));
  // One past PostgreSQL's bigint.
  assert.throws(
    () => decodeCursor("dlq", encode(["dlq", 1, "9223372036854775808"])),
    refusedAs(/bad id/),
  );
});

test("page size: 50 by default, 1 to the maximum, else refused naming `first`", () => {
  assert.equal(pageSize(undefined), 50);
  assert.equal(pageSize(null), 50);
  assert.equal(pageSize(1), 1);
  assert.equal(pageSize(maxPageSize), maxPageSize);
  for (const bad of [0, maxPageSize + 1, 2.5, -1])
    assert.throws(
      () => pageSize(bad),
      (err: unknown) => err instanceof InvalidInputError && err.argument === "first",
    );
});
