import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AlertRecord } from "../../src/domain/alerts.js";
import { corsHeaders, isPreflight, preflightHeaders } from "../../src/legacy/cors.js";
import { isRttmError } from "../../src/domain/errors.js";
import { legacyFeeds, telemetryEnvelope } from "../../src/legacy/feeds.js";
import { feedSerializer } from "../../src/legacy/sockets.js";
import type { LegacyViews } from "../../src/legacy/views.js";
import * as map from "../../src/legacy/mappers.js";
import { alertLimitParam, alertStatusParam, tradeIdParam } from "../../src/legacy/params.js";
import { springErrorBody, springTimestamp } from "../../src/legacy/springError.js";
import type * as read from "../../src/store/read/index.js";

const now = new Date("2026-01-09T04:05:09.123Z");
const q = (s: string) => new URLSearchParams(s);

describe("legacy mappers: read models → the old dashboard's shapes", () => {
  const card = (title: string, value: number | null, unit: string, status = "healthy") => ({
    title,
    value,
    unit,
    status: status as "healthy",
    windowSeconds: 1,
  });
  const cards = [
    card("Current TPS", 0.4, "tx/s"),
    card("Peak TPS", 2, "tx/s", "warning"),
    card("Avg Latency", 812.53, "ms"),
    card("DLQ Count", 2, "errors"),
    card("Invalid Trades", 1, "trades", "critical"),
    card("Errors", 7, "errors"),
  ];

  test("metric cards: the old five in the old order, fields title/value/unit/status only", () => {
    const result = map.metricCards({ cards });
    assert.deepEqual(result, [
      { title: "Current TPS", value: 0.4, unit: "tx/s", status: "healthy" },
      { title: "Peak TPS", value: 2, unit: "tx/s", status: "warning" },
      { title: "Avg Latency", value: 813, unit: "ms", status: "healthy" },
      { title: "DLQ Count", value: 2, unit: "errors", status: "healthy" },
      { title: "Invalid Trades", value: 1, unit: "trades", status: "critical" },
    ]);
    assert.deepEqual(Object.keys(result[0]!), ["title", "value", "unit", "status"]);
  });

  test("metric cards: a latency without samples is 0 ms, a rate keeps two decimals", () => {
    const [tps, , latency] = map.metricCards({
      cards: cards.map((c) =>
        c.title === "Avg Latency"
          ? { ...c, value: null }
          : c.title === "Current TPS"
            ? { ...c, value: 1 / 3 }
            : c,
      ),
    });
    assert.equal(latency!.value, 0);
    assert.equal(tps!.value, 0.33);
  });

  test("metric cards: a missing card is an internal error, not a silent gap", () => {
    assert.throws(() => map.metricCards({ cards: cards.slice(1) }), /Current TPS/);
  });

  const pipeline = (stages: read.PipelineStage[]): read.Pipeline => ({
    asOf: now,
    windowSeconds: 86_400,
    latencyWindowStart: now,
    stages,
  });

  test("pipeline: pipeline order, RECEIVED 100 %, latency whole ms, a stage without samples has no latencyMs", () => {
    const result = map.pipelineStages(
      pipeline([
        { stage: "RECEIVED", count: 4, avgLatencyMs: null, successRate: 100 },
        { stage: "VALIDATED", count: 3, avgLatencyMs: 200.4, successRate: 75 },
        { stage: "ENRICHED", count: 0, avgLatencyMs: null, successRate: 0 },
        { stage: "COMMITTED", count: 0, avgLatencyMs: null, successRate: null },
      ]),
    );
    assert.deepEqual(result, [
      { name: "RECEIVED", count: 4, latencyMs: 0, successRate: 100 },
      { name: "VALIDATED", count: 3, latencyMs: 200, successRate: 75 },
      { name: "ENRICHED", count: 0, successRate: 0 },
      { name: "COMMITTED", count: 0, successRate: 0 },
    ]);
    assert.deepEqual(Object.keys(result[1]!), ["name", "count", "latencyMs", "successRate"]);
  });

  test("dlq: events sent without a stage are one more byStage row, UNKNOWN, last; the rows add up to the total", () => {
    const result = map.dlqResponse({
      asOf: now,
      windowSeconds: 86_400,
      total: 3,
      lastEventTime: null,
      byStage: [
        { stage: "RECEIVED", count: 0 },
        { stage: "VALIDATED", count: 1 },
        { stage: "ENRICHED", count: 0 },
        { stage: "COMMITTED", count: 0 },
      ],
      unknownStage: 2,
    });
    assert.deepEqual(result, { total: 3, byStage: { VALIDATED: 1, UNKNOWN: 2 } });
    assert.deepEqual(Object.keys(result.byStage), ["VALIDATED", "UNKNOWN"]);
  });

  test("dlq: byStage is an object in pipeline order without empty stages; total as read", () => {
    const result = map.dlqResponse({
      asOf: now,
      windowSeconds: 86_400,
      total: 5,
      lastEventTime: null,
      byStage: [
        { stage: "RECEIVED", count: 0 },
        { stage: "VALIDATED", count: 1 },
        { stage: "ENRICHED", count: 0 },
        { stage: "COMMITTED", count: 4 },
      ],
      unknownStage: 0,
    });
    assert.deepEqual(result, { total: 5, byStage: { VALIDATED: 1, COMMITTED: 4 } });
    assert.deepEqual(Object.keys(result.byStage), ["VALIDATED", "COMMITTED"]);
    const empty = map.dlqResponse({
      asOf: now,
      windowSeconds: 1,
      total: 0,
      lastEventTime: null,
      byStage: [],
      unknownStage: 0,
    });
    assert.deepEqual(empty, { total: 0, byStage: {} });
  });

  test("tps trend: per-second rate of each bucket, oldest first", () => {
    const bucket = (count: number, seconds: number) => ({
      bucketStart: now,
      count,
      seconds,
      perSecond: count / seconds,
    });
    const trend: read.ThroughputTrend = {
      asOf: now,
      windowSeconds: 86_400,
      granularity: "HOUR",
      stage: "RECEIVED",
      buckets: [bucket(0, 1200), bucket(7200, 3600), bucket(10, 3)],
    };
    assert.deepEqual(map.tpsTrend(trend), [0, 2, 3.333]);
  });

  test("latency metrics: Avg, P95, P99 of COMMITTED in whole ms; no samples → 0", () => {
    const stats = (committed: Partial<read.StageLatencyStats>): read.LatencyStats => ({
      asOf: now,
      windowSeconds: 86_400,
      latencyWindowStart: now,
      stages: [
        { stage: "VALIDATED", samples: 1, avgMs: 1, p50Ms: 1, p95Ms: 1, p99Ms: 1 },
        {
          stage: "COMMITTED",
          samples: 0,
          avgMs: null,
          p50Ms: null,
          p95Ms: null,
          p99Ms: null,
          ...committed,
        },
      ],
    });
    assert.deepEqual(
      map.latencyMetrics(stats({ samples: 2, avgMs: 450.5, p95Ms: 599.6, p99Ms: 600 })),
      [
        { label: "Avg", value: 451 },
        { label: "P95", value: 600 },
        { label: "P99", value: 600 },
      ],
    );
    assert.deepEqual(
      map.latencyMetrics(stats({})).map((l) => l.value),
      [0, 0, 0],
    );
  });

  const lagRow = (
    topic: string,
    partition: number,
    group: string,
    lag: bigint,
  ): read.QueueLagRow => ({
    topic,
    partition,
    consumerGroup: group,
    serviceName: "svc",
    producedOffset: lag,
    consumedOffset: 0n,
    lag,
    snapshotTime: now,
    ageSeconds: 0,
  });
  const lag = (rows: read.QueueLagRow[]): read.QueueLag => ({
    asOf: now,
    rows,
    totalLag: 0n,
    byTopicGroup: [],
  });

  test("kafka lag: one topic and group → P<n> labels, lag as a number", () => {
    assert.deepEqual(
      map.kafkaLag(lag([lagRow("orders", 0, "g", 300n), lagRow("orders", 1, "g", 50n)])),
      [
        { partition: "P0", lag: 300 },
        { partition: "P1", lag: 50 },
      ],
    );
  });

  test("kafka lag: several topics or groups are named, never summed into one bar", () => {
    assert.deepEqual(
      map.kafkaLag(
        lag([lagRow("a", 0, "g", 1n), lagRow("b", 0, "g", 2n), lagRow("b", 0, "h", 3n)]),
      ),
      [
        { partition: "a g P0", lag: 1 },
        { partition: "b g P0", lag: 2 },
        { partition: "b h P0", lag: 3 },
      ],
    );
    assert.deepEqual(map.kafkaLag(lag([])), []);
  });

  test("track trade: every entry with the old fields; an invalid-trade report is a failed VALIDATED stage", () => {
    const tradeId = "0b6f7a32-33f4-4c1e-9f55-2f7f5d0c9a11";
    const entry = (
      source: read.TimelineSource,
      id: string,
      stage: string,
      serviceName: string | null,
      message: string,
    ) => ({
      source,
      id,
      time: now,
      serviceName,
      stage,
      eventType: null,
      status: null,
      errorType: null,
      message,
    });
    const result = map.tradeEvents({
      tradeId,
      truncated: false,
      stages: [],
      endToEndMs: null,
      entries: [
        entry("TRADE_EVENT", "12", "RECEIVED", "orders", "ok"),
        entry("INVALID", "3", "VALIDATED", null, "price must be positive"),
        entry("DLQ", "4", "ENRICHED", "enricher", "poison"),
      ],
    });
    assert.deepEqual(result, [
      {
        id: 12,
        tradeId,
        serviceName: "orders",
        eventStage: "RECEIVED",
        eventTime: "2026-01-09T04:05:09.123Z",
        message: "ok",
        sourceTable: "TRADE_EVENT",
      },
      {
        id: 3,
        tradeId,
        serviceName: "VALIDATION",
        eventStage: "VALIDATED",
        eventTime: "2026-01-09T04:05:09.123Z",
        message: "price must be positive",
        sourceTable: "ERROR",
      },
      {
        id: 4,
        tradeId,
        serviceName: "enricher",
        eventStage: "ENRICHED",
        eventTime: "2026-01-09T04:05:09.123Z",
        message: "poison",
        sourceTable: "DLQ",
      },
    ]);
  });

  test("alerts: CRITICAL shows as HIGH (the page's red), WARNING as MEDIUM; the old message and timeAgo", () => {
    const alert = (severity: "WARNING" | "CRITICAL", serviceName: string | null): AlertRecord => ({
      id: "1",
      rule: serviceName ? "LATENCY_P99" : "QUEUE_LAG",
      scope: serviceName ?? "ALL",
      serviceName,
      severity,
      status: "ACTIVE",
      currentValue: 3046,
      peakValue: 3046,
      thresholdValue: 200,
      triggeredTime: new Date(now.getTime() - 180_000),
      lastObservedAt: now,
      clearStreak: 0,
      escalatedAt: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolvedBy: null,
      resolution: null,
      updatedAt: now,
    });
    assert.deepEqual(map.legacyAlert(alert("CRITICAL", "VALIDATED"), now), {
      message: "LATENCY_P99 VALIDATED: 3046.00 vs 200.00",
      severity: "HIGH",
      timeAgo: "3m ago",
    });
    assert.deepEqual(map.legacyAlert(alert("WARNING", null), now), {
      message: "QUEUE_LAG : 3046.00 vs 200.00",
      severity: "MEDIUM",
      timeAgo: "3m ago",
    });
  });
});

