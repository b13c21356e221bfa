import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { after, describe, test } from "node:test";
import { Redis } from "ioredis";
import type { RedisConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/log.js";
import type { ChangeBus } from "../../src/live/bus.js";
import { inProcessBus } from "../../src/live/inProcessBus.js";
import {
  maxTradeIdsPerNotice,
  parseNotice,
  resyncOrigin,
  type ChangeNotice,
} from "../../src/live/notice.js";
import { redisBus } from "../../src/live/redisBus.js";
import {
  closeRedisClient,
  createRedisClient,
  redisCommandFailure,
  redisStatus,
} from "../../src/live/redis.js";
import { isRttmError } from "../../src/domain/errors.js";
import { waitFor } from "../support/infra.js";
import { redisCommand, startSentinelTopology } from "../support/redisSentinel.js";
import { sleep } from "../../src/pipeline/retry.js";

const logger = createLogger({ test: "redis" });
const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const urlConfig = (
  url = redisUrl,
  commandTimeoutMs = 1000,
): Extract<RedisConfig, { kind: "url" }> => ({ kind: "url", url, commandTimeoutMs });
const uniqueChannel = () => `rttm:test:${randomUUID()}`;

interface Received {
  notice: ChangeNotice;
  at: number;
}

function collect(bus: ChangeBus): Received[] {
  const received: Received[] = [];
  bus.subscribe((notice) => received.push({ notice, at: Date.now() }));
  return received;
}

const notice = (origin: string, tradeIds: string[], tables = ["tradeEvents"]): ChangeNotice => ({
  origin,
  at: Date.now(),
  tables,
  tradeIds,
});

/** Unhandled rejections while `fn` runs (the process would die of them in production). */
async function noUnhandledRejections(fn: () => Promise<void>): Promise<void> {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on("unhandledRejection", onRejection);
  try {
    await fn();
    await sleep(100);
  } finally {
    process.off("unhandledRejection", onRejection);
  }
  assert.deepEqual(rejections, [], "no unhandled rejections");
}

/**
 * A TCP proxy to Redis that can cut one replica off: "refuse" resets every connection and
 * refuses new ones; "blackhole" keeps sockets open and silently drops the bytes (a partition).
 */
class FlakyProxy {
  mode: "pass" | "refuse" | "blackhole" = "pass";
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return (this.server.address() as { port: number }).port;
  }

  set(mode: FlakyProxy["mode"]): void {
    this.mode = mode;
    if (mode === "refuse") for (const s of this.sockets) s.resetAndDestroy();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket): void {
    if (this.mode === "refuse") {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection(this.target);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("error", () => undefined);
      s.on("close", () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk) => this.mode === "pass" && upstream.write(chunk));
    upstream.on("data", (chunk) => this.mode === "pass" && client.write(chunk));
  }
}

