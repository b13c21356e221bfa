/**
 * Delivery to real Alertmanagers (Debian's prometheus-alertmanager 0.25) with a webhook receiver:
 * alerts raised by RTTM from real Kafka traffic (queue-metric snapshots through the real broker
 * and registry) arrive firing with their labels at both Alertmanagers of a pair, escalate, resolve;
 * a restarted Alertmanager gets the open alert again; an acknowledgement silences it; an
 * Alertmanager that is down does not stop RTTM and gets the alerts when it is back; an alert an
 * Alertmanager refuses (4xx) is logged and not sent again.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Producer } from "kafkajs";
import type { App } from "../../src/app.js";
import { Alertmanager, WebhookReceiver, type WebhookAlert } from "../support/alertmanager.js";
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
  let app: App;
  let appEnv: Record<string, string>;
  let appStopped = false;
  const dashboard = "http://dashboard.test/rttm";

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
          silenceExpiredAt: string | null;
        } | null;
      };
    }>(
      app.port,
      "query($id: ID!) { alert(id: $id) { status delivery { lastSentAt lastError lastErrorAt silenceId silenceExpiredAt } } }",
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
    appEnv = serviceEnv(db.url, fresh.env, {
      RTTM_ALERT_EVAL_INTERVAL: "1000",
      RTTM_ALERTMANAGER_URLS: `${am1.url},${am2.url}`,
      RTTM_ALERTMANAGER_RESEND: "1s",
      RTTM_ALERTMANAGER_LABELS: "cluster=test-eu,env=test",
      RTTM_ALERTMANAGER_RUNBOOK_URL: "https://runbooks.test/rttm#{rule}",
      RTTM_ALERTMANAGER_SILENCE_ON_ACK: "true",
      RTTM_DASHBOARD_URL: dashboard,
    });
    app = await startAppInProcess(appEnv);
  });
  after(async () => {
    if (!appStopped) await app?.stop();
    await producer?.disconnect();
    await am1?.stop();
    await am2?.stop();
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

  test("acknowledging silences the alert's label set; the silence is expired on resolution", async () => {
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
    const silenceId = await waitFor("the silence id on the alert", async () => {
      return (await delivery(id)).delivery?.silenceId ?? undefined;
    });
    type AmAlert = {
      labels: Record<string, string>;
      status: { state: string; silencedBy: string[] };
    };
    const silencedAt = async (am: Alertmanager) =>
      waitFor(`the alert suppressed by ${silenceId} at ${am.url}`, async () => {
        const alerts = await am.api<AmAlert[]>("/alerts");
        const held = alerts.find((a) => a.labels.topic === "orders-c");
        return held?.status.state === "suppressed" && held.status.silencedBy.includes(silenceId)
          ? held
          : undefined;
      });
    // The silence was created on one Alertmanager (an HA cluster shares it with its peers).
    await silencedAt(am1);
    const silence = await am1.api<{ createdBy: string; status: { state: string } }>(
      `/silence/${silenceId}`,
    );
    assert.deepEqual([silence.createdBy, silence.status.state], ["alice", "active"]);

    await lag("orders-c", 1, 0);
    await waitFor("the silence expired in Alertmanager", async () => {
      const s = await am1.api<{ status: { state: string } }>(`/silence/${silenceId}`);
      return s.status.state === "expired";
    });
    const state = await delivery(id);
    assert.equal(state.status, "RESOLVED");
    assert.equal(state.delivery?.silenceId, silenceId);
    assert.ok(state.delivery?.silenceExpiredAt, "silenceExpiredAt is set");
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
    assert.match(state.delivery!.lastError!, new RegExp(`${am2.url}/api/v2/alerts failed`));
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
    const second = await startAppInProcess({ ...appEnv, RTTM_ALERTMANAGER_RESEND: "1h" });
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
