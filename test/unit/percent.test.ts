import assert from "node:assert/strict";
import { test } from "node:test";
import { percentHalfUp } from "../../src/store/read/percent.js";

test("part of whole in percent, two decimals, half rounded up", () => {
  assert.equal(percentHalfUp(1, 3), 33.33);
  assert.equal(percentHalfUp(2, 3), 66.67);
  assert.equal(percentHalfUp(1, 8), 12.5);
  assert.equal(percentHalfUp(3, 3), 100);
  assert.equal(percentHalfUp(0, 7), 0);
});

test("exact halves round up where binary floating point would round down", () => {
  // 1.005 % as a float is 1.00499…, which Math.round(x * 100) / 100 turns into 1.
  assert.equal(percentHalfUp(201, 20_000), 1.01);
  assert.equal(percentHalfUp(1, 20_000), 0.01); // 0.005 %: half of the last digit
  assert.equal(percentHalfUp(1, 20_001), 0);
});

test("no whole, no percentage; more than the whole is over 100", () => {
  assert.equal(percentHalfUp(0, 0), null);
  assert.equal(percentHalfUp(5, 0), null);
  assert.equal(percentHalfUp(3, 2), 150);
});

test("counts beyond 2^53 are exact", () => {
  assert.equal(percentHalfUp(2 ** 53, 2 ** 54), 50);
});
