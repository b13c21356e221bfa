/**
 * Delivery to real Alertmanagers (Debian's prometheus-alertmanager 0.25) with a webhook receiver:
 * alerts raised by RTTM from real Kafka traffic (queue-metric snapshots through the real broker
 * and registry) arrive firing with their labels at both Alertmanagers of a pair, escalate, resolve;
 * a restarted Alertmanager gets the open alert again; an acknowledgement silences it until the
 * alert resolves; an Alertmanager that is down does not stop RTTM and gets the alerts when it is
 * back; one answering 5xx is retried until it accepts; an alert an Alertmanager refuses (4xx) is
 * logged and not sent again. The second Alertmanager is reached through a fault-injecting proxy
 * (test/support/alertmanager.ts FaultProxy): a real Alertmanager cannot be made to answer 5xx.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Producer } from "kafkajs";
import type { App } from "../../src/app.js";
import {
  Alertmanager,
  FaultProxy,
  WebhookReceiver,
  type WebhookAlert,
} from "../support/alertmanager.js";
import { createTestDatabase, waitFor, type TestDatabase } from "../support/infra.js";
import { connectProducer, freshTopics, type Encoder } from "../support/kafka.js";
import * as m from "../support/messages.js";
import { graphql, serviceEnv, startAppInProcess } from "../support/service.js";

describe("alerts delivered to real Alertmanagers", () => {
  let db: TestDatabase;
  let producer: Producer;
  let encoder: Encoder;
  let queueTopic: string;
  let receiver: WebhookReceiver;
  let am1: Alertmanager;
  let am2: Alertmanager;
  /** RTTM reaches am2 only through this proxy. */
  let proxy2: FaultProxy;
  let app: App;
  let appEnv: Record<string, string>;
  let appStopped = false;
  const dashboard = "http://dashboard.test/rttm";
  /** Silences last this long unless renewed (3 resend intervals of 1 s is the least allowed). */
  const silenceSeconds = 4;

  /** A queue-metric snapshot through Kafka: `lag` messages behind on (topic, partition). */
  const lag = (topic: string, partition: number, behind: number) =>
    producer.send({
      topic: queueTopic,
      messages: [
        {
          value: encoder.encode(
            "queueMetrics",
            m.RttmQueueMetricSchema,
            m.queueMetric(topic, partition, 1000n + BigInt(behind), 1000n, Date.now()),
          ),
        },
      ],
    });

  const on =
    (topic: string, severity: string, status: "firing" | "resolved") => (a: WebhookAlert) =>
      a.labels.topic === topic && a.labels.severity === severity && a.status === status;

  const openAlertId = async (topic: string): Promise<string> =>
    waitFor(`an open QUEUE_LAG alert on ${topic}`, async () => {
      const { rows } = await db.pool.query<{ id: string }>(
        "SELECT id::text AS id FROM rttm_alerts WHERE metric_name = 'QUEUE_LAG' AND scope LIKE $1 AND status <> 'RESOLVED'",
        [`${topic}/%`],
      );
      return rows[0]?.id;
    });

  const delivery = async (id: string) => {
    const response = await graphql<{
      alert: {
        status: string;
        delivery: {
          lastSentAt: string | null;
          lastError: string | null;
          lastErrorAt: string | null;
          silenceId: string | null;
          silenceEndsAt: string | null;
          silenceExpiredAt: string | null;
        } | null;
      };
    }>(
      app.port,
      "query($id: ID!) { alert(id: $id) { status delivery { lastSentAt lastError lastErrorAt silenceId silenceEndsAt silenceExpiredAt } } }",
      { id },
    );
    assert.equal(response.errors, undefined);
    return response.data!.alert;
  };

  before(async () => {
    db = await createTestDatabase();
    producer = await connectProducer();
    const fresh = await freshTopics(1);
    encoder = fresh.encoder;
    queueTopic = fresh.topics.queueMetrics;
    receiver = await WebhookReceiver.start();
    am1 = await Alertmanager.start(receiver.url("/am1"));
    am2 = await Alertmanager.start(receiver.url("/am2"));
    proxy2 = await FaultProxy.start(am2.url);
    appEnv = serviceEnv(db.url, fresh.env, {
      RTTM_ALERT_EVAL_INTERVAL: "1000",
      RTTM_ALERTMANAGER_URLS: `${am1.url},${proxy2.url}`,
      RTTM_ALERTMANAGER_RESEND: "1s",
      RTTM_ALERTMANAGER_LABELS: "cluster=test-eu,env=test",
      RTTM_ALERTMANAGER_RUNBOOK_URL: "https://runbooks.test/rttm#{rule}",
      RTTM_ALERTMANAGER_SILENCE_ON_ACK: "true",
      RTTM_ALERTMANAGER_SILENCE_DURATION: `${silenceSeconds}s`,
      RTTM_DASHBOARD_URL: dashboard,
    });
    app = await startAppInProcess(appEnv);
  });
  after(async () => {
    if (!appStopped) await app?.stop();
    await producer?.disconnect();
    await am1?.stop();
    await am2?.stop();
    await proxy2?.close();
    await receiver?.close();
    await db?.drop();
  });

  test("raised from Kafka traffic: firing at both Alertmanagers with its labels; escalation; resolution", async (t) => {
    await lag("orders-a", 3, 20);
    const firing = await Promise.all(
      ["/am1", "/am2"].map((path) =>
        receiver.waitFor(path, "warning firing", on("orders-a", "warning", "firing")),
      ),
    );
    for (const alert of firing) {
      assert.deepEqual(alert.labels, {
        alertname: "QUEUE_LAG",
        severity: "warning",
        service: "rttm",
        topic: "orders-a",
        partition: "3",
        consumer_group: "enricher-group",
        cluster: "test-eu",
        env: "test",
      });
      assert.equal(
        alert.annotations.summary,
        "QUEUE_LAG on orders-a partition 3, group enricher-group: 20.00 messages, warning at 10.00 messages",
      );
      assert.match(
        alert.annotations.description!,
        /threshold 10\.00 messages over the latest snapshot/,
      );
      assert.equal(alert.annotations.runbook_url, "https://runbooks.test/rttm#QUEUE_LAG");
      const id = await openAlertId("orders-a");
      assert.equal(alert.annotations.rttm_alert_id, id);
      assert.equal(alert.generatorURL, `${dashboard}?alert=${id}`);
    }
    const notification = receiver.received
      .get("/am1")!
      .find((n) => n.alerts.some(on("orders-a", "warning", "firing")));
    t.diagnostic(`webhook payload: ${JSON.stringify(notification)}`);

    // Escalation: the warning label set resolves, the critical one fires.
    const before = receiver.alerts("/am1").length;
    await lag("orders-a", 3, 60);
    await receiver.waitFor("/am1", "critical firing", on("orders-a", "critical", "firing"));
    await receiver.waitFor(
      "/am1",
      "warning resolved",
      on("orders-a", "warning", "resolved"),
      30_000,
      before,
    );
    await receiver.waitFor("/am2", "critical firing", on("orders-a", "critical", "firing"));

    const id = await openAlertId("orders-a");
    await lag("orders-a", 3, 0);
    for (const path of ["/am1", "/am2"])
      await receiver.waitFor(path, "critical resolved", on("orders-a", "critical", "resolved"));
    const state = await delivery(id);
    assert.equal(state.status, "RESOLVED");
    assert.ok(state.delivery?.lastSentAt, "delivery.lastSentAt is set");
  });

  test("a restarted Alertmanager (its alerts gone) gets the open alert again", async () => {
    await lag("orders-b", 0, 20);
    await receiver.waitFor("/am1", "firing", on("orders-b", "warning", "firing"));
    await am1.restart();
    const from = receiver.alerts("/am1").length;
    await receiver.waitFor(
      "/am1",
      "firing again",
      on("orders-b", "warning", "firing"),
      30_000,
      from,
    );
    const held = await am1.api<Array<{ labels: Record<string, string> }>>("/alerts");
    assert.ok(held.some((a) => a.labels.topic === "orders-b"));
    await lag("orders-b", 0, 0);
    await receiver.waitFor("/am1", "resolved", on("orders-b", "warning", "resolved"));
  });

  test("acknowledging silences the alert's label set, renewed until it resolves; then the silence is expired", async () => {
    await lag("orders-c", 1, 20);
    await receiver.waitFor("/am1", "firing", on("orders-c", "warning", "firing"));
    const id = await openAlertId("orders-c");
    const ack = await graphql(
      app.port,
      "mutation($id: ID!) { acknowledgeAlert(id: $id) { status } }",
      { id },
      { "X-Forwarded-User": "alice" },
    );
    assert.equal(ack.errors, undefined);
    const first = await waitFor("the silence id on the alert", async () => {
      return (await delivery(id)).delivery?.silenceId ?? undefined;
    });
    type AmAlert = {
      labels: Record<string, string>;
      status: { state: string; silencedBy: string[] };
    };
    type AmSilence = { id: string; createdBy: string; endsAt: string; status: { state: string } };
    const heldAt = async (am: Alertmanager) =>
      (await am.api<AmAlert[]>("/alerts")).find((a) => a.labels.topic === "orders-c");
    // The silence was created on one Alertmanager (an HA cluster shares it with its peers).
    await waitFor(`the alert suppressed by ${first} at ${am1.url}`, async () => {
      const held = await heldAt(am1);
      return held?.status.state === "suppressed" && held.status.silencedBy.includes(first);
    });
    const created = await am1.api<AmSilence>(`/silence/${first}`);
    assert.deepEqual([created.createdBy, created.status.state], ["alice", "active"]);

    // Past the first silence's end (and a renewal more), the alert is suppressed all along.
    const until = Date.parse(created.endsAt) + (silenceSeconds / 2 + 1) * 1000;
    let samples = 0;
    while (Date.now() < until) {
      const held = await heldAt(am1);
      assert.equal(held?.status.state, "suppressed", `suppressed at sample ${samples}`);
      samples++;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const renewed = (await delivery(id)).delivery!;
    assert.notEqual(renewed.silenceId, first, "renewed: Alertmanager gave the renewal a new id");
    assert.ok(Date.parse(renewed.silenceEndsAt!) > Date.parse(created.endsAt));
    const current = await am1.api<AmSilence>(`/silence/${renewed.silenceId}`);
    assert.equal(current.status.state, "active");
    const replaced = await am1.api<AmSilence>(`/silence/${first}`);
    assert.equal(replaced.status.state, "expired", "a renewal replaces the silence, no pile-up");
    const silences = await am1.api<AmSilence[]>("/silences");
    assert.equal(
      silences.filter((x) => x.status.state === "active").length,
      1,
      "one active silence at a time",
    );

    await lag("orders-c", 1, 0);
    const state = await waitFor("the alert resolved, its silence expired", async () => {
      const s = await delivery(id);
      return s.status === "RESOLVED" && s.delivery?.silenceExpiredAt ? s : undefined;
    });
    const last = state.delivery!.silenceId!;
    const expired = await am1.api<AmSilence>(`/silence/${last}`);
    assert.equal(expired.status.state, "expired");
    await receiver.waitFor("/am1", "resolved", on("orders-c", "warning", "resolved"));
  });

  test("an Alertmanager that is down: RTTM keeps working, counts the failures and delivers when it is back", async () => {
    const stats = app.alerts.delivery!.stats;
    await am2.stop();
    try {
      await downAndBack(stats);
    } catch (err) {
      await am2.restart().catch(() => undefined); // for the tests after this one
      throw err;
    }
  });

  async function downAndBack(stats: { failed: number }): Promise<void> {
    const failedBefore = stats.failed;
    await lag("orders-d", 0, 20);
    const id = await openAlertId("orders-d");
    // The other Alertmanager still gets it; the failures are counted and shown on the alert.
    await receiver.waitFor("/am1", "firing", on("orders-d", "warning", "firing"));
    await waitFor("failures counted", async () => stats.failed > failedBefore);
    const metrics = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
    assert.match(metrics, /rttm_alertmanager_sent_total\{result="failed"\} [1-9]/);
    assert.match(metrics, /rttm_alertmanager_last_success_timestamp_seconds 1\d{9}/);
    const state = await waitFor("the failure on the alert", async () => {
      const s = await delivery(id);
      return s.delivery?.lastError ? s : undefined;
    });
    assert.match(state.delivery!.lastError!, new RegExp(`${proxy2.url}/api/v2/alerts failed`));
    // Ingest and the API go on: a new snapshot is stored and read back.
    await lag("orders-d", 0, 25);
    await waitFor("the new value stored and evaluated", async () => {
      const r = await graphql<{ alert: { currentValue: number } }>(
        app.port,
        "query($id: ID!) { alert(id: $id) { currentValue } }",
        { id },
      );
      return r.data?.alert.currentValue === 25;
    });
    const ready = await fetch(`http://127.0.0.1:${app.port}/actuator/health/readiness`);
    assert.equal(ready.status, 200);

    await am2.restart();
    await receiver.waitFor("/am2", "firing after the restart", on("orders-d", "warning", "firing"));
    await lag("orders-d", 0, 0);
    await receiver.waitFor("/am2", "resolved", on("orders-d", "warning", "resolved"));
  }

  test("an Alertmanager answering 503 (injected by a proxy in front of the real one) is retried until it accepts, not taken as a refusal", async () => {
    const stats = app.alerts.delivery!.stats;
    const rejectedBefore = stats.rejected;
    const failedBefore = stats.failed;
    proxy2.failWith = 503;
    try {
      await lag("orders-g", 2, 20);
      const id = await openAlertId("orders-g");
      await receiver.waitFor("/am1", "firing", on("orders-g", "warning", "firing"));
      // Tried again and again while it answers 503 (a 4xx would be sent once, then left out).
      await waitFor("three 503 answers", async () => proxy2.failures("/api/v2/alerts") >= 3);
      const state = await waitFor("the 503 on the alert", async () => {
        const s = await delivery(id);
        return s.delivery?.lastError?.includes("answered 503") ? s : undefined;
      });
      assert.match(
        state.delivery!.lastError!,
        new RegExp(`POST ${proxy2.url}/api/v2/alerts answered 503: injected failure`),
      );
      assert.ok(stats.failed > failedBefore, "counted as failed (retried)");
      assert.equal(stats.rejected, rejectedBefore, "not counted as refused");
      const metrics = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
      assert.match(metrics, /rttm_alertmanager_sent_total\{result="failed"\} [1-9]/);
      assert.equal((await delivery(id)).status, "ACTIVE", "evaluation goes on");
    } finally {
      proxy2.failWith = null;
    }
    await receiver.waitFor("/am2", "firing once it accepts", on("orders-g", "warning", "firing"));
    await lag("orders-g", 2, 0);
    await receiver.waitFor("/am2", "resolved", on("orders-g", "warning", "resolved"));
  });

  test("an alert an Alertmanager refuses (4xx) is logged and not sent again; the others still are", async () => {
    const stats = app.alerts.delivery!.stats;
    const rejectedBefore = stats.rejected;
    // Raised by a replica whose clock was an hour ahead, resolved by one on time: it ends before
    // it starts, which Alertmanager refuses (400).
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO rttm_alerts (metric_name, scope, service_name, current_value, peak_value, threshold_value, severity, status,
         triggered_time, last_observed_at, resolved_at, resolved_by, resolution)
       VALUES ('TPS', 'ALL', NULL, 12, 12, 10, 'WARNING', 'RESOLVED', now() + interval '1 hour', now(), now(), 'bob', 'MANUAL')
       RETURNING id::text AS id`,
    );
    const id = rows[0]!.id;
    await lag("orders-e", 0, 20);
    await receiver.waitFor("/am1", "firing", on("orders-e", "warning", "firing"));
    // Once per Alertmanager.
    await waitFor("the refusal counted", async () => stats.rejected >= rejectedBefore + 2);
    const state = await waitFor("the refusal on the alert", async () => {
      const s = await delivery(id);
      return s.delivery?.lastError ? s : undefined;
    });
    assert.match(state.delivery!.lastError!, /answered 400/);
    assert.equal(state.delivery!.lastSentAt, null);
    const rejected = stats.rejected;
    const sent = stats.sent;
    await waitFor("two more rounds", async () => stats.sent >= sent + 4);
    assert.equal(stats.rejected, rejected, "the refused alert is not sent again");
    await lag("orders-e", 0, 0);
    await receiver.waitFor("/am1", "resolved", on("orders-e", "warning", "resolved"));
  });
  test("when the evaluating replica stops, the next one sends every open alert at once", async () => {
    // A second replica whose own resend interval is an hour: only taking over makes it send.
    const second = await startAppInProcess({
      ...appEnv,
      RTTM_ALERTMANAGER_RESEND: "1h",
      RTTM_ALERTMANAGER_SILENCE_DURATION: "3h",
    });
    try {
      await lag("orders-f", 0, 20);
      await receiver.waitFor("/am1", "firing", on("orders-f", "warning", "firing"));
      assert.equal(second.alerts.evaluator.isLeader, false);
      assert.equal(second.alerts.delivery!.stats.sent, 0);
      await app.stop();
      appStopped = true;
      await am1.restart(); // its alerts gone: what arrives now comes from the second replica
      const from = receiver.alerts("/am1").length;
      await receiver.waitFor(
        "/am1",
        "firing, sent by the new evaluator",
        on("orders-f", "warning", "firing"),
        30_000,
        from,
      );
      assert.equal(second.alerts.evaluator.isLeader, true);
      // Accepted by Alertmanager; the answer may come after the webhook on a loaded machine.
      await waitFor(
        "the new evaluator's send counted",
        async () => second.alerts.delivery!.stats.sent > 0,
      );
    } finally {
      await second.stop();
    }
  });
});
