import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createLogger } from "../../src/log.js";
import { loadSimulatorConfig } from "../../src/simulator/config.js";
import {
  createQueueMetricModel,
  createTradeGenerator,
  defaultLifecycleOptions,
  type SimEvent,
  type TradeOutcome,
} from "../../src/simulator/lifecycle.js";
import { createRandom } from "../../src/simulator/random.js";
import { runSimulator, type SimulatorTotals } from "../../src/simulator/run.js";
import { stages } from "../../src/domain/stages.js";
import type { App } from "../../src/app.js";
import { count, createTestDatabase, waitFor, type TestDatabase } from "../support/infra.js";
import { kafka, uniqueTopics } from "../support/kafka.js";
import { graphql, serviceEnv, startAppInProcess } from "../support/service.js";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("simulator: the trade-lifecycle generator (pure)", () => {
  const options = {
    ...defaultLifecycleOptions,
    failureFraction: 0.05,
    dlqFraction: 0.03,
    invalidFraction: 0.04,
  };
  const n = 10_000;
  const generate = (seed: number) => {
    const generator = createTradeGenerator(createRandom(seed), options);
    return Array.from({ length: n }, (_, i) => generator.trade(1_800_000_000_000 + i * 50));
  };
  const trades = generate(7);

  test("is deterministic for a seed", () => {
    const again = generate(7);
    assert.deepEqual(again.slice(0, 50), trades.slice(0, 50));
    assert.notDeepEqual(generate(8).slice(0, 50), trades.slice(0, 50));
  });

  test("outcome fractions hold statistically (within 4 standard deviations)", () => {
    const counts: Record<TradeOutcome, number> = { committed: 0, failed: 0, dlq: 0, invalid: 0 };
    for (const t of trades) counts[t.outcome]++;
    const expected: Record<TradeOutcome, number> = {
      failed: options.failureFraction,
      dlq: options.dlqFraction,
      invalid: options.invalidFraction,
      committed: 1 - options.failureFraction - options.dlqFraction - options.invalidFraction,
    };
    for (const [outcome, p] of Object.entries(expected) as Array<[TradeOutcome, number]>) {
      const sd = Math.sqrt(n * p * (1 - p));
      assert.ok(
        Math.abs(counts[outcome] - n * p) <= 4 * sd,
        `${outcome}: ${counts[outcome]} of ${n}, expected ≈ ${n * p}`,
      );
    }
  });

  test("every trade's events follow the stage order, in time order, and end as its outcome says", () => {
    for (const t of trades) {
      const times = t.events.map((e) => e.atMs);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        `events of ${t.tradeId} are not in time order`,
      );
      const stageEvents = t.events.filter(
        (e): e is Extract<SimEvent, { topic: "tradeEvents" }> => e.topic === "tradeEvents",
      );
      assert.deepEqual(
        stageEvents.map((e) => e.init.eventStage),
        stages.slice(0, stageEvents.length),
        `stages of ${t.tradeId}`,
      );
      for (const e of stageEvents) {
        assert.match(e.init.tradeId!, uuidPattern);
        assert.equal(e.key, t.tradeId);
        assert.equal(e.init.eventType, `TRADE_${e.init.eventStage}`);
        assert.equal(e.init.eventTime, BigInt(e.atMs));
      }
      const others = t.events.filter((e) => e.topic !== "tradeEvents");
      switch (t.outcome) {
        case "committed":
          assert.equal(stageEvents.length, 4);
          assert.equal(others.length, 0);
          break;
        case "failed":
        case "dlq": {
          assert.ok(
            stageEvents.length >= 1 && stageEvents.length <= 3,
            `${t.outcome} trade reached ${stageEvents.length} stages`,
          );
          assert.equal(others.length, 1);
          const last = others[0]!;
          assert.equal(last.topic, t.outcome === "failed" ? "errorEvents" : "dlqEvents");
          assert.equal(t.events.at(-1), last);
          if (last.topic === "errorEvents" || last.topic === "dlqEvents") {
            // The stage it did not reach.
            assert.equal(last.init.eventStage, stages[stageEvents.length]);
            assert.equal(last.init.tradeId, t.tradeId);
          }
          if (last.topic === "dlqEvents") assert.ok(last.init.reason);
          if (last.topic === "errorEvents") assert.ok(last.init.errorMessage);
          break;
        }
        case "invalid": {
          assert.ok(stageEvents.length <= 1, "an invalid trade is at most RECEIVED");
          assert.equal(others.length, 1);
          const invalid = others[0]!;
          assert.equal(invalid.topic, "invalidTrades");
          if (invalid.topic === "invalidTrades") {
            assert.ok(invalid.init.validationErrors, "validation errors are given");
            // Non-UUID ids come only from the legacy source, which sends no trade events.
            if (!uuidPattern.test(invalid.init.tradeId!)) assert.equal(stageEvents.length, 0);
          }
          break;
        }
      }
    }
    const invalid = trades.filter((t) => t.outcome === "invalid");
    assert.ok(
      invalid.some((t) => !uuidPattern.test(t.tradeId)),
      "some invalid trades have non-UUID ids",
    );
    assert.ok(
      invalid.some((t) => uuidPattern.test(t.tradeId)),
      "some invalid trades have UUIDs",
    );
  });

  test("stage latencies are log-normal around the configured medians, with a slow tail", () => {
    for (const [i, stage] of stages.entries()) {
      if (stage === "RECEIVED") continue;
      const hops: number[] = [];
      for (const t of trades) {
        const s = t.events.filter((e) => e.topic === "tradeEvents");
        if (s.length > i) hops.push(s[i]!.atMs - s[i - 1]!.atMs);
      }
      hops.sort((a, b) => a - b);
      const median = hops[Math.floor(hops.length / 2)]!;
      const target = options.medianLatencyMs[stage];
      assert.ok(
        Math.abs(median - target) <= target * 0.1,
        `${stage} median ${median} ms, configured ${target} ms`,
      );
      assert.ok(hops.at(-1)! > target * 5, `${stage} has a slow tail (max ${hops.at(-1)} ms)`);
    }
  });

  test("queue snapshots: offsets only grow, consumed never passes produced, lag moves", () => {
    const model = createQueueMetricModel(createRandom(3));
    const lags = new Map<string, Set<bigint>>();
    const produced = new Map<string, bigint>();
    for (let i = 0; i < 100; i++) {
      for (const e of model.snapshot(1_800_000_000_000 + i * 5000, 400)) {
        assert.equal(e.topic, "queueMetrics");
        if (e.topic !== "queueMetrics") continue;
        const p = e.init.producedOffset as bigint;
        const c = e.init.consumedOffset as bigint;
        assert.ok(c <= p && c >= 0n);
        assert.ok(p >= (produced.get(e.key!) ?? 0n));
        produced.set(e.key!, p);
        (lags.get(e.key!) ?? lags.set(e.key!, new Set()).get(e.key!)!).add(p - c);
      }
    }
    assert.ok(lags.size >= 3, "several services/partitions");
    for (const [key, values] of lags) assert.ok(values.size > 3, `lag of ${key} drifts`);
  });
});

