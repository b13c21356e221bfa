import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MessageType, stringifyMessage } from "graphql-ws";
import WebSocket from "ws";
import { useAppFixture } from "../support/fixture.js";
import { uniqueName, waitFor } from "../support/infra.js";
import * as m from "../support/messages.js";
import { graphql } from "../support/service.js";

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
  // A tick of a second (250 ms by default): "concurrent" HTTP requests stay within one tick on a
  // loaded machine too.
  const tickMs = 1000;
  const fixture = useAppFixture({ env: { RTTM_LIVE_TICK_MS: String(tickMs) } });

  const sendDlq = () =>
    fixture.producer.send({
      topic: fixture.topics.dlqEvents,
      messages: [
        {
          value: fixture.encoder.encode(
            "dlqEvents",
            m.RttmDlqEventSchema,
            m.dlqEvent(m.newTradeId(), Date.now()),
          ),
        },
      ],
    });

  test("same operation and variables share one execution; other variables get their own; each frame carries its own id and is what graphql-ws would send", async () => {
    const a = await rawClient(fixture.app.port);
    const b = await rawClient(fixture.app.port);
    const fanout = fixture.app.hub.fanout;
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
    const a = await rawClient(fixture.app.port);
    const fanout = fixture.app.hub.fanout;
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
    const hub = fixture.app.hub;
    const query = "query Q($w: Int) { pipeline(windowSeconds: $w) { asOf windowSeconds } }";
    const computed0 = hub.stats().readsComputed;
    const joined0 = hub.stats().readsJoined;
    const fromSnapshot0 = hub.stats().readsFromSnapshot;
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => graphql(fixture.app.port, query, { w: 4321 })),
    );
    const elapsed = Date.now() - started;
    assert.ok(answers.every((r) => r.data?.pipeline?.windowSeconds === 4321));
    // Concurrent readers share a computation, and a computation answers for a tick: at most one
    // more per tick the 20 requests took (one when they all arrive within a tick, as on an idle
    // machine; a loaded one may spread them further).
    const computed = hub.stats().readsComputed - computed0;
    assert.ok(
      computed >= 1 && computed <= 1 + Math.floor(elapsed / tickMs),
      `${computed} computations for 20 concurrent requests in ${elapsed} ms`,
    );
    assert.equal(
      hub.stats().readsJoined - joined0 + hub.stats().readsFromSnapshot - fromSnapshot0,
      20 - computed,
      "the others joined a computation or read its result",
    );
    const asOf = new Set(answers.map((r) => r.data!.pipeline.asOf as string));
    assert.equal(asOf.size, computed, "one asOf per computation");
    // Asked again until the answer changes: while the newest computation is at most a tick old
    // the answer is that snapshot; the first one after is one new computation, a tick or more later.
    const newest = [...asOf].sort().at(-1)!;
    const computed1 = hub.stats().readsComputed;
    const next = await waitFor(
      "an answer computed again once the newest is older than the tick",
      async () => {
        const answer = (await graphql(fixture.app.port, query, { w: 4321 })).data!.pipeline.asOf;
        return answer !== newest && answer;
      },
      10_000,
      20,
    );
    assert.equal(hub.stats().readsComputed - computed1, 1, "computed again once");
    const gap = Date.parse(next) - Date.parse(newest);
    assert.ok(gap >= tickMs, `an answer was reused for ${gap} ms, less than the tick`);
  });

  test("composed without the shared fan-out (bench:live's per-subscriber baseline): each subscriber its own execution, no group", async () => {
    // Its own consumer group, so the fixture's service keeps its partitions.
    const app = await fixture.startApp(
      { KAFKA_CONSUMER_GROUP_ID: uniqueName("rttm-test-group") },
      { sharedFanOut: false },
    );
    const a = await rawClient(app.port);
    try {
      a.subscribe("p1", dlqQuery, { w: 3600 });
      a.subscribe("p2", dlqQuery, { w: 3600 });
      await waitFor("first payloads", async () => a.of("p1").length > 0 && a.of("p2").length > 0);
      assert.deepEqual(a.of("p1")[0]!.payload, a.of("p2")[0]!.payload);
      assert.equal(app.hub.fanout.stats().groups, 0, "no fan-out group");
      assert.equal(app.hub.stats().subscriptions, 2, "one hub subscription per subscriber");
    } finally {
      a.close();
      await app.stop();
    }
  });
});
