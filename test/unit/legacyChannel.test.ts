import assert from "node:assert/strict";
import { test } from "node:test";
import { Repeater } from "@repeaterjs/repeater";
import type WebSocket from "ws";
import { FeedChannel } from "../../src/legacy/channel.js";
import { telemetryEnvelope, type LegacyFeed } from "../../src/legacy/feeds.js";

/** A hub that hands out one subscription whose values the test pushes. */
function fakeHub() {
  let push: ((value: unknown) => Promise<unknown>) | null = null;
  let subscriptions = 0;
  let ended = 0;
  return {
    get subscriptions() {
      return subscriptions;
    },
    get ended() {
      return ended;
    },
    push: async (value: unknown) => {
      await push!(value);
      await new Promise((r) => setImmediate(r));
    },
    subscribe: () => {
      subscriptions++;
      return new Repeater<any>(async (p, stop) => {
        push = p;
        await stop;
        ended++;
      });
    },
  };
}

/** Stands in for a `ws` socket: what was sent, and a send buffer the test can fill (no real socket can be made slow on demand). */
function fakeSocket() {
  const sent: string[] = [];
  return {
    sent,
    readyState: 1,
    bufferedAmount: 0,
    send(data: Buffer, options: { binary: boolean }) {
      assert.equal(options.binary, false, "text frames only");
      sent.push(data.toString());
    },
  };
}

const telemetryFeed: LegacyFeed<{ a: number[]; b: number[] }> = {
  path: "telemetry",
  source: { key: "test", tables: [], compute: async () => ({ a: [], b: [] }) },
  parts: (v) => [
    ["A", v.a],
    ["B", v.b],
  ],
  frame: telemetryEnvelope,
};

const types = (sent: string[]) => sent.map((s) => JSON.parse(s).type);

test("a channel (fake hub and fake sockets) serialises each changed part once, sends only changed parts, and joins late sockets with the latest of every part", async () => {
  const hub = fakeHub();
  const channel = new FeedChannel(telemetryFeed as LegacyFeed, hub, 1000);
  const first = fakeSocket();
  channel.join(first as unknown as WebSocket);
  await hub.push({ a: [1], b: [2] });
  assert.deepEqual(types(first.sent), ["A", "B"]);
  await hub.push({ a: [1], b: [3] });
  assert.deepEqual(types(first.sent), ["A", "B", "B"], "only B changed");
  const late = fakeSocket();
  channel.join(late as unknown as WebSocket);
  assert.deepEqual(
    late.sent.map((s) => JSON.parse(s).data),
    [[1], [3]],
    "the latest of every part at once",
  );
  assert.equal(hub.subscriptions, 1, "one hub subscription for all sockets");
  assert.equal(first.sent[2], late.sent[1], "the same bytes for every socket");
});

test("a socket over its send-buffer limit skips frames, then gets the latest of every part; the last socket leaving ends the subscription", async () => {
  const hub = fakeHub();
  const channel = new FeedChannel(telemetryFeed as LegacyFeed, hub, 1000);
  const slow = fakeSocket();
  const fast = fakeSocket();
  channel.join(slow as unknown as WebSocket);
  channel.join(fast as unknown as WebSocket);
  await hub.push({ a: [1], b: [1] });
  slow.bufferedAmount = 5000;
  await hub.push({ a: [2], b: [1] });
  await hub.push({ a: [3], b: [1] });
  assert.equal(slow.sent.length, 2, "nothing queued while over the limit");
  assert.equal(fast.sent.length, 4);
  slow.bufferedAmount = 0;
  await hub.push({ a: [3], b: [4] });
  assert.deepEqual(
    slow.sent.slice(2).map((s) => JSON.parse(s).data),
    [[3], [4]],
    "caught up with the latest A and B",
  );
  channel.leave(slow as unknown as WebSocket);
  channel.leave(fast as unknown as WebSocket);
  await new Promise((r) => setImmediate(r));
  assert.equal(hub.ended, 1);
});
