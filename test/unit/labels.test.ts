/** src/alerts/alertmanager/labels.ts and the RTTM_ALERTMANAGER_* settings it is configured by. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  labelKey,
  postableAlerts,
  scopeLabels,
  type LabelOptions,
} from "../../src/alerts/alertmanager/labels.js";
import { silenceActions, silenceFor } from "../../src/alerts/alertmanager/silences.js";
import { ConfigError, loadConfig } from "../../src/config/index.js";
import type { AlertRecord } from "../../src/domain/alerts.js";
import type { AlertDeliveryRecord } from "../../src/store/read/index.js";

const t0 = new Date("2026-12-03T08:00:00.000Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);

function alert(extra: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id: "7",
    rule: "QUEUE_LAG",
    scope: "trades/3/enricher/blue",
    serviceName: "trades/3/enricher/blue",
    severity: "WARNING",
    status: "ACTIVE",
    currentValue: 20,
    peakValue: 25,
    thresholdValue: 10,
    triggeredTime: t0,
    lastObservedAt: at(60),
    clearStreak: 0,
    escalatedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    resolution: null,
    updatedAt: at(60),
    ...extra,
  };
}

const options: LabelOptions = {
  staticLabels: { cluster: "prod-eu", env: "prod" },
  runbookUrl: "https://wiki.example/rttm#{rule}",
  dashboardUrl: "https://rttm.example/dashboard?tab=alerts",
  lookaheadMs: 240_000,
  warningThreshold: () => 10,
};

describe("alertmanager labels", () => {
  test("an open alert: routing labels, scope split, annotations, generatorURL, endsAt ahead", () => {
    const [sent, ...rest] = postableAlerts([alert()], at(120), options);
    assert.equal(rest.length, 0);
    assert.equal(sent!.firing, true);
    assert.deepEqual(sent!.alert.labels, {
      cluster: "prod-eu",
      env: "prod",
      alertname: "QUEUE_LAG",
      severity: "warning",
      service: "rttm",
      topic: "trades",
      partition: "3",
      consumer_group: "enricher/blue",
    });
    assert.equal(sent!.alert.startsAt, "2026-12-03T08:00:00.000Z");
    assert.equal(sent!.alert.endsAt, "2026-12-03T08:06:00.000Z");
    assert.equal(sent!.alert.generatorURL, "https://rttm.example/dashboard?tab=alerts&alert=7");
    assert.equal(sent!.alert.annotations.runbook_url, "https://wiki.example/rttm#QUEUE_LAG");
    assert.equal(sent!.alert.annotations.rttm_alert_id, "7");
    assert.equal(
      sent!.alert.annotations.summary,
      "QUEUE_LAG on trades partition 3, group enricher/blue: 20.00 messages, warning at 10.00 messages",
    );
    assert.match(sent!.alert.annotations.description!, /peak 25\.00/);
    assert.match(sent!.alert.annotations.description!, /latest snapshot/);
  });

  test("scopes: stage for latency, none for global rules", () => {
    assert.deepEqual(scopeLabels({ rule: "LATENCY_P99", scope: "VALIDATED" }), {
      stage: "VALIDATED",
    });
    assert.deepEqual(scopeLabels({ rule: "DLQ_COUNT", scope: "ALL" }), {});
    assert.deepEqual(scopeLabels({ rule: "TPS", scope: "ALL" }), {});
  });

  test("without runbook and dashboard URLs those fields are left out", () => {
    const [sent] = postableAlerts([alert()], at(1), {
      ...options,
      runbookUrl: undefined,
      dashboardUrl: undefined,
    });
    assert.equal("generatorURL" in sent!.alert, false);
    assert.equal("runbook_url" in sent!.alert.annotations, false);
  });

  test("a resolved alert ends at its resolution time", () => {
    const [sent] = postableAlerts(
      [alert({ status: "RESOLVED", resolution: "CLEARED", resolvedAt: at(300) })],
      at(320),
      options,
    );
    assert.equal(sent!.firing, false);
    assert.equal(sent!.alert.endsAt, at(300).toISOString());
    assert.match(sent!.alert.annotations.description!, /Resolved \(CLEARED\)/);
  });

  test("escalation: the warning label set resolved at the escalation, the critical one firing from it", () => {
    const sent = postableAlerts(
      [alert({ severity: "CRITICAL", thresholdValue: 50, currentValue: 60, escalatedAt: at(90) })],
      at(100),
      options,
    );
    assert.deepEqual(
      sent.map((s) => [s.alert.labels.severity, s.firing, s.alert.startsAt, s.alert.endsAt]),
      [
        ["warning", false, t0.toISOString(), at(90).toISOString()],
        ["critical", true, at(90).toISOString(), at(340).toISOString()],
      ],
    );
    assert.match(sent[0]!.alert.annotations.summary!, /warning at 10\.00/);
    // Later than the lookahead after the escalation, only the critical label set is sent.
    const later = postableAlerts(
      [alert({ severity: "CRITICAL", thresholdValue: 50, currentValue: 60, escalatedAt: at(90) })],
      at(90 + 241),
      options,
    );
    assert.deepEqual(
      later.map((s) => s.alert.labels.severity),
      ["critical"],
    );
    assert.match(sent[1]!.alert.annotations.summary!, /critical at 50\.00/);
  });

  test("a recurrence with the same label set replaces the resolved alert (one per label set, newest start)", () => {
    const old = alert({ id: "1", status: "RESOLVED", resolvedAt: at(30), resolution: "CLEARED" });
    const recurrence = alert({ id: "2", triggeredTime: at(60) });
    for (const order of [
      [old, recurrence],
      [recurrence, old],
    ]) {
      const sent = postableAlerts(order, at(90), options);
      assert.deepEqual(
        sent.map((s) => [s.alertId, s.firing]),
        [["2", true]],
      );
    }
  });

  test("label keys ignore order", () => {
    assert.equal(labelKey({ a: "1", b: "2" }), labelKey({ b: "2", a: "1" }));
    assert.notEqual(labelKey({ a: "1" }), labelKey({ a: "2" }));
  });

  test("silences: created for an acknowledged alert, renewed while it stays acknowledged, expired once it is not", () => {
    const hour = 3_600_000;
    const acked = alert({ status: "ACKED", acknowledgedBy: "alice", acknowledgedAt: at(5) });
    const actions = (a: AlertRecord, d?: Partial<AlertDeliveryRecord>, now = at(10)) =>
      silenceActions([a], new Map(d ? [["7", { ...delivery, ...d }]] : []), now, 4 * hour).map(
        (s) => [s.action, s.action === "create" ? null : s.silenceId],
      );
    const delivery: AlertDeliveryRecord = {
      alertId: "7",
      lastSentAt: null,
      lastError: null,
      lastErrorAt: null,
      silenceId: "s-1",
      silenceUrl: "http://am:9093",
      silenceEndsAt: new Date(at(10).getTime() + 4 * hour),
      silenceExpiredAt: null,
    };
    assert.deepEqual(actions(acked), [["create", null]]);
    assert.deepEqual(actions(acked, {}), [], "a fresh silence is left alone");
    // Renewed once less than half of it is left, or when its end was never recorded.
    const renewAt = new Date(delivery.silenceEndsAt!.getTime() - 2 * hour);
    assert.deepEqual(actions(acked, {}, new Date(renewAt.getTime() - 1)), []);
    assert.deepEqual(actions(acked, {}, new Date(renewAt.getTime() + 1)), [["renew", "s-1"]]);
    assert.deepEqual(actions(acked, { silenceEndsAt: null }), [["renew", "s-1"]]);
    const renew = silenceActions([acked], new Map([["7", delivery]]), at(3 * 3600), 4 * hour)[0];
    assert.deepEqual(renew, {
      action: "renew",
      alert: acked,
      silenceId: "s-1",
      url: "http://am:9093",
      endsAt: delivery.silenceEndsAt,
    });
    // Resolved or escalated (no longer acknowledged): expired, once.
    assert.deepEqual(actions(alert({ status: "RESOLVED" }), {}), [["expire", "s-1"]]);
    assert.deepEqual(actions(alert(), {}), [["expire", "s-1"]]);
    assert.deepEqual(actions(alert(), { silenceExpiredAt: at(9) }), []);
    assert.deepEqual(actions(alert(), undefined), []);

    const labels = { alertname: "QUEUE_LAG", service: "rttm" };
    const silence = silenceFor(acked, labels, at(10), 4 * hour);
    assert.deepEqual(silence.matchers, [
      { name: "alertname", value: "QUEUE_LAG", isRegex: false, isEqual: true },
      { name: "service", value: "rttm", isRegex: false, isEqual: true },
    ]);
    assert.equal(silence.createdBy, "alice");
    assert.equal(silence.id, undefined);
    assert.deepEqual(
      [silence.startsAt, silence.endsAt],
      [at(10).toISOString(), new Date(at(10).getTime() + 4 * hour).toISOString()],
    );
    assert.equal(silenceFor(acked, labels, at(10), 4 * hour, "s-1").id, "s-1");
  });
});

describe("RTTM_ALERTMANAGER_* settings", () => {
  test("off when RTTM_ALERTMANAGER_URLS is unset", () => {
    assert.deepEqual(loadConfig({}).alertmanager, { mode: "off" });
  });

  test("URLs, resend, labels, runbook, dashboard, silence on ack", () => {
    const config = loadConfig({
      RTTM_ALERTMANAGER_URLS: "http://am-0:9093/, http://am-1:9093",
      RTTM_ALERTMANAGER_RESEND: "30s",
      RTTM_ALERTMANAGER_LABELS: "cluster=prod-eu,env=prod",
      RTTM_ALERTMANAGER_RUNBOOK_URL: "https://wiki/{rule}",
      RTTM_DASHBOARD_URL: "https://rttm.example/",
      RTTM_ALERTMANAGER_SILENCE_ON_ACK: "true",
    }).alertmanager;
    assert.deepEqual(config, {
      mode: "on",
      urls: ["http://am-0:9093", "http://am-1:9093"],
      resendMs: 30_000,
      staticLabels: { cluster: "prod-eu", env: "prod" },
      runbookUrl: "https://wiki/{rule}",
      dashboardUrl: "https://rttm.example/",
      silenceOnAck: true,
      silenceDurationMs: 24 * 3_600_000,
      timeoutMs: 5_000,
    });
    const defaults = loadConfig({ RTTM_ALERTMANAGER_URLS: "http://am:9093" }).alertmanager;
    assert.equal(defaults.mode === "on" && defaults.resendMs, 60_000);
    assert.equal(defaults.mode === "on" && defaults.silenceOnAck, false);
  });

  test("bad values are named, each with what is allowed", () => {
    assert.throws(
      () =>
        loadConfig({
          RTTM_ALERTMANAGER_URLS: "am:9093,ftp://x",
          RTTM_ALERTMANAGER_RESEND: "500ms",
          RTTM_ALERTMANAGER_LABELS: "severity=high,1x=2,__meta=a,ok,env=",
          RTTM_DASHBOARD_URL: "not a url",
          RTTM_ALERTMANAGER_SILENCE_ON_ACK: "yes",
          RTTM_ALERTMANAGER_SILENCE_DURATION: "1s",
        }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const text = err.problems.join("\n");
        for (const expected of [
          /RTTM_ALERTMANAGER_URLS=.*expected comma-separated http\(s\) URLs, not am:9093, ftp:\/\/x/,
          /RTTM_ALERTMANAGER_RESEND=500ms .*at least 1s/,
          /"severity=high".*other than alertname, severity/,
          /"1x=2".*label name/,
          /"__meta=a".*not starting with __/,
          /"ok".*label name/,
          /"env=".*a value after/,
          /RTTM_DASHBOARD_URL="not a url"/,
          /RTTM_ALERTMANAGER_SILENCE_ON_ACK="yes".*true, false/,
          /RTTM_ALERTMANAGER_SILENCE_DURATION=1000ms .*at least 3 resend intervals/,
        ])
          assert.match(text, expected);
        return true;
      },
    );
  });
});
