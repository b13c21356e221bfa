import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { loadConfig } from "../../src/config/index.js";
import { dayMs, dayPartitions, defaultPartition, startOfDay } from "../../src/store/partitions.js";
import { preparePartitions, pruneOnce } from "../../src/store/retention.js";
import { count, createTestDatabase, type TestDatabase } from "../support/infra.js";

const hour = 3_600_000;
// Each table's setting differs, so a row deleted by another table's setting would show.
const retention = loadConfig({
  RTTM_EVENTS_RETENTION_HOURS: "60",
  RTTM_QUEUE_METRICS_RETENTION_HOURS: "30",
  RTTM_QUARANTINE_RETENTION_HOURS: "90",
  RTTM_ALERTS_RETENTION_HOURS: "100",
  RTTM_SECOND_ROLLUP_RETENTION_HOURS: "20",
  RTTM_MINUTE_ROLLUP_RETENTION_HOURS: "120",
}).retention;

/** How to insert one row of a table at a given age, and the setting that bounds its age. */
const tables: Array<{ table: string; hours: number; insert: string }> = [
  {
    table: "rttm_trade_events",
    hours: retention.eventsHours,
    insert: `INSERT INTO rttm_trade_events (trade_id, service_name, event_type, event_stage, event_status, source_queue, target_queue, topic_name, consumer_group, partition_id, offset_value, event_time, message, kafka_topic, kafka_partition, kafka_offset)
      VALUES (gen_random_uuid(), 's', 'TRADE_RECEIVED', 'RECEIVED', '', '', '', '', '', 0, 0, $1, '', 'retention', 0, $2)`,
  },
  {
    table: "rttm_trade_progress",
    hours: retention.eventsHours,
    insert: `INSERT INTO rttm_trade_progress (trade_id, received_at, first_seen_at)
      SELECT gen_random_uuid(), $1, $1 WHERE $2::int IS NOT NULL`,
  },
  {
    table: "rttm_error_events",
    hours: retention.eventsHours,
    insert: `INSERT INTO rttm_error_events (service_name, error_type, error_message, event_stage, event_time, kafka_topic, kafka_partition, kafka_offset)
      VALUES ('s', 'T', 'm', 'RECEIVED', $1, 'retention', 0, $2)`,
  },
  {
    table: "rttm_dlq_events",
    hours: retention.eventsHours,
    insert: `INSERT INTO rttm_dlq_events (service_name, topic_name, original_topic, reason, event_stage, event_time, kafka_topic, kafka_partition, kafka_offset)
      VALUES ('s', 't', 'o', 'r', 'RECEIVED', $1, 'retention', 0, $2)`,
  },
  {
    table: "rttm_invalid_trades",
    hours: retention.eventsHours,
    insert: `INSERT INTO rttm_invalid_trades (trade_id, portfolio_id, symbol, side, price_per_stock, quantity, validation_errors, event_time, kafka_topic, kafka_partition, kafka_offset)
      VALUES ('x', 'p', 'S', 'HOLD', 1, 1, 'e', $1, 'retention', 0, $2)`,
  },
  {
    table: "rttm_queue_metrics",
    hours: retention.queueMetricsHours,
    insert: `INSERT INTO rttm_queue_metrics (service_name, topic_name, partition_id, produced_offset, consumed_offset, consumer_group, snapshot_time, kafka_topic, kafka_partition, kafka_offset)
      VALUES ('s', 't', 0, 2, 1, 'g', $1, 'retention', 0, $2)`,
  },
  {
    table: "rttm_quarantine",
    hours: retention.quarantineHours,
    insert: `INSERT INTO rttm_quarantine (kafka_topic, kafka_partition, kafka_offset, error_kind, reason, created_at)
      VALUES ('retention', 0, $2, 'framing', 'x', $1)`,
  },
  {
    table: "rttm_alerts",
    hours: retention.alertsHours,
    insert: `INSERT INTO rttm_alerts (metric_name, scope, current_value, peak_value, threshold_value, severity, status, triggered_time, last_observed_at, resolved_at)
      VALUES ('TPS', 'ALL-' || $2, 1, 1, 1, 'WARNING', 'RESOLVED', $1, $1, $1)`,
  },
  {
    table: "rttm_stage_count_second",
    hours: retention.secondRollupHours,
    insert: `INSERT INTO rttm_stage_count_second (bucket, stage, event_count) VALUES (date_trunc('second', $1::timestamptz), 'S' || $2, 1)`,
  },
  {
    table: "rttm_stage_count_minute",
    hours: retention.minuteRollupHours,
    insert: `INSERT INTO rttm_stage_count_minute (bucket, stage, event_count) VALUES (date_trunc('second', $1::timestamptz), 'S' || $2, 1)`,
  },
  {
    table: "rttm_latency_histogram_minute",
    hours: retention.minuteRollupHours,
    insert: `INSERT INTO rttm_latency_histogram_minute (bucket, stage, bin, sample_count, latency_sum_ms) VALUES (date_trunc('second', $1::timestamptz), 'S', $2, 1, 1)`,
  },
  {
    table: "rttm_latency_histogram_hour",
    hours: retention.minuteRollupHours,
    insert: `INSERT INTO rttm_latency_histogram_hour (bucket, stage, bin, sample_count, latency_sum_ms) VALUES (date_trunc('second', $1::timestamptz), 'S', $2, 1, 1)`,
  },
];

