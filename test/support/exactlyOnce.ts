/** Assertions that the stored data equals what was produced, each record once. */
import assert from "node:assert/strict";
import { count, type TestDatabase } from "./infra.js";
import { kafka } from "./kafka.js";

/** Offsets the group has committed on a topic, summed over partitions. */
export async function committedTotal(groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Every stored trade event is unique, and the derived data counts each exactly once. */
export async function assertExactlyOnce(
  db: TestDatabase,
  tradeIds: string[],
  eventsPerTrade = 4,
): Promise<void> {
  const expected = tradeIds.length * eventsPerTrade;
  assert.equal(
    await count(db.pool, "SELECT count(*) FROM rttm_trade_events"),
    expected,
    "stored events",
  );
  assert.equal(
    await count(
      db.pool,
      "SELECT count(DISTINCT (trade_id, event_stage)) FROM rttm_trade_events WHERE trade_id = ANY($1)",
      [tradeIds],
    ),
    expected,
    "stored set equals produced set",
  );
  assert.equal(
    await count(db.pool, "SELECT coalesce(sum(event_count), 0) FROM rttm_stage_count_second"),
    expected,
    "per-second rollup",
  );
  assert.equal(
    await count(db.pool, "SELECT coalesce(sum(event_count), 0) FROM rttm_stage_count_minute"),
    expected,
    "per-minute rollup",
  );
  assert.equal(
    await count(db.pool, "SELECT count(*) FROM rttm_stage_latency"),
    tradeIds.length * 4,
    "one latency row per (trade, stage) and end to end",
  );
  assert.equal(
    await count(
      db.pool,
      "SELECT coalesce(sum(sample_count), 0) FROM rttm_latency_histogram_minute",
    ),
    tradeIds.length * 4,
    "histogram samples",
  );
  assert.equal(
    await count(db.pool, "SELECT coalesce(sum(sample_count), 0) FROM rttm_latency_histogram_hour"),
    tradeIds.length * 4,
    "hourly histogram samples",
  );
}
