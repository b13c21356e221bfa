import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Producer } from "kafkajs";
import { count, createTestDatabase, waitFor, type TestDatabase } from "../support/infra.js";
import { assertExactlyOnce, committedTotal } from "../support/exactlyOnce.js";
import { connectProducer, freshTopics, kafka } from "../support/kafka.js";
import { serviceEnv, startChild, startInProcess } from "../support/service.js";
import * as m from "../support/messages.js";
import { produceTrades } from "../support/traffic.js";
import { assertDerivedExact } from "../support/verify.js";
import { announcedPort } from "../support/serviceProcess.js";

describe("durability against real Kafka and PostgreSQL", () => {
  let db: TestDatabase;
  let producer: Producer;

  before(async () => {
    producer = await connectProducer();
  });
  after(async () => {
    await producer?.disconnect();
  });

  test("kill -9 mid-stream, then restart: the stored set equals the produced set exactly", async () => {
    db = await createTestDatabase();
    const { topics, env, encoder } = await freshTopics(3);
    const serviceConfig = serviceEnv(db.url, env, {
      RTTM_BATCH_SIZE: "200",
      RTTM_BATCH_POLL_MS: "50",
    });
    const first = startChild(serviceConfig);
    try {
      const firstHalf = produceTrades(producer, encoder, topics.tradeEvents, 3000, 400);
      await waitFor(
        "some rows stored",
        async () => (await count(db.pool, "SELECT count(*) FROM rttm_trade_events")) > 1000,
        60_000,
      );
      first.process.kill("SIGKILL");
      assert.equal(await first.exited, null, "killed by signal");
      const stored = await count(db.pool, "SELECT count(*) FROM rttm_trade_events");
      const { tradeIds: a } = await firstHalf;
      const { tradeIds: b } = await produceTrades(producer, encoder, topics.tradeEvents, 1000, 400);
      assert.ok(stored < (a.length + b.length) * 4, "the kill happened mid-stream");
      const second = startChild(serviceConfig);
      try {
        await waitFor(
          "everything stored after restart",
          async () =>
            (await count(db.pool, "SELECT count(*) FROM rttm_trade_events")) >=
            (a.length + b.length) * 4,
          120_000,
          250,
        );
        await waitFor(
          "offsets committed to the end",
          async () =>
            (await committedTotal(env.KAFKA_CONSUMER_GROUP_ID!, topics.tradeEvents)) ===
            (a.length + b.length) * 4,
          30_000,
        );
        await assertExactlyOnce(db, [...a, ...b]);
      } finally {
        second.process.kill("SIGTERM");
        await second.exited;
      }
    } finally {
      first.process.kill("SIGKILL");
      await db.drop();
    }
  });

  test("redelivery (group offsets reset to the start) stores nothing twice", async () => {
    db = await createTestDatabase();
    const { topics, env, encoder } = await freshTopics();
    const { tradeIds, events } = await produceTrades(producer, encoder, topics.tradeEvents, 500);
    let service = await startInProcess(serviceEnv(db.url, env));
    try {
      await waitFor(
        "all stored",
        async () =>
          (await committedTotal(env.KAFKA_CONSUMER_GROUP_ID!, topics.tradeEvents)) === events,
        60_000,
      );
      await service.stop();
      const admin = kafka.admin();
      await admin.connect();
      await admin.resetOffsets({
        groupId: env.KAFKA_CONSUMER_GROUP_ID!,
        topic: topics.tradeEvents,
        earliest: true,
      });
      assert.equal(await committedTotal(env.KAFKA_CONSUMER_GROUP_ID!, topics.tradeEvents), 0);
      await admin.disconnect();
      service = await startInProcess(serviceEnv(db.url, env));
      await waitFor(
        "everything consumed again",
        async () => (service.consumerStatus.consumed[topics.tradeEvents] ?? 0) >= events,
        60_000,
      );
      await waitFor(
        "offsets committed again",
        async () =>
          (await committedTotal(env.KAFKA_CONSUMER_GROUP_ID!, topics.tradeEvents)) === events,
        60_000,
      );
      await assertExactlyOnce(db, tradeIds);
    } finally {
      await service.stop();
      await db.drop();
    }
  });

  test("a rebalance while fetched records are still queued: both copies in one batch, each stored and counted once", async () => {
    db = await createTestDatabase();
    const { topics, env, encoder } = await freshTopics(1);
    const groupId = env.KAFKA_CONSUMER_GROUP_ID!;
    // One writer, so the record it holds while blocked keeps every later one queued; batches large
    // enough that everything queued meanwhile goes into the next one.
    const service = await startInProcess(
      serviceEnv(db.url, env, { RTTM_WRITERS: "1", RTTM_BATCH_SIZE: "5000" }),
    );
    const batches: Array<Array<[string, number, bigint]>> = [];
    service.onStored((_, batch) =>
      batches.push(batch.map(({ row }) => [row.kafkaTopic, row.kafkaPartition, row.kafkaOffset])),
    );
    const intruder = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    const admin = kafka.admin();
    const blocker = await db.pool.connect();
    try {
      await waitFor("the group joined", async () => service.consumerStatus.joined, 30_000);
      const consumed = () => service.consumerStatus.consumed[topics.tradeEvents] ?? 0;
      // SHARE mode blocks the writer's INSERT, not this test's reads.
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE rttm_trade_events IN SHARE MODE");
      // The first record (offset 0) is taken by the writer, which then waits on the lock.
      const baseMs = Date.now() - 600_000;
      await producer.send({
        topic: topics.tradeEvents,
        messages: [
          {
            value: encoder.encode(
              "tradeEvents",
              m.RttmTradeEventSchema,
              m.tradeEvent(m.newTradeId(), "RECEIVED", baseMs - 1_000),
            ),
          },
        ],
      });
      await waitFor(
        "the writer waiting on the lock with the first record",
        async () =>
          consumed() === 1 &&
          service.queue.size === 0 &&
          (await count(
            db.pool,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          )) === 1,
      );
      const { tradeIds, events } = await produceTrades(producer, encoder, topics.tradeEvents, 20);
      const records = events + 1;
      await waitFor(
        "the rest fetched and queued",
        async () => consumed() === records && service.queue.size === events,
      );

      // Another member joins the group and leaves again. Each sync gives kafkajs a new offset
      // manager (node_modules/kafkajs/src/consumer/consumerGroup.js), which forgets the offsets
      // resolved but not committed: the service fetches its partitions again from the committed
      // offset (none yet) while the first copies are still queued, once per sync that hands it
      // the partition (when the intruder joins and when it leaves).
      const intruderTopic = `${topics.tradeEvents}.intruder`;
      await admin.connect();
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: intruderTopic, numPartitions: 1 }],
      });
      const intruderJoined = new Promise<void>((resolve) =>
        intruder.on(intruder.events.GROUP_JOIN, () => resolve()),
      );
      await intruder.connect();
      await intruder.subscribe({ topics: [intruderTopic] });
      await intruder.run({ autoCommit: false, eachMessage: async () => {} });
      await intruderJoined;
      await intruder.disconnect();
      await waitFor(
        "the service alone in the group again, every record fetched twice or more",
        async () => {
          const [group] = (await admin.describeGroups([groupId])).groups;
          return (
            group?.state === "Stable" &&
            group.members.length === 1 &&
            consumed() >= 2 * records &&
            service.consumerStatus.lag[topics.tradeEvents]?.[0] === 0
          );
        },
        60_000,
        250,
      );
      assert.equal(service.queue.size, consumed() - 1, "every copy but the first still queued");
      assert.equal(await count(db.pool, "SELECT count(*) FROM rttm_trade_events"), 0);
      assert.equal(await committedTotal(groupId, topics.tradeEvents), 0, "nothing committed");

      await blocker.query("COMMIT");
      await waitFor(
        "everything stored and committed",
        async () =>
          service.queue.size === 0 &&
          (await committedTotal(groupId, topics.tradeEvents)) === records,
        60_000,
        250,
      );

      // The batch after the blocked one held every record two or more times (the first record
      // again, already stored by then: the batch was partly a redelivery).
      const key = ([topic, partition, offset]: [string, number, bigint]) =>
        `${topic}/${partition}/${offset}`;
      const [first, second] = batches;
      assert.deepEqual(first?.map(key), [`${topics.tradeEvents}/0/0`]);
      const copies = new Map<string, number>();
      for (const record of second ?? [])
        copies.set(key(record), (copies.get(key(record)) ?? 0) + 1);
      assert.equal(copies.size, records, "the second batch holds every record");
      assert.ok(
        [...copies.values()].every((n) => n >= 2),
        `every record at least twice in one batch: ${JSON.stringify([...copies])}`,
      );

      assert.equal(await count(db.pool, "SELECT count(*) FROM rttm_trade_events"), records);
      assert.equal(
        await count(
          db.pool,
          "SELECT count(DISTINCT (trade_id, event_stage)) FROM rttm_trade_events",
        ),
        records,
      );
      for (const table of ["rttm_stage_count_second", "rttm_stage_count_minute"])
        assert.equal(
          await count(db.pool, `SELECT coalesce(sum(event_count), 0) FROM ${table}`),
          records,
          table,
        );
      for (const table of ["rttm_latency_histogram_minute", "rttm_latency_histogram_hour"])
        assert.equal(
          await count(db.pool, `SELECT coalesce(sum(sample_count), 0) FROM ${table}`),
          tradeIds.length * 4,
          table,
        );
      await assertDerivedExact(db.pool, new Date(baseMs - 3_600_000), new Date());
      // What the service reports: the rows written, and every other copy as redelivered.
      const writer = service.writer.stats();
      assert.equal(writer.rows.tradeEvents, records);
      assert.equal(writer.redelivered, consumed() - records);
    } finally {
      await blocker.query("ROLLBACK").catch(() => undefined);
      blocker.release();
      await intruder.disconnect().catch(() => undefined);
      await admin.disconnect();
      await service.stop();
      await db.drop();
    }
  });

  test("PostgreSQL unavailable: the consumer pauses, memory stays bounded, nothing is lost, ingestion resumes by itself", async () => {
    db = await createTestDatabase();
    const { topics, env, encoder } = await freshTopics();
    const capacity = 600;
    const service = await startInProcess(
      serviceEnv(db.url, env, {
        RTTM_QUEUE_CAPACITY: String(capacity),
        RTTM_BATCH_SIZE: "100",
        RTTM_DB_RETRY_MAX_MS: "500",
      }),
    );
    try {
      await db.cutOff();
      const { tradeIds, events } = await produceTrades(producer, encoder, topics.tradeEvents, 1000);
      await waitFor(
        "consumer paused on a full queue",
        async () => service.consumerStatus.paused,
        30_000,
      );
      let maxQueued = 0;
      for (let i = 0; i < 20; i++) {
        maxQueued = Math.max(maxQueued, service.queue.size);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(
        maxQueued <= capacity,
        `queue stayed within its capacity (${maxQueued} ≤ ${capacity})`,
      );
      assert.ok(service.writer.status.failingSince, "writer reports the outage");
      assert.ok(
        (service.consumerStatus.consumed[topics.tradeEvents] ?? 0) < events,
        "the consumer stopped reading while paused",
      );
      assert.equal(
        await committedTotal(env.KAFKA_CONSUMER_GROUP_ID!, topics.tradeEvents),
        0,
        "nothing committed while nothing is stored",
      );
      await db.restore();
      await waitFor(
        "all stored after recovery",
        async () =>
          (await committedTotal(env.KAFKA_CONSUMER_GROUP_ID!, topics.tradeEvents)) === events,
        90_000,
        250,
      );
      assert.equal(service.writer.status.failingSince, null);
      await assertExactlyOnce(db, tradeIds);
    } finally {
      await db.restore();
      await service.stop();
      await db.drop();
    }
  });

  test("SIGTERM: stops fetching, flushes the queue, commits, leaves the group and exits within the bound", async () => {
    db = await createTestDatabase();
    const { topics, env, encoder } = await freshTopics();
    // Huge batches, and writes that wait on a lock this test holds: every record is fetched but none
    // stored when SIGTERM arrives (the writer no longer waits out the poll interval: it takes a
    // batch as soon as a fetch is queued). SHARE mode blocks the writer's INSERT, not our SELECTs.
    const child = startChild(
      serviceEnv(db.url, env, {
        RTTM_BATCH_SIZE: "50000",
        RTTM_BATCH_POLL_MS: "600000",
        RTTM_SHUTDOWN_TIMEOUT_MS: "15000",
      }),
    );
    const blocker = await db.pool.connect();
    try {
      // After the join: start-up's partition maintenance takes locks this one would block.
      await waitFor(
        "the group joined",
        async () => child.output().includes("joined consumer group"),
        30_000,
      );
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE rttm_trade_events IN SHARE MODE");
      const { tradeIds, events } = await produceTrades(producer, encoder, topics.tradeEvents, 500);
      const port = await announcedPort(child);
      await waitFor(
        "every record fetched and handed to the queue",
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          const fetched = `rttm_ingest_records_total{topic="${topics.tradeEvents}"} ${events}`;
          return text.split("\n").includes(fetched);
        },
        30_000,
      );
      assert.equal(
        await count(db.pool, "SELECT count(*) FROM rttm_trade_events"),
        0,
        "nothing written before shutdown",
      );
      const started = Date.now();
      child.process.kill("SIGTERM");
      await blocker.query("COMMIT");
      assert.equal(await child.exited, 0, child.output());
      assert.ok(Date.now() - started < 17_000, "exited within the shutdown bound");
      await assertExactlyOnce(db, tradeIds);
      assert.equal(await committedTotal(env.KAFKA_CONSUMER_GROUP_ID!, topics.tradeEvents), events);
    } finally {
      await blocker.query("ROLLBACK").catch(() => undefined);
      blocker.release();
      child.process.kill("SIGKILL");
      await db.drop();
    }
  });
});
