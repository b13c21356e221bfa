import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Producer } from "kafkajs";
import type { App } from "../../src/app.js";
import { createTestDatabase, waitFor } from "../support/infra.js";
import { connectProducer, freshTopics, type Encoder } from "../support/kafka.js";
import * as m from "../support/messages.js";
import { startSentinelTopology, type SentinelTopology } from "../support/redisSentinel.js";
import { graphql, serviceEnv, startAppInProcess, wsClient } from "../support/service.js";
import { sendTradeEvent } from "../support/traffic.js";

const partitions = 2;
const timelineQuery =
  "subscription($id: String!) { trade(tradeId: $id) { stages { stage reached } } }";

/** Two replicas in one consumer group over one database, sharing a change bus. */
async function twoReplicas(redisEnv: Record<string, string>) {
  const db = await createTestDatabase();
  const fresh = await freshTopics(partitions);
  const env = serviceEnv(db.url, fresh.env, redisEnv);
  const a = await startAppInProcess(env);
  const b = await startAppInProcess(env);
  await waitFor(
    "both replicas share the partitions",
    async () => {
      const assigned = [a, b].map((app) =>
        Object.values(app.ingest.consumerStatus.assigned).reduce((n, p) => n + p.length, 0),
      );
      return (
        assigned[0]! > 0 &&
        assigned[1]! > 0 &&
        a.ingest.consumerStatus.joined &&
        b.ingest.consumerStatus.joined
      );
    },
    60_000,
    250,
  );
  return { db, fresh, a, b };
}

async function storedTradeEvents(app: App): Promise<number> {
  const { data } = await graphql(app.port, "{ ingestionHealth { rowsStored { table rows } } }");
  return (
    data?.ingestionHealth.rowsStored.find((r: { table: string }) => r.table === "tradeEvents")
      ?.rows ?? 0
  );
}

async function produceStage(
  producer: Producer,
  encoder: Encoder,
  topic: string,
  tradeId: string,
  stage: "RECEIVED" | "VALIDATED",
) {
  await sendTradeEvent(producer, encoder, topic, tradeId, stage, Date.now());
}

describe("two replicas sharing Redis", () => {
  let producer: Producer;
  let replicas: Awaited<ReturnType<typeof twoReplicas>>;

  before(async () => {
    producer = await connectProducer();
    replicas = await twoReplicas({ REDIS_URL: "redis://127.0.0.1:6379" });
  });
  after(async () => {
    await Promise.all([replicas?.a.stop(), replicas?.b.stop()]);
    await replicas?.db.drop();
    await producer?.disconnect();
  });

  test("an event ingested by one replica reaches the subscribers of both", async () => {
    const { a, b, fresh } = replicas;
    const tradeId = m.newTradeId();
    const [wsA, wsB] = [wsClient(a.port), wsClient(b.port)];
    try {
      const [subA, subB] = [
        wsA.subscribe(timelineQuery, { id: tradeId }),
        wsB.subscribe(timelineQuery, { id: tradeId }),
      ];
      await Promise.all(
        [subA, subB].map((s) => s.waitFor((v) => v.trade.stages[0].reached === false)),
      );
      const before = await Promise.all([storedTradeEvents(a), storedTradeEvents(b)]);
      await produceStage(producer, fresh.encoder, fresh.topics.tradeEvents, tradeId, "RECEIVED");
      await Promise.all(
        [subA, subB].map((s) => s.waitFor((v) => v.trade.stages[0].reached === true, 10_000)),
      );
      const afterCounts = await Promise.all([storedTradeEvents(a), storedTradeEvents(b)]);
      const writers = afterCounts.map((n, i) => n - before[i]!);
      assert.deepEqual(
        writers.sort(),
        [0, 1],
        "exactly one replica stored the event; the other learned of it through Redis",
      );
    } finally {
      await Promise.all([wsA.close(), wsB.close()]);
    }
  });
});

describe("Redis Sentinel failover with subscriptions open", () => {
  let producer: Producer;
  let sentinel: SentinelTopology;
  let replicas: Awaited<ReturnType<typeof twoReplicas>>;

  before(async () => {
    producer = await connectProducer();
    sentinel = await startSentinelTopology();
    const nodes = sentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(",");
    replicas = await twoReplicas({
      REDIS_SENTINEL_NODES: nodes,
      REDIS_SENTINEL_MASTER: sentinel.masterName,
      REDIS_TIMEOUT: "1s",
    });
  });
  after(async () => {
    await Promise.all([replicas?.a.stop(), replicas?.b.stop()]);
    await replicas?.db.drop();
    await sentinel?.stop();
    await producer?.disconnect();
  });

  test("the master fails over while subscriptions are open; updates continue on both replicas", async () => {
    const { a, b, fresh } = replicas;
    const tradeId = m.newTradeId();
    const [wsA, wsB] = [wsClient(a.port, "/ws/rttm/pipeline"), wsClient(b.port, "/ws/rttm/dlq")];
    try {
      const subs = [
        wsA.subscribe(timelineQuery, { id: tradeId }),
        wsB.subscribe(timelineQuery, { id: tradeId }),
      ];
      await produceStage(producer, fresh.encoder, fresh.topics.tradeEvents, tradeId, "RECEIVED");
      await Promise.all(
        subs.map((s) => s.waitFor((v) => v.trade.stages[0].reached === true, 10_000)),
      );

      const failover = await sentinel.failover();
      assert.notDeepEqual(failover.newMaster, failover.oldMaster);
      await produceStage(producer, fresh.encoder, fresh.topics.tradeEvents, tradeId, "VALIDATED");
      await Promise.all(
        subs.map((s) => s.waitFor((v) => v.trade.stages[1].reached === true, 30_000)),
      );
      await waitFor(
        "both change buses healthy again",
        async () => a.bus.healthy && b.bus.healthy,
        30_000,
        250,
      );
      assert.equal(subs.flatMap((s) => s.errors).length, 0, "no subscription failed");
    } finally {
      await Promise.all([wsA.close(), wsB.close()]);
    }
  });
});
