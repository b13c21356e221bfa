import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import type { ChangeBus } from "../../src/live/bus.js";
import { FanOut } from "../../src/live/fanout.js";
import { LiveHub, type SnapshotSource } from "../../src/live/hub.js";
import { computeBurst } from "../../src/live/snapshot.js";
import { inProcessBus } from "../../src/live/inProcessBus.js";
import { createLogger, setLogLevel } from "../../src/log.js";

setLogLevel("silent");
const logger = createLogger();
const tick = 20;
const newHub = (bus: ChangeBus, tickMs: number) =>
  new LiveHub({ bus, tickMs, fanout: new FanOut(logger), logger });
/**
 * Virtual time for the hub's clock and timers (Date, setTimeout, setInterval; setImmediate stays
 * real): `advance(ms)` moves it 1 ms at a time and lets the promises each step released settle,
 * so a spec says "within four ticks" without sleeping four ticks and hoping they were enough.
 */
function virtualTime(t: TestContext) {
  t.mock.timers.enable({ apis: ["Date", "setTimeout", "setInterval"], now: 1_000_000 });
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    async advance(ms: number): Promise<void> {
      for (let i = 0; i < ms; i++) {
        t.mock.timers.tick(1);
        await settle();
      }
      await settle();
    },
  };
}

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
  assert.equal(hub.stats().subscriptions, 500);
  await Promise.all(subscribers.map((s) => s.return!()));
  assert.equal(hub.stats().subscriptions, 0);
  assert.equal(hub.stats().snapshots, 0, "a snapshot without subscribers is dropped");
  hub.close();
});

test("only notices for the snapshot's tables recompute it, and an unchanged payload is not pushed", async (t) => {
  const time = virtualTime(t);
  const bus = inProcessBus(logger);
  const hub = newHub(bus, tick);
  const { state, source } = counterSource("dlq", ["dlqEvents"]);
  const sub = hub.subscribe(source);
  await sub.next();
  bus.publish(notice(["tradeEvents"]));
  await time.advance(tick * 4);
  assert.equal(state.computations, 1, "unrelated table: no recomputation");
  bus.publish(notice(["dlqEvents"]));
  await time.advance(tick * 4);
  assert.equal(state.computations, 2, "related table: recomputed");
  assert.equal(hub.stats().deliveries, 1, "same data (asOf aside): nothing pushed");
  await sub.return!();
  hub.close();
});

test("a slow subscriber gets the latest value only; older ones are dropped and counted", async (t) => {
  const time = virtualTime(t);
  const bus = inProcessBus(logger);
  const hub = newHub(bus, tick);
  const { state, source } = counterSource("slow", ["tradeEvents"]);
  const slow = hub.subscribe(source);
  await slow.next();
  for (let i = 1; i <= 5; i++) {
    state.value = i;
    bus.publish(notice(["tradeEvents"]));
    await time.advance(tick * 3);
  }
  const next = await slow.next();
  assert.equal(next.value?.n, 5, "the newest value");
  assert.equal(hub.stats().coalesced, 4, "four updates replaced before they were taken");
  await slow.return!();
  hub.close();
});

test("per-trade snapshots recompute only for notices naming their trade (or truncated lists)", async (t) => {
  const time = virtualTime(t);
  const bus = inProcessBus(logger);
  const hub = newHub(bus, tick);
  const { state, source } = counterSource("trade:a", [], { tradeId: "a" });
  const sub = hub.subscribe(source);
  await sub.next();
  bus.publish(notice(["tradeEvents"], ["b"]));
  await time.advance(tick * 4);
  assert.equal(state.computations, 1);
  bus.publish(notice(["tradeEvents"], ["b", "a"]));
  await time.advance(tick * 4);
  assert.equal(state.computations, 2);
  bus.publish({ ...notice(["tradeEvents"]), tradeIdsTruncated: true });
  await time.advance(tick * 4);
  assert.equal(state.computations, 3);
  await sub.return!();
  hub.close();
});

/** `promise`, or a clear failure after `ms` (a timer that also keeps the test's event loop alive). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A change and its notice on every event-loop turn until the source has been computed `target` times. */
const noticeStream = (
  bus: ChangeBus,
  state: { value: number; computations: number },
  target: number,
) =>
  within(
    (async () => {
      while (state.computations < target) {
        state.value++;
        bus.publish(notice(["tradeEvents"]));
        await turn();
      }
    })(),
    30_000,
    `${target} computations`,
  );

