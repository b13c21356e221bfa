import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { Pool } from "pg";
import type {
  DlqEventRow,
  ErrorEventRow,
  InvalidTradeRow,
  QuarantineRow,
  QueueMetricRow,
  TradeEventRow,
} from "../../src/domain/rows.js";
import type { Stage } from "../../src/domain/stages.js";
import { stages } from "../../src/domain/stages.js";
import { binLowerBoundMs, binUpperBoundMs } from "../../src/arithmetic/latencyHistogram.js";
import { createPool } from "../../src/store/pool.js";
import {
  dlqEvents,
  dlqOverview,
  errorEvents,
  InvalidInputError,
  invalidTrades,
  latencyStats,
  overview,
  pipeline,
  quarantinedRecords,
  queueLag,
  throughputTrend,
  tradeTimeline,
  type Page,
  type PageArgs,
} from "../../src/store/read/index.js";
import { writeBatch, type RowsByTable } from "../../src/store/writeBatch.js";
import { createTestDatabase, type TestDatabase } from "../support/infra.js";
import { tradeEventRow } from "../support/rows.js";

// Everything is seeded through the production write path (writeBatch), so the rollups and latency
// histograms the read models use are the ones production code derives from the events.

const snapshotRule = { threshold: 0.1, minIntervalMinutes: 5 };
let nextOffset = 0n;
const coordinates = () => ({
  kafkaTopic: "read-models",
  kafkaPartition: 0,
  kafkaOffset: nextOffset++,
});
const at = (iso: string) => new Date(iso);

const tradeEvent = (tradeId: string, stage: Stage, time: Date): TradeEventRow =>
  tradeEventRow(tradeId, stage, time, coordinates());

function dlqEvent(stage: Stage, time: Date, extra: Partial<DlqEventRow> = {}): DlqEventRow {
  return {
    tradeId: null,
    serviceName: "validator",
    topicName: "trades.dlq",
    originalTopic: "trades",
    reason: "schema mismatch",
    eventStage: stage,
    eventTime: time,
    ...coordinates(),
    ...extra,
  };
}

function errorEvent(stage: Stage, time: Date, extra: Partial<ErrorEventRow> = {}): ErrorEventRow {
  return {
    tradeId: null,
    serviceName: "enricher",
    errorType: "TECHNICAL",
    errorMessage: "price feed timeout",
    eventStage: stage,
    eventTime: time,
    ...coordinates(),
    ...extra,
  };
}

function invalidTrade(tradeId: string, time: Date): InvalidTradeRow {
  return {
    tradeId,
    portfolioId: "p-1",
    symbol: "AAPL",
    side: "HOLD",
    pricePerStock: 420.5,
    quantity: -5n,
    tradeTimestamp: time,
    validationErrors: "side must be BUY or SELL",
    eventTime: time,
    ...coordinates(),
  };
}

function queueMetric(
  topicName: string,
  partitionId: number,
  consumerGroup: string,
  produced: bigint,
  consumed: bigint,
  time: Date,
): QueueMetricRow {
  return {
    serviceName: `${consumerGroup}-service`,
    topicName,
    partitionId,
    consumerGroup,
    producedOffset: produced,
    consumedOffset: consumed,
    snapshotTime: time,
    ...coordinates(),
  };
}

function quarantined(errorKind: string, kafkaTopic: string): QuarantineRow {
  return {
    ...coordinates(),
    kafkaTopic,
    kafkaTimestamp: null,
    messageKey: null,
    rawValue: Buffer.from([1, 2, 3]),
    errorKind,
    reason: `${errorKind} failure`,
  };
}

async function seed(pool: Pool, rows: Partial<RowsByTable>): Promise<void> {
  await writeBatch(
    pool,
    {
      tradeEvents: [],
      errorEvents: [],
      dlqEvents: [],
      invalidTrades: [],
      queueMetrics: [],
      quarantine: [],
      ...rows,
    },
    snapshotRule,
  );
}

async function rejects(promise: Promise<unknown>, argument: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof InvalidInputError, `expected InvalidInputError, got ${String(err)}`);
    assert.equal(err.argument, argument);
    assert.match(err.message, new RegExp(argument));
    return true;
  });
}

/** Follows endCursor to the end; returns every node id in order and the page sizes. */
async function allPages<T extends { id: string }>(
  fetch: (args: PageArgs) => Promise<Page<T>>,
  first: number,
): Promise<{ ids: string[]; sizes: number[] }> {
  const ids: string[] = [];
  const sizes: number[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Page<T> = await fetch({ first, after });
    ids.push(...page.edges.map((e) => e.node.id));
    sizes.push(page.edges.length);
    assert.equal(page.pageInfo.endCursor, page.edges.at(-1)?.cursor ?? null);
    if (!page.pageInfo.hasNextPage) return { ids, sizes };
    after = page.pageInfo.endCursor;
    assert.ok(sizes.length < 100, "pagination terminates");
  }
}

// now is deliberately not on a second boundary: 2026-11-27 12:10:00.500 UTC.
const NOW = at("2026-11-27T12:10:00.500Z");
const upper = (bin: number) => binUpperBoundMs(bin);

