import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import WebSocket from "ws";
import { useAppFixture } from "../support/fixture.js";
import { waitFor } from "../support/infra.js";
import * as m from "../support/messages.js";
import { graphql, wsClient } from "../support/service.js";

import type { Stage } from "../../src/domain/stages.js";

describe("GraphQL API over real HTTP and WebSocket, fed through real Kafka", () => {
  const fixture = useAppFixture();
  // Two minutes ago, on a whole second: inside the 5-minute peak window, outside the 5-s current-TPS window.
  const T = Math.floor(Date.now() / 1000) * 1000 - 120_000;
  const [t1, t2, t3, t4] = [m.newTradeId(), m.newTradeId(), m.newTradeId(), m.newTradeId()];

  before(async () => {
    // t1: V 100, E 200, C 300, end to end 600.  t2: V 300, E 100, C 600, end to end 1000.
    // t3: V 200 only.  t4: RECEIVED only, in the same second as t2's RECEIVED (peak TPS 2).
    const plan: Array<[string, Stage, number]> = [
      [t1, "RECEIVED", T],
      [t1, "VALIDATED", T + 100],
      [t1, "ENRICHED", T + 300],
      [t1, "COMMITTED", T + 600],
      [t2, "RECEIVED", T + 1000],
      [t2, "VALIDATED", T + 1300],
      [t2, "ENRICHED", T + 1400],
      [t2, "COMMITTED", T + 2000],
      [t3, "RECEIVED", T + 2000],
      [t3, "VALIDATED", T + 2200],
      [t4, "RECEIVED", T + 1500],
    ];
    for (const [id, stage, at] of plan) await fixture.sendTradeEvent(id, stage, at);
    await fixture.producer.send({
      topic: fixture.topics.dlqEvents,
      messages: [
        {
          value: fixture.encoder.encode("dlqEvents", m.RttmDlqEventSchema, {
            ...m.dlqEvent(t1, T + 50),
            eventStage: "VALIDATED",
          }),
        },
        {
          value: fixture.encoder.encode("dlqEvents", m.RttmDlqEventSchema, {
            ...m.dlqEvent("", T + 60),
            eventStage: "ENRICHED",
          }),
        },
      ],
    });
    await fixture.producer.send({
      topic: fixture.topics.errorEvents,
      messages: [
        {
          value: fixture.encoder.encode(
            "errorEvents",
            m.RttmErrorEventSchema,
            m.errorEvent(t2, T + 70),
          ),
        },
      ],
    });
    await fixture.producer.send({
      topic: fixture.topics.invalidTrades,
      messages: [
        {
          value: fixture.encoder.encode(
            "invalidTrades",
            m.InvalidTradeEventProtoSchema,
            m.invalidTrade(t3, T),
          ),
        },
      ],
    });
    await fixture.producer.send({
      topic: fixture.topics.queueMetrics,
      messages: [
        {
          value: fixture.encoder.encode(
            "queueMetrics",
            m.RttmQueueMetricSchema,
            m.queueMetric("orders", 0, 1300n, 1000n, T),
          ),
        },
        {
          value: fixture.encoder.encode(
            "queueMetrics",
            m.RttmQueueMetricSchema,
            m.queueMetric("orders", 1, 550n, 500n, T),
          ),
        },
      ],
    });
    await waitFor(
      "seed stored",
      async () => {
        const { data } = await graphql(
          fixture.app.port,
          "{ ingestionHealth { rowsStored { table rows } } }",
        );
        const rows = Object.fromEntries(
          (data?.ingestionHealth.rowsStored ?? []).map((r: { table: string; rows: number }) => [
            r.table,
            r.rows,
          ]),
        );
        return (
          rows.tradeEvents === 11 &&
          rows.dlqEvents === 2 &&
          rows.errorEvents === 1 &&
          rows.invalidTrades === 1 &&
          rows.queueMetrics === 2
        );
      },
      30_000,
    );
  });

  test("overview cards: rates, peak, end-to-end latency and counts as defined", async () => {
    const { data, errors } = await graphql(
      fixture.app.port,
      "{ overview { currentTps currentTpsWindowSeconds peakTps peakTpsWindowSeconds avgEndToEndLatencyMs dlqCount invalidTradeCount errorCount windowSeconds cards { title value unit status windowSeconds } } }",
    );
    assert.equal(errors, undefined);
    const o = data!.overview;
    assert.equal(o.currentTps, 0, "no RECEIVED event in the last 5 s");
    assert.equal(o.currentTpsWindowSeconds, 5);
    assert.equal(o.peakTps, 2, "t2 and t4 were RECEIVED in the same second");
    assert.equal(o.peakTpsWindowSeconds, 300);
    assert.equal(o.avgEndToEndLatencyMs, 800, "(600 + 1000) / 2");
    assert.deepEqual(
      [o.dlqCount, o.invalidTradeCount, o.errorCount, o.windowSeconds],
      [2, 1, 1, 86400],
    );
    assert.deepEqual(
      o.cards.map((c: { title: string; value: number; unit: string; status: string }) => [
        c.title,
        c.value,
        c.unit,
        c.status,
      ]),
      [
        ["Current TPS", 0, "tx/s", "HEALTHY"],
        ["Peak TPS", 2, "tx/s", "HEALTHY"],
        ["Avg Latency", 800, "ms", "HEALTHY"],
        ["DLQ Count", 2, "errors", "HEALTHY"],
        ["Invalid Trades", 1, "trades", "HEALTHY"],
        ["Errors", 1, "errors", "HEALTHY"],
      ],
    );
  });

  test("pipeline in fixed order with counts, stage latency and success rate", async () => {
    const { data } = await graphql(
      fixture.app.port,
      "{ pipeline { windowSeconds stages { stage count avgLatencyMs successRate } } }",
    );
    assert.deepEqual(data!.pipeline.stages, [
      { stage: "RECEIVED", count: 4, avgLatencyMs: null, successRate: 100 },
      { stage: "VALIDATED", count: 3, avgLatencyMs: 200, successRate: 75 },
      { stage: "ENRICHED", count: 2, avgLatencyMs: 150, successRate: 66.67 },
      { stage: "COMMITTED", count: 2, avgLatencyMs: 450, successRate: 100 },
    ]);
  });

  test("DLQ overview, paged DLQ events, telemetry percentiles and queue lag", async () => {
    const { data } = await graphql(
      fixture.app.port,
      `
        {
          dlqOverview {
            total
            byStage {
              stage
              count
            }
            lastEventTime
          }
          dlqEvents(first: 1) {
            edges {
              node {
                tradeId
                stage
                reason
              }
            }
            pageInfo {
              hasNextPage
              endCursor
            }
          }
          telemetry(granularity: SECOND, windowSeconds: 600) {
            latency {
              stages {
                stage
                samples
                avgMs
                p50Ms
                p99Ms
              }
            }
            throughput {
              buckets {
                count
              }
            }
          }
          queueLag {
            totalLag
            partitions {
              partition
              lag
            }
          }
        }
      `,
    );
    assert.equal(data!.dlqOverview.total, 2);
    assert.deepEqual(
      data!.dlqOverview.byStage.map((s: { count: number }) => s.count),
      [0, 1, 1, 0],
    );
    assert.equal(data!.dlqOverview.lastEventTime, new Date(T + 60).toISOString());
    assert.equal(
      data!.dlqEvents.edges[0].node.tradeId,
      null,
      "newest first: the DLQ event without a trade id",
    );
    assert.equal(data!.dlqEvents.pageInfo.hasNextPage, true);
    const next = await graphql(
      fixture.app.port,
      "query($after: String) { dlqEvents(first: 1, after: $after) { edges { node { tradeId } } pageInfo { hasNextPage } } }",
      { after: data!.dlqEvents.pageInfo.endCursor },
    );
    assert.deepEqual(
      [next.data!.dlqEvents.edges[0].node.tradeId, next.data!.dlqEvents.pageInfo.hasNextPage],
      [t1, false],
    );
    const stats = Object.fromEntries(
      data!.telemetry.latency.stages.map((s: { stage: string }) => [s.stage, s]),
    );
    assert.equal(stats.VALIDATED.samples, 3);
    assert.equal(stats.VALIDATED.avgMs, 200);
    assert.ok(
      Math.abs(stats.VALIDATED.p50Ms - 200) / 200 < 0.045,
      `p50 ${stats.VALIDATED.p50Ms} ≈ 200 (histogram bins are ≤ 4.4 % wide)`,
    );
    assert.ok(
      Math.abs(stats.END_TO_END.p99Ms - 1000) / 1000 < 0.045,
      `p99 ${stats.END_TO_END.p99Ms} ≈ 1000`,
    );
    assert.equal(
      data!.telemetry.throughput.buckets.reduce(
        (n: number, b: { count: number }) => n + b.count,
        0,
      ),
      11,
    );
    assert.equal(data!.queueLag.totalLag, 350);
    assert.deepEqual(
      data!.queueLag.partitions.map((p: { lag: number }) => p.lag),
      [300, 50],
    );
  });

  test("trade tracking: one ordered timeline with per-stage status and latencies", async () => {
    const { data } = await graphql(
      fixture.app.port,
      "query($id: String!) { trade(tradeId: $id) { entries { source stage } stages { stage reached latencyFromPreviousMs } endToEndMs } }",
      { id: t1.toUpperCase() },
    );
    const timeline = data!.trade;
    assert.deepEqual(
      timeline.entries.map((e: { source: string; stage: string }) => `${e.source}:${e.stage}`),
      [
        "TRADE_EVENT:RECEIVED",
        "DLQ:VALIDATED",
        "TRADE_EVENT:VALIDATED",
        "TRADE_EVENT:ENRICHED",
        "TRADE_EVENT:COMMITTED",
      ],
    );
    assert.deepEqual(
      timeline.stages.map((s: { latencyFromPreviousMs: number | null }) => s.latencyFromPreviousMs),
      [null, 100, 200, 300],
    );
    assert.equal(timeline.endToEndMs, 600);
  });

  test("bad input is a clear client error, and the server stays healthy", async () => {
    const badId = await graphql(fixture.app.port, '{ trade(tradeId: "not-a-trade") { tradeId } }');
    assert.equal(badId.status, 200);
    assert.equal(badId.errors?.[0]?.message, 'tradeId "not-a-trade" is not a UUID');
    assert.equal(badId.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
    const badCursor = await graphql(
      fixture.app.port,
      '{ errorEvents(after: "@@@") { edges { cursor } } }',
    );
    assert.match(badCursor.errors?.[0]?.message ?? "", /after is not a valid cursor/);
    const badPage = await graphql(
      fixture.app.port,
      "{ invalidTrades(first: 0) { edges { cursor } } }",
    );
    assert.match(badPage.errors?.[0]?.message ?? "", /first must be a whole number from 1 to 500/);
    const huge = await graphql(
      fixture.app.port,
      "{ invalidTrades(first: 100000) { edges { cursor } } }",
    );
    assert.match(
      huge.errors?.[0]?.message ?? "",
      /Query Cost limit of 5000 exceeded/,
      "page size counts toward the cost",
    );
    const badDate = await graphql(
      fixture.app.port,
      '{ dlqEvents(from: "yesterday") { edges { cursor } } }',
    );
    assert.match(
      badDate.errors?.[0]?.message ?? "",
      /DateTime "yesterday" is not an ISO-8601 date-time/,
    );
    const syntax = await graphql(fixture.app.port, "{ overview { ");
    assert.match(syntax.errors?.[0]?.message ?? "", /Syntax Error/);
    const unknown = await graphql(fixture.app.port, "{ overview { nope } }");
    assert.match(unknown.errors?.[0]?.message ?? "", /Cannot query field "nope"/);
    const health = await fetch(`http://127.0.0.1:${fixture.app.port}/actuator/health/liveness`);
    assert.equal(health.status, 200);
  });

  test("subscriptions on the old paths: the first value at once, then each change within a bound", async () => {
    const ws = wsClient(fixture.app.port, "/ws/rttm/metrics");
    try {
      const overview = ws.subscribe(
        "subscription { overview { currentTps cards { title value } } }",
      );
      await overview.waitFor((v) => v.overview.currentTps === 0);
      const tradeId = m.newTradeId();
      const sent = Date.now();
      await fixture.sendTradeEvent(tradeId, "RECEIVED", Date.now());
      await overview.waitFor((v) => v.overview.currentTps > 0, 10_000);
      const elapsed = Date.now() - sent;
      assert.ok(elapsed < 5_000, `update arrived ${elapsed} ms after the produce`);
    } finally {
      await ws.close();
    }
  });

  test("a trade-timeline subscription receives that trade's next stage", async () => {
    const ws = wsClient(fixture.app.port, "/ws/rttm/telemetry");
    try {
      const trade = ws.subscribe(
        "subscription($id: String!) { trade(tradeId: $id) { stages { stage reached } } }",
        { id: t3 },
      );
      await trade.waitFor(
        (v) => v.trade.stages[1].reached === true && v.trade.stages[2].reached === false,
      );
      await fixture.sendTradeEvent(t3, "ENRICHED", T + 2500);
      const update = await trade.waitFor((v) => v.trade.stages[2].reached === true, 10_000);
      assert.equal(update.trade.stages[3].reached, false);
    } finally {
      await ws.close();
    }
  });

  test("every view is also a subscription: the current value first, then changes (queue lag shown)", async () => {
    const ws = wsClient(fixture.app.port, "/ws/rttm/alerts");
    try {
      const views = {
        pipeline: ws.subscribe("subscription { pipeline { stages { stage count } } }"),
        dlq: ws.subscribe("subscription { dlqOverview { total } }"),
        telemetry: ws.subscribe(
          "subscription { telemetry(granularity: HOUR) { latency { stages { stage samples } } } }",
        ),
        health: ws.subscribe("subscription { ingestionHealth { consumerJoined queueCapacity } }"),
        lag: ws.subscribe("subscription { queueLag { totalLag } }"),
      };
      await views.pipeline.waitFor((v) => v.pipeline.stages[0].stage === "RECEIVED");
      await views.dlq.waitFor((v) => v.dlqOverview.total === 2);
      await views.telemetry.waitFor((v) => v.telemetry.latency.stages.length === 4);
      await views.health.waitFor(
        (v) =>
          v.ingestionHealth.consumerJoined === true && v.ingestionHealth.queueCapacity === 10_000,
      );
      await views.lag.waitFor((v) => v.queueLag.totalLag === 350);
      await fixture.producer.send({
        topic: fixture.topics.queueMetrics,
        messages: [
          {
            value: fixture.encoder.encode(
              "queueMetrics",
              m.RttmQueueMetricSchema,
              m.queueMetric("orders", 1, 950n, 500n, Date.now()),
            ),
          },
        ],
      });
      await views.lag.waitFor((v) => v.queueLag.totalLag === 750, 10_000);
    } finally {
      await ws.close();
    }
  });

  test("the Spring probes answer with their JSON report (Yoga's own health check does not take /actuator/health)", async () => {
    for (const path of [
      "/actuator/health",
      "/actuator/health/liveness",
      "/actuator/health/readiness",
    ]) {
      const response = await fetch(`http://127.0.0.1:${fixture.app.port}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get("content-type") ?? "", /application\/json/, path);
      const body = (await response.json()) as { status: string };
      assert.equal(body.status, "UP", path);
    }
    const overall = (await (
      await fetch(`http://127.0.0.1:${fixture.app.port}/actuator/health`)
    ).json()) as {
      components: Record<string, unknown>;
    };
    assert.ok(
      Object.keys(overall.components).length > 0,
      "the overall report lists its components",
    );
  });

  test("ingestionHealth says when it was read (asOf, at most a tick old)", async () => {
    const before = Date.now();
    const response = await fetch(`http://127.0.0.1:${fixture.app.port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ ingestionHealth { asOf replica } }" }),
    });
    const { data } = (await response.json()) as { data: { ingestionHealth: { asOf: string } } };
    const asOf = Date.parse(data.ingestionHealth.asOf);
    assert.ok(Number.isFinite(asOf), data.ingestionHealth.asOf);
    assert.ok(asOf <= Date.now() && before - asOf <= 5_000, `asOf ${data.ingestionHealth.asOf}`);
  });

  test("readiness turns DOWN when PostgreSQL is unreachable and UP when it returns", async () => {
    const readiness = async () => {
      const response = await fetch(
        `http://127.0.0.1:${fixture.app.port}/actuator/health/readiness`,
      );
      return {
        status: response.status,
        body: (await response.json()) as {
          status: string;
          components: Record<string, { status: string }>;
        },
      };
    };
    assert.equal((await readiness()).status, 200);
    await fixture.db.cutOff();
    try {
      const down = await waitFor(
        "readiness DOWN",
        async () => {
          const r = await readiness();
          return r.status === 503 ? r : undefined;
        },
        15_000,
        300,
      );
      assert.equal(down.body.components.database!.status, "DOWN");
      assert.equal(
        (await fetch(`http://127.0.0.1:${fixture.app.port}/actuator/health/liveness`)).status,
        200,
        "still alive",
      );
    } finally {
      await fixture.db.restore();
    }
    await waitFor(
      "readiness UP again",
      async () => (await readiness()).status === 200,
      15_000,
      300,
    );
  });

  test("/metrics exposes the pipeline and API in Prometheus format", async () => {
    const text = await (await fetch(`http://127.0.0.1:${fixture.app.port}/metrics`)).text();
    for (const name of [
      "rttm_queue_depth",
      "rttm_stored_rows_total",
      "rttm_batch_write_seconds_bucket",
      "rttm_graphql_request_duration_seconds_bucket",
      "rttm_ws_open_sockets",
      "rttm_subscriptions_active",
      "rttm_commit_lag_records",
      "rttm_live_coalesced_updates_total",
    ]) {
      assert.match(text, new RegExp(`^${name}`, "m"), name);
    }
  });
});

