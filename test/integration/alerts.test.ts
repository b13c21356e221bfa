import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import pg, { type Pool } from "pg";
import { applyObservations, measureRules } from "../../src/alerts/evaluate.js";
import { AlertEvaluator } from "../../src/alerts/evaluator.js";
import { AlertFeed } from "../../src/alerts/feed.js";
import { loadConfig } from "../../src/config/index.js";
import type {
  DlqEventRow,
  ErrorEventRow,
  QueueMetricRow,
  TradeEventRow,
} from "../../src/domain/rows.js";
import type { Stage } from "../../src/domain/stages.js";
import { inProcessBus } from "../../src/live/inProcessBus.js";
import type { ChangeNotice } from "../../src/live/notice.js";
import { createLogger, setLogLevel } from "../../src/log.js";
import { createPool } from "../../src/store/pool.js";
import { writeBatch, type RowsByTable } from "../../src/store/writeBatch.js";
import { count, createTestDatabase, waitFor, type TestDatabase } from "../support/infra.js";
import { useAppFixture } from "../support/fixture.js";
import { graphql, wsClient } from "../support/service.js";
import { tradeEventRow } from "../support/rows.js";

// Data goes in through the production write path (writeBatch), so the rollups, latency histograms
// and latest queue snapshots the rules read are the ones production derives; every evaluation is
// given its `now`, so windows and hysteresis are exercised at exact times.

setLogLevel((process.env.LOG_LEVEL as "silent" | undefined) ?? "silent");
const logger = createLogger({ service: "rttm-test" });
const snapshotRule = { threshold: 0.1, minIntervalMinutes: 5 };
let nextOffset = 0n;
const coordinates = () => ({
  kafkaTopic: "alerts-test",
  kafkaPartition: 0,
  kafkaOffset: nextOffset++,
});
const sec = 1000;
const min = 60 * sec;

const tradeEvent = (tradeId: string, stage: Stage, time: Date): TradeEventRow =>
  tradeEventRow(tradeId, stage, time, coordinates());
const dlqEvent = (time: Date): DlqEventRow => ({
  tradeId: null,
  serviceName: "validator",
  topicName: "trades.dlq",
  originalTopic: "trades",
  reason: "schema mismatch",
  eventStage: "VALIDATED",
  eventTime: time,
  ...coordinates(),
});
const errorEvent = (time: Date): ErrorEventRow => ({
  tradeId: null,
  serviceName: "enricher",
  errorType: "TECHNICAL",
  errorMessage: "timeout",
  eventStage: "ENRICHED",
  eventTime: time,
  ...coordinates(),
});
const snapshot = (partitionId: number, lag: number, time: Date): QueueMetricRow => ({
  serviceName: "pms-service",
  topicName: "orders",
  partitionId,
  consumerGroup: "pms",
  producedOffset: 1000n + BigInt(lag),
  consumedOffset: 1000n,
  snapshotTime: time,
  ...coordinates(),
});

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

interface AlertRow {
  id: string;
  metric_name: string;
  scope: string;
  service_name: string | null;
  severity: string;
  status: string;
  current_value: number;
  peak_value: number;
  threshold_value: number;
  triggered_time: Date;
  last_observed_at: Date;
  resolution: string | null;
  resolved_by: string | null;
}

async function alertRows(pool: Pool): Promise<AlertRow[]> {
  return (
    await pool.query<AlertRow>("SELECT *, id::text AS id FROM rttm_alerts ORDER BY rttm_alerts.id")
  ).rows;
}

async function eventKinds(pool: Pool): Promise<string[]> {
  return (
    await pool.query<{ e: string }>(
      "SELECT kind || ':' || status || ':' || severity AS e FROM rttm_alert_events ORDER BY id",
    )
  ).rows.map((r) => r.e);
}

