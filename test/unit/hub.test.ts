import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChangeBus } from "../../src/live/bus.js";
import { FanOut } from "../../src/live/fanout.js";
import { LiveHub, type SnapshotSource } from "../../src/live/hub.js";
import { inProcessBus } from "../../src/live/inProcessBus.js";
import { createLogger, setLogLevel } from "../../src/log.js";
import { sleep } from "../../src/pipeline/retry.js";

setLogLevel("silent");
const logger = createLogger();
const tick = 20;
const newHub = (bus: ChangeBus, tickMs: number) =>
  new LiveHub({ bus, tickMs, fanout: new FanOut(logger), logger });
const notice = (tables: string[], tradeIds: string[] = []) => ({
  origin: "test",
  at: Date.now(),
  tables,
  tradeIds,
});

function counterSource(
  key: string,
  tables: string[],
  extra: Partial<SnapshotSource<{ n: number; asOf: number }>> = {},
) {
  const state = { value: 0, computations: 0 };
  const source: SnapshotSource<{ n: number; asOf: number }> = {
    key,
    tables,
    compute: async () => {
      state.computations++;
      return { n: state.value, asOf: Date.now() };
    },
    ...extra,
  };
  return { state, source };
}

test("many subscribers, one computation per change; each gets the current value first", async () => {
  const bus = inProcessBus(logger);
  const hub = newHub(bus, tick);
  const { state, source } = counterSource("count", ["tradeEvents"]);
  const subscribers = Array.from({ length: 500 }, () => hub.subscribe(source));
  const first = await Promise.all(subscribers.map((s) => s.next()));
  assert.ok(first.every((r) => r.value?.n === 0));
  assert.equal(state.computations, 1);
  state.value = 1;
  bus.publish(notice(["tradeEvents"]));
  const second = await Promise.all(subscribers.map((s) => s.next()));
  assert.ok(second.every((r) => r.value?.n === 1));
  assert.equal(state.computations, 2, "recomputed once for 500 subscribers");
  assert.equal(hub.stats.subscriptions, 500);
  await Promise.all(subscribers.map((s) => s.return!()));
  assert.equal(hub.stats.subscriptions, 0);
  assert.equal(hub.stats.snapshots, 0, "a snapshot without subscribers is dropped");
  hub.close();
});

test("only notices for the snapshot's tables recompute it, and an unchanged payload is not pushed", async () => {
  const bus = inProcessBus(logger);
  const hub = newHub(bus, tick);
  const { state, source } = counterSource("dlq", ["dlqEvents"]);
  const sub = hub.subscribe(source);
  await sub.next();
  bus.publish(notice(["tradeEvents"]));
  await sleep(tick * 4);
  assert.equal(state.computations, 1, "unrelated table: no recomputation");
  bus.publish(notice(["dlqEvents"]));
  await sleep(tick * 4);
  assert.equal(state.computations, 2, "related table: recomputed");
  assert.equal(hub.stats.deliveries, 1, "same data (asOf aside): nothing pushed");
  await sub.return!();
  hub.close();
});

test("a slow subscriber gets the latest value only; older ones are dropped and counted", async () => {
  const bus = inProcessBus(logger);
  const hub = newHub(bus, tick);
  const { state, source } = counterSource("slow", ["tradeEvents"]);
  const slow = hub.subscribe(source);
  await slow.next();
  for (let i = 1; i <= 5; i++) {
    state.value = i;
    bus.publish(notice(["tradeEvents"]));
    await sleep(tick * 3);
  }
  const next = await slow.next();
  assert.equal(next.value?.n, 5, "the newest value");
  assert.equal(hub.stats.coalesced, 4, "four updates replaced before they were taken");
  await slow.return!();
  hub.close();
});

test("per-trade snapshots recompute only for notices naming their trade (or truncated lists)", async () => {
  const bus = inProcessBus(logger);
  const hub = newHub(bus, tick);
  const { state, source } = counterSource("trade:a", [], { tradeId: "a" });
  const sub = hub.subscribe(source);
  await sub.next();
  bus.publish(notice(["tradeEvents"], ["b"]));
  await sleep(tick * 4);
  assert.equal(state.computations, 1);
  bus.publish(notice(["tradeEvents"], ["b", "a"]));
  await sleep(tick * 4);
  assert.equal(state.computations, 2);
  bus.publish({ ...notice(["tradeEvents"]), tradeIdsTruncated: true });
  await sleep(tick * 4);
  assert.equal(state.computations, 3);
  await sub.return!();
  hub.close();
});

test("a failed computation is retried on the next tick and subscribers keep their last value", async () => {
  const bus = inProcessBus(logger);
  const hub = newHub(bus, tick);
  let fail = false;
  let value = 1;
  const sub = hub.subscribe({
    key: "flaky",
    tables: ["x"],
    compute: async () => {
      if (fail) throw new Error("db down");
      return { value };
    },
  });
  assert.deepEqual((await sub.next()).value, { value: 1 });
  fail = true;
  bus.publish(notice(["x"]));
  await sleep(tick * 4);
  assert.ok(hub.stats.computeFailures >= 1);
  fail = false;
  value = 2;
  assert.deepEqual((await sub.next()).value, { value: 2 }, "recovered without a new notice");
  await sub.return!();
  hub.close();
});

test("an expensive push to many subscribers spaces out the next computations (no backlog)", async () => {
  const bus = inProcessBus(logger);
  const hub = newHub(bus, tick);
  const { state, source } = counterSource("busy", ["tradeEvents"]);
  // Each subscriber spends ~1 ms of event-loop time per payload, as a GraphQL execution plus a send would.
  const consumers = Array.from({ length: 60 }, async () => {
    const sub = hub.subscribe(source);
    for await (const _value of sub) {
      const until = performance.now() + 1;
      while (performance.now() < until);
      if (state.value >= 1000) break;
    }
  });
  await sleep(tick * 3);
  const before = state.computations;
  const started = Date.now();
  for (let i = 0; i < 50; i++) {
    state.value = i + 1;
    bus.publish(notice(["tradeEvents"]));
    await sleep(5);
  }
  const elapsed = Date.now() - started;
  // A push costs ~60 ms here, so computations are at least ~120 ms apart, not one per notice.
  assert.ok(
    state.computations - before <= Math.ceil(elapsed / 100) + 1,
    `${state.computations - before} computations in ${elapsed} ms`,
  );
  state.value = 1000;
  bus.publish(notice(["tradeEvents"]));
  await Promise.race([Promise.all(consumers), sleep(5000)]);
  hub.close();
});

test("a notice inside the minimum interval is computed when the interval ends, not at a later tick", async () => {
  const slowTick = 400;
  const bus = inProcessBus(logger);
  const hub = newHub(bus, slowTick);
  const computedAt: number[] = [];
  await sleep(slowTick / 2); // out of phase with the periodic tick (which fires at 400, 800, …)
  const sub = hub.subscribe({
    key: "phase",
    tables: ["x"],
    compute: async () => {
      computedAt.push(Date.now());
      return { n: computedAt.length };
    },
  });
  await sub.next(); // computed now (≈ 200 ms after the hub started)
  await sleep(50);
  const noticed = Date.now();
  bus.publish(notice(["x"]));
  await sub.next();
  const delay = computedAt[1]! - noticed;
  // Due 400 ms after the first computation, i.e. ≈ 350 ms after the notice; the next periodic
  // tick that finds it due would be ≈ 550 ms after the notice.
  assert.ok(delay >= 300 && delay < 480, `computed ${delay} ms after the notice`);
  await sub.return!();
  hub.close();
});
