import assert from "node:assert/strict";
import { test } from "node:test";
import { bigintIdArg, bigintIdOrNull, maxBigintId } from "../../src/store/read/bigintId.js";
import { InvalidInputError } from "../../src/store/read/errors.js";

test("an id is decimal digits from the minimum to 2^63 − 1", () => {
  assert.equal(bigintIdOrNull("0"), 0n);
  assert.equal(bigintIdOrNull("9223372036854775807"), maxBigintId);
  assert.equal(bigintIdOrNull("1", 1n), 1n);
  for (const bad of [
    "9223372036854775808",
    "99999999999999999999",
    "-1",
    "1.5",
    "",
    " 1",
    "0x1",
    7,
  ])
    assert.equal(bigintIdOrNull(bad), null, String(bad));
  assert.equal(bigintIdOrNull("0", 1n), null, "below the minimum");
});

test("a refused id argument names the argument, the kind of id and the bound", () => {
  assert.equal(bigintIdArg("id", "42", "an alert id", 1n), 42n);
  assert.throws(
    () => bigintIdArg("afterEventId", "9223372036854775808", "an alert event id"),
    (err: unknown) =>
      err instanceof InvalidInputError &&
      err.argument === "afterEventId" &&
      err.message ===
        'afterEventId must be an alert event id up to 9223372036854775807, got "9223372036854775808"',
  );
});
