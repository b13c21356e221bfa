/**
 * Write-path micro-benchmark (no Kafka): the bench:ingest event mix through writeBatch in batches,
 * on N concurrent writers sharded like the service, into a given database. Prints rows/s.
 * Usage: node --import tsx scripts/bench/writePath.ts DATABASE_URL [trades] [writers]
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { IngestRow } from "../../src/domain/rows.js";
import { stages } from "../../src/domain/stages.js";
import { benchTradeEvent } from "./lib/tradeMix.js";
import { ShardedQueue } from "../../src/pipeline/shardedQueue.js";
import { groupByTable, writeBatch } from "../../src/store/writeBatch.js";

const [url, tradesArg = "50000", writersArg = "2"] = process.argv.slice(2);
const trades = Number(tradesArg);
const writers = Number(writersArg);
const pool = new pg.Pool({ connectionString: url, max: writers });
const queue = new ShardedQueue({ capacity: 1e9, maxBytes: Number.POSITIVE_INFINITY }, writers);
const base = Date.now() - 3600_000;
let offset = 0n;
const topic = `bench.tradeEvents.${randomUUID().slice(0, 8)}`;
const coords = (topic: string) => ({ kafkaTopic: topic, kafkaPartition: 0, kafkaOffset: offset++ });
for (let i = 0; i < trades; i++) {
  const tradeId = randomUUID();
  for (const [s, stage] of stages.entries()) {
    const { fields, eventTimeMs } = benchTradeEvent(tradeId, i, trades, base, s, stage);
    const row: IngestRow = {
      table: "tradeEvents",
      row: {
        ...fields,
        eventTime: new Date(eventTimeMs),
        ...coords(topic),
      },
    };
    queue.shardOf(row).push(row);
  }
}
const started = performance.now();
await Promise.all(
  queue.shards.map(async (shard) => {
    for (;;) {
      shard.close();
      const batch = await shard.nextBatch(1000, 100);
      if (batch.length === 0) return;
      await writeBatch(pool, groupByTable(batch), { threshold: 0.1, minIntervalMinutes: 5 });
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    rows: trades * 4,
    seconds: +seconds.toFixed(2),
    rowsPerSec: Math.round((trades * 4) / seconds),
  }),
);
await pool.end();
