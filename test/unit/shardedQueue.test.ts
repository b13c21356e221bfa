import assert from "node:assert/strict";
import { test } from "node:test";
import type { IngestRow } from "../../src/domain/rows.js";
import { ShardedQueue } from "../../src/pipeline/shardedQueue.js";
import { tradeEventRow } from "../support/rows.js";

const coordinates = (kafkaPartition: number) => ({
  kafkaTopic: "t",
  kafkaPartition,
  kafkaOffset: 1n,
});

function tradeEvent(tradeId: string, kafkaPartition: number): IngestRow {
  return {
    table: "tradeEvents",
    row: tradeEventRow(tradeId, "RECEIVED", new Date(), coordinates(kafkaPartition)),
  };
}

function queueMetric(topicName: string, partitionId: number, kafkaPartition: number): IngestRow {
  return {
    table: "queueMetrics",
    row: {
      serviceName: "svc",
      topicName,
      partitionId,
      producedOffset: 10n,
      consumedOffset: 5n,
      consumerGroup: "g",
      snapshotTime: new Date(),
      ...coordinates(kafkaPartition),
    },
  };
}

test("the events of one trade go to one shard, whatever partition they came from", () => {
  const queue = new ShardedQueue(1000, 4);
  const tradeId = "6f1c2b9e-3a7d-4c1e-9b2a-0d4e5f6a7b8c";
  const shard = queue.shardOf(tradeEvent(tradeId, 0));
  for (let partition = 1; partition < 12; partition++)
    assert.equal(queue.shardOf(tradeEvent(tradeId, partition)), shard);
});

test("snapshots of one (topic, partition, group) go to one shard", () => {
  const queue = new ShardedQueue(1000, 4);
  const shard = queue.shardOf(queueMetric("orders", 3, 0));
  for (let partition = 1; partition < 12; partition++)
    assert.equal(queue.shardOf(queueMetric("orders", 3, partition)), shard);
});

test("trades spread over the shards; other rows go by Kafka partition", () => {
  const queue = new ShardedQueue(1000, 4);
  const used = new Set(
    Array.from({ length: 64 }, (_, i) =>
      queue.shards.indexOf(
        queue.shardOf(tradeEvent(`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, 0)),
      ),
    ),
  );
  assert.equal(used.size, 4);
  const dlq = (kafkaPartition: number) =>
    ({ table: "dlqEvents", row: coordinates(kafkaPartition) }) as unknown as IngestRow;
  assert.equal(queue.shardOf(dlq(6)), queue.shards[2]);
  assert.equal(queue.shardOf(dlq(7)), queue.shards[3]);
});

test("the capacity is shared out evenly and the total never exceeds it", () => {
  const queue = new ShardedQueue(10, 3);
  assert.deepEqual(
    queue.shards.map((s) => s.capacity),
    [3, 3, 3],
  );
  assert.equal(new ShardedQueue(2, 4).shards.length, 4);
});