/** Ages around each table's cutoff (in hours past it, negative = still young enough). */
const ageOffsetsHours = [-30, -1, -0.01, 0.01, 1, 26, 100, 1000];

describe("retention under the partitioned layout", () => {
  let db: TestDatabase;
  // Mid-day, so the events cutoff (60 h back) falls inside a day partition, not on its boundary.
  const now = new Date(startOfDay(Date.now()) + 13.5 * hour);

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.drop();
  });

  async function seed(): Promise<void> {
    // The partitions a service running for the last week would have created.
    for (let back = 7; back >= 0; back--)
      await preparePartitions(db.pool, retention, now.getTime() - back * dayMs);
    let n = 0;
    for (const { insert, hours } of tables)
      for (const offset of ageOffsetsHours)
        await db.pool.query(insert, [new Date(now.getTime() - (hours + offset) * hour), n++]);
  }

  beforeEach(async () => {
    for (const { table } of tables) await db.pool.query(`TRUNCATE ${table} CASCADE`);
  });

  test("deletes exactly what is older than each table's setting, dropping whole days of trade events", async () => {
    await seed();
    const daysBefore = await dayPartitions(db.pool);
    const eventsCutoff = new Date(now.getTime() - retention.eventsHours * hour);
    // Old rows outside a day lying wholly before the cutoff: in the cutoff's own day, or in the
    // default partition (older than every day partition).
    const oldRowsLeftInPlace = await count(
      db.pool,
      `SELECT count(*) FROM rttm_trade_events WHERE event_time < $1
       AND (tableoid = '${defaultPartition}'::regclass OR event_time >= $2)`,
      [eventsCutoff, new Date(startOfDay(eventsCutoff.getTime()))],
    );
    const deleted = await pruneOnce(db.pool, retention, now);
    assert.ok(deleted, "the run took the retention lock");
    const older = ageOffsetsHours.filter((o) => o > 0).length;
    for (const { table, hours } of tables) {
      const cutoff = new Date(now.getTime() - hours * hour);
      const column =
        {
          rttm_trade_events: "event_time",
          rttm_trade_progress: "first_seen_at",
          rttm_error_events: "event_time",
          rttm_dlq_events: "event_time",
          rttm_invalid_trades: "event_time",
          rttm_queue_metrics: "snapshot_time",
          rttm_quarantine: "created_at",
          rttm_alerts: "resolved_at",
        }[table] ?? "bucket";
      assert.equal(
        await count(db.pool, `SELECT count(*) FROM ${table} WHERE ${column} < $1`, [cutoff]),
        0,
        `${table}: nothing older than ${hours} h is left`,
      );
      assert.equal(
        await count(db.pool, `SELECT count(*) FROM ${table}`),
        ageOffsetsHours.length - older,
        `${table}: everything younger than ${hours} h is kept`,
      );
      if (table !== "rttm_trade_events") assert.equal(deleted[table], older, `${table} deleted`);
    }
    // Trade events: the 26 h-older row's day lies wholly before the cutoff and went with its
    // partition; the rows just before the cutoff shared a day with younger ones and were deleted
    // one by one, like those older than every partition (default partition).
    const cutoffMs = now.getTime() - retention.eventsHours * hour;
    const daysAfter = await dayPartitions(db.pool);
    assert.deepEqual(
      daysAfter.map((d) => d.name),
      daysBefore.filter((d) => d.toMs > cutoffMs).map((d) => d.name),
      "day partitions wholly before the cutoff are dropped, the others kept",
    );
    assert.equal(deleted[`rttm_trade_events (days)`], daysBefore.length - daysAfter.length);
    assert.ok(deleted[`rttm_trade_events (days)`]! >= 1, "at least one whole day was dropped");
    assert.equal(
      deleted.rttm_trade_events,
      oldRowsLeftInPlace,
      "only old rows outside the dropped days are deleted row by row",
    );
    assert.ok(oldRowsLeftInPlace < older, "some old rows went with their day partition");
  });

  test("scheduled runs drop only whole days: rows of the cutoff's day stay until their day is over", async () => {
    await seed();
    const cutoffMs = now.getTime() - retention.eventsHours * hour;
    const dayCutoff = new Date(startOfDay(cutoffMs));
    const oldInDefault = await count(
      db.pool,
      `SELECT count(*) FROM ${defaultPartition} WHERE event_time < $1`,
      [dayCutoff],
    );
    assert.ok(oldInDefault > 0, "the seed has rows older than every day partition");
    const deleted = await pruneOnce(db.pool, retention, now, { wholePartitions: true });
    assert.equal(
      await count(db.pool, "SELECT count(*) FROM rttm_trade_events WHERE event_time < $1", [
        dayCutoff,
      ]),
      0,
      "nothing before the cutoff's day is left",
    );
    assert.equal(
      await count(
        db.pool,
        "SELECT count(*) FROM rttm_trade_events WHERE event_time >= $1 AND event_time < $2",
        [dayCutoff, new Date(cutoffMs)],
      ),
      ageOffsetsHours.filter(
        (o) => o > 0 && now.getTime() - (retention.eventsHours + o) * hour >= dayCutoff.getTime(),
      ).length,
      "the older rows of the cutoff's own day are kept until the day is over",
    );
    assert.equal(
      deleted?.rttm_trade_events,
      oldInDefault,
      "rows are deleted one by one only in the default partition",
    );
  });

  test("a day partition created later takes the rows that waited for it in the default partition", async () => {
    await preparePartitions(db.pool, retention, now.getTime());
    const farDay = startOfDay(now.getTime()) + 10 * dayMs;
    await db.pool.query(tables[0]!.insert, [new Date(farDay + hour), 1]);
    await db.pool.query(tables[0]!.insert, [new Date(farDay + 2 * hour), 2]);
    assert.equal(await count(db.pool, `SELECT count(*) FROM ${defaultPartition}`), 2);
    const created = await preparePartitions(db.pool, retention, farDay);
    assert.ok(created.length > 0);
    assert.equal(await count(db.pool, `SELECT count(*) FROM ${defaultPartition}`), 0);
    assert.equal(await count(db.pool, "SELECT count(*) FROM rttm_trade_events"), 2);
    const name = `rttm_trade_events_${new Date(farDay).toISOString().slice(0, 10).replace(/-/g, "")}`;
    assert.equal(await count(db.pool, `SELECT count(*) FROM ${name}`), 2);
    // A redelivered record is still skipped: the unique key holds within its day partition.
    await assert.rejects(
      db.pool.query(tables[0]!.insert, [new Date(farDay + hour), 1]),
      /uq_trade_events_kafka|duplicate key/,
    );
  });
});
