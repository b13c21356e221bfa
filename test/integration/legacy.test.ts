import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { authEnv, TestAuthServer } from "../support/authServer.js";
import { useAppFixture } from "../support/fixture.js";
import { waitFor } from "../support/infra.js";
import {
  produceDashboardSeed,
  seedAlertEnv as alertEnv,
  type DashboardSeed,
} from "../support/dashboardSeed.js";
import * as m from "../support/messages.js";
import { rawSocket, type RawSocket } from "../support/rawSocket.js";
import { graphql, wsClient } from "../support/service.js";

const pageOrigin = "http://127.0.0.1:4200";
const otherOrigin = "http://evil.example";

/** Types of every field, in order: the contract's names, JSON types and order. */
const shape = (value: Record<string, unknown>) =>
  Object.entries(value).map(
    ([k, v]) => `${k}:${v === null ? "null" : Array.isArray(v) ? "array" : typeof v}`,
  );

async function get(port: number, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : null,
  };
}

/** What a browser sends before a cross-origin GET with an Authorization header. */
const preflight = (port: number, path: string) =>
  fetch(`http://127.0.0.1:${port}${path}`, {
    method: "OPTIONS",
    headers: {
      origin: pageOrigin,
      "access-control-request-method": "GET",
      "access-control-request-headers": "authorization",
    },
  });

