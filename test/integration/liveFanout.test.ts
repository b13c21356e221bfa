import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MessageType, stringifyMessage } from "graphql-ws";
import type { Producer } from "kafkajs";
import WebSocket from "ws";
import type { App } from "../../src/app.js";
import { createTestDatabase, waitFor, type TestDatabase } from "../support/infra.js";
import { connectProducer, freshTopics, type Encoder } from "../support/kafka.js";
import * as m from "../support/messages.js";
import { graphql, serviceEnv, startAppInProcess } from "../support/service.js";

/** A graphql-transport-ws connection that keeps every raw text frame it receives. */
async function rawClient(port: number) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/rttm/graphql`, "graphql-transport-ws");
  const frames: string[] = [];
  socket.on("message", (data) => frames.push(data.toString()));
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  socket.send(JSON.stringify({ type: "connection_init" }));
  await waitFor("connection_ack", async () => frames.some((f) => f.includes("connection_ack")));
  return {
    socket,
    frames,
    subscribe(id: string, query: string, variables?: Record<string, unknown>) {
      socket.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } }));
    },
    complete(id: string) {
      socket.send(JSON.stringify({ id, type: "complete" }));
    },
    /** Parsed frames for subscription `id`. */
    of(id: string) {
      return frames
        .map((f) => JSON.parse(f) as { id?: string; type: string; payload?: any })
        .filter((f) => f.id === id);
    },
    close: () => socket.close(),
  };
}

const dlqQuery = "subscription Dlq($w: Int) { dlqOverview(windowSeconds: $w) { asOf total } }";

describe("live fan-out: subscribers grouped by snapshot, operation and variables", () => {
  let db: TestDatabase;
  let producer: Producer;
  let encoder: Encoder;
  let topics: Awaited<ReturnType<typeof freshTopics>>["topics"];
  let app: App;

  const sendDlq = () =>
    producer.send({
      topic: topics.dlqEvents,
      messages: [
        {
          value: encoder.encode(
            "dlqEvents",
            m.RttmDlqEventSchema,
            m.dlqEvent(m.newTradeId(), Date.now()),
          ),
        },
      ],
    });

  before(async () => {
    db = await createTestDatabase();
    producer = await connectProducer();
    const fresh = await freshTopics();
    ({ topics, encoder } = fresh);
    app = await startAppInProcess(serviceEnv(db.url, fresh.env));
  });
  after(async () => {
    await app?.stop();
    await producer?.disconnect();
    await db?.drop();
  });

  test("same operation and variables share one execution; other variables get their own; each frame carries its own id and is what graphql-ws would send", async () => {
    const a = await rawClient(app.port);
    const b = await rawClient(app.port);
    const fanout = app.hub.fanout;
    const groups0 = fanout.stats().groups;
    try {
      a.subscribe("a1", dlqQuery, { w: 3600 });
      b.subscribe("b-7", dlqQuery, { w: 3600 });
      a.subscribe("a2", dlqQuery, { w: 7200 });
      await waitFor(
        "first payloads",
        async () => ["a1", "a2"].every((id) => a.of(id).length > 0) && b.of("b-7").length > 0,
      );
      assert.equal(fanout.stats().groups - groups0, 2, "two groups: one per variables");
      const serialisations0 = fanout.stats().serialisations;
      await sendDlq();
      await waitFor("the new DLQ event pushed to all three", async () =>
        [a.of("a1"), b.of("b-7"), a.of("a2")].every(
          (f) => f.at(-1)?.payload.data.dlqOverview.total === 1,
        ),
      );
      // One execution and serialisation per group for the change (a refresh may add one per group).
      const executions = fanout.stats().serialisations - serialisations0;
      assert.ok(
        executions >= 2 && executions <= 4,
        `${executions} executions for 3 subscribers in 2 groups`,
      );
      const shared = a.of("a1").at(-1)!.payload;
      assert.deepEqual(b.of("b-7").at(-1)!.payload, shared, "the same payload for the same group");
      for (const client of [a, b])
        for (const frame of client.frames.filter((f) => f.includes('"type":"next"'))) {
          const { id, payload } = JSON.parse(frame) as { id: string; payload: any };
          assert.equal(frame, stringifyMessage({ id, type: MessageType.Next, payload }));
        }
      assert.ok(
        a.of("b-7").length === 0 && b.of("a1").length === 0,
        "frames only to their own socket",
      );
    } finally {
      a.close();
      b.close();
    }
    await waitFor(
      "groups dropped when their sockets closed",
      async () => fanout.stats().groups === groups0,
    );
  });

  test("completing the last member drops the group; an error in one subscription leaves another alone", async () => {
    const a = await rawClient(app.port);
    const fanout = app.hub.fanout;
    const groups0 = fanout.stats().groups;
    try {
      a.subscribe("ok", dlqQuery, { w: 60 });
      a.subscribe("bad", 'subscription { trade(tradeId: "not-a-uuid") { tradeId } }');
      await waitFor("ok's first payload", async () => a.of("ok").length > 0);
      await waitFor("bad's error", async () =>
        a.of("bad").some((f) => f.type !== "next" || f.payload.errors),
      );
      assert.equal(a.of("bad").at(-1)!.type, "complete", "the failed subscription is completed");
      const before = a.of("ok").length;
      await sendDlq();
      await waitFor("ok still receives", async () => a.of("ok").length > before);
      assert.equal(fanout.stats().groups - groups0, 1);
      a.complete("ok");
      await waitFor("group dropped", async () => fanout.stats().groups === groups0);
    } finally {
      a.close();
    }
  });

  test("HTTP queries for hub views: concurrent requests share one computation and the answer says its asOf", async () => {
    const hub = app.hub;
    const query = "query Q($w: Int) { pipeline(windowSeconds: $w) { asOf windowSeconds } }";
    const computed0 = hub.stats().readsComputed;
    const joined0 = hub.stats().readsJoined;
    const fromSnapshot0 = hub.stats().readsFromSnapshot;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => graphql(app.port, query, { w: 4321 })),
    );
    assert.ok(answers.every((r) => r.data?.pipeline?.windowSeconds === 4321));
    assert.equal(
      hub.stats().readsComputed - computed0,
      1,
      "computed once for 20 concurrent requests",
    );
    assert.equal(
      hub.stats().readsJoined - joined0 + hub.stats().readsFromSnapshot - fromSnapshot0,
      19,
      "the others joined it or read its result",
    );
    const asOf = new Set(answers.map((r) => r.data!.pipeline.asOf));
    assert.equal(asOf.size, 1, "one computation, one asOf");
    // Older than the tick (RTTM_LIVE_TICK_MS, 250 ms by default): the next answer is a new computation.
    await new Promise((r) => setTimeout(r, 400));
    const after = await graphql(app.port, query, { w: 4321 });
    assert.notEqual(after.data!.pipeline.asOf, [...asOf][0], "older than the tick: computed again");
  });
});