describe("read models", () => {
  let db: TestDatabase;
  let empty: TestDatabase;
  let lists: TestDatabase;
  let pool: Pool;
  let emptyPool: Pool;
  let listPool: Pool;

  before(async () => {
    [db, empty, lists] = await Promise.all([
      createTestDatabase(),
      createTestDatabase(),
      createTestDatabase(),
    ]);
    // The production pool (int8 as bigint), as the GraphQL layer will pass it.
    pool = createPool(db.url);
    emptyPool = createPool(empty.url);
    listPool = createPool(lists.url);
  });
  after(async () => {
    await Promise.all([pool?.end(), emptyPool?.end(), listPool?.end()]);
    await Promise.all([db?.drop(), empty?.drop(), lists?.drop()]);
  });

  describe("on an empty database every read model answers with zeros, nulls and empty lists", () => {
    test("numbers", async () => {
      assert.deepEqual(await overview(emptyPool, { now: NOW }), {
        asOf: NOW,
        currentTps: 0,
        currentTpsWindowSeconds: 5,
        peakTps: 0,
        peakTpsWindowSeconds: 300,
        avgEndToEndLatencyMs: null,
        latencyWindowStart: at("2026-11-26T12:10:00.000Z"),
        dlqCount: 0,
        invalidTradeCount: 0,
        errorCount: 0,
        windowSeconds: 86_400,
      });
      const p = await pipeline(emptyPool, { now: NOW });
      assert.deepEqual(
        p.stages,
        stages.map((stage) => ({
          stage,
          count: 0,
          avgLatencyMs: null,
          successRate: stage === "RECEIVED" ? 100 : null,
        })),
      );
      assert.deepEqual(await dlqOverview(emptyPool, { now: NOW }), {
        asOf: NOW,
        windowSeconds: 86_400,
        total: 0,
        byStage: stages.map((stage) => ({ stage, count: 0 })),
        unknownStage: 0,
        lastEventTime: null,
      });
      const latency = await latencyStats(emptyPool, { now: NOW });
      assert.deepEqual(
        latency.stages,
        ["VALIDATED", "ENRICHED", "COMMITTED", "END_TO_END"].map((stage) => ({
          stage,
          samples: 0,
          avgMs: null,
          p50Ms: null,
          p95Ms: null,
          p99Ms: null,
        })),
      );
      const trend = await throughputTrend(emptyPool, { now: NOW, granularity: "HOUR" });
      assert.equal(trend.buckets.length, 25);
      assert.ok(trend.buckets.every((b) => b.count === 0 && b.perSecond === 0));
      assert.deepEqual(await queueLag(emptyPool, { now: NOW }), {
        asOf: NOW,
        rows: [],
        totalLag: 0n,
        byTopicGroup: [],
      });
    });

    test("lists and the timeline", async () => {
      const emptyPage = { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
      assert.deepEqual(await dlqEvents(emptyPool, {}), emptyPage);
      assert.deepEqual(
        await errorEvents(emptyPool, { stage: "ENRICHED", errorType: "TECHNICAL" }),
        emptyPage,
      );
      assert.deepEqual(await invalidTrades(emptyPool, { first: 10 }), emptyPage);
      assert.deepEqual(await quarantinedRecords(emptyPool, { errorKind: "decode" }), emptyPage);
      const timeline = await tradeTimeline(emptyPool, { tradeId: randomUUID() });
      assert.deepEqual(timeline.entries, []);
      assert.equal(timeline.truncated, false);
      assert.deepEqual(
        timeline.stages,
        stages.map((stage) => ({
          stage,
          reachedAt: null,
          serviceName: null,
          latencyFromPreviousMs: null,
        })),
      );
      assert.equal(timeline.endToEndMs, null);
    });
  });

  describe("dashboard numbers", () => {
    // Four complete trades F1..F4 around 11:00 with chosen stage gaps (ms):
    //   VALIDATED 10, 20, 30, 40   ENRICHED 100, 100, 100, 300   COMMITTED 5, 5, 5, 60000
    //   end to end 115, 125, 135, 60340   (F4 commits a minute later: a second histogram minute)
    // plus ENRICHED retries of F1 and F2 (events, but no new latency), a partial trade P1
    // (RECEIVED, VALIDATED 50 ms later), an old complete trade outside the 24 h window, and
    // RECEIVED-only events placed on the window edges.
    const F = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const P1 = randomUUID();
    const gaps = { v: [10, 20, 30, 40], e: [100, 100, 100, 300], c: [5, 5, 5, 60_000] };

    before(async () => {
      const full: TradeEventRow[] = [];
      F.forEach((id, i) => {
        const r = Date.parse("2026-11-27T11:00:11.000Z") + i * 1000;
        const v = r + gaps.v[i]!;
        const e = v + gaps.e[i]!;
        const c = e + gaps.c[i]!;
        full.push(
          tradeEvent(id, "RECEIVED", new Date(r)),
          tradeEvent(id, "VALIDATED", new Date(v)),
          tradeEvent(id, "ENRICHED", new Date(e)),
          tradeEvent(id, "COMMITTED", new Date(c)),
        );
      });
      // Later stages arrive in a batch of their own before the earlier ones (out of order).
      await seed(pool, { tradeEvents: full.filter((r) => r.eventStage !== "RECEIVED") });
      await seed(pool, { tradeEvents: full.filter((r) => r.eventStage === "RECEIVED") });
      const old = randomUUID();
      const single = (iso: string) => tradeEvent(randomUUID(), "RECEIVED", at(iso));
      await seed(pool, {
        tradeEvents: [
          tradeEvent(F[0]!, "ENRICHED", at("2026-11-27T11:00:12.110Z")), // retry of F1
          tradeEvent(F[1]!, "ENRICHED", at("2026-11-27T11:00:13.120Z")), // retry of F2
          tradeEvent(P1, "RECEIVED", at("2026-11-27T11:30:00.000Z")),
          tradeEvent(P1, "VALIDATED", at("2026-11-27T11:30:00.050Z")),
          ...(["RECEIVED", "VALIDATED", "ENRICHED", "COMMITTED"] as const).map((s, i) =>
            tradeEvent(old, s, new Date(Date.parse("2026-11-26T10:00:00.000Z") + i * 7)),
          ),
          // a burst of 9 in the second 12:07:30: Peak TPS
          ...Array.from({ length: 9 }, (_, k) =>
            single(new Date(Date.parse("2026-11-27T12:07:30.000Z") + k * 100).toISOString()),
          ),
          // 9 events in 12:05:00.000-.400 (before the 300 s window starts at 12:05:00.500) and one at .600
          ...Array.from({ length: 9 }, (_, k) =>
            single(new Date(Date.parse("2026-11-27T12:05:00.000Z") + k * 50).toISOString()),
          ),
          single("2026-11-27T12:05:00.600Z"),
          // around the 5 s window (12:09:55.500, 12:10:00.500]
          single("2026-11-27T12:09:55.500Z"), // on the open end: outside
          single("2026-11-27T12:09:55.501Z"),
          single("2026-11-27T12:09:57.250Z"),
          single("2026-11-27T12:09:57.250Z"),
          single("2026-11-27T12:09:57.250Z"),
          single("2026-11-27T12:09:58.000Z"),
          single("2026-11-27T12:10:00.500Z"), // = now: inside
          single("2026-11-27T12:10:00.501Z"), // after now: outside every window
          // around the 24 h window (2026-11-26 12:10:00.500, now]
          single("2026-11-26T12:10:00.500Z"), // outside
          single("2026-11-26T12:10:00.501Z"), // inside
        ],
        dlqEvents: [
          dlqEvent("VALIDATED", at("2026-11-27T12:09:00.000Z")),
          dlqEvent("VALIDATED", at("2026-11-27T11:59:00.000Z")),
          dlqEvent("ENRICHED", at("2026-11-26T12:10:00.500Z")), // outside
          dlqEvent("COMMITTED", at("2026-11-27T10:00:00.000Z"), { serviceName: "committer" }),
          dlqEvent("RECEIVED", at("2026-11-27T12:10:00.501Z")), // after now
          dlqEvent("ENRICHED", at("2026-11-27T11:00:11.110Z"), {
            tradeId: F[0]!,
            reason: "enrichment gave up",
          }),
        ],
        errorEvents: [
          errorEvent("ENRICHED", at("2026-11-27T12:00:00.000Z")),
          errorEvent("ENRICHED", at("2026-11-26T12:10:00.501Z")),
          errorEvent("ENRICHED", at("2026-11-26T12:10:00.500Z")), // outside
          errorEvent("ENRICHED", at("2026-11-27T11:00:11.110Z"), {
            tradeId: F[0]!,
            errorMessage: "price feed timeout for F1",
          }),
        ],
        invalidTrades: [
          invalidTrade("not-a-uuid", at("2026-11-27T12:01:00.000Z")),
          invalidTrade(F[0]!.toUpperCase(), at("2026-11-27T11:00:11.000Z")),
          invalidTrade("not-a-uuid", at("2026-11-25T12:00:00.000Z")), // outside
        ],
      });
      // Queue snapshots: an older one first, then the latest per (topic, partition, group).
      await seed(pool, {
        queueMetrics: [
          queueMetric("payments", 0, "g1", 1000n, 500n, at("2026-11-27T12:08:00.000Z")),
        ],
      });
      await seed(pool, {
        queueMetrics: [
          queueMetric("payments", 0, "g1", 1000n, 900n, at("2026-11-27T12:09:50.000Z")),
          queueMetric("payments", 1, "g1", 500n, 500n, at("2026-11-27T12:09:00.000Z")),
          queueMetric("payments", 0, "g2", 1000n, 990n, at("2026-11-27T12:10:00.000Z")),
          queueMetric("audit", 0, "g1", 2n ** 53n + 10n, 5n, at("2026-11-27T12:10:01.500Z")),
        ],
      });
    });

    test("overview: Current TPS is a rate over (now − 5 s, now], Peak TPS the busiest second in 5 min", async () => {
      const o = await overview(pool, { now: NOW });
      // RECEIVED in (12:09:55.500, 12:10:00.500]: 55.501, 57.250 ×3, 58.000, 00.500 = 6 → 6 / 5 s = 1.2/s
      assert.equal(o.currentTps, 1.2);
      // Seconds of (12:05:00.500, 12:10:00.500]: 12:07:30 has 9. The second 12:05:00 holds 10 events but
      // only the one at .600 lies in the window, so it counts 1, not 10.
      assert.equal(o.peakTps, 9);
      // end to end (115 + 125 + 135 + 60340) / 4 = 15178.75; the old trade (21 ms) is outside the window
      assert.equal(o.avgEndToEndLatencyMs, 15_178.75);
      assert.deepEqual(o.latencyWindowStart, at("2026-11-26T12:10:00.000Z"));
      // DLQ 12:09, 11:59, 10:00, 11:00:11.110 (not the one on the open end, not the one after now)
      assert.equal(o.dlqCount, 4);
      assert.equal(o.invalidTradeCount, 2);
      assert.equal(o.errorCount, 3);
      assert.deepEqual(
        [o.currentTpsWindowSeconds, o.peakTpsWindowSeconds, o.windowSeconds],
        [5, 300, 86_400],
      );
      assert.deepEqual(o.asOf, NOW);

      const narrow = await overview(pool, {
        now: NOW,
        currentTpsWindowSeconds: 1,
        peakTpsWindowSeconds: 60,
        windowSeconds: 3600,
      });
      // (12:09:59.500, 12:10:00.500] holds only 00.500 → 1/s; busiest second in the last minute: 12:09:57 (3)
      assert.equal(narrow.currentTps, 1);
      assert.equal(narrow.peakTps, 3);
      // the last hour (from 11:10:00.500) has no end-to-end sample (latency minutes from 11:10)
      assert.equal(narrow.avgEndToEndLatencyMs, null);
      assert.deepEqual(narrow.latencyWindowStart, at("2026-11-27T11:10:00.000Z"));
      assert.deepEqual([narrow.dlqCount, narrow.invalidTradeCount, narrow.errorCount], [2, 1, 1]);
    });

    test("overview refuses windows that are not whole seconds from 1 s to a year", async () => {
      await rejects(
        overview(pool, { now: NOW, currentTpsWindowSeconds: 0 }),
        "currentTpsWindowSeconds",
      );
      await rejects(
        overview(pool, { now: NOW, peakTpsWindowSeconds: 2.5 }),
        "peakTpsWindowSeconds",
      );
      await rejects(overview(pool, { now: NOW, windowSeconds: 400 * 86_400 }), "windowSeconds");
      await rejects(overview(pool, { now: new Date(Number.NaN) }), "now");
    });

    test("pipeline: counts per stage in the window, mean stage latency, success rate half-up to 2 decimals", async () => {
      const p = await pipeline(pool, { now: NOW });
      assert.equal(p.windowSeconds, 86_400);
      assert.deepEqual(p.stages, [
        // RECEIVED: F1-F4, P1, 9 + 10 around 12:05-12:07, 7 in the last 5 s up to now, 1 just inside the 24 h edge = 32
        { stage: "RECEIVED", count: 32, avgLatencyMs: null, successRate: 100 },
        // 5 / 32 = 15.625 % → 15.63 (half-up; banker's rounding would give 15.62). (10+20+30+40+50)/5 = 30
        { stage: "VALIDATED", count: 5, avgLatencyMs: 30, successRate: 15.63 },
        // F1-F4 plus two retries = 6; 6 / 5 = 120 % (retries can exceed 100). (100+100+100+300)/4 = 150
        { stage: "ENRICHED", count: 6, avgLatencyMs: 150, successRate: 120 },
        // 4 / 6 = 66.666… → 66.67. (5+5+5+60000)/4 = 15003.75
        { stage: "COMMITTED", count: 4, avgLatencyMs: 15_003.75, successRate: 66.67 },
      ]);
      // The last hour (11:10:00.500, now]: RECEIVED P1 + 10 + 9 + 7 = 27
      const hour = await pipeline(pool, { now: NOW, windowSeconds: 3600 });
      assert.deepEqual(
        hour.stages.map((s) => [s.stage, s.count, s.successRate]),
        [
          ["RECEIVED", 27, 100],
          ["VALIDATED", 1, 3.7], // 1 / 27 = 3.7037 % → 3.7
          ["ENRICHED", 0, 0],
          ["COMMITTED", 0, null], // previous count 0
        ],
      );
      // P1's VALIDATED latency (50 ms, at 11:30) is the only stage latency in the last hour
      assert.deepEqual(
        hour.stages.map((s) => s.avgLatencyMs),
        [null, 50, null, null],
      );
    });

    test("DLQ overview: total and all four stages in the window, last event time overall", async () => {
      assert.deepEqual(await dlqOverview(pool, { now: NOW }), {
        asOf: NOW,
        windowSeconds: 86_400,
        total: 4,
        byStage: [
          { stage: "RECEIVED", count: 0 }, // the RECEIVED one is after now
          { stage: "VALIDATED", count: 2 },
          { stage: "ENRICHED", count: 1 }, // the other ENRICHED one sits on the window's open end
          { stage: "COMMITTED", count: 1 },
        ],
        unknownStage: 0,
        // the most recent at or before now; the one stamped after now does not count
        lastEventTime: at("2026-11-27T12:09:00.000Z"),
      });
      // (12:08:59.500, 12:10:00.500] holds the 12:09 event; a 60 s window would start just after it
      const shortWindow = await dlqOverview(pool, { now: NOW, windowSeconds: 61 });
      assert.equal((await dlqOverview(pool, { now: NOW, windowSeconds: 60 })).total, 0);
      assert.equal(shortWindow.total, 1);
      assert.deepEqual(shortWindow.lastEventTime, at("2026-11-27T12:09:00.000Z"));
      const before = await dlqOverview(pool, {
        now: at("2026-11-27T09:00:00.000Z"),
        windowSeconds: 3600,
      });
      assert.equal(before.total, 0);
      // last event as of 09:00: the one at 2026-11-26 12:10:00.500 (outside the earlier 24 h windows, still the latest then)
      assert.deepEqual(before.lastEventTime, at("2026-11-26T12:10:00.500Z"));
    });

    test("throughput trend: hourly buckets over 24 h, zero-filled, edges cut exactly by the window", async () => {
      const trend = await throughputTrend(pool, { now: NOW, granularity: "HOUR" });
      assert.equal(trend.buckets.length, 25); // 2026-11-26 12:00 … 2026-11-27 12:00
      assert.deepEqual(trend.buckets[0]!.bucketStart, at("2026-11-26T12:00:00.000Z"));
      assert.deepEqual(trend.buckets.at(-1)!.bucketStart, at("2026-11-27T12:00:00.000Z"));
      const nonZero = trend.buckets
        .filter((b) => b.count > 0)
        .map((b) => [b.bucketStart.toISOString(), b.count, b.seconds]);
      assert.deepEqual(nonZero, [
        // only 12:10:00.501 lies in the window; the bucket covers (12:10:00.500, 13:00) = 2999.5 s
        ["2026-11-26T12:00:00.000Z", 1, 2999.5],
        // F1-F4: 4 + 4 + 6 + 4 = 18 events, P1: 2
        ["2026-11-27T11:00:00.000Z", 20, 3600],
        // 9 + 10 + 7 (12:10:00.501 is after now); the bucket covers [12:00, 12:10:00.500] = 600.5 s
        ["2026-11-27T12:00:00.000Z", 26, 600.5],
      ]);
      assert.equal(trend.buckets.at(-1)!.perSecond, 26 / 600.5);
      assert.equal(
        trend.buckets.reduce((sum, b) => sum + b.count, 0),
        47,
        "the trend sums to the pipeline's 32 + 5 + 6 + 4",
      );
      assert.ok(trend.buckets.slice(1, -1).every((b) => b.seconds === 3600));

      const received = await throughputTrend(pool, {
        now: NOW,
        granularity: "HOUR",
        stage: "RECEIVED",
      });
      assert.equal(received.stage, "RECEIVED");
      assert.deepEqual(
        received.buckets.filter((b) => b.count > 0).map((b) => b.count),
        [1, 5, 26],
      );
    });

    test("throughput trend per second and per minute", async () => {
      const seconds = await throughputTrend(pool, {
        now: NOW,
        windowSeconds: 10,
        granularity: "SECOND",
      });
      // (12:09:50.500, 12:10:00.500]: seconds 12:09:50 … 12:10:00, the first and last cut to half a second
      assert.equal(seconds.buckets.length, 11);
      assert.deepEqual(
        seconds.buckets.map((b) => [
          b.bucketStart.toISOString().slice(11, 19),
          b.count,
          b.seconds,
          b.perSecond,
        ]),
        [
          ["12:09:50", 0, 0.5, 0],
          ["12:09:51", 0, 1, 0],
          ["12:09:52", 0, 1, 0],
          ["12:09:53", 0, 1, 0],
          ["12:09:54", 0, 1, 0],
          ["12:09:55", 2, 1, 2], // 55.500 and 55.501 (both after 12:09:50.500)
          ["12:09:56", 0, 1, 0],
          ["12:09:57", 3, 1, 3],
          ["12:09:58", 1, 1, 1],
          ["12:09:59", 0, 1, 0],
          ["12:10:00", 1, 0.5, 2], // 00.500 only, over half a second
        ],
      );
      // now on a second boundary: (12:09:55.000, 12:10:00.000] is exactly five whole seconds
      const aligned = await throughputTrend(pool, {
        now: at("2026-11-27T12:10:00.000Z"),
        windowSeconds: 5,
        granularity: "SECOND",
      });
      assert.deepEqual(
        aligned.buckets.map((b) => [b.bucketStart.toISOString().slice(11, 19), b.count, b.seconds]),
        [
          ["12:09:55", 2, 1],
          ["12:09:56", 0, 1],
          ["12:09:57", 3, 1],
          ["12:09:58", 1, 1],
          ["12:09:59", 0, 1],
        ],
      );
      const minutes = await throughputTrend(pool, {
        now: NOW,
        windowSeconds: 3600,
        granularity: "MINUTE",
      });
      assert.equal(minutes.buckets.length, 61); // 11:10 … 12:10
      assert.deepEqual(
        minutes.buckets
          .filter((b) => b.count > 0)
          .map((b) => [b.bucketStart.toISOString().slice(11, 16), b.count]),
        [
          ["11:30", 2],
          ["12:05", 10],
          ["12:07", 9],
          ["12:09", 6],
          ["12:10", 1],
        ],
      );
    });

    test("throughput trend refuses more than 10,000 buckets and unknown arguments", async () => {
      await rejects(
        throughputTrend(pool, { now: NOW, windowSeconds: 10_000, granularity: "SECOND" }),
        "windowSeconds",
      );
      await rejects(
        throughputTrend(pool, { now: NOW, windowSeconds: 86_400, granularity: "SECOND" }),
        "windowSeconds",
      );
      assert.equal(
        (await throughputTrend(pool, { now: NOW, windowSeconds: 9_999, granularity: "SECOND" }))
          .buckets.length,
        10_000,
      );
      await rejects(
        throughputTrend(pool, { now: NOW, granularity: "DAY" as "HOUR" }),
        "granularity",
      );
      await rejects(
        throughputTrend(pool, { now: NOW, granularity: "HOUR", stage: "SHIPPED" }),
        "stage",
      );
    });

    test("latency stats: exact means, percentiles from the histogram, old samples excluded", async () => {
      const stats = await latencyStats(pool, { now: NOW });
      const byStage = Object.fromEntries(stats.stages.map((s) => [s.stage, s]));
      assert.deepEqual(
        stats.stages.map((s) => s.stage),
        ["VALIDATED", "ENRICHED", "COMMITTED", "END_TO_END"],
      );
      // Bin b ≥ 1 holds [2^((b−1)/16), 2^(b/16)) ms. A percentile is the nearest-rank sample's bin,
      // interpolated by rank inside the bin: alone in its bin → the bin's upper bound.
      const close = (actual: number | null, expected: number) =>
        assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${actual} ≈ ${expected}`);

      // VALIDATED 10, 20, 30, 40, 50: mean 30. p50 = rank 3 → 30 ms, alone in bin 79 → 2^(79/16) = 30.6433.
      // p95 = p99 = rank 5 → 50 ms in bin 91 → 2^(91/16) = 51.5357.
      assert.equal(byStage.VALIDATED!.samples, 5);
      assert.equal(byStage.VALIDATED!.avgMs, 30);
      close(byStage.VALIDATED!.p50Ms, upper(79));
      close(byStage.VALIDATED!.p95Ms, upper(91));
      close(byStage.VALIDATED!.p99Ms, upper(91));
      assert.ok(Math.abs(byStage.VALIDATED!.p50Ms! - 30.6433) < 1e-4);

      // ENRICHED 100, 100, 100, 300: mean 150. p50 = rank 2 of the 3 samples in bin 107 [98.7015, 103.0714):
      // 98.7015 + 2/3 × 4.3699 = 101.6148. p95 = p99 = rank 4 → 300 ms in bin 132 → 2^(132/16) = 304.4370.
      assert.equal(byStage.ENRICHED!.samples, 4);
      assert.equal(byStage.ENRICHED!.avgMs, 150);
      close(
        byStage.ENRICHED!.p50Ms,
        binLowerBoundMs(107) + (2 / 3) * (upper(107) - binLowerBoundMs(107)),
      );
      assert.ok(Math.abs(byStage.ENRICHED!.p50Ms! - 101.6148) < 1e-4);
      close(byStage.ENRICHED!.p95Ms, upper(132));

      // COMMITTED 5, 5, 5, 60000 (the last in the next minute's histogram): mean 15003.75.
      // p50 = rank 2 of 3 in bin 38 [4.9674, 5.1874) → 5.1141; p99 = 60000 in bin 254 → 2^(254/16) = 60096.777.
      assert.equal(byStage.COMMITTED!.avgMs, 15_003.75);
      assert.ok(Math.abs(byStage.COMMITTED!.p50Ms! - 5.1141) < 1e-4);
      close(byStage.COMMITTED!.p99Ms, upper(254));

      // END_TO_END 115, 125, 135, 60340: mean 15178.75. p50 = rank 2 → 125 ms alone in bin 112 → 2^7 = 128.
      // p95 = p99 = 60340 ms in bin 255 → 2^(255/16) = 62757.4886.
      assert.equal(byStage.END_TO_END!.samples, 4);
      assert.equal(byStage.END_TO_END!.avgMs, 15_178.75);
      close(byStage.END_TO_END!.p50Ms, 128);
      close(byStage.END_TO_END!.p95Ms, upper(255));
      assert.ok(Math.abs(byStage.END_TO_END!.p99Ms! - 62_757.4886) < 1e-4);

      // Ending at 11:00:30.500 with a 60 s window: minutes 10:59 … 11:00 hold F1-F4's first three stages
      // but not F4's commit at 11:01:14.34 (its COMMITTED and END_TO_END samples are in minute 11:01).
      const early = await latencyStats(pool, {
        now: at("2026-11-27T11:00:30.500Z"),
        windowSeconds: 60,
      });
      const e = Object.fromEntries(early.stages.map((s) => [s.stage, s]));
      assert.deepEqual(early.latencyWindowStart, at("2026-11-27T10:59:00.000Z"));
      assert.deepEqual(
        [e.VALIDATED!.samples, e.ENRICHED!.samples, e.COMMITTED!.samples, e.END_TO_END!.samples],
        [4, 4, 3, 3],
      );
      assert.equal(e.COMMITTED!.avgMs, 5);
      assert.equal(e.END_TO_END!.avgMs, 125); // (115 + 125 + 135) / 3
    });

    test("queue lag: the latest snapshot per (topic, partition, group), sorted, with totals", async () => {
      const lag = await queueLag(pool, { now: NOW });
      assert.deepEqual(
        lag.rows.map((r) => [r.topic, r.consumerGroup, r.partition, r.lag, r.ageSeconds]),
        [
          ["audit", "g1", 0, 2n ** 53n + 5n, -1], // beyond 2^53: exact as bigint; snapshot 1 s ahead of now
          ["payments", "g1", 0, 100n, 10.5], // the 12:09:50 snapshot replaced the 12:08 one (lag 500)
          ["payments", "g1", 1, 0n, 60.5],
          ["payments", "g2", 0, 10n, 0.5],
        ],
      );
      const first = lag.rows[1]!;
      assert.deepEqual(
        [first.producedOffset, first.consumedOffset, first.serviceName, first.snapshotTime],
        [1000n, 900n, "g1-service", at("2026-11-27T12:09:50.000Z")],
      );
      assert.equal(lag.totalLag, 2n ** 53n + 115n);
      assert.deepEqual(lag.byTopicGroup, [
        { topic: "audit", consumerGroup: "g1", partitions: 1, lag: 2n ** 53n + 5n },
        { topic: "payments", consumerGroup: "g1", partitions: 2, lag: 100n },
        { topic: "payments", consumerGroup: "g2", partitions: 1, lag: 10n },
      ]);
    });

    test("trade timeline: one ordered line across the four tables, and the per-stage summary", async () => {
      const timeline = await tradeTimeline(pool, { tradeId: F[0]!.toUpperCase() });
      assert.deepEqual(
        timeline.entries.map((e) => [e.time.toISOString().slice(11, 23), e.source, e.stage]),
        [
          ["11:00:11.000", "TRADE_EVENT", "RECEIVED"],
          ["11:00:11.000", "INVALID", "VALIDATED"], // same instant: trade events before invalid reports
          ["11:00:11.010", "TRADE_EVENT", "VALIDATED"],
          ["11:00:11.110", "TRADE_EVENT", "ENRICHED"],
          ["11:00:11.110", "DLQ", "ENRICHED"], // same instant: TRADE_EVENT, DLQ, ERROR
          ["11:00:11.110", "ERROR", "ENRICHED"],
          ["11:00:11.115", "TRADE_EVENT", "COMMITTED"],
          ["11:00:12.110", "TRADE_EVENT", "ENRICHED"], // the retry
        ],
      );
      const [received, invalid, , , dlq, error] = timeline.entries;
      assert.deepEqual(
        [received!.serviceName, received!.eventType, received!.status, received!.message],
        ["received-service", "TRADE_RECEIVED", "SUCCESS", `RECEIVED ${F[0]}`],
      );
      assert.deepEqual(
        [invalid!.serviceName, invalid!.message],
        [null, "side must be BUY or SELL"],
      );
      assert.deepEqual(
        [dlq!.serviceName, dlq!.message, dlq!.eventType],
        ["validator", "enrichment gave up", null],
      );
      assert.deepEqual(
        [error!.errorType, error!.message],
        ["TECHNICAL", "price feed timeout for F1"],
      );
      assert.equal(timeline.truncated, false);
      assert.deepEqual(timeline.stages, [
        {
          stage: "RECEIVED",
          reachedAt: at("2026-11-27T11:00:11.000Z"),
          serviceName: "received-service",
          latencyFromPreviousMs: null,
        },
        {
          stage: "VALIDATED",
          reachedAt: at("2026-11-27T11:00:11.010Z"),
          serviceName: "validated-service",
          latencyFromPreviousMs: 10,
        },
        {
          stage: "ENRICHED",
          reachedAt: at("2026-11-27T11:00:11.110Z"),
          serviceName: "enriched-service",
          latencyFromPreviousMs: 100,
        },
        {
          stage: "COMMITTED",
          reachedAt: at("2026-11-27T11:00:11.115Z"),
          serviceName: "committed-service",
          latencyFromPreviousMs: 5,
        },
      ]);
      assert.equal(timeline.endToEndMs, 115);

      const partial = await tradeTimeline(pool, { tradeId: P1 });
      assert.deepEqual(
        partial.stages.map((s) => [
          s.stage,
          s.reachedAt?.toISOString() ?? null,
          s.latencyFromPreviousMs,
        ]),
        [
          ["RECEIVED", "2026-11-27T11:30:00.000Z", null],
          ["VALIDATED", "2026-11-27T11:30:00.050Z", 50],
          ["ENRICHED", null, null],
          ["COMMITTED", null, null],
        ],
      );
      assert.equal(partial.endToEndMs, null);
    });

    test("trade timeline of an id that is not a UUID: invalid-trade reports only", async () => {
      const timeline = await tradeTimeline(pool, { tradeId: "not-a-uuid" });
      assert.deepEqual(
        timeline.entries.map((e) => [e.source, e.time.toISOString()]),
        [
          ["INVALID", "2026-11-25T12:00:00.000Z"],
          ["INVALID", "2026-11-27T12:01:00.000Z"],
        ],
      );
      assert.ok(timeline.stages.every((s) => s.reachedAt === null));
      assert.equal(timeline.endToEndMs, null);
      await rejects(tradeTimeline(pool, { tradeId: "x".repeat(129) }), "tradeId");
    });
  });

  describe("paged lists", () => {
    const base = Date.parse("2026-11-20T08:00:00.000Z");
    // 30 DLQ events: 10 instants 1 s apart, 3 events at each (ties broken by id), stages cycling,
    // services alternating; inserted in a shuffled order so ids do not follow time.
    const dlqSpec = Array.from({ length: 30 }, (_, i) => ({
      i,
      time: base + Math.floor(i / 3) * 1000,
      stage: stages[i % 4]!,
      service: i % 2 ? "svc-a" : "svc-b",
    }));
    const errorSpec = Array.from({ length: 12 }, (_, i) => ({
      i,
      time: base + Math.floor(i / 2) * 1000,
      stage: stages[i % 4]!,
      errorType: i % 3 === 0 ? "BUSINESS" : "TECHNICAL",
    }));
    /** kafka offset → row id, to compute the expected order by hand. */
    const idOf = new Map<bigint, string>();
    const offsets = { dlq: [] as bigint[], error: [] as bigint[], invalid: [] as bigint[] };

    /** Expected ids, newest first by (time, id). */
    const expected = <T extends { time: number }>(
      spec: T[],
      offsetsOf: bigint[],
      keep: (s: T) => boolean,
    ) =>
      spec
        .map((s, i) => ({ s, id: idOf.get(offsetsOf[i]!)! }))
        .filter(({ s }) => keep(s))
        .sort((a, b) => b.s.time - a.s.time || Number(BigInt(b.id) - BigInt(a.id)))
        .map(({ id }) => id);

    before(async () => {
      const order = Array.from({ length: 30 }, (_, k) => (k * 7) % 30);
      const dlqRows: DlqEventRow[] = [];
      for (const i of order) {
        const s = dlqSpec[i]!;
        const row = dlqEvent(s.stage, new Date(s.time), { serviceName: s.service });
        offsets.dlq[i] = row.kafkaOffset;
        dlqRows.push(row);
      }
      const errorRows = errorSpec.map((s) =>
        errorEvent(s.stage, new Date(s.time), { errorType: s.errorType }),
      );
      errorRows.forEach((r, i) => (offsets.error[i] = r.kafkaOffset));
      const invalidRows = [0, 1, 2, 3, 4].map((k) =>
        invalidTrade(`t-${k}`, new Date(base + k * 60_000)),
      );
      invalidRows.forEach((r, i) => (offsets.invalid[i] = r.kafkaOffset));
      await seed(listPool, {
        dlqEvents: dlqRows,
        errorEvents: [...errorRows].reverse(),
        invalidTrades: invalidRows,
      });
      // Quarantine rows of one batch share created_at (the transaction's time): ids break the tie.
      await seed(listPool, {
        quarantine: [
          quarantined("decode", "t.trades"),
          quarantined("framing", "t.trades"),
          quarantined("decode", "t.dlq"),
        ],
      });
      await seed(listPool, {
        quarantine: [
          quarantined("decode", "t.trades"),
          quarantined("schema", "t.errors"),
          quarantined("decode", "t.trades"),
        ],
      });
      for (const table of ["rttm_dlq_events", "rttm_error_events", "rttm_invalid_trades"]) {
        const { rows } = await listPool.query(`SELECT id::text AS id, kafka_offset FROM ${table}`);
        for (const r of rows) idOf.set(BigInt(r.kafka_offset), r.id);
      }
    });

    test("DLQ events: every page in (time, id) order, no duplicates or gaps, across filters", async () => {
      const all = await allPages((a) => dlqEvents(listPool, a), 7);
      assert.deepEqual(all.sizes, [7, 7, 7, 7, 2]);
      assert.deepEqual(
        all.ids,
        expected(dlqSpec, offsets.dlq, () => true),
      );
      assert.equal(new Set(all.ids).size, 30);

      // VALIDATED (i % 4 = 1) from svc-a (odd i): i = 1, 5, …, 29 → 8 rows in pages of 3
      const filtered = await allPages(
        (a) => dlqEvents(listPool, { ...a, stage: "VALIDATED", service: "svc-a" }),
        3,
      );
      assert.deepEqual(filtered.sizes, [3, 3, 2]);
      assert.deepEqual(
        filtered.ids,
        expected(dlqSpec, offsets.dlq, (s) => s.stage === "VALIDATED" && s.service === "svc-a"),
      );

      // from and to are both inclusive: instants 2 s … 5 s after base → 4 instants × 3 = 12 rows
      const from = new Date(base + 2000);
      const to = new Date(base + 5000);
      const ranged = await allPages((a) => dlqEvents(listPool, { ...a, from, to }), 5);
      assert.deepEqual(ranged.sizes, [5, 5, 2]);
      assert.deepEqual(
        ranged.ids,
        expected(dlqSpec, offsets.dlq, (s) => s.time >= from.getTime() && s.time <= to.getTime()),
      );

      const page = await dlqEvents(listPool, { first: 1, service: "svc-b" });
      const node = page.edges[0]!.node;
      assert.deepEqual(
        [
          node.serviceName,
          node.stage,
          node.tradeId,
          node.topicName,
          node.reason,
          typeof node.kafkaOffset,
        ],
        ["svc-b", stages[28 % 4], null, "trades.dlq", "schema mismatch", "bigint"],
      );
      assert.deepEqual(node.eventTime, new Date(base + 9000)); // i = 28 is the newest svc-b row (i = 27 … 29 share the last instant)
    });

    test("error events, invalid trades and quarantined records page the same way", async () => {
      const errors = await allPages((a) => errorEvents(listPool, a), 5);
      assert.deepEqual(
        errors.ids,
        expected(errorSpec, offsets.error, () => true),
      );
      const technical = await allPages(
        (a) => errorEvents(listPool, { ...a, errorType: "TECHNICAL", stage: "VALIDATED" }),
        1,
      );
      assert.deepEqual(
        technical.ids,
        expected(
          errorSpec,
          offsets.error,
          (s) => s.errorType === "TECHNICAL" && s.stage === "VALIDATED",
        ),
      );
      assert.equal(technical.ids.length, 2); // i = 1, 5 (i = 9 is BUSINESS)

      const invalid = await allPages((a) => invalidTrades(listPool, a), 2);
      assert.deepEqual(invalid.sizes, [2, 2, 1]);
      assert.deepEqual(
        invalid.ids,
        expected(
          [0, 1, 2, 3, 4].map((k) => ({ time: base + k * 60_000 })),
          offsets.invalid,
          () => true,
        ),
      );
      const newest = (
        await invalidTrades(listPool, { first: 1, to: new Date(base + 3 * 60_000 - 1) })
      ).edges[0]!.node;
      assert.deepEqual(
        [newest.tradeId, newest.quantity, newest.pricePerStock, newest.side],
        ["t-2", -5n, 420.5, "HOLD"],
      );

      // Quarantine: the second batch is newer; within a batch the higher id first.
      const { rows } = await listPool.query(
        "SELECT id::text AS id, error_kind, kafka_topic FROM rttm_quarantine ORDER BY created_at DESC, id DESC",
      );
      const quarantine = await allPages((a) => quarantinedRecords(listPool, a), 4);
      assert.deepEqual(
        quarantine.ids,
        rows.map((r) => r.id),
      );
      const decodeTrades = await allPages(
        (a) => quarantinedRecords(listPool, { ...a, errorKind: "decode", topic: "t.trades" }),
        2,
      );
      assert.deepEqual(
        decodeTrades.ids,
        rows
          .filter((r) => r.error_kind === "decode" && r.kafka_topic === "t.trades")
          .map((r) => r.id),
      );
      assert.equal(decodeTrades.ids.length, 3);
      const record = (await quarantinedRecords(listPool, { first: 1, errorKind: "schema" }))
        .edges[0]!.node;
      assert.deepEqual(
        [record.kafkaTopic, record.reason, [...record.rawValue!], record.messageKey],
        ["t.errors", "schema failure", [1, 2, 3], null],
      );
    });

    test("a malformed or foreign cursor, a page size outside 1..500 or a bad filter is refused", async () => {
      const dlqCursor = (await dlqEvents(listPool, { first: 1 })).pageInfo.endCursor!;
      for (const after of [
        "not base64!",
        "abc",
        Buffer.from('{"a":1}').toString("base64url"),
        Buffer.from('["dlq", "x", "1"]').toString("base64url"),
        Buffer.from('["dlq", 1, "1; DROP"]').toString("base64url"),
      ]) {
        await rejects(dlqEvents(listPool, { after }), "after");
      }
      await rejects(errorEvents(listPool, { after: dlqCursor }), "after"); // another list's cursor
      await rejects(quarantinedRecords(listPool, { after: dlqCursor }), "after");
      for (const first of [0, 501, 2.5, -1])
        await rejects(invalidTrades(listPool, { first }), "first");
      await rejects(dlqEvents(listPool, { stage: "SHIPPED" }), "stage");
      await rejects(dlqEvents(listPool, { from: new Date(base + 1), to: new Date(base) }), "from");
      // after the last row: an empty page
      const last = (await allPages((a) => invalidTrades(listPool, a), 5)).ids.at(-1);
      const lastPage = await invalidTrades(listPool, { first: 5 });
      assert.equal(lastPage.edges.at(-1)!.node.id, last);
      assert.deepEqual(
        await invalidTrades(listPool, { first: 5, after: lastPage.pageInfo.endCursor }),
        { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
      );
    });
  });
});
