/**
 * Identity on (RTTM_AUTH_MODE=jwt) against a real JWKS server on loopback with RSA keys made here,
 * real signed tokens, the whole service over real HTTP and WebSocket, and the typed client.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import {
  AcknowledgeAlertDocument,
  createRttmClient,
  LiveOpenAlertsDocument,
  RttmGraphQLError,
  RttmNetworkError,
} from "../../clients/typescript/src/index.js";
import { createLogger, setLogLevel } from "../../src/log.js";
import { authEnv, newSigningKey, TestAuthServer } from "../support/authServer.js";
import { graphqlWs, type WsConversation } from "../support/graphqlWs.js";
import { useAppFixture } from "../support/fixture.js";
import { waitFor } from "../support/infra.js";

const query = "query Rules { alertRules { name } }";

describe("identity on: HTTP and WebSocket against a real JWKS server", () => {
  let auth: TestAuthServer;
  const logLines: Array<Record<string, unknown>> = [];
  before(async () => {
    auth = await TestAuthServer.start();
    setLogLevel("info");
  });
  const fixture = useAppFixture({
    env: () =>
      authEnv(auth, {
        RTTM_AUTH_JWKS_REFETCH_INTERVAL: "200ms",
        RTTM_ALERT_EVAL_INTERVAL: "3600000",
      }),
    logger: createLogger(
      { service: "rttm-test" },
      { write: (line: string) => void logLines.push(JSON.parse(line)) },
    ),
  });
  after(async () => {
    setLogLevel("silent");
    await auth?.stop();
  });
  const base = () => `http://127.0.0.1:${fixture.app.port}`;

  const post = (path: string, headers: Record<string, string>, body: unknown = { query }) =>
    fetch(`${base()}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  const bearer = async (options?: Parameters<TestAuthServer["token"]>[0]) => ({
    authorization: `Bearer ${await auth.token(options)}`,
  });
  const insertAlert = async () =>
    (
      await fixture.db.pool.query<{ id: string }>(
        "INSERT INTO rttm_alerts (metric_name, scope, current_value, peak_value, threshold_value, severity, status, triggered_time, last_observed_at) VALUES ('DLQ_COUNT', 'ALL', 9, 9, 2, 'CRITICAL', 'ACTIVE', now(), now()) RETURNING id::text",
      )
    ).rows[0]!.id;
  const resolveAll = () => fixture.db.pool.query("UPDATE rttm_alerts SET status = 'RESOLVED'");

  test("a valid USER token over HTTP: the answer, the same on /graphql and /api/rttm/graphql", async () => {
    const headers = await bearer();
    const direct = await post("/graphql", headers);
    const gateway = await post("/api/rttm/graphql", headers);
    assert.equal(direct.status, 200);
    assert.equal(gateway.status, 200);
    const body = await direct.json();
    assert.ok((body as { data: { alertRules: unknown[] } }).data.alertRules.length > 0);
    assert.deepEqual(await gateway.json(), body);
  });

  test("missing or bad tokens: 401, WWW-Authenticate and UNAUTHENTICATED, nothing executed", async () => {
    const stranger = await newSigningKey();
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ["missing", {}, /missing bearer token/],
      ["malformed header", { authorization: "Token abc" }, /malformed authorization/],
      ["not a JWT", { authorization: "Bearer abc.def" }, /not a JWT/],
      ["expired", await bearer({ expiresIn: -120 }), /token expired/],
      ["not yet valid", await bearer({ notBefore: 300 }), /not yet valid/],
      ["wrong issuer", await bearer({ issuer: "auth-service" }), /wrong issuer/],
      [
        "wrong signature",
        await bearer({ key: stranger, kid: auth.current.kid }),
        /signature verification failed/,
      ],
    ];
    for (const [name, headers, reason] of cases) {
      const response = await post("/api/rttm/graphql", headers);
      assert.equal(response.status, 401, name);
      const challenge = response.headers.get("www-authenticate") ?? "";
      assert.match(challenge, /^Bearer realm="rttm", error="invalid_token", error_description="/);
      assert.match(challenge, reason, name);
      const body = (await response.json()) as {
        errors: Array<{ message: string; extensions: { code: string } }>;
      };
      assert.equal(body.errors[0]!.extensions.code, "UNAUTHENTICATED", name);
      assert.match(body.errors[0]!.message, reason, name);
    }
    // A 100 KB header is refused by Node's HTTP parser (431) before RTTM sees it.
    const huge = await post("/api/rttm/graphql", {
      authorization: `Bearer ${"a".repeat(100_000)}`,
    });
    assert.equal(huge.status, 431);
  });

  test("a mutation with a bad token changes nothing", async () => {
    const id = await insertAlert();
    try {
      const response = await post("/api/rttm/graphql", await bearer({ expiresIn: -120 }), {
        query: "mutation($id: ID!) { acknowledgeAlert(id: $id) { status } }",
        variables: { id },
      });
      assert.equal(response.status, 401);
      const row = await fixture.db.pool.query("SELECT status FROM rttm_alerts WHERE id = $1", [id]);
      assert.equal(row.rows[0].status, "ACTIVE");
    } finally {
      await resolveAll();
    }
  });

  test("a SERVICE token: 403 FORBIDDEN", async () => {
    const response = await post("/graphql", await bearer({ tokenType: "SERVICE" }));
    assert.equal(response.status, 403);
    assert.match(response.headers.get("www-authenticate") ?? "", /error="insufficient_scope"/);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    assert.equal(body.errors[0]!.extensions.code, "FORBIDDEN");
  });

  test("probes and /metrics stay open without a token", async () => {
    for (const path of ["/actuator/health/liveness", "/actuator/health/readiness", "/metrics"])
      assert.equal((await fetch(`${base()}${path}`)).status, 200, path);
  });

  test("a mutation's actor is the token's subject; claiming someone else is refused", async () => {
    const id = await insertAlert();
    try {
      const ack = await post(
        "/api/rttm/graphql",
        { ...(await bearer({ sub: "carol" })), "x-forwarded-user": "mallory" },
        {
          query: "mutation($id: ID!) { acknowledgeAlert(id: $id) { status acknowledgedBy } }",
          variables: { id },
        },
      );
      assert.deepEqual(await ack.json(), {
        data: { acknowledgeAlert: { status: "ACKED", acknowledgedBy: "carol" } },
      });
      const claim = await post("/api/rttm/graphql", await bearer({ sub: "carol" }), {
        query: 'mutation($id: ID!) { resolveAlert(id: $id, by: "mallory") { status } }',
        variables: { id },
      });
      const body = (await claim.json()) as { errors: Array<{ extensions: { code: string } }> };
      assert.equal(body.errors[0]!.extensions.code, "FORBIDDEN");
      const row = await fixture.db.pool.query("SELECT status FROM rttm_alerts WHERE id = $1", [id]);
      assert.equal(row.rows[0].status, "ACKED");
    } finally {
      await resolveAll();
    }
  });

  test("X-Correlation-Id: echoed (or made) and on every log line of the request", async () => {
    const given = await post("/api/rttm/graphql", { "x-correlation-id": "corr-given-1" });
    assert.equal(given.status, 401);
    assert.equal(given.headers.get("x-correlation-id"), "corr-given-1");
    const made = await fetch(`${base()}/actuator/health/liveness`);
    assert.match(made.headers.get("x-correlation-id") ?? "", /^[0-9a-f-]{36}$/);
    const odd = await post("/graphql", { "x-correlation-id": "has spaces;and=odd" });
    assert.match(odd.headers.get("x-correlation-id") ?? "", /^[0-9a-f-]{36}$/);
    const lines = logLines.filter((l) => l.correlationId === "corr-given-1");
    assert.ok(
      lines.some((l) => l.msg === "request refused"),
      JSON.stringify(logLines.slice(-5)),
    );
  });

  async function connect(payload: unknown, headers: Record<string, string> = {}) {
    const ws = graphqlWs(fixture.app.port, "/ws/rttm/graphql", headers);
    ws.send({ type: "connection_init", ...(payload === undefined ? {} : { payload }) });
    return ws;
  }

  /** After connection_ack only: graphql-ws closes a socket that subscribes earlier (4401). */
  const subscribeOpenAlerts = (ws: WsConversation) =>
    ws.send({
      id: "1",
      type: "subscribe",
      payload: { query: "subscription { openAlerts { asOf } }" },
    });

  async function refused(ws: WsConversation, code: number, reason: RegExp) {
    const closed = await ws.closed;
    assert.equal(closed.code, code);
    assert.match(closed.reason, reason);
    assert.deepEqual(
      ws.messages.filter((m) => m.type === "next" || m.type === "connection_ack"),
      [],
    );
  }

  test("graphql-ws: a valid token in connection_init is acknowledged and the subscription runs", async () => {
    const ws = await connect(await bearer());
    await ws.next("connection_ack");
    subscribeOpenAlerts(ws);
    await ws.next("next");
    const headers = await ws.upgradeHeaders;
    assert.match(String(headers["x-correlation-id"]), /^[0-9a-f-]{36}$/);
    ws.socket.close();
  });

  test("graphql-ws: missing, bad or refused tokens close 4401/4403 before any subscription", async () => {
    await refused(await connect(undefined), 4401, /UNAUTHENTICATED: missing bearer token/);
    await refused(await connect({}), 4401, /missing bearer token/);
    await refused(
      await connect({ authorization: (await bearer({ expiresIn: -120 })).authorization }),
      4401,
      /token expired/,
    );
    await refused(await connect({ authorization: "Bearer x.y" }), 4401, /not a JWT/);
    await refused(
      await connect({ authorization: (await bearer({ tokenType: "SERVICE" })).authorization }),
      4403,
      /FORBIDDEN: token_type "SERVICE"/,
    );
    // A 100 KB token: over the WebSocket message limit, closed by the socket layer (1009).
    const huge = await connect({ authorization: `Bearer ${"a".repeat(100_000)}` });
    assert.equal((await huge.closed).code, 1009);
  });

  test("graphql-ws: the handshake's X-Correlation-Id is echoed on the 101 and on the socket's log lines", async () => {
    const ws = graphqlWs(fixture.app.port, "/ws/rttm/graphql", { "x-correlation-id": "corr-ws-1" });
    ws.send({ type: "connection_init" });
    assert.equal((await ws.upgradeHeaders)["x-correlation-id"], "corr-ws-1");
    assert.equal((await ws.closed).code, 4401);
    await waitFor("the refusal's log line", async () =>
      logLines.some((l) => l.msg === "websocket refused" && l.correlationId === "corr-ws-1"),
    );
  });

  test("graphql-ws: a socket is closed with 4401 when its token expires", async () => {
    const token = await auth.token({ expiresIn: 3 });
    const expiresAt = (Math.floor(Date.now() / 1000) + 3) * 1000;
    const ws = await connect({ authorization: `Bearer ${token}` });
    await ws.next("connection_ack");
    subscribeOpenAlerts(ws);
    await ws.next("next");
    const closed = await ws.closed;
    assert.equal(closed.code, 4401);
    assert.match(closed.reason, /token expired/);
    assert.ok(closed.at - expiresAt < 2_000, `closed ${closed.at - expiresAt} ms after expiry`);
    assert.ok(closed.at >= expiresAt - 50, `closed ${expiresAt - closed.at} ms before expiry`);
  });

  test("the typed client sends getToken's token, reconnects after a 4401 with a fresh one and gets the next update", async () => {
    const issued: string[] = [];
    const client = createRttmClient({
      url: `${base()}/api/rttm/graphql`,
      webSocketImpl: WebSocket,
      retry: { initialDelayMs: 50, maxDelayMs: 200 },
      // The first token expires in 3 s; every later one is fresh.
      getToken: async () => {
        const token = await auth.token({ sub: "dora", expiresIn: issued.length === 0 ? 3 : 3600 });
        issued.push(token);
        return token;
      },
    });
    const statuses: string[] = [];
    client.onStatus((s) => statuses.push(s));
    const seen: Array<{ ids: string[] }> = [];
    const subscription = client.subscribe(LiveOpenAlertsDocument).subscribe({
      next: (v) => seen.push({ ids: v.openAlerts.alerts.map((a) => a.id) }),
      error: (e) => seen.push({ ids: [`error: ${e.message}`] }),
    });
    try {
      await waitFor("the first value", async () => seen.length > 0);
      await waitFor("the reconnect with a fresh token", async () => issued.length >= 2, 10_000);
      await waitFor("connected again", async () => client.status === "connected", 10_000);
      assert.ok(statuses.includes("reconnecting"), statuses.join());
      const id = await insertAlert();
      // The mutation goes over HTTP with a fresh token from getToken too, as dora.
      const ack = await client.mutate(AcknowledgeAlertDocument, { id });
      assert.equal(ack.acknowledgeAlert.acknowledgedBy, "dora");
      await waitFor("the next update on the reconnected socket", async () =>
        seen.some((v) => v.ids.includes(id)),
      );
      assert.ok(!seen.some((v) => v.ids.some((i) => i.startsWith("error"))), JSON.stringify(seen));
    } finally {
      subscription.unsubscribe();
      await client.dispose();
      await resolveAll();
    }
  });

  test("the typed client without a usable token: RttmGraphQLError UNAUTHENTICATED over HTTP, 4401 over WebSocket", async () => {
    const client = createRttmClient({
      url: `${base()}/api/rttm/graphql`,
      webSocketImpl: WebSocket,
      retry: { initialDelayMs: 20, maxDelayMs: 50 },
      getToken: () => "not-a-token",
    });
    try {
      await assert.rejects(
        client.mutate(AcknowledgeAlertDocument, { id: "1" }),
        (err: unknown) =>
          err instanceof RttmGraphQLError && err.status === 401 && err.hasCode("UNAUTHENTICATED"),
      );
      const failure = await new Promise<unknown>((resolve) =>
        client.subscribe(LiveOpenAlertsDocument).subscribe({ error: resolve }),
      );
      assert.ok(failure instanceof RttmNetworkError && failure.closeCode === 4401, String(failure));
    } finally {
      await client.dispose();
    }
  });

  test("key rotation: an unknown kid is fetched and accepted; JWKS down: known keys work, new ones fail clearly, readiness stays UP", async () => {
    const before = auth.fetches;
    await sleep(250);
    await auth.rotate();
    assert.equal((await post("/api/rttm/graphql", await bearer())).status, 200);
    assert.equal(auth.fetches, before + 1);

    const known = auth.current;
    await auth.stop();
    try {
      await sleep(250);
      assert.equal((await post("/api/rttm/graphql", await bearer({ key: known }))).status, 200);
      const fresh = await newSigningKey();
      const refused = await post("/api/rttm/graphql", await bearer({ key: fresh }));
      assert.equal(refused.status, 401);
      assert.match(
        refused.headers.get("www-authenticate") ?? "",
        /no signing key with kid .* could not be fetched/,
      );
      const ws = await connect({ authorization: (await bearer({ key: known })).authorization });
      await ws.next("connection_ack");
      ws.socket.close();
      const readiness = await fetch(`${base()}/actuator/health/readiness`);
      assert.equal(readiness.status, 200);
      assert.equal(((await readiness.json()) as { status: string }).status, "UP");
    } finally {
      await auth.listen();
    }
  });
});
