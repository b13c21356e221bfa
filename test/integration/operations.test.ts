import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Producer } from "kafkajs";
import { loadConfig } from "../../src/config/index.js";
import { pruneOnce } from "../../src/store/retention.js";
import { count, createTestDatabase, waitFor, type TestDatabase } from "../support/infra.js";
import { connectProducer, freshTopics } from "../support/kafka.js";
import * as m from "../support/messages.js";
import { serviceEnv, startChild, startInProcess } from "../support/service.js";
import { sendTradeEvent } from "../support/traffic.js";

describe("operations", () => {
  let db: TestDatabase;
  let producer: Producer;

  before(async () => {
    db = await createTestDatabase();
    producer = await connectProducer();
  });
  after(async () => {
    await producer?.disconnect();
    await db?.drop();
  });

  test("Schema Registry unreachable: records are still decoded by their topic's type and stored", async () => {
    const { topics, env, encoder } = await freshTopics();
    const service = await startInProcess(
      serviceEnv(db.url, env, { SCHEMA_REGISTRY_URL: "http://127.0.0.1:9/apis/ccompat/v7" }),
    );
    try {
      const tradeId = m.newTradeId();
      await sendTradeEvent(producer, encoder, topics.tradeEvents, tradeId, "RECEIVED", Date.now());
      await waitFor(
        "stored without the registry",
        async () =>
          (await count(db.pool, "SELECT count(*) FROM rttm_trade_events WHERE trade_id = $1", [
            tradeId,
          ])) === 1,
        30_000,
      );
      assert.equal(
        await count(db.pool, "SELECT count(*) FROM rttm_quarantine WHERE kafka_topic = $1", [
          topics.tradeEvents,
        ]),
        0,
      );
    } finally {
      await service.stop();
    }
  });

  test("queue metrics: latest snapshot per (topic, partition, group); history thinned by store-if-changed", async () => {
    const { topics, env, encoder } = await freshTopics();
    const service = await startInProcess(serviceEnv(db.url, env));
    const t0 = Date.now() - 600_000;
    const metric = (lag: bigint, seconds: number) => ({
      value: encoder.encode(
        "queueMetrics",
        m.RttmQueueMetricSchema,
        m.queueMetric("payments", 0, 1000n + lag, 1000n, t0 + seconds * 1000),
      ),
      partition: 0,
    });
    try {
      // stored (first), skipped (same lag 30 s later), stored (lag 50 → 150), skipped (4 % change), stored (6 min later)
      await producer.send({
        topic: topics.queueMetrics,
        messages: [
          metric(50n, 0),
          metric(50n, 30),
          metric(150n, 60),
          metric(156n, 90),
          metric(156n, 450),
        ],
      });
      await waitFor("latest snapshot", async () => {
        const { rows } = await db.pool.query(
          "SELECT * FROM rttm_queue_metric_latest WHERE topic_name = 'payments'",
        );
        return rows[0]?.snapshot_time.getTime() === t0 + 450_000;
      });
      const history = await db.pool.query(
        "SELECT produced_offset - consumed_offset AS lag, snapshot_time FROM rttm_queue_metrics WHERE topic_name = 'payments' ORDER BY snapshot_time",
      );
      assert.deepEqual(
        history.rows.map((r) => [Number(r.lag), (r.snapshot_time.getTime() - t0) / 1000]),
        [
          [50, 0],
          [150, 60],
          [156, 450],
        ],
      );
    } finally {
      await service.stop();
    }
  });

  test("retention deletes rows older than each table's setting and keeps the rest", async () => {
    const old = new Date(Date.now() - 400 * 3600_000);
    const recent = new Date(Date.now() - 3600_000);
    for (const [i, at] of [old, recent].entries()) {
      await db.pool.query(
        `INSERT INTO rttm_trade_events (trade_id, service_name, event_type, event_stage, event_status, source_queue, target_queue, topic_name, consumer_group, partition_id, offset_value, event_time, message, kafka_topic, kafka_partition, kafka_offset)
         VALUES ($1, 's', 'TRADE_RECEIVED', 'RECEIVED', '', '', '', '', '', 0, 0, $2, '', 'retention', 0, $3)`,
        [m.newTradeId(), at, i],
      );
      await db.pool.query(
        "INSERT INTO rttm_trade_progress (trade_id, received_at, received_service, first_seen_at) VALUES ($1, $2, 's', $2)",
        [m.newTradeId(), at],
      );
      await db.pool.query(
        "INSERT INTO rttm_stage_count_second (bucket, stage, event_count) VALUES ($1, 'RECEIVED', 1)",
        [at],
      );
      await db.pool.query(
        "INSERT INTO rttm_quarantine (kafka_topic, kafka_partition, kafka_offset, error_kind, reason, created_at) VALUES ('retention', 0, $1, 'framing', 'x', $2)",
        [i, at],
      );
    }
    const retention = loadConfig({
      RTTM_EVENTS_RETENTION_HOURS: "168",
      RTTM_SECOND_ROLLUP_RETENTION_HOURS: "48",
      RTTM_QUARANTINE_RETENTION_HOURS: "200",
    }).retention;
    const deleted = await pruneOnce(db.pool, retention);
    assert.equal(deleted?.rttm_trade_events, 1);
    assert.equal(deleted?.rttm_trade_progress, 1);
    assert.equal(deleted?.rttm_stage_count_second, 1);
    assert.equal(deleted?.rttm_quarantine, 1);
    for (const table of [
      "rttm_trade_events WHERE kafka_topic = 'retention'",
      "rttm_trade_progress WHERE received_service = 's'",
      "rttm_stage_count_second WHERE bucket < now() - interval '30 minutes'",
      "rttm_quarantine WHERE kafka_topic = 'retention'",
    ]) {
      const { rows } = await db.pool.query(`SELECT * FROM ${table}`);
      assert.equal(rows.length, 1, `${table}: the recent row is kept`);
    }
  });

  test("a bad env variable stops start-up with a message naming it, its value and what is allowed", async () => {
    const child = startChild({
      RTTM_BATCH_SIZE: "lots",
      KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:9092",
    });
    assert.equal(await child.exited, 2);
    assert.match(
      child.output(),
      /RTTM_BATCH_SIZE="lots" is not allowed: expected a whole number from 1 to 50000/,
    );
  });
});
