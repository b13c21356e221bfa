import assert from "node:assert/strict";
import { test } from "node:test";
import { toBigInt, toNullableNumber, toNumber } from "../../src/store/read/values.js";

test("numbers from PostgreSQL in any of their forms: number, bigint, numeric text, null", () => {
  assert.equal(toNumber(3), 3);
  assert.equal(toNumber(3n), 3);
  assert.equal(toNumber("2.5"), 2.5);
  assert.equal(toNumber(null), 0);
  assert.equal(toNullableNumber(null), null);
  assert.equal(toNullableNumber("7"), 7);
  assert.throws(() => toNumber({}), /not a number/);
});

test("bigints keep every digit; fractions are refused", () => {
  assert.equal(toBigInt("9223372036854775807"), 9_223_372_036_854_775_807n);
  assert.equal(toBigInt(42), 42n);
  assert.equal(toBigInt(42n), 42n);
  assert.throws(() => toBigInt(1.5), /not an integer/);
});