describe("legacy parameters", () => {
  test("tradeId: required, a UUID in any case, returned lower case", () => {
    assert.equal(
      tradeIdParam(q("tradeId=0B6F7A32-33F4-4C1E-9F55-2F7F5D0C9A11")),
      "0b6f7a32-33f4-4c1e-9f55-2f7f5d0c9a11",
    );
    assert.throws(
      () => tradeIdParam(q("")),
      (e: unknown) =>
        isRttmError(e, "BAD_USER_INPUT") && e.argument === "tradeId" && /missing/.test(e.message),
    );
    assert.throws(() => tradeIdParam(q("tradeId=")), /missing/);
    assert.throws(() => tradeIdParam(q("tradeId=T-1001")), /"T-1001" is not a UUID/);
  });

  test("status: ACTIVE by default meaning the open alerts; old names accepted; anything else refused", () => {
    assert.deepEqual(alertStatusParam(q("")), ["ACTIVE", "ACKED"]);
    assert.deepEqual(alertStatusParam(q("status=AUTO_RESOLVED")), ["RESOLVED"]);
    assert.deepEqual(alertStatusParam(q("status=RESOLVED")), ["RESOLVED"]);
    assert.throws(
      () => alertStatusParam(q("status=active")),
      /status must be one of ACTIVE, ACKED, RESOLVED, AUTO_RESOLVED, got "active"/,
    );
  });

  test("limit: default 10, below 1 becomes 1, above 500 becomes 500, not a whole number → error", () => {
    assert.equal(alertLimitParam(q("")), 10);
    assert.equal(alertLimitParam(q("limit=0")), 1);
    assert.equal(alertLimitParam(q("limit=-4")), 1);
    assert.equal(alertLimitParam(q("limit=25")), 25);
    assert.equal(alertLimitParam(q("limit=100000")), 500);
    for (const bad of ["abc", "2.5", "", "1e3", "99999999999"])
      assert.throws(() => alertLimitParam(q(`limit=${bad}`)), /limit must be a whole number/);
  });
});

