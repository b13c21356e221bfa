import assert from "node:assert/strict";
import { test } from "node:test";
import { isUuid } from "../../src/domain/uuid.js";

test("a canonical 8-4-4-4-12 UUID in any case is a UUID", () => {
  assert.ok(isUuid("6f1c2b9e-3a7d-4c1e-9b2a-0d4e5f6a7b8c"));
  assert.ok(isUuid("6F1C2B9E-3A7D-4C1E-9B2A-0D4E5F6A7B8C"));
});

test("anything else is not: other groupings, braces, missing or extra characters", () => {
  for (const value of [
    "",
    "6f1c2b9e3a7d4c1e9b2a0d4e5f6a7b8c",
    "{6f1c2b9e-3a7d-4c1e-9b2a-0d4e5f6a7b8c}",
    "6f1c2b9e-3a7d-4c1e-9b2a-0d4e5f6a7b8",
    "6f1c2b9e-3a7d-4c1e-9b2a-0d4e5f6a7b8cd",
    "6f1c2b9e-3a7d-4c1e-9b2a-0d4e5f6a7b8g",
    " 6f1c2b9e-3a7d-4c1e-9b2a-0d4e5f6a7b8c",
  ])
    assert.equal(isUuid(value), false, JSON.stringify(value));
});
