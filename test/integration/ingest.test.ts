import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Producer } from "kafkajs";
import type { IngestService } from "../../src/ingest/service.js";
import { count, createTestDatabase, waitFor, type TestDatabase } from "../support/infra.js";
import {
  connectProducer,
  createEncoder,
  createTopics,
  kafka,
  uniqueTopics,
  type Encoder,
} from "../support/kafka.js";
import * as m from "../support/messages.js";
import { frameValue } from "../../src/ingest/wireFormat.js";
import { serviceEnv, startInProcess } from "../support/service.js";
import { sendTradeEvent } from "../support/traffic.js";

describe("ingestion from real Kafka into real PostgreSQL", () => {
  const { topics, env } = uniqueTopics();
  let db: TestDatabase;
  let producer: Producer;
  let encoder: Encoder;
  let service: IngestService;
  const now = Date.now() - 60_000;

  before(async () => {
    db = await createTestDatabase();
    await createTopics(topics);
    encoder = await createEncoder(topics);
    producer = await connectProducer();
    service = await startInProcess(serviceEnv(db.url, env));
  });

  after(async () => {
    await service?.stop();
    await producer?.disconnect();
    await db?.drop();
  });

  test("each topic: a protobuf record in Confluent framing becomes a row with the right values", async () => {
    const tradeId = m.newTradeId();
    await sendTradeEvent(producer, encoder, topics.tradeEvents, tradeId, "RECEIVED", now);
    await producer.send({
      topic: topics.errorEvents,
      messages: [
        {
          value: encoder.encode(
            "errorEvents",
            m.RttmErrorEventSchema,
            m.errorEvent(tradeId, now + 1),
          ),
        },
      ],
    });
    await producer.send({
      topic: topics.dlqEvents,
      messages: [
        { value: encoder.encode("dlqEvents", m.RttmDlqEventSchema, m.dlqEvent(tradeId, now + 2)) },
      ],
    });
    await producer.send({
      topic: topics.queueMetrics,
      messages: [
        {
          value: encoder.encode(
            "queueMetrics",
            m.RttmQueueMetricSchema,
            m.queueMetric("orders", 3, 1500n, 1200n, now + 3),
          ),
        },
      ],
    });
    await producer.send({
      topic: topics.invalidTrades,
      messages: [
        {
          value: encoder.encode(
            "invalidTrades",
            m.InvalidTradeEventProtoSchema,
            m.invalidTrade("not-a-uuid", now + 4),
          ),
        },
      ],
    });

    const trade = await waitFor(
      "trade event row",
      async () =>
        (await db.pool.query("SELECT * FROM rttm_trade_events WHERE trade_id = $1", [tradeId]))
          .rows[0],
    );
    assert.equal(trade.service_name, "received-service");
    assert.equal(trade.event_type, "TRADE_RECEIVED");
    assert.equal(trade.event_stage, "RECEIVED");
    assert.equal(trade.event_status, "SUCCESS");
    assert.equal(trade.offset_value, 42n);
    assert.equal(trade.event_time.getTime(), now);
    assert.equal(trade.message, `trade ${tradeId} RECEIVED`);
    assert.equal(trade.kafka_topic, topics.tradeEvents);

    const error = await waitFor(
      "error row",
      async () => (await db.pool.query("SELECT * FROM rttm_error_events")).rows[0],
    );
    assert.deepEqual(
      [
        error.trade_id,
        error.error_type,
        error.error_message,
        error.event_stage,
        error.event_time.getTime(),
      ],
      [tradeId, "TECHNICAL", "price feed timeout", "ENRICHED", now + 1],
    );

    const dlq = await waitFor(
      "dlq row",
      async () => (await db.pool.query("SELECT * FROM rttm_dlq_events")).rows[0],
    );
    assert.deepEqual(
      [
        dlq.trade_id,
        dlq.topic_name,
        dlq.original_topic,
        dlq.reason,
        dlq.event_stage,
        dlq.event_time.getTime(),
      ],
      [tradeId, "trades.dlq", "trades", "schema mismatch", "VALIDATED", now + 2],
    );

    const metric = await waitFor(
      "queue metric row",
      async () => (await db.pool.query("SELECT * FROM rttm_queue_metrics")).rows[0],
    );
    assert.deepEqual(
      [
        metric.topic_name,
        metric.partition_id,
        metric.produced_offset,
        metric.consumed_offset,
        metric.consumer_group,
      ],
      ["orders", 3, 1500n, 1200n, "enricher-group"],
    );
    const latest = (await db.pool.query("SELECT * FROM rttm_queue_metric_latest")).rows[0];
    assert.deepEqual(
      [latest.topic_name, latest.stored_lag, latest.snapshot_time.getTime()],
      ["orders", 300n, now + 3],
    );

    const invalid = await waitFor(
      "invalid trade row",
      async () => (await db.pool.query("SELECT * FROM rttm_invalid_trades")).rows[0],
    );
    assert.deepEqual(
      [
        invalid.trade_id,
        invalid.portfolio_id,
        invalid.side,
        invalid.price_per_stock,
        invalid.quantity,
        invalid.trade_timestamp.getTime(),
      ],
      ["not-a-uuid", "invalid-portfolio-id", "HOLD", 420.123456, -5n, now + 4],
    );
    assert.ok(
      Math.abs(invalid.event_time.getTime() - Date.now()) < 60_000,
      "event_time is the Kafka record's time",
    );
  });

  test("DLQ and error events without a trade id are stored with a null trade id", async () => {
    await producer.send({
      topic: topics.dlqEvents,
      messages: [
        {
          value: encoder.encode("dlqEvents", m.RttmDlqEventSchema, {
            ...m.dlqEvent("", now),
            reason: "no trade id",
          }),
        },
      ],
    });
    await producer.send({
      topic: topics.errorEvents,
      messages: [
        {
          value: encoder.encode("errorEvents", m.RttmErrorEventSchema, {
            ...m.errorEvent("", now),
            errorMessage: "no trade id",
          }),
        },
      ],
    });
    await waitFor(
      "dlq without trade id",
      async () =>
        (await count(
          db.pool,
          "SELECT count(*) FROM rttm_dlq_events WHERE trade_id IS NULL AND reason = 'no trade id'",
        )) === 1,
    );
    await waitFor(
      "error without trade id",
      async () =>
        (await count(
          db.pool,
          "SELECT count(*) FROM rttm_error_events WHERE trade_id IS NULL AND error_message = 'no trade id'",
        )) === 1,
    );
  });

  test("poison records are quarantined with a readable reason; the good records around them are stored", async () => {
    const good = [m.newTradeId(), m.newTradeId()];
    const trade = (id: string) =>
      encoder.encode("tradeEvents", m.RttmTradeEventSchema, m.tradeEvent(id, "RECEIVED", now));
    const frame = (schemaId: number, payload: Buffer) => frameValue(schemaId, payload);
    const poison: Array<[string, Buffer, RegExp]> = [
      ["garbage", Buffer.from("this is not protobuf at all"), /bad magic byte 0x74/],
      [
        "bad magic",
        Buffer.concat([Buffer.from([0x01]), trade(m.newTradeId()).subarray(1)]),
        /bad magic byte 0x01/,
      ],
      [
        "unknown schema id",
        frame(987_654, trade(m.newTradeId()).subarray(6)),
        /schema id 987654 is unknown/,
      ],
      [
        "bad uuid",
        encoder.encode(
          "tradeEvents",
          m.RttmTradeEventSchema,
          m.tradeEvent("not-a-uuid", "RECEIVED", now),
        ),
        /trade_id "not-a-uuid" is not a UUID/,
      ],
      [
        "unknown stage",
        encoder.encode("tradeEvents", m.RttmTradeEventSchema, {
          ...m.tradeEvent(m.newTradeId(), "RECEIVED", now),
          eventStage: "ANALYZED",
        }),
        /event_stage "ANALYZED" is not one of RECEIVED, VALIDATED, ENRICHED, COMMITTED/,
      ],
      [
        "truncated protobuf",
        Buffer.concat([trade(m.newTradeId()).subarray(0, 6), Buffer.from([0x0a, 0x50, 0x41])]),
        /payload is not a valid com.pms.rttm.proto.RttmTradeEvent/,
      ],
      [
        "wrong message type",
        frame(encoder.schemaIds.dlqEvents, trade(m.newTradeId()).subarray(6)),
        /this topic carries com.pms.rttm.proto.RttmTradeEvent/,
      ],
    ];
    await producer.send({
      topic: topics.tradeEvents,
      messages: [
        { key: good[0], value: trade(good[0]!) },
        ...poison.map(([, value]) => ({ key: "poison", value })),
        { key: good[1], value: trade(good[1]!) },
      ].map((msg) => ({ ...msg, partition: 0 })),
    });
    await waitFor(
      "good records stored",
      async () =>
        (await count(db.pool, "SELECT count(*) FROM rttm_trade_events WHERE trade_id = ANY($1)", [
          good,
        ])) === 2,
    );
    const quarantined = await waitFor("poison quarantined", async () => {
      const { rows } = await db.pool.query(
        "SELECT * FROM rttm_quarantine WHERE kafka_topic = $1 ORDER BY kafka_offset",
        [topics.tradeEvents],
      );
      return rows.length === poison.length ? rows : undefined;
    });
    poison.forEach(([name, value, reason], i) => {
      assert.match(quarantined[i].reason, reason, name);
      assert.deepEqual(Buffer.from(quarantined[i].raw_value), value, `${name}: raw bytes kept`);
      assert.equal(quarantined[i].message_key.toString(), "poison");
    });
    await waitFor("offsets committed past the poison", async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const [offsets] = await admin.fetchOffsets({
          groupId: env.KAFKA_CONSUMER_GROUP_ID!,
          topics: [topics.tradeEvents],
        });
        const committed = offsets!.partitions.find((p) => p.partition === 0)!.offset;
        return Number(committed) > Number(quarantined.at(-1).kafka_offset);
      } finally {
        await admin.disconnect();
      }
    });
  });

  test("out-of-order stage events give the right latencies, one row per (trade, stage)", async () => {
    const tradeId = m.newTradeId();
    const now = Date.now() - 2 * 3600_000; // a minute of its own in the histogram
    const send = (stage: "RECEIVED" | "VALIDATED" | "ENRICHED" | "COMMITTED", offsetMs: number) =>
      sendTradeEvent(producer, encoder, topics.tradeEvents, tradeId, stage, now + offsetMs);
    const latencies = async () =>
      Object.fromEntries(
        (
          await db.pool.query(
            "SELECT stage_name, latency_ms FROM rttm_stage_latency WHERE trade_id = $1",
            [tradeId],
          )
        ).rows.map((r) => [r.stage_name, Number(r.latency_ms)]),
      );
    await send("COMMITTED", 540);
    await send("ENRICHED", 360);
    await waitFor("ENRICHED → COMMITTED", async () => (await latencies()).COMMITTED === 180);
    await send("VALIDATED", 120);
    await waitFor("VALIDATED → ENRICHED", async () => (await latencies()).ENRICHED === 240);
    await send("RECEIVED", 0);
    await send("VALIDATED", 300); // a later duplicate of a stage does not move its earliest time
    await waitFor("all latencies", async () => (await latencies()).END_TO_END === 540);
    await waitFor(
      "the duplicate stored",
      async () =>
        (await count(db.pool, "SELECT count(*) FROM rttm_trade_events WHERE trade_id = $1", [
          tradeId,
        ])) === 5,
    );
    assert.deepEqual(await latencies(), {
      VALIDATED: 120,
      ENRICHED: 240,
      COMMITTED: 180,
      END_TO_END: 540,
    });
    const histogram = await db.pool.query(
      "SELECT stage, sum(sample_count)::int AS n, sum(latency_sum_ms)::int AS total FROM rttm_latency_histogram_minute WHERE bucket >= date_trunc('minute', $1::timestamptz) GROUP BY stage ORDER BY stage",
      [new Date(now)],
    );
    assert.deepEqual(
      histogram.rows.map((r) => [r.stage, r.n, r.total]),
      [
        ["COMMITTED", 1, 180],
        ["END_TO_END", 1, 540],
        ["ENRICHED", 1, 240],
        ["VALIDATED", 1, 120],
      ],
      "each latency counted once in the histogram, old values taken back",
    );
    const perSecond = await count(
      db.pool,
      "SELECT sum(event_count) FROM rttm_stage_count_second WHERE stage = 'VALIDATED' AND bucket = date_trunc('second', $1::timestamptz)",
      [new Date(now + 120)],
    );
    assert.ok(perSecond >= 1);
  });
});
