import assert from "node:assert/strict";
import { test } from "node:test";
import { BoundedQueue } from "../../src/pipeline/boundedQueue.js";
import { backoffDelayMs } from "../../src/pipeline/retry.js";
import { OffsetLedger } from "../../src/pipeline/offsets.js";

test("a full batch is handed out at once, without waiting for the poll interval", async () => {
  const queue = new BoundedQueue<number>(10);
  for (let i = 0; i < 4; i++) queue.push(i);
  const started = Date.now();
  assert.deepEqual(await queue.nextBatch(3, 60_000), [0, 1, 2]);
  assert.ok(Date.now() - started < 1000);
  assert.equal(queue.size, 1);
});

test("a partial batch is handed out once its oldest item has waited the poll interval", async () => {
  const queue = new BoundedQueue<number>(10);
  queue.push(1);
  const started = Date.now();
  assert.deepEqual(await queue.nextBatch(100, 150), [1]);
  assert.ok(Date.now() - started >= 140);
});

test("a flush hands out what was queued before it without waiting for the poll interval; later items wait", async () => {
  const queue = new BoundedQueue<number>(10);
  queue.push(1);
  queue.push(2);
  // A poll interval no test waits for: only the flush can release the batch.
  const waiting = queue.nextBatch(100, 600_000);
  queue.flush();
  assert.deepEqual(await waiting, [1, 2]);
  queue.push(3);
  const next = queue.nextBatch(100, 600_000);
  let taken = false;
  void next.then(() => (taken = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(taken, false, "an item pushed after the flush waits for its batch");
  queue.flush();
  assert.deepEqual(await next, [3]);
});

test("capacity is a hard bound", () => {
  const queue = new BoundedQueue<number>(2);
  queue.push(1);
  queue.push(2);
  assert.equal(queue.hasRoom(), false);
  assert.throws(() => queue.push(3), /queue is full/);
});

test("closing hands out what is left, then an empty batch", async () => {
  const queue = new BoundedQueue<number>(10);
  queue.push(1);
  const waiting = queue.nextBatch(100, 60_000);
  queue.close();
  assert.deepEqual(await waiting, [1]);
  assert.deepEqual(await queue.nextBatch(100, 60_000), []);
});

test("backoff grows exponentially up to the cap", () => {
  const top = () => 1;
  assert.equal(backoffDelayMs(0, 100, 10_000, top), 100);
  assert.equal(backoffDelayMs(3, 100, 10_000, top), 800);
  assert.equal(backoffDelayMs(20, 100, 10_000, top), 10_000);
  assert.equal(
    backoffDelayMs(5, 100, 10_000, () => 0),
    100,
  );
});

const at = (kafkaOffset: bigint, kafkaPartition = 0) => ({
  kafkaTopic: "a",
  kafkaPartition,
  kafkaOffset,
});

test("the committable offset stops below the lowest record still queued", () => {
  const ledger = new OffsetLedger();
  [5n, 6n, 7n].forEach((o) => ledger.queued(at(o)));
  ledger.queued(at(2n, 1));
  ledger.stored([at(6n), at(7n)]); // a later batch finished first
  assert.deepEqual(ledger.committable(), [{ topic: "a", partition: 0, offset: "5" }]);
  ledger.stored([at(5n), at(2n, 1)]);
  assert.deepEqual(ledger.committable(), [
    { topic: "a", partition: 0, offset: "8" },
    { topic: "a", partition: 1, offset: "3" },
  ]);
  assert.deepEqual(ledger.committable(), [], "nothing new to commit");
});

test("a record fetched twice (rebalance) holds the offset until both copies are stored; failed commits are offered again", () => {
  const ledger = new OffsetLedger();
  ledger.queued(at(3n));
  ledger.queued(at(3n));
  ledger.stored([at(3n)]);
  assert.deepEqual(
    ledger.committable(),
    [{ topic: "a", partition: 0, offset: "3" }],
    "3 itself is not yet committable",
  );
  ledger.stored([at(3n)]);
  const offsets = ledger.committable();
  assert.deepEqual(offsets, [{ topic: "a", partition: 0, offset: "4" }]);
  ledger.commitFailed(offsets);
  assert.deepEqual(ledger.committable(), offsets);
});

test("waitForRoom resolves as soon as the writer takes a batch, or false after the timeout", async () => {
  const queue = new BoundedQueue<number>(2);
  queue.push(1);
  queue.push(2);
  assert.equal(await queue.waitForRoom(50), false);
  const waiting = queue.waitForRoom(10_000);
  const started = Date.now();
  await queue.nextBatch(1, 0);
  assert.equal(await waiting, true);
  assert.ok(Date.now() - started < 1000);
});

test("the byte budget is a bound too: a few large items fill the queue before the count does", async () => {
  const queue = new BoundedQueue<string>({ capacity: 100, maxBytes: 1000 });
  queue.push("a", 400);
  queue.push("b", 400);
  assert.equal(queue.hasRoom(), true, "800 of 1000 bytes");
  queue.push("c", 400);
  assert.equal(queue.hasRoom(), false, "1200 bytes: full although 3 of 100 items");
  assert.throws(() => queue.push("d", 1), /queue is full \(3\/100 items, 1200\/1000 bytes\)/);
  assert.equal(queue.isBelow(0.5), false);
  assert.deepEqual(await queue.nextBatch(10, 0, 500), ["a"], "a batch stops at its byte bound");
  assert.equal(queue.bytes, 800);
  assert.equal(queue.hasRoom(), true, "room again once bytes are taken");
  assert.deepEqual(await queue.nextBatch(10, 0, 500), ["b"]);
  assert.equal(queue.isBelow(0.5), true, "400 bytes and 1 item: below half of both limits");
});

test("an item larger than the batch byte bound still forms a batch of its own", async () => {
  const queue = new BoundedQueue<string>({ capacity: 10, maxBytes: 10_000 });
  queue.push("huge", 5000);
  queue.push("small", 10);
  assert.deepEqual(await queue.nextBatch(10, 0, 100), ["huge"]);
  assert.deepEqual(await queue.nextBatch(10, 0, 100), ["small"]);
});

test("waitForRoom waits for the byte budget like for the count", async () => {
  const queue = new BoundedQueue<number>({ capacity: 10, maxBytes: 100 });
  queue.push(1, 100);
  assert.equal(await queue.waitForRoom(30), false);
  const waiting = queue.waitForRoom(10_000);
  await queue.nextBatch(1, 0);
  assert.equal(await waiting, true);
});