test("a failed computation is retried on the next tick and subscribers keep their last value", async () => {
  const bus = inProcessBus(logger);
  const hub = newHub(bus, tick);
  let fail = false;
  let value = 1;
  let failed: () => void = () => {};
  const sub = hub.subscribe({
    key: "flaky",
    tables: ["x"],
    compute: async () => {
      if (fail) {
        failed();
        throw new Error("db down");
      }
      return { value };
    },
  });
  assert.deepEqual((await within(sub.next(), 5000, "first value")).value, { value: 1 });
  fail = true;
  const failure = new Promise<void>((resolve) => (failed = resolve));
  bus.publish(notice(["x"]));
  await within(failure, 5000, "the computation after the notice");
  fail = false;
  value = 2;
  const next = await within(sub.next(), 5000, "the retried computation");
  assert.deepEqual(next.value, { value: 2 }, "recovered without a new notice");
  assert.ok(hub.stats().computeFailures >= 1);
  await sub.return!();
  hub.close();
});

test("under a stream of notices a snapshot is computed at most burst + elapsed / interval times", async () => {
  const interval = 50;
  const bus = inProcessBus(logger);
  const hub = newHub(bus, interval);
  const { state, source } = counterSource("stream", ["tradeEvents"]);
  const started = Date.now();
  const sub = hub.subscribe(source);
  await within(sub.next(), 5000, "first value");
  // A notice on every event-loop turn until the snapshot has been computed 12 times.
  const target = 12;
  await noticeStream(bus, state, target);
  const elapsed = Date.now() - started;
  // 12 computations need at least (12 − burst) intervals: the bound holds whatever the load.
  assert.ok(
    elapsed >= (target - computeBurst) * interval - 5,
    `${target} computations in ${elapsed} ms`,
  );
  await sub.return!();
  hub.close();
});

test("an expensive push to many subscribers lengthens the interval (no backlog)", async () => {
  const bus = inProcessBus(logger);
  const hub = newHub(bus, tick);
  const { state, source } = counterSource("busy", ["tradeEvents"]);
  // Each subscriber spends ~1 ms of event-loop time per payload, as a GraphQL execution plus a
  // send would: a push costs ≥ 60 ms, so computations are ≥ 120 ms apart on average, not 20.
  const done = 10;
  const consumers = Array.from({ length: 60 }, async () => {
    const sub = hub.subscribe(source);
    for await (const _value of sub) {
      const until = performance.now() + 1;
      while (performance.now() < until);
      if (state.computations >= done) break;
    }
  });
  await turn();
  const started = Date.now();
  await noticeStream(bus, state, done);
  const elapsed = Date.now() - started;
  // The first computation and the burst come at once, the first spacing may still be the tick.
  assert.ok(elapsed >= (done - computeBurst - 2) * 120, `${done} computations in ${elapsed} ms`);
  state.value = -1;
  bus.publish(notice(["tradeEvents"]));
  await within(Promise.all(consumers), 10_000, "consumers to end");
  hub.close();
});

test("a change after a quiet spell is computed at once; one inside the interval when the interval ends, not at a later tick", async () => {
  const slowTick = 400;
  const bus = inProcessBus(logger);
  const hub = newHub(bus, slowTick);
  const hubStarted = Date.now();
  const computedAt: number[] = [];
  const source = {
    key: "phase",
    tables: ["x"],
    compute: async () => {
      computedAt.push(Date.now());
      return { n: computedAt.length };
    },
  };
  // Out of phase with the periodic tick (which fires at 400, 800, … after the hub started).
  await within(new Promise((resolve) => setTimeout(resolve, slowTick / 2)), 5000, "phase");
  const sub = hub.subscribe(source);
  await within(sub.next(), 5000, "first value"); // computed at once (≈ 200 ms after the start)
  const first = Date.now();
  bus.publish(notice(["x"]));
  await within(sub.next(), 5000, "second value");
  assert.equal(computedAt.length, 2);
  // The burst credit: computed on the notice, without waiting for the interval (or a tick).
  assert.ok(computedAt[1]! - first < slowTick, `computed ${computedAt[1]! - first} ms later`);
  const noticed = Date.now();
  bus.publish(notice(["x"]));
  // The next periodic tick after the interval ends: the computation must come before it.
  const nextTick =
    hubStarted + Math.ceil((computedAt[1]! + slowTick - hubStarted) / slowTick) * slowTick;
  let tickPassed = false;
  const guard = setTimeout(() => (tickPassed = true), nextTick - Date.now() - 5);
  await within(sub.next(), 5000, "third value");
  clearTimeout(guard);
  const delay = computedAt[2]! - noticed;
  assert.ok(delay >= slowTick / 2, `computed ${delay} ms after the notice: the interval was kept`);
  assert.equal(tickPassed, false, "computed when the interval ended, before the periodic tick");
  await sub.return!();
  hub.close();
});
