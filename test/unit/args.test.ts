import assert from "node:assert/strict";
import { test } from "node:test";
import {
  instant,
  maxWindowSeconds,
  optionalInstant,
  optionalStage,
  optionalText,
  windowSeconds,
} from "../../src/store/read/args.js";
import { InvalidInputError } from "../../src/store/read/errors.js";

const refused = (argument: string, message: RegExp) => (err: unknown) =>
  err instanceof InvalidInputError && err.argument === argument && message.test(err.message);

test("a window is whole seconds from 1 to a year and a day; absent means the fallback", () => {
  assert.equal(windowSeconds("windowSeconds", undefined, 86_400), 86_400);
  assert.equal(windowSeconds("windowSeconds", null, 300), 300);
  assert.equal(windowSeconds("windowSeconds", maxWindowSeconds, 1), maxWindowSeconds);
  for (const bad of [0, -5, 1.5, maxWindowSeconds + 1])
    assert.throws(
      () => windowSeconds("windowSeconds", bad, 60),
      refused("windowSeconds", /whole number of seconds from 1 to 31622400/),
    );
});

test("instants must be valid dates", () => {
  const date = new Date(Date.UTC(2026, 0, 1));
  assert.equal(instant("from", date), date);
  assert.equal(optionalInstant("from", null), null);
  assert.throws(() => instant("from", new Date(Number.NaN)), refused("from", /valid date-time/));
});

test("stage and text filters", () => {
  assert.equal(optionalStage("stage", undefined), null);
  assert.equal(optionalStage("stage", "COMMITTED"), "COMMITTED");
  assert.throws(() => optionalStage("stage", "DONE"), refused("stage", /must be one of RECEIVED/));
  assert.equal(optionalText("service", null, 4), null);
  assert.equal(optionalText("service", "abcd", 4), "abcd");
  assert.throws(
    () => optionalText("service", "abcde", 4),
    refused("service", /at most 4 characters/),
  );
});
