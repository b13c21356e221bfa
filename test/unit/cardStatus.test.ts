import assert from "node:assert/strict";
import { test } from "node:test";
import { cardStatus } from "../../src/arithmetic/cardStatus.js";

const thresholds = { warning: 30, critical: 100 };

test("above critical is critical, above warning is warning, the thresholds themselves are not", () => {
  assert.equal(cardStatus(101, thresholds), "critical");
  assert.equal(cardStatus(100, thresholds), "warning");
  assert.equal(cardStatus(31, thresholds), "warning");
  assert.equal(cardStatus(30, thresholds), "healthy");
  assert.equal(cardStatus(0, thresholds), "healthy");
});

test("no value (nothing measured in the window) is healthy", () => {
  assert.equal(cardStatus(null, thresholds), "healthy");
});
