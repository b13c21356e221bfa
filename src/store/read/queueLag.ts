import type { Pool } from "pg";
import { instant } from "./args.js";
import { toBigInt } from "./values.js";

export interface QueueLagArgs {
  now: Date;
}

export interface QueueLagRow {
  topic: string;
  partition: number;
  consumerGroup: string;
  /** The service that reported the latest snapshot. */
  serviceName: string;
  producedOffset: bigint;
  consumedOffset: bigint;
  /** producedOffset − consumedOffset (negative if the reporter's offsets disagree). */
  lag: bigint;
  snapshotTime: Date;
  /** now − snapshotTime in seconds (negative when the reporter's clock is ahead). */
  ageSeconds: number;
}

export interface TopicGroupLag {
  topic: string;
  consumerGroup: string;
  partitions: number;
  lag: bigint;
}

export interface QueueLag {
  asOf: Date;
  /** Latest snapshot per (topic, partition, consumer group), sorted by topic, group, partition. */
  rows: QueueLagRow[];
  totalLag: bigint;
  /** Sums per (topic, consumer group), sorted by topic, group. */
  byTopicGroup: TopicGroupLag[];
}

// One row per (topic, partition, group) ever reported: bounded by the platform's topology, not history.
const latestSql = `
SELECT topic_name, partition_id, consumer_group, service_name,
  produced_offset::text AS produced_offset, consumed_offset::text AS consumed_offset, snapshot_time
FROM rttm_queue_metric_latest
ORDER BY topic_name COLLATE "C", consumer_group COLLATE "C", partition_id`;

export async function queueLag(db: Pool, args: QueueLagArgs): Promise<QueueLag> {
  const now = instant("now", args.now);
  const { rows } = await db.query<{
    topic_name: string;
    partition_id: number;
    consumer_group: string;
    service_name: string;
    produced_offset: string;
    consumed_offset: string;
    snapshot_time: Date;
  }>(latestSql);
  const result: QueueLagRow[] = rows.map((r) => {
    const producedOffset = toBigInt(r.produced_offset);
    const consumedOffset = toBigInt(r.consumed_offset);
    return {
      topic: r.topic_name,
      partition: r.partition_id,
      consumerGroup: r.consumer_group,
      serviceName: r.service_name,
      producedOffset,
      consumedOffset,
      lag: producedOffset - consumedOffset,
      snapshotTime: r.snapshot_time,
      ageSeconds: (now.getTime() - r.snapshot_time.getTime()) / 1000,
    };
  });
  const groups = new Map<string, TopicGroupLag>();
  for (const row of result) {
    const key = JSON.stringify([row.topic, row.consumerGroup]);
    const group = groups.get(key) ?? {
      topic: row.topic,
      consumerGroup: row.consumerGroup,
      partitions: 0,
      lag: 0n,
    };
    group.partitions += 1;
    group.lag += row.lag;
    groups.set(key, group);
  }
  return {
    asOf: now,
    rows: result,
    totalLag: result.reduce((sum, r) => sum + r.lag, 0n),
    byTopicGroup: [...groups.values()],
  };
}
