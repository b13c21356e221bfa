import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
import { assertExactlyOnce, committedTotal } from "../support/exactlyOnce.js";
import { count, createTestDatabase, waitFor } from "../support/infra.js";
import { connectProducer, freshTopics } from "../support/kafka.js";
import { serviceEnv, startChild } from "../support/service.js";
import { announcedPort } from "../support/serviceProcess.js";
import { produceTrades } from "../support/traffic.js";

async function health(
  port: number,
): Promise<{ kafka: { details: { assigned: Record<string, number[]> } } }> {
  const response = await fetch(`http://127.0.0.1:${port}/actuator/health`);
  return ((await response.json()) as { components: never }).components;
}

const assignedCount = (assigned: Record<string, number[]>) =>
  Object.values(assigned).reduce((n, p) => n + p.length, 0);

test("rolling restart under load: SIGTERM to one instance, the other takes over, nothing lost or doubled, sockets closed with a retryable code", async () => {
  const db = await createTestDatabase();
  const producer = await connectProducer();
  const { topics, env, encoder } = await freshTopics(3);
  const config = serviceEnv(db.url, env, { RTTM_BATCH_SIZE: "200" });
  const a = startChild(config);
  const b = startChild(config);
  try {
    const [portA, portB] = await Promise.all([announcedPort(a), announcedPort(b)]);
    const partitions = 5 * 3;
    await waitFor(
      "both instances share the partitions",
      async () => {
        const [ha, hb] = await Promise.all([health(portA), health(portB)]);
        const [na, nb] = [
          assignedCount(ha.kafka.details.assigned),
          assignedCount(hb.kafka.details.assigned),
        ];
        return na > 0 && nb > 0 && na + nb === partitions;
      },
      60_000,
      250,
    );

    // A graphql-ws socket on the instance that will stop.
    const socket = new WebSocket(`ws://127.0.0.1:${portA}/ws/rttm/metrics`, "graphql-transport-ws");
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init" }));
    await new Promise((resolve) => socket.once("message", resolve));

    const load = produceTrades(producer, encoder, topics.tradeEvents, 3000, 200);
    await waitFor(
      "traffic flowing into both instances",
      async () => (await count(db.pool, "SELECT count(*) FROM rttm_trade_events")) > 1500,
      60_000,
      100,
    );
    const stopped = Date.now();
    a.process.kill("SIGTERM");
    assert.equal(await a.exited, 0, a.output().slice(-2000));
    assert.ok(Date.now() - stopped < 27_000, "stopped within the shutdown bound");
    // 1012 "service restart": graphql-ws clients (and @pms/rttm-client) treat it as retryable and reconnect.
    assert.equal(await closed, 1012);

    const { tradeIds, events } = await load;
    await waitFor(
      "the survivor holds every partition",
      async () => assignedCount((await health(portB)).kafka.details.assigned) === partitions,
      60_000,
      250,
    );
    await waitFor(
      "every offset committed",
      async () =>
        (await committedTotal(env.KAFKA_CONSUMER_GROUP_ID!, topics.tradeEvents)) === events,
      120_000,
      250,
    );
    await assertExactlyOnce(db, tradeIds);
  } finally {
    a.process.kill("SIGKILL");
    b.process.kill("SIGTERM");
    await b.exited;
    await producer.disconnect();
    await db.drop();
  }
});
