import type { PoolClient } from "pg";
import type { QueueMetricRow } from "../domain/rows.js";
import {
  lagOf,
  shouldStoreSnapshot,
  type SnapshotRule,
  type StoredSnapshot,
} from "../arithmetic/index.js";
import { columnArrays, insertIgnoringDuplicates } from "./columns.js";
import { queueMetricsTable } from "./tables.js";

interface LatestState {
  latest: QueueMetricRow;
  stored: StoredSnapshot;
}

const keyOf = (m: { topicName: string; partitionId: number; consumerGroup: string }) =>
  JSON.stringify([m.topicName, m.partitionId, m.consumerGroup]);

const lockLatestSql = `
SELECT l.* FROM rttm_queue_metric_latest l
JOIN unnest($1::text[], $2::int[], $3::text[]) AS k(topic_name, partition_id, consumer_group)
  USING (topic_name, partition_id, consumer_group)
ORDER BY topic_name, partition_id, consumer_group
FOR UPDATE OF l`;

const upsertLatestSql = `
INSERT INTO rttm_queue_metric_latest AS l (topic_name, partition_id, consumer_group, service_name,
  produced_offset, consumed_offset, snapshot_time, stored_lag, stored_snapshot_time, updated_at)
SELECT *, now() FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
  $7::timestamptz[], $8::bigint[], $9::timestamptz[]) ORDER BY 1, 2, 3
ON CONFLICT (topic_name, partition_id, consumer_group) DO UPDATE SET
  service_name = excluded.service_name, produced_offset = excluded.produced_offset,
  consumed_offset = excluded.consumed_offset, snapshot_time = excluded.snapshot_time,
  stored_lag = excluded.stored_lag, stored_snapshot_time = excluded.stored_snapshot_time, updated_at = now()`;

/**
 * Keeps the latest snapshot per (topic, partition, group) and appends to history only what the
 * store-if-changed rule keeps. The "last stored" marker lives in the same transaction as the
 * history row, so a failed write cannot leave the two disagreeing.
 */
export async function writeQueueMetrics(
  client: PoolClient,
  rows: readonly QueueMetricRow[],
  rule: SnapshotRule,
): Promise<{ stored: number }> {
  const keys = [...new Map(rows.map((r) => [keyOf(r), r])).values()];
  const { rows: current } = await client.query(lockLatestSql, [
    keys.map((k) => k.topicName),
    keys.map((k) => k.partitionId),
    keys.map((k) => k.consumerGroup),
  ]);
  const state = new Map<string, LatestState>();
  for (const r of current) {
    const latest: QueueMetricRow = {
      serviceName: r.service_name,
      topicName: r.topic_name,
      partitionId: r.partition_id,
      producedOffset: BigInt(r.produced_offset),
      consumedOffset: BigInt(r.consumed_offset),
      consumerGroup: r.consumer_group,
      snapshotTime: r.snapshot_time,
      kafkaTopic: "",
      kafkaPartition: 0,
      kafkaOffset: 0n,
    };
    state.set(keyOf(latest), {
      latest,
      stored: { lag: BigInt(r.stored_lag), snapshotTime: r.stored_snapshot_time },
    });
  }
  const history: QueueMetricRow[] = [];
  for (const row of rows) {
    const key = keyOf(row);
    const previous = state.get(key);
    const snapshot = {
      lag: lagOf(row.producedOffset, row.consumedOffset),
      snapshotTime: row.snapshotTime,
    };
    const store = shouldStoreSnapshot(previous?.stored, snapshot, rule);
    if (store) history.push(row);
    const newer = !previous || row.snapshotTime.getTime() >= previous.latest.snapshotTime.getTime();
    state.set(key, {
      latest: newer ? row : previous.latest,
      stored: store ? snapshot : previous!.stored,
    });
  }
  if (history.length > 0)
    await client.query(
      insertIgnoringDuplicates(queueMetricsTable),
      columnArrays(queueMetricsTable, history),
    );
  const finals = [...state.values()];
  await client.query(upsertLatestSql, [
    finals.map((s) => s.latest.topicName),
    finals.map((s) => s.latest.partitionId),
    finals.map((s) => s.latest.consumerGroup),
    finals.map((s) => s.latest.serviceName),
    finals.map((s) => s.latest.producedOffset.toString()),
    finals.map((s) => s.latest.consumedOffset.toString()),
    finals.map((s) => s.latest.snapshotTime.toISOString()),
    finals.map((s) => s.stored.lag.toString()),
    finals.map((s) => s.stored.snapshotTime.toISOString()),
  ]);
  return { stored: history.length };
}
