import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { IngestRow } from "../../src/domain/rows.js";
import { createLogger } from "../../src/log.js";
import { OffsetLedger } from "../../src/pipeline/offsets.js";
import { ShardedQueue } from "../../src/pipeline/shardedQueue.js";
import { WriterPool } from "../../src/pipeline/writer.js";
import { count, createTestDatabase, waitFor, type TestDatabase } from "../support/infra.js";
import { coordinateSequence, tradeEventRow } from "../support/rows.js";

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

test("a shard writer whose onStored listener throws goes on writing, and its batches stay committed", async () => {
  const queue = new ShardedQueue(1000, 1);
  const ledger = new OffsetLedger();
  const committed: string[] = [];
  let listenerCalls = 0;
  const writer = new WriterPool(
    db.pool,
    queue,
    ledger,
    {
      batchSize: 10,
      batchMaxBytes: 1_000_000,
      batchPollMs: 5,
      lowWaterFraction: 0.5,
      retryInitialMs: 10,
      retryMaxMs: 100,
      snapshotRule: { threshold: 0.1, minIntervalMinutes: 5 },
    },
    {
      onRoom: () => {},
      commit: async (offsets) => {
        committed.push(...offsets.map((o) => `${o.partition}:${o.offset}`));
        return offsets;
      },
      onStored: () => {
        listenerCalls++;
        throw new Error("listener bug");
      },
    },
    createLogger({ test: "writerLoop" }),
  );
  writer.start();
  const next = coordinateSequence("listener-throws");
  const push = () => {
    const row: IngestRow = {
      table: "tradeEvents",
      row: tradeEventRow(randomUUID(), "RECEIVED", new Date(), next()),
    };
    ledger.queued(row.row);
    queue.shardOf(row).push(row);
  };
  push();
  await waitFor("the first batch", async () => listenerCalls >= 1);
  for (let i = 0; i < 5; i++) push();
  await waitFor(
    "the batches after the listener threw",
    async () =>
      (await count(
        db.pool,
        "SELECT count(*) FROM rttm_trade_events WHERE kafka_topic = 'listener-throws'",
      )) === 6,
    10_000,
  );
  assert.equal(writer.status.writersRunning, 1, "the shard's loop still runs");
  await waitFor("offsets committed past every batch", async () => committed.includes("0:6"));
  assert.equal(await writer.flushAndStop(5000), "flushed");
  assert.equal(writer.status.writersRunning, 0);
});