describe("limits stop bad input and the server stays healthy", () => {
  const origin = "http://dashboards.example";
  const fixture = useAppFixture({
    env: {
      RTTM_GRAPHQL_MAX_DEPTH: "3",
      RTTM_GRAPHQL_MAX_COST: "100",
      RTTM_GRAPHQL_MAX_DOCUMENT_BYTES: "2048",
      RTTM_ALLOWED_ORIGINS: origin,
      RTTM_WS_INIT_TIMEOUT_MS: "300",
      RTTM_WS_MAX_MESSAGE_BYTES: "1024",
      RTTM_WS_MAX_CONNECTIONS: "2",
    },
  });

  const openRaw = (headers: Record<string, string> = {}) =>
    new WebSocket(`ws://127.0.0.1:${fixture.app.port}/ws/rttm/graphql`, "graphql-transport-ws", {
      headers,
    });
  const closeCode = (socket: WebSocket) =>
    new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  const refusal = (socket: WebSocket) =>
    new Promise<number>((resolve) => {
      socket.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      socket.once("open", () => resolve(101));
    });

  test("query depth", async () => {
    const r = await graphql(fixture.app.port, "{ dlqEvents { edges { node { reason } } } }");
    assert.match(r.errors?.[0]?.message ?? "", /depth/i);
  });

  test("query cost", async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `o${i}: overview { peakTps }`).join(" ");
    const r = await graphql(fixture.app.port, `{ ${aliases} }`);
    assert.match(r.errors?.[0]?.message ?? "", /cost/i);
  });

  test("a too costly or too deep operation is refused with its own code and HTTP 400, over HTTP and WebSocket, not as a syntax error", async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `o${i}: overview { peakTps }`).join(" ");
    const costly = await graphql(fixture.app.port, `{ ${aliases} }`);
    assert.equal(costly.status, 400);
    assert.equal(costly.errors?.[0]?.extensions?.code, "QUERY_TOO_COMPLEX");
    assert.match(
      costly.errors?.[0]?.message ?? "",
      /^Query Cost limit of 100 exceeded, found \d+\.$/,
    );
    const deep = await graphql(fixture.app.port, "{ dlqEvents { edges { node { reason } } } }");
    assert.equal(deep.status, 400);
    assert.equal(deep.errors?.[0]?.extensions?.code, "QUERY_TOO_DEEP");
    assert.match(deep.errors?.[0]?.message ?? "", /^Query depth limit of 3 exceeded, found \d+\.$/);
    const ws = wsClient(fixture.app.port, "/ws/rttm/telemetry");
    try {
      const sub = ws.subscribe("subscription { telemetry { throughput { buckets { count } } } }");
      await assert.rejects(
        sub.waitFor(() => true, 5_000),
        /"code":"QUERY_TOO_DEEP"/,
        "WebSocket too",
      );
    } finally {
      await ws.close();
    }
  });

  test("an unknown path: 404 with a JSON body naming it", async () => {
    const response = await fetch(`http://127.0.0.1:${fixture.app.port}/nowhere`);
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { error: "Not Found", path: "/nowhere" });
  });

  test("request body over the document limit plus room for variables: 413 REQUEST_TOO_LARGE", async () => {
    const r = await graphql(fixture.app.port, "query($pad: String) { overview { peakTps } }", {
      pad: "x".repeat(2048 + 65_536),
    });
    assert.equal(r.status, 413);
    assert.equal(r.errors?.[0]?.extensions?.code, "REQUEST_TOO_LARGE");
    assert.match(r.errors?.[0]?.message ?? "", /exceeds the limit of 67584$/);
  });

  test("document size", async () => {
    const r = await graphql(fixture.app.port, `{ overview { peakTps } } # ${"x".repeat(3000)}`);
    assert.equal(r.status, 413);
    assert.match(r.errors?.[0]?.message ?? "", /exceeds the limit of 2048/);
  });

  test("origin allowlist over HTTP and WebSocket", async () => {
    const refused = await graphql(fixture.app.port, "{ overview { peakTps } }", undefined, {
      origin: "http://evil.example",
    });
    assert.equal(refused.status, 403);
    const allowed = await graphql(fixture.app.port, "{ overview { peakTps } }", undefined, {
      origin,
    });
    assert.equal(allowed.status, 200);
    assert.equal(await refusal(openRaw({ origin: "http://evil.example" })), 403);
  });

  test("connection_init timeout, maximum message size and the connection cap", async () => {
    const silent = openRaw();
    assert.equal(await closeCode(silent), 4408, "no connection_init within the timeout");

    const big = openRaw();
    await new Promise((resolve) => big.once("open", resolve));
    big.send(JSON.stringify({ type: "connection_init", payload: { pad: "x".repeat(2000) } }));
    assert.equal(await closeCode(big), 1009, "message too big");

    const a = openRaw();
    const b = openRaw();
    await Promise.all([
      new Promise((r) => a.once("open", r)),
      new Promise((r) => b.once("open", r)),
    ]);
    assert.equal(await refusal(openRaw()), 503, "third connection over the cap of 2");
    a.close();
    b.close();
    await Promise.all([closeCode(a), closeCode(b)]);
  });

  test("afterwards the server is healthy and answers", async () => {
    assert.equal(
      (await fetch(`http://127.0.0.1:${fixture.app.port}/actuator/health/liveness`)).status,
      200,
    );
    const r = await graphql(fixture.app.port, "{ overview { peakTps } }");
    assert.equal(r.data?.overview.peakTps, 0);
    const ws = wsClient(fixture.app.port, "/ws/rttm/pipeline");
    try {
      const sub = ws.subscribe("subscription { pipeline { stages { stage } } }");
      await sub.waitFor((v) => v.pipeline.stages.length === 4);
    } finally {
      await ws.close();
    }
  });
});