describe("legacy HTTP details", () => {
  test("Spring's default error body, timestamp as Jackson writes a Date", () => {
    assert.equal(springTimestamp(now), "2026-01-09T04:05:09.123+00:00");
    assert.deepEqual(springErrorBody(400, "/api/rttm/track-trade", "bad", now), {
      timestamp: "2026-01-09T04:05:09.123+00:00",
      status: 400,
      error: "Bad Request",
      message: "bad",
      path: "/api/rttm/track-trade",
    });
  });

  test("CORS: allowed origin echoed, others refused, empty list admits all, no Origin needs nothing", () => {
    const allowed = ["http://page.example"];
    assert.equal(
      corsHeaders({ origin: "http://page.example" }, allowed)?.["access-control-allow-origin"],
      "http://page.example",
    );
    assert.equal(corsHeaders({ origin: "http://evil.example" }, allowed), null);
    assert.equal(
      corsHeaders({ origin: "http://any.example" }, [])?.["access-control-allow-origin"],
      "http://any.example",
    );
    assert.deepEqual(corsHeaders({}, allowed), {});
  });

  test("preflight: GET allowed, the requested Authorization header allowed, cached an hour", () => {
    const headers = {
      "access-control-request-method": "GET",
      "access-control-request-headers": "authorization",
    };
    assert.equal(isPreflight("OPTIONS", headers), true);
    assert.equal(isPreflight("OPTIONS", {}), false);
    const answer = preflightHeaders(headers);
    assert.equal(answer["access-control-allow-headers"], "authorization");
    assert.match(answer["access-control-allow-methods"]!, /GET/);
    assert.equal(answer["access-control-max-age"], "3600");
  });

  test("telemetry envelope: type, ISO timestamp, data, one complete JSON document", () => {
    const frame = telemetryEnvelope("KAFKA_LAG", '[{"partition":"P0","lag":3}]', now);
    assert.deepEqual(JSON.parse(frame), {
      type: "KAFKA_LAG",
      timestamp: "2026-01-09T04:05:09.123Z",
      data: [{ partition: "P0", lag: 3 }],
    });
    assert.deepEqual(Object.keys(JSON.parse(frame)), ["type", "timestamp", "data"]);
  });
});