function assertSpringError(body: any, status: number, error: string, path: string) {
  assert.deepEqual(Object.keys(body), ["timestamp", "status", "error", "message", "path"]);
  assert.match(body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
  assert.deepEqual([body.status, body.error, body.path], [status, error, path]);
}

describe("the old dashboard's REST calls and raw sockets, against a real server fed through Kafka", () => {
  const fixture = useAppFixture({ env: { RTTM_ALLOWED_ORIGINS: pageOrigin, ...alertEnv } });
  let seed: DashboardSeed;
  const sockets: RawSocket[] = [];
  const open = (path: string, headers: Record<string, string> = {}) => {
    const s = rawSocket(fixture.app.port, path, headers);
    sockets.push(s);
    return s;
  };

  before(async () => {
    seed = await produceDashboardSeed(fixture.producer, fixture.encoder, fixture.topics);
    await waitFor("seed stored and alerts raised", async () => {
      const { data } = await graphql(
        fixture.app.port,
        "{ ingestionHealth { rowsStored { table rows } } openAlerts { alerts { id } } }",
      );
      const rows = Object.fromEntries(
        (data?.ingestionHealth.rowsStored ?? []).map((r: { table: string; rows: number }) => [
          r.table,
          r.rows,
        ]),
      );
      return (
        Object.entries(seed.rows).every(([table, n]) => rows[table] === n) &&
        data?.openAlerts.alerts.length === 2
      );
    });
  });

  after(async () => {
    for (const s of sockets) s.close();
  });

  test("GET /api/rttm/metrics: the five cards field by field, numbers equal to the GraphQL overview", async () => {
    const [rest, gql] = await Promise.all([
      get(fixture.app.port, "/api/rttm/metrics"),
      graphql(fixture.app.port, "{ overview { cards { title value unit status } } }"),
    ]);
    assert.equal(rest.status, 200);
    assert.match(rest.headers.get("content-type")!, /application\/json/);
    assert.deepEqual(rest.body, [
      { title: "Current TPS", value: 0, unit: "tx/s", status: "healthy" },
      { title: "Peak TPS", value: 2, unit: "tx/s", status: "healthy" },
      { title: "Avg Latency", value: 800, unit: "ms", status: "healthy" },
      { title: "DLQ Count", value: 2, unit: "errors", status: "healthy" },
      { title: "Invalid Trades", value: 1, unit: "trades", status: "healthy" },
    ]);
    for (const card of rest.body)
      assert.deepEqual(shape(card), [
        "title:string",
        "value:number",
        "unit:string",
        "status:string",
      ]);
    const byTitle = new Map(gql.data!.overview.cards.map((c: any) => [c.title, c]));
    for (const card of rest.body) {
      const g: any = byTitle.get(card.title);
      assert.deepEqual(
        [card.value, card.unit, card.status],
        [g.value, g.unit, g.status.toLowerCase()],
        card.title,
      );
    }
  });

  test("GET /api/rttm/pipeline: four stages in pipeline order, ms and percent, equal to GraphQL", async () => {
    const [rest, gql] = await Promise.all([
      get(fixture.app.port, "/api/rttm/pipeline"),
      graphql(fixture.app.port, "{ pipeline { stages { stage count avgLatencyMs successRate } } }"),
    ]);
    assert.equal(rest.status, 200);
    assert.deepEqual(rest.body, [
      { name: "RECEIVED", count: 4, latencyMs: 0, successRate: 100 },
      { name: "VALIDATED", count: 3, latencyMs: 200, successRate: 75 },
      { name: "ENRICHED", count: 2, latencyMs: 150, successRate: 66.67 },
      { name: "COMMITTED", count: 2, latencyMs: 450, successRate: 100 },
    ]);
    for (const stage of rest.body)
      assert.deepEqual(shape(stage), [
        "name:string",
        "count:number",
        "latencyMs:number",
        "successRate:number",
      ]);
    assert.deepEqual(
      rest.body.map((s: any) => [
        s.name,
        s.count,
        s.successRate,
        s.name === "RECEIVED" ? null : s.latencyMs,
      ]),
      gql.data!.pipeline.stages.map((s: any) => [s.stage, s.count, s.successRate, s.avgLatencyMs]),
    );
  });

  test("GET /api/rttm/dlq: total and byStage as an object in pipeline order, equal to GraphQL", async () => {
    const [rest, gql] = await Promise.all([
      get(fixture.app.port, "/api/rttm/dlq"),
      graphql(fixture.app.port, "{ dlqOverview { total byStage { stage count } } }"),
    ]);
    assert.equal(rest.status, 200);
    assert.deepEqual(rest.body, { total: 2, byStage: { VALIDATED: 1, ENRICHED: 1 } });
    assert.deepEqual(Object.keys(rest.body), ["total", "byStage"]);
    assert.deepEqual(Object.keys(rest.body.byStage), ["VALIDATED", "ENRICHED"]);
    assert.equal(rest.body.total, gql.data!.dlqOverview.total);
    assert.deepEqual(
      Object.entries(rest.body.byStage),
      gql
        .data!.dlqOverview.byStage.filter((s: any) => s.count > 0)
        .map((s: any) => [s.stage, s.count]),
    );
  });

  const telemetryQuery = `{
    telemetry(granularity: HOUR, stage: RECEIVED) {
      throughput { buckets { count seconds perSecond } }
      latency { stages { stage avgMs p95Ms p99Ms } }
    }
    queueLag { partitions { partition lag } }
  }`;

  test("GET /api/rttm/telemetry-snapshot: TPS trend per second, COMMITTED latency in ms, kafkaLag present; equal to GraphQL", async () => {
    const [rest, gql] = await Promise.all([
      get(fixture.app.port, "/api/rttm/telemetry-snapshot"),
      graphql(fixture.app.port, telemetryQuery),
    ]);
    assert.equal(rest.status, 200);
    const body = rest.body;
    assert.deepEqual(Object.keys(body), ["tpsTrend", "latencyMetrics", "kafkaLag"]);
    const buckets = gql.data!.telemetry.throughput.buckets;
    assert.ok(
      body.tpsTrend.length >= 24 && body.tpsTrend.length <= 25,
      "hourly buckets over 24 h, oldest first",
    );
    assert.deepEqual(
      body.tpsTrend,
      buckets.map((b: any) => Math.round(b.perSecond * 1000) / 1000),
    );
    assert.equal(
      buckets.reduce((n: number, b: any) => n + b.count, 0),
      4,
      "the four RECEIVED events",
    );
    assert.ok(body.tpsTrend.every((v: unknown) => typeof v === "number"));
    const committed = gql.data!.telemetry.latency.stages.find((s: any) => s.stage === "COMMITTED");
    assert.deepEqual(body.latencyMetrics, [
      { label: "Avg", value: 450 },
      { label: "P95", value: Math.round(committed.p95Ms) },
      { label: "P99", value: Math.round(committed.p99Ms) },
    ]);
    assert.equal(committed.avgMs, 450);
    assert.ok(Math.abs(committed.p99Ms - 600) / 600 < 0.045, "P99 of 300 and 600 ms ≈ 600");
    assert.deepEqual(body.kafkaLag, [
      { partition: "P0", lag: 300 },
      { partition: "P1", lag: 50 },
    ]);
    assert.deepEqual(
      body.kafkaLag.map((l: any) => l.lag),
      gql.data!.queueLag.partitions.map((p: any) => Number(p.lag)),
    );
  });

  test("GET /api/rttm/track-trade: the timeline in time order; an invalid trade is a failed VALIDATED stage; equal to GraphQL", async () => {
    const { t1, t3 } = seed.trades;
    const rest = await get(fixture.app.port, `/api/rttm/track-trade?tradeId=${t1.toUpperCase()}`);
    assert.equal(rest.status, 200);
    assert.deepEqual(
      rest.body.map((e: any) => [e.eventStage, e.sourceTable, e.serviceName, e.eventTime]),
      [
        ["RECEIVED", "TRADE_EVENT", "received-service", new Date(seed.T).toISOString()],
        ["VALIDATED", "DLQ", "validator", new Date(seed.T + 50).toISOString()],
        ["VALIDATED", "TRADE_EVENT", "validated-service", new Date(seed.T + 100).toISOString()],
        ["ENRICHED", "TRADE_EVENT", "enriched-service", new Date(seed.T + 300).toISOString()],
        ["COMMITTED", "TRADE_EVENT", "committed-service", new Date(seed.T + 600).toISOString()],
      ],
    );
    for (const e of rest.body) {
      assert.deepEqual(shape(e), [
        "id:number",
        "tradeId:string",
        "serviceName:string",
        "eventStage:string",
        "eventTime:string",
        "message:string",
        "sourceTable:string",
      ]);
      assert.equal(e.tradeId, t1);
    }
    const gql = await graphql(
      fixture.app.port,
      "query($id: String!) { trade(tradeId: $id) { entries { source id time stage message } } }",
      { id: t1 },
    );
    assert.deepEqual(
      rest.body.map((e: any) => [String(e.id), e.eventTime, e.eventStage, e.message]),
      gql.data!.trade.entries.map((e: any) => [e.id, e.time, e.stage, e.message]),
    );
    const invalid = await get(fixture.app.port, `/api/rttm/track-trade?tradeId=${t3}`);
    const report = invalid.body.find((e: any) => e.serviceName === "VALIDATION");
    assert.deepEqual(
      [report.eventStage, report.sourceTable, report.message],
      ["VALIDATED", "ERROR", "side must be BUY or SELL; quantity must be positive"],
    );
  });

  test("track-trade: an unknown id is [], a bad or missing id is a 400 in Spring's body", async () => {
    const unknown = await get(fixture.app.port, `/api/rttm/track-trade?tradeId=${m.newTradeId()}`);
    assert.deepEqual([unknown.status, unknown.body], [200, []]);
    const bad = await get(fixture.app.port, "/api/rttm/track-trade?tradeId=T-1001");
    assert.equal(bad.status, 400);
    assertSpringError(bad.body, 400, "Bad Request", "/api/rttm/track-trade");
    assert.equal(bad.body.message, 'tradeId "T-1001" is not a UUID');
    const missing = await get(fixture.app.port, "/api/rttm/track-trade");
    assert.equal(missing.status, 400);
    assert.match(missing.body.message, /tradeId is missing/);
  });

  test("GET /api/rttm/alerts: newest first, CRITICAL as HIGH, the old message; equal to GraphQL; bad limit and status are 400", async () => {
    const [rest, gql] = await Promise.all([
      get(fixture.app.port, "/api/rttm/alerts"),
      graphql(
        fixture.app.port,
        "{ alerts(status: [ACTIVE, ACKED], first: 10) { edges { node { message severity timeAgo } } } }",
      ),
    ]);
    assert.equal(rest.status, 200);
    const expected = gql.data!.alerts.edges.map((e: any) => ({
      message: e.node.message,
      severity: e.node.severity === "CRITICAL" ? "HIGH" : "MEDIUM",
    }));
    assert.deepEqual(
      rest.body.map((a: any) => ({ message: a.message, severity: a.severity })),
      expected,
    );
    assert.deepEqual(rest.body.map((a: any) => a.message).sort(), [
      "DLQ_COUNT : 2.00 vs 2.00",
      "ERROR_RATE : 1.00 vs 1.00",
    ]);
    for (const a of rest.body) {
      assert.deepEqual(shape(a), ["message:string", "severity:string", "timeAgo:string"]);
      assert.match(a.timeAgo, /^(now|\d+s ago|\d+m ago)$/);
    }
    assert.equal(rest.body.find((a: any) => a.message.startsWith("DLQ_COUNT")).severity, "HIGH");
    assert.equal(rest.body.find((a: any) => a.message.startsWith("ERROR_RATE")).severity, "MEDIUM");
    const one = await get(fixture.app.port, "/api/rttm/alerts?status=ACTIVE&limit=0");
    assert.equal(one.body.length, 1, "limit below 1 becomes 1, as before");
    assert.deepEqual((await get(fixture.app.port, "/api/rttm/alerts?status=RESOLVED")).body, []);
    for (const bad of ["limit=ten", "limit=2.5", "status=open"]) {
      const refused = await get(fixture.app.port, `/api/rttm/alerts?${bad}`);
      assert.equal(refused.status, 400, bad);
      assertSpringError(refused.body, 400, "Bad Request", "/api/rttm/alerts");
    }
  });

  test("CORS: preflight for an Authorization header from the allowed origin; Bearer accepted; other origins refused", async () => {
    const answer = await preflight(fixture.app.port, "/api/rttm/metrics");
    assert.equal(answer.status, 204);
    assert.equal(answer.headers.get("access-control-allow-origin"), pageOrigin);
    assert.match(answer.headers.get("access-control-allow-headers")!, /authorization/i);
    assert.match(answer.headers.get("access-control-allow-methods")!, /GET/);
    const withToken = await get(fixture.app.port, "/api/rttm/dlq", {
      origin: pageOrigin,
      authorization: "Bearer some.jwt.token",
    });
    assert.equal(withToken.status, 200);
    assert.equal(withToken.headers.get("access-control-allow-origin"), pageOrigin);
    const refused = await get(fixture.app.port, "/api/rttm/dlq", { origin: otherOrigin });
    assert.equal(refused.status, 403);
    assertSpringError(refused.body, 403, "Forbidden", "/api/rttm/dlq");
    const post = await fetch(`http://127.0.0.1:${fixture.app.port}/api/rttm/metrics`, {
      method: "POST",
    });
    assert.equal(post.status, 405);
  });

  test("raw sockets: first frame at once on all five, equal to the REST answers, text JSON only", async () => {
    const paths = ["metrics", "pipeline", "telemetry", "dlq", "alerts"];
    const opened = paths.map((p) => open(`/ws/rttm/${p}`, { origin: pageOrigin }));
    await Promise.all(opened.map((s) => s.opened()));
    const [metrics, pipeline, telemetry, dlq, alerts] = opened as [
      RawSocket,
      RawSocket,
      RawSocket,
      RawSocket,
      RawSocket,
    ];
    for (const s of opened) {
      const first = await s.waitFor(() => true, 5000);
      assert.ok(first.at - s.openedAt < 3000, `first frame after ${first.at - s.openedAt} ms`);
      assert.equal(s.socket.protocol, "", "no subprotocol");
    }
    assert.deepEqual(
      metrics.frames[0]!.json,
      (await get(fixture.app.port, "/api/rttm/metrics")).body,
    );
    assert.deepEqual(
      pipeline.frames[0]!.json,
      (await get(fixture.app.port, "/api/rttm/pipeline")).body,
    );
    assert.deepEqual(dlq.frames[0]!.json, (await get(fixture.app.port, "/api/rttm/dlq")).body);
    const restAlerts = (await get(fixture.app.port, "/api/rttm/alerts?limit=25")).body;
    assert.deepEqual(
      alerts.frames[0]!.json.map((a: any) => a.message),
      restAlerts.map((a: any) => a.message),
    );
    const snapshot = (await get(fixture.app.port, "/api/rttm/telemetry-snapshot")).body;
    const types = await Promise.all(
      ["TPS_TREND", "LATENCY_METRICS", "KAFKA_LAG"].map((type) =>
        telemetry.waitFor((f) => f.type === type, 5000),
      ),
    );
    for (const frame of types) {
      assert.deepEqual(Object.keys(frame.json), ["type", "timestamp", "data"]);
      assert.ok(!Number.isNaN(Date.parse(frame.json.timestamp)));
    }
    assert.deepEqual(
      types.map((f) => f.json.data),
      [snapshot.tpsTrend, snapshot.latencyMetrics, snapshot.kafkaLag],
    );
    for (const s of opened) assert.deepEqual(s.problems, []);
  });

  test("raw sockets: a produced event brings a new frame on metrics, pipeline, telemetry and dlq", async () => {
    const [metrics, pipeline, telemetry, dlq] = ["metrics", "pipeline", "telemetry", "dlq"].map(
      (p) => open(`/ws/rttm/${p}`),
    ) as [RawSocket, RawSocket, RawSocket, RawSocket];
    await Promise.all([metrics, pipeline, telemetry, dlq].map((s) => s.waitFor(() => true, 5000)));
    const marks = [metrics, pipeline, telemetry, dlq].map((s) => s.frames.length);
    const id = m.newTradeId();
    const at = Date.now();
    await fixture.sendTradeEvent(id, "RECEIVED", at);
    await fixture.producer.send({
      topic: fixture.topics.dlqEvents,
      messages: [
        {
          value: fixture.encoder.encode("dlqEvents", m.RttmDlqEventSchema, {
            ...m.dlqEvent(id, at),
            eventStage: "COMMITTED",
          }),
        },
      ],
    });
    // The telemetry socket pushes only what the page would see change: one more RECEIVED event in
    // an hour bucket can round to the same per-second value, so a new lag snapshot is the change.
    await fixture.producer.send({
      topic: fixture.topics.queueMetrics,
      messages: [
        {
          value: fixture.encoder.encode(
            "queueMetrics",
            m.RttmQueueMetricSchema,
            m.queueMetric("orders", 0, 1400n, 1000n, at),
          ),
        },
      ],
    });
    const received = await pipeline.waitFor((f) => f[0]?.count === 5, 15_000, marks[1]);
    assert.equal(received.json[0].name, "RECEIVED");
    await metrics.waitFor((f) => f[0]?.value > 0, 15_000, marks[0]);
    await dlq.waitFor((f) => f.total === 3 && f.byStage.COMMITTED === 1, 15_000, marks[3]);
    await telemetry.waitFor(
      (f) =>
        f.type === "KAFKA_LAG" && f.data.some((l: any) => l.partition === "P0" && l.lag === 400),
      15_000,
      marks[2],
    );
    const trend = await telemetry.waitFor((f) => f.type === "TPS_TREND", 0, marks[2]);
    assert.ok(trend.json.data.at(-1) > 0, "the newest hour has the RECEIVED events");
    const again = (await get(fixture.app.port, "/api/rttm/pipeline")).body;
    assert.equal(again[0].count, 5);
  });

  test("a graphql-ws client on /ws/rttm/metrics works beside a raw socket on the same path", async () => {
    const raw = open("/ws/rttm/metrics");
    const client = wsClient(fixture.app.port, "/ws/rttm/metrics");
    const sub = client.subscribe("subscription { overview { cards { title value } } }");
    try {
      const payload = await sub.waitFor((v: any) => v.overview.cards.length === 6);
      const frame = await raw.waitFor(() => true, 5000);
      const peak = (cards: Array<{ title: string; value: number }>) =>
        cards.find((c) => c.title === "Peak TPS")!.value;
      assert.equal(peak(frame.json), peak((payload as any).overview.cards));
    } finally {
      sub.dispose();
      await client.client.dispose();
    }
  });

  test("raw sockets from another origin are refused; Prometheus counts legacy requests and open sockets per path", async () => {
    const refused = open("/ws/rttm/dlq", { origin: otherOrigin });
    assert.equal(await refused.refusedWith, 403);
    const live = open("/ws/rttm/alerts");
    await live.waitFor(() => true, 5000);
    const text = await (await fetch(`http://127.0.0.1:${fixture.app.port}/metrics`)).text();
    assert.match(
      text,
      /rttm_legacy_requests_total\{route="\/api\/rttm\/metrics",status="200"\} [1-9]/,
    );
    assert.match(
      text,
      /rttm_legacy_requests_total\{route="\/api\/rttm\/track-trade",status="400"\} [1-9]/,
    );
    assert.match(text, /rttm_legacy_open_sockets\{path="alerts"\} [1-9]/);
    assert.match(text, /rttm_legacy_sockets_opened_total\{path="telemetry"\} [1-9]/);
    const openCount = Number(/^rttm_ws_open_sockets (\d+)/m.exec(text)?.[1]);
    assert.ok(
      openCount >= sockets.filter((s) => s.socket.readyState === 1).length,
      "raw sockets count as open sockets",
    );
  });
});

describe("raw sockets: connection cap, pings, anonymous switch and shutdown", () => {
  const fixture = useAppFixture({ partitions: 1, app: false });

  test("count against RTTM_WS_MAX_CONNECTIONS, get protocol pings (a peer that misses a pong is dropped), close with 1012 on shutdown", async () => {
    const app = await fixture.startApp({
      RTTM_WS_MAX_CONNECTIONS: "2",
      RTTM_LEGACY_WS_PING_MS: "200",
    });
    try {
      const a = rawSocket(app.port, "/ws/rttm/metrics");
      const client = wsClient(app.port, "/ws/rttm/pipeline");
      const sub = client.subscribe("subscription { pipeline { windowSeconds } }");
      await Promise.all([a.waitFor(() => true, 5000), sub.waitFor(() => true)]);
      const third = rawSocket(app.port, "/ws/rttm/dlq");
      assert.equal(
        await third.refusedWith,
        503,
        "the GraphQL socket and the raw one fill the cap of 2",
      );
      await waitFor("pings", async () => a.pings >= 2, 5000);
      assert.equal(a.socket.readyState, 1, "a socket that answers pings stays open");
      sub.dispose();
      await client.client.dispose();
      await waitFor("the GraphQL socket closed", async () => {
        const text = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
        return /^rttm_ws_open_sockets 1$/m.test(text);
      });
      const deaf = rawSocket(app.port, "/ws/rttm/dlq", {}, { autoPong: false });
      await deaf.waitFor(() => true, 5000);
      assert.equal((await deaf.closed).code, 1006, "a peer that misses a pong is dropped");
      const closing = a.closed;
      await app.stop();
      assert.deepEqual(await closing, { code: 1012, reason: "service restart" });
    } catch (err) {
      await app.stop().catch(() => undefined);
      throw err;
    }
  });

  test("RTTM_LEGACY_WS_ANONYMOUS=false refuses raw sockets with 401; graphql-ws on the same path still works", async () => {
    const app = await fixture.startApp({ RTTM_LEGACY_WS_ANONYMOUS: "false" });
    try {
      const raw = rawSocket(app.port, "/ws/rttm/metrics");
      assert.equal(await raw.refusedWith, 401);
      const client = wsClient(app.port, "/ws/rttm/metrics");
      const sub = client.subscribe("subscription { dlqOverview { total } }");
      await sub.waitFor(() => true);
      sub.dispose();
      await client.client.dispose();
    } finally {
      await app.stop();
    }
  });
});

describe("identity on (RTTM_AUTH_MODE=jwt): the Bearer token of REST calls is verified", () => {
  let auth: TestAuthServer;
  before(async () => {
    auth = await TestAuthServer.start();
  });
  const fixture = useAppFixture({
    partitions: 1,
    env: () => authEnv(auth, { RTTM_ALLOWED_ORIGINS: pageOrigin }),
  });
  after(async () => {
    await auth?.stop();
  });

  test("no token or a bad one: 401 with WWW-Authenticate in Spring's body; a USER token: 200; a SERVICE token: 403", async () => {
    const none = await get(fixture.app.port, "/api/rttm/metrics", { origin: pageOrigin });
    assert.equal(none.status, 401);
    assertSpringError(none.body, 401, "Unauthorized", "/api/rttm/metrics");
    assert.match(
      none.headers.get("www-authenticate")!,
      /^Bearer realm="rttm", error="invalid_token"/,
    );
    assert.equal(
      none.headers.get("access-control-allow-origin"),
      pageOrigin,
      "the page can read the refusal",
    );
    const expired = await get(fixture.app.port, "/api/rttm/dlq", {
      authorization: `Bearer ${await auth.token({ expiresIn: -3600 })}`,
    });
    assert.deepEqual([expired.status, expired.body.message], [401, "token expired"]);
    const user = await get(fixture.app.port, "/api/rttm/dlq", {
      authorization: `Bearer ${await auth.token()}`,
    });
    assert.deepEqual([user.status, user.body], [200, { total: 0, byStage: {} }]);
    const service = await get(fixture.app.port, "/api/rttm/pipeline", {
      authorization: `Bearer ${await auth.token({ tokenType: "SERVICE" })}`,
    });
    assert.equal(service.status, 403);
    assertSpringError(service.body, 403, "Forbidden", "/api/rttm/pipeline");
  });

  test("the preflight needs no token; raw sockets stay anonymous by default", async () => {
    const answer = await preflight(fixture.app.port, "/api/rttm/metrics");
    assert.equal(answer.status, 204);
    const raw = rawSocket(fixture.app.port, "/ws/rttm/dlq", { origin: pageOrigin });
    const frame = await raw.waitFor(() => true, 5000);
    assert.deepEqual(frame.json, { total: 0, byStage: {} });
    raw.close();
  });
});