describe("alert rules against real PostgreSQL, with controlled data and time", () => {
  let db: TestDatabase;
  let pool: Pool;
  const config = loadConfig({}).alerts;
  const bus = inProcessBus(logger);
  const notices: ChangeNotice[] = [];
  bus.subscribe((n) => notices.push(n));
  let evaluators: AlertEvaluator[] = [];
  const evaluator = (
    replica = `replica-${randomUUID().slice(0, 6)}`,
    overrides: Partial<typeof config> = {},
  ) => {
    const e = new AlertEvaluator({
      databaseUrl: db.url,
      readPool: pool,
      config: { ...config, ...overrides },
      bus,
      replica,
      logger,
    });
    evaluators.push(e);
    return e;
  };
  // Two hours ago on a whole minute: windows of 5 minutes never reach the real clock's data.
  const T = Math.floor(Date.now() / min) * min - 120 * min;
  const at = (offsetMs: number) => new Date(T + offsetMs);

  before(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 6);
  });
  beforeEach(async () => {
    notices.length = 0;
    await pool.query(`TRUNCATE rttm_alerts, rttm_alert_events, rttm_trade_events, rttm_error_events, rttm_dlq_events, rttm_queue_metrics,
      rttm_queue_metric_latest, rttm_trade_progress, rttm_stage_count_second, rttm_stage_count_minute, rttm_latency_histogram_minute CASCADE`);
  });
  afterEach(async () => {
    await Promise.all(evaluators.map((e) => e.stop()));
    evaluators = [];
  });
  after(async () => {
    await bus.close();
    await pool?.end();
    await db?.drop();
  });

  test("a rule fires once, updates while the condition holds, escalates on the same alert and resolves on recovery", async () => {
    const e = evaluator();
    await seed(pool, { dlqEvents: [dlqEvent(at(10 * sec))] });
    const first = await e.evaluate(at(20 * sec));
    assert.deepEqual(
      first?.changes.map((c) => `${c.kind}:${c.alert.rule}:${c.alert.severity}`),
      ["RAISED:DLQ_COUNT:WARNING"],
    );
    let [alert] = await alertRows(pool);
    assert.deepEqual(
      [
        alert!.status,
        alert!.scope,
        alert!.service_name,
        alert!.current_value,
        alert!.peak_value,
        alert!.threshold_value,
      ],
      ["ACTIVE", "ALL", null, 1, 1, 1],
    );
    assert.equal(alert!.triggered_time.getTime(), T + 20 * sec);
    assert.equal(
      notices.filter((n) => n.tables.includes("alerts")).length,
      1,
      "a change notice for the live hub and the feed",
    );

    const again = await e.evaluate(at(80 * sec));
    assert.deepEqual(
      [again?.changes.length, again?.updated],
      [0, 1],
      "the condition holds: the open alert is updated, nothing new",
    );
    assert.equal((await alertRows(pool)).length, 1);

    await seed(pool, { dlqEvents: [dlqEvent(at(90 * sec)), dlqEvent(at(91 * sec))] });
    const worse = await e.evaluate(at(100 * sec));
    assert.deepEqual(
      worse?.changes.map((c) => `${c.kind}:${c.alert.severity}`),
      ["ESCALATED:CRITICAL"],
    );
    [alert] = await alertRows(pool);
    assert.deepEqual(
      [
        alert!.status,
        alert!.severity,
        alert!.current_value,
        alert!.peak_value,
        alert!.threshold_value,
      ],
      ["ACTIVE", "CRITICAL", 3, 3, 2],
    );

    // All three DLQ events leave the 5-minute window at T + 391 s: 0 is below the clear level, twice needed.
    const clearing = await e.evaluate(at(400 * sec));
    assert.deepEqual(
      [clearing?.changes.length, (await alertRows(pool))[0]!.status],
      [0, "ACTIVE"],
      "one clear evaluation is not enough",
    );
    const cleared = await e.evaluate(at(460 * sec));
    assert.deepEqual(
      cleared?.changes.map((c) => c.kind),
      ["RESOLVED"],
    );
    [alert] = await alertRows(pool);
    assert.deepEqual(
      [
        alert!.status,
        alert!.resolution,
        alert!.resolved_by,
        alert!.current_value,
        alert!.peak_value,
      ],
      ["RESOLVED", "CLEARED", e.actor, 0, 3],
    );
    assert.deepEqual(await eventKinds(pool), [
      "RAISED:ACTIVE:WARNING",
      "ESCALATED:ACTIVE:CRITICAL",
      "RESOLVED:RESOLVED:CRITICAL",
    ]);
    assert.equal(
      (await alertRows(pool)).length,
      1,
      "no other rule fired: no errors, no trades, no lag",
    );
  });

  test("latency P95 and P99 are real percentiles from the histograms, per stage", async () => {
    const e = evaluator();
    // 100 trades over 30 s (≤ 4 RECEIVED per second: TPS stays quiet); VALIDATED after 20 ms (90), 100 ms (6), 400 ms (4).
    const trades = Array.from({ length: 100 }, (_, i) => ({
      id: randomUUID(),
      start: T + i * 300,
      latency: i < 90 ? 20 : i < 96 ? 100 : 400,
    }));
    await seed(pool, {
      tradeEvents: trades.flatMap((t) => [
        tradeEvent(t.id, "RECEIVED", new Date(t.start)),
        tradeEvent(t.id, "VALIDATED", new Date(t.start + t.latency)),
      ]),
    });
    const result = await e.evaluate(at(60 * sec));
    const raised = Object.fromEntries(
      result!.changes.map((c) => [`${c.alert.rule} ${c.alert.scope}`, c.alert]),
    );
    assert.deepEqual(
      Object.keys(raised).sort(),
      ["LATENCY_P95 VALIDATED", "LATENCY_P99 VALIDATED"],
      "stages without samples have no data: no alert",
    );
    const p95 = raised["LATENCY_P95 VALIDATED"]!;
    const p99 = raised["LATENCY_P99 VALIDATED"]!;
    assert.equal(p95.severity, "WARNING");
    assert.ok(
      Math.abs(p95.currentValue - 100) / 100 < 0.045,
      `P95 ${p95.currentValue} ≈ 100 ms (the 95th of 100 samples)`,
    );
    assert.equal(p99.severity, "CRITICAL");
    assert.ok(Math.abs(p99.currentValue - 400) / 400 < 0.045, `P99 ${p99.currentValue} ≈ 400 ms`);
    assert.equal(p99.serviceName, "VALIDATED");

    // Trades stop: the stage goes silent. Its alerts stay as they are until silent for RTTM_ALERT_SILENT_AFTER_MS (15 min).
    const silent = await e.evaluate(at(12 * min));
    assert.deepEqual([silent?.changes.length, silent?.silent], [0, 2]);
    assert.deepEqual(
      (await alertRows(pool)).map((a) => [a.status, a.last_observed_at.getTime()]),
      [
        ["ACTIVE", T + 60 * sec],
        ["ACTIVE", T + 60 * sec],
      ],
    );
    assert.deepEqual(await e.autoResolve(at(14 * min)), [], "silent for 13 minutes: not yet");
    const resolved = await e.autoResolve(at(16 * min + 1));
    assert.deepEqual(
      resolved?.map((c) => [c.alert.rule, c.alert.resolution]),
      [
        ["LATENCY_P95", "NO_DATA"],
        ["LATENCY_P99", "NO_DATA"],
      ],
    );
  });

  test("queue lag from the latest snapshot per partition; no flapping at the threshold; a recurrence is a new alert", async () => {
    const e = evaluator();
    const lags: Array<[minute: number, lag: number, expected: string]> = [
      [0, 10, "ACTIVE"], // raised: warning 10
      [1, 9, "ACTIVE"], // below the threshold, not below the clear level 9: stays open
      [2, 11, "ACTIVE"],
      [3, 8, "ACTIVE"], // below the clear level once
      [4, 10, "ACTIVE"], // back up: the count starts again
      [5, 5, "ACTIVE"],
      [6, 5, "RESOLVED"], // two clear evaluations in a row
      [7, 12, "ACTIVE"], // a new incident
    ];
    await seed(pool, { queueMetrics: [snapshot(1, 3, at(0))] }); // partition 1: lag 3, never alerts
    for (const [minute, lag, expected] of lags) {
      await seed(pool, { queueMetrics: [snapshot(0, lag, at(minute * min))] });
      await e.evaluate(at(minute * min + 4 * min)); // a snapshot 4 minutes old still counts (the old 1-minute window missed it)
      const latest = (await alertRows(pool)).at(-1)!;
      assert.equal(latest.status, expected, `minute ${minute}, lag ${lag}`);
    }
    const rows = await alertRows(pool);
    assert.deepEqual(
      rows.map((a) => [a.metric_name, a.scope, a.status, a.peak_value]),
      [
        ["QUEUE_LAG", "orders/0/pms", "RESOLVED", 11],
        ["QUEUE_LAG", "orders/0/pms", "ACTIVE", 12],
      ],
    );
    assert.deepEqual(await eventKinds(pool), [
      "RAISED:ACTIVE:WARNING",
      "RESOLVED:RESOLVED:WARNING",
      "RAISED:ACTIVE:WARNING",
    ]);

    // While the scope reports, age never resolves the alert: triggered 17 minutes before, still observed.
    await seed(pool, { queueMetrics: [snapshot(0, 15, at(27 * min))] });
    await e.evaluate(at(28 * min));
    assert.deepEqual(await e.autoResolve(at(28 * min)), []);
    // The reporter stops: after 5 minutes the snapshot is no data; 15 minutes later the fallback resolves it.
    const silent = await e.evaluate(at(34 * min));
    assert.equal(silent?.silent, 1);
    const resolved = await e.autoResolve(at(44 * min));
    assert.deepEqual(
      resolved?.map((c) => [c.alert.scope, c.alert.resolution, c.alert.currentValue]),
      [["orders/0/pms", "NO_DATA", 15]],
    );
  });

  test("TPS and error rate use their own windows and thresholds", async () => {
    const e = evaluator();
    const received = Array.from({ length: 12 }, () =>
      tradeEvent(randomUUID(), "RECEIVED", at(5 * sec + 500)),
    );
    await seed(pool, {
      tradeEvents: received,
      errorEvents: [errorEvent(at(10 * sec)), errorEvent(at(11 * sec))],
    });
    const result = await e.evaluate(at(30 * sec));
    assert.deepEqual(
      result?.changes
        .map((c) => `${c.alert.rule}:${c.alert.severity}:${c.alert.currentValue}`)
        .sort(),
      ["ERROR_RATE:CRITICAL:2", "TPS:WARNING:12"],
    );
    // 61 s later the busiest second has left TPS's 60-second window; errors are still inside their 5 minutes.
    await e.evaluate(at(67 * sec));
    await e.evaluate(at(68 * sec));
    assert.deepEqual(
      (await alertRows(pool)).map((a) => `${a.metric_name}:${a.status}`),
      ["ERROR_RATE:ACTIVE", "TPS:RESOLVED"],
    );
  });

  test("two replicas evaluating at the same time produce one alert; the role moves when the evaluating replica dies", async () => {
    const [a, b] = [evaluator("replica-a"), evaluator("replica-b")];
    await seed(pool, { dlqEvents: [dlqEvent(at(10 * sec))] });
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all([
        a.evaluate(at(20 * sec + round * sec)),
        b.evaluate(at(20 * sec + round * sec)),
      ]);
      assert.equal(results.filter((r) => r !== null).length, 1, "exactly one replica evaluates");
    }
    assert.equal((await alertRows(pool)).length, 1);
    assert.deepEqual(await eventKinds(pool), ["RAISED:ACTIVE:WARNING"]);
    const [leader, standby] = a.isLeader ? [a, b] : [b, a];
    assert.equal(standby.isLeader, false);

    // The evaluating replica dies: its connection (and with it the lock) goes; the other takes over.
    const leaderName = leader === a ? "replica-a" : "replica-b";
    await pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
      [`rttm-alerts ${leaderName}`],
    );
    const taken = await waitFor(
      "the standby to take over",
      async () => (await standby.evaluate(at(30 * sec))) ?? undefined,
      10_000,
      50,
    );
    assert.deepEqual(
      [taken.changes.length, taken.updated],
      [0, 1],
      "the same open alert, updated by the new evaluator",
    );
    assert.equal(standby.isLeader, true);
    await waitFor(
      "the old evaluator to see its connection gone",
      async () => !leader.isLeader,
      5_000,
      20,
    );
    assert.equal(await leader.evaluate(at(40 * sec)), null, "the restarted replica stands by");
    assert.equal((await alertRows(pool)).length, 1);
  });

  test("the event feed delivers each change once, in order, across read batches; a subscriber too far behind is ended, not buffered", async () => {
    const e = evaluator();
    const feed = new AlertFeed(pool, bus, logger, { pollMs: 50, batchSize: 2, maxBuffered: 3 });
    try {
      const reader = feed.subscribe(0n);
      const idle = feed.subscribe(0n); // never reads
      const lags = [10, 60, 0, 0, 20]; // raised, escalated, (clearing), resolved, raised again
      for (const [i, lag] of lags.entries()) {
        await seed(pool, { queueMetrics: [snapshot(0, lag, at(i * min))] });
        await e.evaluate(at(i * min + sec));
      }
      const received: string[] = [];
      for (let i = 0; i < 4; i++) {
        const { value } = await reader.next();
        received.push(`${value!.kind}:${value!.severity}:${value!.alert.scope}`);
      }
      assert.deepEqual(received, [
        "RAISED:WARNING:orders/0/pms",
        "ESCALATED:CRITICAL:orders/0/pms",
        "RESOLVED:CRITICAL:orders/0/pms",
        "RAISED:WARNING:orders/0/pms",
      ]);
      await assert.rejects(
        idle.next(),
        /fell more than 3 events behind; subscribe again with afterEventId/,
      );
      assert.equal(feed.subscriberCount, 1, "the ended subscriber is gone");
      await reader.return!();
      assert.equal(feed.subscriberCount, 0);
    } finally {
      feed.close();
    }
  });

  test("the write path alone cannot produce two open alerts: alert lock, then the partial unique index", async () => {
    await seed(pool, { dlqEvents: [dlqEvent(at(10 * sec)), dlqEvent(at(11 * sec))] });
    const measured = await measureRules(pool, at(20 * sec));
    const clients = [
      new pg.Client({ connectionString: db.url }),
      new pg.Client({ connectionString: db.url }),
    ];
    await Promise.all(clients.map((c) => c.connect()));
    try {
      // Two writers that skip the evaluator lock, racing with the same observations.
      const results = await Promise.all(
        clients.map((c, i) =>
          applyObservations({
            client: c,
            measured,
            config,
            now: at(20 * sec),
            actor: `racer-${i}`,
            logger,
          }),
        ),
      );
      assert.deepEqual(results.map((r) => r.changes.length + r.updated).sort(), [1, 1]);
      assert.equal((await alertRows(pool)).length, 1);
      const [open] = await alertRows(pool);
      // Even a writer that skips every lock is refused a second open alert by the index...
      await assert.rejects(
        pool.query(
          "INSERT INTO rttm_alerts (metric_name, scope, current_value, peak_value, threshold_value, severity, status, triggered_time, last_observed_at) VALUES ('DLQ_COUNT', 'ALL', 9, 9, 2, 'CRITICAL', 'ACKED', now(), now())",
        ),
        (err: { code?: string; constraint?: string }) =>
          err.code === "23505" && err.constraint === "uq_alerts_open_rule_scope",
      );
      // ...while resolved alerts of the same rule and scope are history and may be many.
      await pool.query("UPDATE rttm_alerts SET status = 'RESOLVED' WHERE id = $1", [open!.id]);
      await pool.query(
        "INSERT INTO rttm_alerts (metric_name, scope, current_value, peak_value, threshold_value, severity, status, triggered_time, last_observed_at) VALUES ('DLQ_COUNT', 'ALL', 9, 9, 2, 'CRITICAL', 'RESOLVED', now(), now())",
      );
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});

describe("alerts over GraphQL against a real server: acknowledge, resolve, query, subscribe", () => {
  const fixture = useAppFixture({ env: { RTTM_ALERT_EVAL_INTERVAL: "3600000" } });
  // An hour ago on a whole minute: the app's own evaluation on the real clock at start-up sees none of it.
  const T = Math.floor(Date.now() / min) * min - 60 * min;
  const at = (offsetMs: number) => new Date(T + offsetMs);
  const fields =
    "id rule scope severity status currentValue peakValue thresholdValue acknowledgedBy acknowledgedAt resolvedBy resolution message";

  test("the lifecycle over GraphQL, pushed to subscribers as it happens", async () => {
    await seed(fixture.db.pool, { dlqEvents: [dlqEvent(at(10 * sec))] });
    await fixture.app.alerts.evaluator.evaluate(at(20 * sec));
    const ws = wsClient(fixture.app.port, "/ws/rttm/alerts");
    try {
      const events = ws.subscribe<{
        alertEvents: {
          id: string;
          kind: string;
          status: string;
          severity: string;
          actor: string;
          alert: { id: string; rule: string };
        };
      }>(
        'subscription { alertEvents(afterEventId: "0") { id kind status severity actor alert { id rule } } }',
      );
      const open = ws.subscribe<{
        openAlerts: { alerts: Array<{ id: string; status: string; severity: string }> };
      }>("subscription { openAlerts { alerts { id status severity } } }");
      const raised = await events.waitFor((v) => v.alertEvents.kind === "RAISED");
      const id = raised.alertEvents.alert.id;
      assert.equal(raised.alertEvents.alert.rule, "DLQ_COUNT");
      await open.waitFor((v) =>
        v.openAlerts.alerts.some((a) => a.id === id && a.severity === "WARNING"),
      );

      // Live: escalation by the evaluator reaches both subscriptions through the change notice.
      await seed(fixture.db.pool, { dlqEvents: [dlqEvent(at(30 * sec)), dlqEvent(at(31 * sec))] });
      await fixture.app.alerts.evaluator.evaluate(at(40 * sec));
      await events.waitFor(
        (v) => v.alertEvents.kind === "ESCALATED" && v.alertEvents.severity === "CRITICAL",
      );
      await open.waitFor((v) =>
        v.openAlerts.alerts.some((a) => a.id === id && a.severity === "CRITICAL"),
      );

      const ack = await graphql(
        fixture.app.port,
        `mutation($id: ID!) { acknowledgeAlert(id: $id) { ${fields} } }`,
        { id },
        { "X-Forwarded-User": "alice" },
      );
      assert.equal(ack.errors, undefined);
      assert.deepEqual(
        [ack.data!.acknowledgeAlert.status, ack.data!.acknowledgeAlert.acknowledgedBy],
        ["ACKED", "alice"],
      );
      assert.equal(ack.data!.acknowledgeAlert.message, "DLQ_COUNT : 3.00 vs 2.00");
      const ackAgain = await graphql(
        fixture.app.port,
        `mutation($id: ID!) { acknowledgeAlert(id: $id, by: "bob") { ${fields} } }`,
        { id },
      );
      assert.deepEqual(
        [
          ackAgain.errors,
          ackAgain.data!.acknowledgeAlert.acknowledgedBy,
          ackAgain.data!.acknowledgeAlert.acknowledgedAt,
        ],
        [undefined, "alice", ack.data!.acknowledgeAlert.acknowledgedAt],
        "idempotent: nothing changes",
      );
      await events.waitFor(
        (v) => v.alertEvents.kind === "ACKNOWLEDGED" && v.alertEvents.actor === "alice",
      );
      await open.waitFor((v) =>
        v.openAlerts.alerts.some((a) => a.id === id && a.status === "ACKED"),
      );

      const resolve = await graphql(
        fixture.app.port,
        `mutation($id: ID!) { resolveAlert(id: $id, by: "carol") { ${fields} } }`,
        { id },
        { "X-Forwarded-User": "ignored-when-by-is-given" },
      );
      assert.deepEqual(
        [
          resolve.data!.resolveAlert.status,
          resolve.data!.resolveAlert.resolution,
          resolve.data!.resolveAlert.resolvedBy,
        ],
        ["RESOLVED", "MANUAL", "carol"],
      );
      await events.waitFor(
        (v) => v.alertEvents.kind === "RESOLVED" && v.alertEvents.actor === "carol",
      );
      await open.waitFor((v) => v.openAlerts.alerts.length === 0);
      assert.deepEqual(
        events.received.map((v) => `${v.alertEvents.kind}:${v.alertEvents.status}`),
        ["RAISED:ACTIVE", "ESCALATED:ACTIVE", "ACKNOWLEDGED:ACKED", "RESOLVED:RESOLVED"],
        "each change once, in order",
      );
      assert.deepEqual(events.errors, []);

      // Clear errors for an already resolved or unknown id, and for a malformed one.
      const again = await graphql(
        fixture.app.port,
        "mutation($id: ID!) { resolveAlert(id: $id) { id } }",
        {
          id,
        },
      );
      assert.equal(again.errors?.[0]?.extensions?.code, "ALERT_ALREADY_RESOLVED");
      assert.match(
        again.errors?.[0]?.message ?? "",
        new RegExp(`Alert ${id} is already resolved \\(MANUAL by carol`),
      );
      const ackResolved = await graphql(
        fixture.app.port,
        "mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }",
        { id },
      );
      assert.equal(ackResolved.errors?.[0]?.extensions?.code, "ALERT_ALREADY_RESOLVED");
      const unknown = await graphql(
        fixture.app.port,
        'mutation { acknowledgeAlert(id: "987654") { id } }',
      );
      assert.deepEqual(
        [unknown.errors?.[0]?.extensions?.code, unknown.errors?.[0]?.message],
        ["ALERT_NOT_FOUND", "Alert 987654 does not exist"],
      );
      const malformed = await graphql(
        fixture.app.port,
        'mutation { resolveAlert(id: "abc") { id } }',
      );
      assert.equal(malformed.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");

      const history = await graphql(
        fixture.app.port,
        "query($id: ID!) { alert(id: $id) { events { kind actor status } } }",
        { id },
      );
      assert.deepEqual(
        history.data!.alert.events.map(
          (e: { kind: string; actor: string }) => `${e.kind}:${e.actor}`,
        ),
        [
          `RAISED:${fixture.app.alerts.evaluator.actor}`,
          `ESCALATED:${fixture.app.alerts.evaluator.actor}`,
          "ACKNOWLEDGED:alice",
          "RESOLVED:carol",
        ],
      );
    } finally {
      await ws.close();
    }
  });

  test("ids past PostgreSQL's bigint (2^63 − 1) are refused as BAD_USER_INPUT before SQL, over HTTP and WebSocket", async () => {
    const tooBig = "9223372036854775808";
    const alert = await graphql(fixture.app.port, "query($id: ID!) { alert(id: $id) { id } }", {
      id: tooBig,
    });
    assert.deepEqual(
      [alert.errors?.[0]?.extensions?.code, alert.errors?.[0]?.extensions?.argument],
      ["BAD_USER_INPUT", "id"],
    );
    assert.match(
      alert.errors?.[0]?.message ?? "",
      /id must be an alert id .* up to 9223372036854775807/,
    );
    const ack = await graphql(
      fixture.app.port,
      "mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }",
      {
        id: tooBig,
      },
    );
    assert.equal(ack.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
    const ws = wsClient(fixture.app.port);
    try {
      for (const afterEventId of [tooBig, "99999999999999999999", "-1", "abc"]) {
        const sub = ws.subscribe(
          "subscription($after: ID) { alertEvents(afterEventId: $after) { id } }",
          { after: afterEventId },
        );
        await assert.rejects(
          sub.waitFor(() => true, 5_000),
          (err: Error) => {
            assert.match(err.message, /"code":"BAD_USER_INPUT"/, afterEventId);
            assert.match(err.message, /afterEventId must be an alert event id/, afterEventId);
            return true;
          },
        );
      }
    } finally {
      await ws.close();
    }
  });

  test("delivery to Alertmanager off (RTTM_ALERTMANAGER_URLS unset): no delivery state, no delivery metrics", async () => {
    assert.equal(fixture.app.alerts.delivery, null);
    const listed = await graphql(
      fixture.app.port,
      "{ alerts { edges { node { id delivery { lastSentAt } } } } }",
    );
    assert.equal(listed.errors, undefined);
    assert.ok(listed.data!.alerts.edges.length > 0);
    for (const edge of listed.data!.alerts.edges as Array<{ node: { delivery: unknown } }>)
      assert.equal(edge.node.delivery, null);
    const metrics = await (await fetch(`http://127.0.0.1:${fixture.app.port}/metrics`)).text();
    assert.doesNotMatch(metrics, /rttm_alertmanager_/);
    assert.equal(await count(fixture.db.pool, "SELECT count(*) FROM rttm_alert_deliveries"), 0);
  });

  test("queries: filters by status, severity, rule and time, cursor pages, and the rules as configured", async () => {
    // The DLQ condition still holds after the manual resolve: the next evaluation opens a new alert; errors open another.
    await seed(fixture.db.pool, { errorEvents: [errorEvent(at(50 * sec))] });
    await fixture.app.alerts.evaluator.evaluate(at(60 * sec));
    const all = await graphql(
      fixture.app.port,
      "{ alerts { edges { node { rule status severity triggeredTime } } pageInfo { hasNextPage } } }",
    );
    assert.deepEqual(
      all
        .data!.alerts.edges.map(
          (e: { node: { rule: string; status: string; severity: string } }) =>
            `${e.node.rule}:${e.node.status}:${e.node.severity}`,
        )
        .sort(),
      ["DLQ_COUNT:ACTIVE:CRITICAL", "DLQ_COUNT:RESOLVED:CRITICAL", "ERROR_RATE:ACTIVE:WARNING"],
    );
    const openOnes = await graphql(
      fixture.app.port,
      "{ alerts(status: [ACTIVE, ACKED], rule: DLQ_COUNT) { edges { node { status } } } }",
    );
    assert.deepEqual(
      openOnes.data!.alerts.edges.map((e: { node: { status: string } }) => e.node.status),
      ["ACTIVE"],
    );
    const warnings = await graphql(
      fixture.app.port,
      "{ alerts(severity: WARNING) { edges { node { rule } } } }",
    );
    assert.deepEqual(
      warnings.data!.alerts.edges.map((e: { node: { rule: string } }) => e.node.rule),
      ["ERROR_RATE"],
    );
    const early = await graphql(
      fixture.app.port,
      "query($to: DateTime) { alerts(to: $to) { edges { node { status } } } }",
      { to: at(30 * sec).toISOString() },
    );
    assert.deepEqual(
      early.data!.alerts.edges.map((e: { node: { status: string } }) => e.node.status),
      ["RESOLVED"],
      "only the first alert was triggered by then",
    );

    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { data?: Record<string, any> } = await graphql(
        fixture.app.port,
        "query($after: String) { alerts(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }",
        { after },
      );
      ids.push(...page.data!.alerts.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!page.data!.alerts.pageInfo.hasNextPage) break;
      after = page.data!.alerts.pageInfo.endCursor;
    }
    // Newest triggered first, ties by id: the two raised at T + 60 s (ERROR_RATE before DLQ_COUNT in rule order), then the first.
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => Number(b) - Number(a)),
    );
    assert.equal(new Set(ids).size, 3, "every alert once across pages");
    const foreign = await graphql(
      fixture.app.port,
      "{ dlqEvents(first: 1) { pageInfo { endCursor } } }",
    );
    const mixed = await graphql(
      fixture.app.port,
      "query($after: String) { alerts(after: $after) { edges { cursor } } }",
      { after: foreign.data!.dlqEvents.pageInfo.endCursor },
    );
    assert.match(mixed.errors?.[0]?.message ?? "", /after is not a valid cursor/);

    const rules = await graphql(
      fixture.app.port,
      "{ alertRules { name windowSeconds warning critical clearBelow clearEvaluations } }",
    );
    assert.deepEqual(
      rules.data!.alertRules.map(
        (r: { name: string; windowSeconds: number; warning: number; critical: number }) => [
          r.name,
          r.windowSeconds,
          r.warning,
          r.critical,
        ],
      ),
      [
        ["LATENCY_P95", 300, 50, 200],
        ["LATENCY_P99", 300, 50, 200],
        ["ERROR_RATE", 300, 1, 2],
        ["DLQ_COUNT", 300, 1, 2],
        ["QUEUE_LAG", 300, 10, 50],
        ["TPS", 60, 10, 50],
        // the latest self-check's drift (RTTM_VERIFY_INTERVAL), if it ran in the last 2 hours
        ["DERIVED_DRIFT", 7200, 1, 100],
      ],
    );
    const anonymous = await graphql(
      fixture.app.port,
      "mutation($id: ID!) { acknowledgeAlert(id: $id) { acknowledgedBy } }",
      {
        id: (
          await graphql(fixture.app.port, "{ alerts(rule: ERROR_RATE) { edges { node { id } } } }")
        ).data!.alerts.edges[0].node.id,
      },
    );
    assert.equal(anonymous.data!.acknowledgeAlert.acknowledgedBy, "anonymous", "no by, no header");
  });
});
