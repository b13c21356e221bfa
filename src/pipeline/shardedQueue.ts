import type { IngestRow } from "../domain/rows.js";
import { BoundedQueue, type QueueLimits } from "./boundedQueue.js";

/**
 * The bounded queue, split into one FIFO per writer. A row's shard depends on what it updates, so
 * rows that touch the same derived state are written by the same writer in arrival order: trade
 * events by trade id (progress, latencies), queue snapshots by (topic, partition, group). Other
 * rows go by Kafka partition. Both limits (events and bytes) are shared out evenly; the totals
 * never exceed them (bytes by at most one event per shard).
 */
export class ShardedQueue {
  readonly shards: Array<BoundedQueue<IngestRow>>;
  readonly limits: QueueLimits;

  /** A number bounds the events only. */
  constructor(limits: QueueLimits | number, shardCount: number) {
    this.limits =
      typeof limits === "number"
        ? { capacity: limits, maxBytes: Number.POSITIVE_INFINITY }
        : limits;
    const perShard: QueueLimits = {
      capacity: Math.max(1, Math.floor(this.limits.capacity / shardCount)),
      maxBytes: Math.max(1, Math.floor(this.limits.maxBytes / shardCount)),
    };
    this.shards = Array.from({ length: shardCount }, () => new BoundedQueue<IngestRow>(perShard));
  }

  get capacity(): number {
    return this.limits.capacity;
  }

  get size(): number {
    return this.shards.reduce((sum, shard) => sum + shard.size, 0);
  }

  get bytes(): number {
    return this.shards.reduce((sum, shard) => sum + shard.bytes, 0);
  }

  shardOf(item: IngestRow): BoundedQueue<IngestRow> {
    return this.shards[routingKey(item) % this.shards.length]!;
  }

  close(): void {
    this.shards.forEach((shard) => shard.close());
  }
}

function stringHash(value: string): number {
  let hash = 2166136261;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 16777619);
  return hash >>> 0;
}

function routingKey({ table, row }: IngestRow): number {
  switch (table) {
    case "tradeEvents":
      return stringHash(row.tradeId);
    case "queueMetrics":
      return stringHash(`${row.topicName}\u0000${row.partitionId}\u0000${row.consumerGroup}`);
    default:
      return row.kafkaPartition;
  }
}
