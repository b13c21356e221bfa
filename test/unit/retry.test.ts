import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelayMs, retryUntilSuccess, sleep } from "../../src/pipeline/retry.js";
import { reconnectDelayMs } from "../../src/live/redis.js";

test("equal jitter waits between half the ceiling and the ceiling", () => {
  assert.equal(
    backoffDelayMs(0, 100, 1000, () => 0, "equal"),
    50,
  );
  assert.equal(
    backoffDelayMs(0, 100, 1000, () => 1, "equal"),
    100,
  );
  assert.equal(
    backoffDelayMs(2, 100, 1000, () => 0.5, "equal"),
    300,
  );
  assert.equal(
    backoffDelayMs(10, 100, 1000, () => 1, "equal"),
    1000,
  );
});

test("Redis reconnects: from 100 ms (attempt 1), doubling, capped at 1 s, equal jitter", () => {
  assert.equal(
    reconnectDelayMs(1, () => 1),
    100,
  );
  assert.equal(
    reconnectDelayMs(0, () => 1),
    100,
  );
  assert.equal(
    reconnectDelayMs(3, () => 1),
    400,
  );
  assert.equal(
    reconnectDelayMs(3, () => 0),
    200,
  );
  assert.equal(
    reconnectDelayMs(50, () => 1),
    1000,
  );
});

test("sleep resolves after the delay, or at once when aborted (it never rejects)", async () => {
  let started = Date.now();
  await sleep(30);
  assert.ok(Date.now() - started >= 25);
  const controller = new AbortController();
  started = Date.now();
  const sleeping = sleep(60_000, controller.signal);
  controller.abort();
  await sleeping;
  assert.ok(Date.now() - started < 1000);
  await sleep(60_000, controller.signal); // already aborted
});

test("retryUntilSuccess retries with backoff until the operation succeeds", async () => {
  let calls = 0;
  const failures: number[] = [];
  const result = await retryUntilSuccess(
    async () => {
      if (++calls < 3) throw new Error(`failure ${calls}`);
      return "stored";
    },
    { initialMs: 1, maxMs: 4, onFailure: (_err, attempt) => failures.push(attempt) },
  );
  assert.equal(result, "stored");
  assert.deepEqual(failures, [1, 2]);
});

test("retryUntilSuccess gives up only when aborted, with the last error", async () => {
  const controller = new AbortController();
  const retrying = retryUntilSuccess(
    async () => {
      throw new Error("database down");
    },
    { initialMs: 5, maxMs: 5, signal: controller.signal },
  );
  setTimeout(() => controller.abort(), 30);
  await assert.rejects(retrying, /database down/);
});