describe("simulator: against the real broker, registry and service", () => {
  const { topics, env } = uniqueTopics();
  let db: TestDatabase;
  let app: App | undefined;

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await app?.stop();
    await db?.drop();
  });

  test("~5 s of simulated traffic lands in all five tables and nothing is quarantined", async () => {
    const service = serviceEnv(db.url, env);
    const config = loadSimulatorConfig({
      ...service,
      SIM_TRADES_PER_SECOND: "40",
      SIM_FAILURE_FRACTION: "0.1",
      SIM_DLQ_FRACTION: "0.1",
      SIM_INVALID_FRACTION: "0.1",
      SIM_QUEUE_METRIC_INTERVAL_MS: "1000",
      SIM_DURATION_SECONDS: "5",
      SIM_SEED: "11",
    });
    assert.equal(config.createTopics, true);
    const logger = createLogger({ service: "rttm-simulator-test" });
    const run: Promise<SimulatorTotals> = runSimulator(config, logger);

    // The simulator creates the topics; the service joins once they exist.
    const admin = kafka.admin();
    await admin.connect();
    await waitFor("the simulator's topics", async () => {
      const existing = new Set(await admin.listTopics());
      return Object.values(topics).every((t) => existing.has(t));
    });
    await admin.disconnect();
    app = await startAppInProcess(service);

    const totals = await run;
    assert.ok(totals.trades >= 100, `trades produced: ${totals.trades}`);
    assert.ok(
      Math.abs(totals.tradesPerSecond - 40) <= 15,
      `achieved ${totals.tradesPerSecond} trades/s`,
    );
    for (const [topic, n] of Object.entries(totals.events))
      assert.ok(n > 0, `${topic}: nothing produced`);

    const tables = {
      tradeEvents: "rttm_trade_events",
      errorEvents: "rttm_error_events",
      queueMetrics: "rttm_queue_metrics",
      dlqEvents: "rttm_dlq_events",
      invalidTrades: "rttm_invalid_trades",
    } as const;
    for (const [topic, table] of Object.entries(tables) as Array<[keyof typeof tables, string]>) {
      if (topic === "queueMetrics") continue;
      await waitFor(
        `${totals.events[topic]} rows in ${table}`,
        async () =>
          (await count(db.pool, `SELECT count(*) FROM ${table}`)) === totals.events[topic],
        30_000,
      );
    }
    // Queue history keeps only changed snapshots (src/arithmetic/queueSnapshot.ts); the latest has every series.
    await waitFor(
      "the latest snapshot of 3 consumers × 3 partitions",
      async () => (await count(db.pool, "SELECT count(*) FROM rttm_queue_metric_latest")) === 9,
    );
    const history = await count(db.pool, "SELECT count(*) FROM rttm_queue_metrics");
    assert.ok(
      history >= 9 && history <= totals.events.queueMetrics,
      `queue metric history rows: ${history} of ${totals.events.queueMetrics}`,
    );
    assert.equal(await count(db.pool, "SELECT count(*) FROM rttm_quarantine"), 0);

    // Committed trades have all four stages; the API sees the traffic.
    const committed = await count(
      db.pool,
      "SELECT count(*) FROM (SELECT trade_id FROM rttm_trade_events GROUP BY trade_id HAVING count(DISTINCT event_stage) = 4) t",
    );
    assert.equal(committed, totals.outcomes.committed);
    const response = await graphql<{
      overview: { cards: Array<{ title: string; value: number | null }> };
    }>(app.port, "{ overview { cards { title value } } }");
    assert.equal(response.errors, undefined, JSON.stringify(response.errors));
    const peak = response.data!.overview.cards.find((c) => /peak/i.test(c.title));
    assert.ok(peak && (peak.value ?? 0) > 0, `peak TPS card: ${JSON.stringify(peak)}`);
  });
});