describe("legacy feeds", () => {
  const feeds = legacyFeeds({} as LegacyViews);
  const feed = (path: string) => feeds.find((f) => f.path === path)!;

  test("five feeds, one per old path, each re-read at least at the old period", () => {
    assert.deepEqual(
      feeds.map((f) => [f.path, f.source.key, f.source.refreshMs]),
      [
        ["metrics", "legacy:metrics", 2000],
        ["pipeline", "legacy:pipeline", 3000],
        ["telemetry", "legacy:telemetry", 3000],
        ["dlq", "legacy:dlq", 3000],
        ["alerts", "legacy:alerts", 3000],
      ],
    );
  });

  test("telemetry: one envelope per type in the page's order; other paths: the value as one document", () => {
    const frames = feedSerializer(feed("telemetry")).serialize({
      tpsTrend: [1.5],
      latencyMetrics: [{ label: "Avg", value: 3 }],
      kafkaLag: [{ partition: "P0", lag: 7 }],
    }) as string[];
    assert.deepEqual(
      frames.map((f) => [JSON.parse(f).type, JSON.parse(f).data]),
      [
        ["TPS_TREND", [1.5]],
        ["LATENCY_METRICS", [{ label: "Avg", value: 3 }]],
        ["KAFKA_LAG", [{ partition: "P0", lag: 7 }]],
      ],
    );
    const dlq = feedSerializer(feed("dlq"));
    assert.deepEqual(dlq.serialize({ total: 1, byStage: { VALIDATED: 1 } }), [
      '{"total":1,"byStage":{"VALIDATED":1}}',
    ]);
    assert.notEqual(dlq.name, feedSerializer(feed("telemetry")).name);
  });
});
