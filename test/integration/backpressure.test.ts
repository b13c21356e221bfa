import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Producer } from "kafkajs";
import { stages } from "../../src/domain/stages.js";
import { count, createTestDatabase, waitFor, type TestDatabase } from "../support/infra.js";
import { assertExactlyOnce, committedTotal } from "../support/exactlyOnce.js";
import { connectProducer, freshTopics, kafka } from "../support/kafka.js";
import * as m from "../support/messages.js";
import { serviceEnv, startInProcess } from "../support/service.js";
import { produceTrades } from "../support/traffic.js";

describe("memory bounds and partitions against real Kafka and PostgreSQL", () => {
  let producer: Producer;

  before(async () => {
    producer = await connectProducer();
  });
  after(async () => {
    await producer?.disconnect();
  });

  test("the queue's byte budget pauses the consumer before its event count does, and resumes it", async () => {
    const db: TestDatabase = await createTestDatabase();
    const { topics, env, encoder } = await freshTopics();
    const capacity = 10_000;
    const maxBytes = 1024 * 1024;
    const service = await startInProcess(
      serviceEnv(db.url, env, {
        RTTM_QUEUE_CAPACITY: String(capacity),
        RTTM_QUEUE_MAX_BYTES: String(maxBytes),
        RTTM_DB_RETRY_MAX_MS: "500",
      }),
    );
    try {
      await db.cutOff();
      // 12 trades of 4 events, each event carrying a 100 kB message: ~200 kB each in the queue,
      // so 48 events are ~10 MB, ten times the byte budget and 0.5 % of the event capacity.
      const tradeIds = Array.from({ length: 12 }, () => m.newTradeId());
      const big = "x".repeat(100_000);
      for (const tradeId of tradeIds)
        await producer.send({
          topic: topics.tradeEvents,
          messages: stages.map((stage, s) => ({
            key: tradeId,
            value: encoder.encode("tradeEvents", m.RttmTradeEventSchema, {
              ...m.tradeEvent(tradeId, stage, Date.now() - 60_000 + s * 10),
              message: big,
            }),
          })),
        });
      const events = tradeIds.length * stages.length;
      await waitFor(
        "consumer paused on the byte budget",
        async () => service.consumerStatus.paused,
      );
      let maxQueued = 0;
      let maxBytesQueued = 0;
      for (let i = 0; i < 20; i++) {
        maxQueued = Math.max(maxQueued, service.queue.size);
        maxBytesQueued = Math.max(maxBytesQueued, service.queue.bytes);
        await new Promise((r) => setTimeout(r, 100));
      }
      // Each shard admits events while under its share of the budget: it may go over by one event.
      const oneEvent = 2 * 100_000 + 10_000;
      assert.ok(
        maxBytesQueued <= maxBytes + service.queue.shards.length * oneEvent,
        `queued bytes stayed within the budget (${maxBytesQueued} ≤ ${maxBytes} + one event per shard)`,
      );
      assert.ok(maxQueued < events, `the queue held ${maxQueued} of ${events} events`);
      assert.ok(maxQueued < capacity / 100, "far below the event capacity: bytes bound it");
      assert.ok(
        (service.consumerStatus.consumed[topics.tradeEvents] ?? 0) < events,
        "the consumer stopped reading while paused",
      );
      await db.restore();
      await waitFor(
        "all stored after the database is back",
        async () =>
          (await committedTotal(env.KAFKA_CONSUMER_GROUP_ID!, topics.tradeEvents)) === events,
        90_000,
        250,
      );
      assert.equal(service.consumerStatus.paused, false, "resumed");
      await assertExactlyOnce(db, tradeIds);
    } finally {
      await db.restore();
      await service.stop();
      await db.drop();
    }
  });

  test("48 partitions: every record is stored once and every partition's offset is committed to its end", async () => {
    const db = await createTestDatabase();
    const { topics, env, encoder } = await freshTopics(48);
    // A backlog on topics that already exist (right after creating 240 partitions the broker
    // still answers "not the leader" for a while, and kafkajs rejoins until it settles).
    const { tradeIds } = await produceTrades(producer, encoder, topics.tradeEvents, 1200);
    const admin = kafka.admin();
    await admin.connect();
    // The end offsets, not the events sent: a producer retry under load can append a record twice
    // (two records for RTTM, each stored once).
    const ends = await admin.fetchTopicOffsets(topics.tradeEvents);
    const records = ends.reduce((n, p) => n + Number(p.high), 0);
    const service = await startInProcess(serviceEnv(db.url, env));
    try {
      assert.equal(ends.length, 48);
      assert.ok(
        ends.filter((p) => p.high !== "0").length >= 40,
        "the trades are spread over the partitions",
      );
      await waitFor(
        "every partition committed to its end",
        async () => {
          const [committed] = await admin.fetchOffsets({
            groupId: env.KAFKA_CONSUMER_GROUP_ID!,
            topics: [topics.tradeEvents],
          });
          // A partition that got no record has nothing to commit (-1).
          return ends.every(
            (end) =>
              end.high === "0" ||
              committed!.partitions.find((p) => p.partition === end.partition)?.offset === end.high,
          );
        },
        120_000,
        250,
      );
      assert.equal(await count(db.pool, "SELECT count(*) FROM rttm_trade_events"), records);
      assert.equal(
        await count(
          db.pool,
          "SELECT count(DISTINCT (kafka_partition, kafka_offset)) FROM rttm_trade_events",
        ),
        records,
        "each record once",
      );
      assert.equal(
        await count(
          db.pool,
          "SELECT count(DISTINCT (trade_id, event_stage)) FROM rttm_trade_events WHERE trade_id = ANY($1)",
          [tradeIds],
        ),
        tradeIds.length * 4,
        "every trade's four stages",
      );
      assert.equal(
        await count(db.pool, "SELECT coalesce(sum(event_count), 0) FROM rttm_stage_count_second"),
        records,
        "the per-second rollup counts each record once",
      );
    } finally {
      await admin.disconnect();
      await service.stop();
      await db.drop();
    }
  });
});