describe("change notices", () => {
  const toClose: Array<() => Promise<void>> = [];
  after(async () => {
    for (const close of toClose.reverse()) await close().catch(() => undefined);
  });

  test("in-process bus delivers notices to every subscriber, bounded, isolated from failing listeners", async () => {
    const bus = inProcessBus(logger);
    const first = collect(bus);
    bus.subscribe(() => {
      throw new Error("a broken listener");
    });
    const second: ChangeNotice[] = [];
    const unsubscribe = bus.subscribe((n) => second.push(n));
    const sent = notice("replica-1", ["t-1", "t-2"], ["tradeEvents", "dlqEvents"]);
    assert.doesNotThrow(() => bus.publish(sent));
    assert.equal(first.length, 0, "listeners run after publish returns, not inside it");
    await waitFor("delivery", async () => first.length === 1 && second.length === 1, 2000, 5);
    assert.deepEqual(first[0]!.notice, sent);

    unsubscribe();
    const many = Array.from({ length: maxTradeIdsPerNotice + 1000 }, (_, i) => `t-${i}`);
    bus.publish(notice("replica-1", many));
    await waitFor("second delivery", async () => first.length === 2, 2000, 5);
    assert.equal(second.length, 1, "unsubscribed");
    assert.equal(first[1]!.notice.tradeIds.length, maxTradeIdsPerNotice);
    assert.equal(first[1]!.notice.tradeIdsTruncated, true);
    assert.deepEqual(bus.stats(), {
      published: 2,
      publishFailures: 0,
      received: 2,
      malformed: 0,
      resyncs: 0,
    });
    assert.equal(bus.healthy, true);
    await bus.close();
    assert.doesNotThrow(() => bus.publish(sent));
    assert.equal(bus.stats().publishFailures, 1);
  });

  test("Redis bus on 127.0.0.1:6379: two replicas exchange notices; malformed messages are ignored and counted", async () => {
    const channel = uniqueChannel();
    const a = redisBus(urlConfig(), logger, channel);
    const b = redisBus(urlConfig(), logger, channel);
    const raw = new Redis(redisUrl);
    toClose.push(
      () => a.close(),
      () => b.close(),
      async () => void raw.disconnect(),
    );
    const atA = collect(a);
    const atB = collect(b);
    await waitFor("both buses healthy", async () => a.healthy && b.healthy, 10_000);

    const fromA = notice("replica-a", ["t-1"], ["tradeEvents", "quarantine"]);
    a.publish(fromA);
    await waitFor("A's notice at B", async () => atB.length === 1, 5000, 10);
    assert.deepEqual(atB[0]!.notice, fromA, "JSON round trip");
    const fromB = notice("replica-b", [], ["queueMetrics"]);
    b.publish(fromB);
    await waitFor(
      "B's notice at A",
      async () => atA.some((r) => r.notice.origin === "replica-b"),
      5000,
      10,
    );
    await sleep(200);
    // Own notices are delivered locally at once; their echo from Redis is dropped.
    assert.deepEqual(
      atA.map((r) => r.notice.origin),
      ["replica-a", "replica-b"],
    );
    assert.deepEqual(
      atB.map((r) => r.notice.origin),
      ["replica-a", "replica-b"],
    );

    for (const junk of [
      "not json",
      "[]",
      '{"origin":"x"}',
      '{"origin":"x","at":1,"tables":"tradeEvents","tradeIds":[]}',
      '{"origin":"x","at":1,"tables":[],"tradeIds":[1]}',
    ]) {
      await raw.publish(channel, junk);
    }
    await raw.publish(channel, JSON.stringify(notice("replica-c", ["t-9"])));
    await waitFor(
      "the valid notice after the junk",
      async () =>
        atB.some((r) => r.notice.origin === "replica-c") &&
        atA.some((r) => r.notice.origin === "replica-c"),
      5000,
      10,
    );
    assert.equal(b.stats().malformed, 5);
    assert.equal(a.stats().malformed, 5);
    assert.deepEqual(
      atB.map((r) => r.notice.origin),
      ["replica-a", "replica-b", "replica-c"],
      "junk never reached listeners",
    );

    const many = Array.from({ length: maxTradeIdsPerNotice + 1 }, (_, i) => `t-${i}`);
    a.publish(notice("replica-a", many));
    await waitFor("the big notice", async () => atB.length === 4, 5000, 10);
    assert.equal(atB[3]!.notice.tradeIds.length, maxTradeIdsPerNotice);
    assert.equal(atB[3]!.notice.tradeIdsTruncated, true);

    // Echoes are recognised by payload, not origin: replicas sharing an id by mistake still hear each other.
    b.publish(notice("replica-a", ["t-same-origin"]));
    await waitFor(
      "a notice with A's origin from B",
      async () => atA.some((r) => r.notice.tradeIds.includes("t-same-origin")),
      5000,
      10,
    );
    await sleep(200);
    assert.equal(atA.filter((r) => r.notice.tradeIds.includes("t-same-origin")).length, 1);
    assert.equal(atB.filter((r) => r.notice.tradeIds.includes("t-same-origin")).length, 1);

    await waitFor(
      "publishes acknowledged",
      async () => a.stats().published === 2 && b.stats().published === 2,
      5000,
      10,
    );
    assert.equal(a.stats().publishFailures, 0);
    assert.equal(b.stats().received, 3, "A's two notices and C's");
    assert.equal(a.stats().received, 3, "B's two and C's");
  });

  test("Redis unreachable: publish never throws, local listeners still get notices, the bus reports unhealthy", async () => {
    const proxy = new FlakyProxy({ host: "127.0.0.1", port: 6379 });
    const port = await proxy.listen();
    proxy.set("refuse");
    await noUnhandledRejections(async () => {
      const bus = redisBus(urlConfig(`redis://127.0.0.1:${port}`, 500), logger, uniqueChannel());
      const local = collect(bus);
      for (let i = 0; i < 200; i++)
        assert.doesNotThrow(() =>
          bus.publish(
            notice(
              "replica-a",
              Array.from({ length: 100 }, (_, j) => `t-${i}-${j}`),
            ),
          ),
        );
      await waitFor("local delivery", async () => local.length === 200, 2000, 10);
      assert.equal(bus.healthy, false);
      assert.equal(bus.stats().publishFailures, 200);
      assert.equal(bus.stats().published, 0);
      const started = Date.now();
      await bus.close();
      assert.ok(Date.now() - started < 2000, "close does not wait for Redis");
    });
    await proxy.close();
  });

  test("a command without a reply within REDIS_TIMEOUT (silent partition) is a retriable RttmError REDIS_TIMEOUT; a refused one is not", async () => {
    const proxy = new FlakyProxy({ host: "127.0.0.1", port: 6379 });
    const port = await proxy.listen();
    toClose.push(() => proxy.close());
    const client = createRedisClient(urlConfig(`redis://127.0.0.1:${port}`, 300), logger, "test");
    toClose.push(() => closeRedisClient(client));
    await waitFor("ready", async () => client.status === "ready", 10_000);
    proxy.set("blackhole");
    const timedOut = redisCommandFailure(await client.ping().catch((err: unknown) => err));
    assert.ok(isRttmError(timedOut, "REDIS_TIMEOUT"), String(timedOut));
    assert.equal(timedOut.retriable, true);
    proxy.set("refuse");
    await waitFor("disconnected", async () => client.status !== "ready", 10_000);
    const refused = redisCommandFailure(await client.ping().catch((err: unknown) => err));
    assert.ok(refused instanceof Error && !isRttmError(refused), String(refused));
  });

  test("one replica cut off (refused, then a silent partition): what it could not send arrives coalesced after it reconnects", async () => {
    const proxy = new FlakyProxy({ host: "127.0.0.1", port: 6379 });
    const port = await proxy.listen();
    toClose.push(() => proxy.close());
    const channel = uniqueChannel();
    await noUnhandledRejections(async () => {
      const a = redisBus(urlConfig(`redis://127.0.0.1:${port}`, 500), logger, channel);
      const b = redisBus(urlConfig(), logger, channel);
      toClose.push(
        () => a.close(),
        () => b.close(),
      );
      const atB = collect(b);
      await waitFor("both healthy", async () => a.healthy && b.healthy, 10_000);

      for (const mode of ["refuse", "blackhole"] as const) {
        proxy.set(mode);
        const ids = [`${mode}-1`, `${mode}-2`, `${mode}-3`];
        for (const [i, id] of ids.entries()) {
          a.publish(notice("replica-a", [id], i === 2 ? ["dlqEvents"] : ["tradeEvents"]));
          await sleep(300);
        }
        // A blackholed PUBLISH times out (500 ms); the bus then drops that socket as dead.
        await waitFor(`A unhealthy (${mode})`, async () => !a.healthy, 5000, 20);
        assert.ok(
          !atB.some((r) => r.notice.tradeIds.some((id) => ids.includes(id))),
          "nothing crossed while cut off",
        );
        proxy.set("pass");
        await waitFor(
          `coalesced notice at B after ${mode}`,
          async () => atB.some((r) => ids.every((id) => r.notice.tradeIds.includes(id))),
          15_000,
          20,
        );
        const merged = atB.find((r) => ids.every((id) => r.notice.tradeIds.includes(id)))!.notice;
        assert.equal(merged.origin, "replica-a");
        assert.deepEqual([...merged.tables].sort(), ["dlqEvents", "tradeEvents"]);
        await waitFor("A healthy again", async () => a.healthy, 10_000, 20);
      }
      assert.ok(a.stats().publishFailures >= 6);
      assert.equal(b.stats().resyncs, 0, "B never lost its subscription");
    });
  });

  test("Sentinel: notices flow again after the master is killed; ioredis and the bus both resubscribe", async (t) => {
    const topology = await startSentinelTopology();
    toClose.push(() => topology.stop());
    const config = topology.config(1000);
    const channel = uniqueChannel();
    await noUnhandledRejections(async () => {
      const a = redisBus(config, logger, channel);
      const b = redisBus(config, logger, channel);
      // Plain ioredis with its own autoResubscribe, to check what it does across a failover.
      const raw = createRedisClient(config, logger, "raw-subscriber", {
        offlineQueue: true,
        autoResubscribe: true,
      });
      toClose.push(
        () => a.close(),
        () => b.close(),
        () => closeRedisClient(raw),
      );
      const atRaw: string[] = [];
      raw.on("message", (_channel: string, message: string) =>
        atRaw.push(...(parseNotice(message)?.tradeIds ?? [])),
      );
      await raw.subscribe(channel);
      const atB = collect(b);
      await waitFor("both buses healthy", async () => a.healthy && b.healthy, 15_000);

      let seq = 0;
      let throws = 0;
      const publisher = setInterval(() => {
        try {
          a.publish(notice("replica-a", [`seq-${seq++}`]));
        } catch {
          throws++;
        }
      }, 50);
      try {
        await waitFor("notices flowing", async () => atB.length >= 5, 10_000, 20);
        const failover = await topology.failover();
        await waitFor(
          "B resubscribed (resync notice)",
          async () => atB.some((r) => r.notice.origin === resyncOrigin),
          15_000,
          20,
        );
        const resyncAt = atB.findIndex((r) => r.notice.origin === resyncOrigin);
        await waitFor(
          "A's notices at B after the failover",
          async () => atB.slice(resyncAt).some((r) => r.notice.origin === "replica-a"),
          15_000,
          20,
        );
        const firstAfter = atB.slice(resyncAt).find((r) => r.notice.origin === "replica-a")!;
        const recoveryMs = firstAfter.at - failover.killedAt;
        const resyncMs = atB[resyncAt]!.at - failover.killedAt;
        t.diagnostic(
          `failover: sentinels switched ${failover.switchMs} ms after the kill; B resubscribed after ${resyncMs} ms; first notice from A after ${recoveryMs} ms; ` +
            `A publish failures ${a.stats().publishFailures} (coalesced, re-sent), published ${a.stats().published}`,
        );
        assert.ok(recoveryMs <= 15_000, `recovered within 15 s (took ${recoveryMs} ms)`);
      } finally {
        clearInterval(publisher);
      }
      assert.equal(throws, 0, "publish never threw");

      // From now on every notice arrives, at both the bus and the plain ioredis subscriber (which
      // reconnects on its own backoff schedule, so it may come back a little later).
      await waitFor(
        "the plain ioredis client reconnected",
        async () => redisStatus(raw) === "up",
        15_000,
        20,
      );
      await waitFor(
        "both buses healthy after the failover",
        async () => a.healthy && b.healthy,
        15_000,
      );
      const finals = Array.from({ length: 10 }, (_, i) => `final-${i}`);
      for (const id of finals) a.publish(notice("replica-a", [id]));
      await waitFor(
        "all final notices at B",
        async () => finals.every((id) => atB.some((r) => r.notice.tradeIds.includes(id))),
        10_000,
        20,
      );
      await waitFor(
        "all final notices at the plain ioredis subscriber (autoResubscribe)",
        async () => finals.every((id) => atRaw.includes(id)),
        10_000,
        20,
      );
      const master = await topology.master();
      assert.equal(((await redisCommand(master, "ROLE")) as unknown[])[0], "master");
    });
  });
});
