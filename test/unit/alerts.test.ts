import assert from "node:assert/strict";
import { test } from "node:test";
import { alertMessage, timeAgo, twoDecimals } from "../../src/alerts/format.js";
import {
  clearLevel,
  severityFor,
  step,
  type Hysteresis,
  type OpenAlertState,
  type Transition,
} from "../../src/alerts/lifecycle.js";
import { ruleInfo, rules } from "../../src/alerts/rules.js";
import { ConfigError, loadConfig } from "../../src/config/index.js";

const t = { warning: 50, critical: 200 };
const h: Hysteresis = { clearMarginPercent: 10, clearEvaluations: 2 };
const open = (extra: Partial<OpenAlertState> = {}): OpenAlertState => ({
  severity: "WARNING",
  status: "ACTIVE",
  peakValue: 60,
  clearStreak: 0,
  ...extra,
});

/** Runs values through the state machine as successive evaluations would, returning the actions. */
function run(values: Array<number | null>, hysteresis = h): Transition["action"][] {
  let state: OpenAlertState | null = null;
  return values.map((value) => {
    const next = step(state, value, t, hysteresis);
    if (next.action === "raise")
      state = { severity: next.severity, status: "ACTIVE", peakValue: next.value, clearStreak: 0 };
    else if (next.action === "update")
      state = { ...state!, peakValue: next.peak, clearStreak: next.clearStreak };
    else if (next.action === "escalate")
      state = { ...state!, severity: "CRITICAL", peakValue: next.peak, clearStreak: 0 };
    else if (next.action === "resolve") state = null;
    return next.action;
  });
}

test("severity: inclusive thresholds, critical first", () => {
  assert.equal(severityFor(49.99, t), null);
  assert.equal(severityFor(50, t), "WARNING");
  assert.equal(severityFor(199, t), "WARNING");
  assert.equal(severityFor(200, t), "CRITICAL");
  assert.equal(clearLevel(t, h), 45);
});

test("raise: warning or straight to critical, with the threshold crossed", () => {
  assert.deepEqual(step(null, 10, t, h), { action: "none" });
  assert.deepEqual(step(null, 50, t, h), {
    action: "raise",
    severity: "WARNING",
    threshold: 50,
    value: 50,
  });
  assert.deepEqual(step(null, 250, t, h), {
    action: "raise",
    severity: "CRITICAL",
    threshold: 200,
    value: 250,
  });
});

test("an open alert updates current and peak values; a worsening warning escalates on the same alert", () => {
  assert.deepEqual(step(open(), 55, t, h), {
    action: "update",
    value: 55,
    peak: 60,
    clearStreak: 0,
  });
  assert.deepEqual(step(open(), 80, t, h), {
    action: "update",
    value: 80,
    peak: 80,
    clearStreak: 0,
  });
  assert.deepEqual(step(open(), 210, t, h), {
    action: "escalate",
    value: 210,
    peak: 210,
    severity: "CRITICAL",
    threshold: 200,
  });
  assert.deepEqual(
    step(open({ status: "ACKED" }), 210, t, h).action,
    "escalate",
    "an acknowledged warning escalates too",
  );
  assert.deepEqual(step(open({ severity: "CRITICAL", peakValue: 300 }), 220, t, h), {
    action: "update",
    value: 220,
    peak: 300,
    clearStreak: 0,
  });
  assert.deepEqual(
    step(open({ severity: "CRITICAL", peakValue: 300 }), 100, t, h).action,
    "update",
    "severity does not fall while open",
  );
});

test("hysteresis: resolves only after clearEvaluations values below the clear level in a row", () => {
  assert.deepEqual(step(open(), 40, t, h), {
    action: "update",
    value: 40,
    peak: 60,
    clearStreak: 1,
  });
  assert.deepEqual(step(open({ clearStreak: 1 }), 40, t, h), {
    action: "resolve",
    value: 40,
    peak: 60,
  });
  assert.deepEqual(
    step(open({ clearStreak: 1 }), 46, t, h),
    { action: "update", value: 46, peak: 60, clearStreak: 0 },
    "inside the band: the count starts again",
  );
  assert.deepEqual(
    step(open({ clearStreak: 1 }), 45, t, h).action,
    "update",
    "the clear level itself is not clear",
  );
  assert.deepEqual(step(open(), 0, t, { clearMarginPercent: 0, clearEvaluations: 1 }), {
    action: "resolve",
    value: 0,
    peak: 60,
  });
});

test("a value hovering at the threshold keeps one alert open instead of flapping", () => {
  assert.deepEqual(run([50, 49, 51, 48, 50, 46, 52, 47]), [
    "raise",
    "update",
    "update",
    "update",
    "update",
    "update",
    "update",
    "update",
  ]);
  assert.deepEqual(
    run([50, 40, 60, 40, 40, 50]),
    ["raise", "update", "update", "update", "resolve", "raise"],
    "a single dip does not resolve; two do",
  );
  // Without hysteresis the same input would flap: every dip below the threshold would resolve and every return raise.
  assert.deepEqual(run([50, 49, 51, 48], { clearMarginPercent: 0, clearEvaluations: 1 }), [
    "raise",
    "resolve",
    "raise",
    "resolve",
  ]);
});

test("no data: nothing for a closed scope, and an open alert is left as it is (silent)", () => {
  assert.deepEqual(step(null, null, t, h), { action: "none" });
  assert.deepEqual(step(open({ clearStreak: 1 }), null, t, h), { action: "silent" });
  assert.deepEqual(step(open(), Number.NaN, t, h), { action: "silent" });
});

test("the old message and timeAgo formats", () => {
  assert.equal(
    alertMessage({
      rule: "LATENCY_P99",
      serviceName: "VALIDATED",
      currentValue: 3046,
      thresholdValue: 200,
    }),
    "LATENCY_P99 VALIDATED: 3046.00 vs 200.00",
  );
  assert.equal(
    alertMessage({ rule: "QUEUE_LAG", serviceName: null, currentValue: 81612, thresholdValue: 50 }),
    "QUEUE_LAG : 81612.00 vs 50.00",
  );
  assert.equal(twoDecimals(1.005), "1.01", "half-up on the decimal value");
  assert.equal(twoDecimals(2.344999), "2.34");
  assert.equal(twoDecimals(-0.001), "0.00");
  assert.equal(twoDecimals(-1.5), "-1.50");
  const now = new Date("2026-01-02T00:00:00Z");
  const ago = (ms: number) => timeAgo(new Date(now.getTime() - ms), now);
  assert.deepEqual(
    [
      ago(-5000),
      ago(0),
      ago(59_999),
      ago(60_000),
      ago(3_599_999),
      ago(3_600_000),
      ago(86_399_999),
      ago(86_400_000 * 3),
    ],
    ["now", "0s ago", "59s ago", "1m ago", "59m ago", "1h ago", "23h ago", "3d ago"],
  );
});

test("config: the old RTTM_ALERT_* names and defaults, plus hysteresis", () => {
  const { alerts } = loadConfig({});
  assert.equal(alerts.evalIntervalMs, 60_000);
  assert.equal(alerts.autoResolveIntervalMs, 300_000);
  assert.equal(alerts.silentAfterMs, 900_000);
  assert.deepEqual([alerts.clearMarginPercent, alerts.clearEvaluations], [10, 2]);
  assert.deepEqual(alerts.thresholds, {
    latencyMs: { warning: 50, critical: 200 },
    errorRate: { warning: 1, critical: 2 },
    dlq: { warning: 1, critical: 2 },
    queueDepth: { warning: 10, critical: 50 },
    tps: { warning: 10, critical: 50 },
    verifyDrift: { warning: 1, critical: 100 },
  });
  const custom = loadConfig({
    RTTM_ALERT_LATENCY_WARNING: "1000",
    RTTM_ALERT_LATENCY_CRITICAL: "3000",
    RTTM_ALERT_EVAL_INTERVAL: "15000",
    RTTM_ALERT_CLEAR_EVALUATIONS: "3",
  }).alerts;
  assert.deepEqual(custom.thresholds.latencyMs, { warning: 1000, critical: 3000 });
  assert.deepEqual([custom.evalIntervalMs, custom.clearEvaluations], [15_000, 3]);
});

test("config: a bad alert setting names the variable, the value and what is allowed", () => {
  let error: unknown;
  try {
    loadConfig({
      RTTM_ALERT_DLQ_WARNING: "5",
      RTTM_ALERT_DLQ_CRITICAL: "2",
      RTTM_ALERT_TPS_WARNING: "-1",
      RTTM_ALERT_CLEAR_MARGIN_PERCENT: "100",
      RTTM_ALERT_EVAL_INTERVAL: "soon",
    });
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof ConfigError);
  assert.match(
    error.message,
    /RTTM_ALERT_DLQ_WARNING=5 is not allowed: expected at most RTTM_ALERT_DLQ_CRITICAL \(2\)/,
  );
  assert.match(error.message, /RTTM_ALERT_TPS_WARNING="-1" is not allowed/);
  assert.match(
    error.message,
    /RTTM_ALERT_CLEAR_MARGIN_PERCENT="100" is not allowed: expected a number from 0 to 99/,
  );
  assert.match(
    error.message,
    /RTTM_ALERT_EVAL_INTERVAL="soon" is not allowed: expected a whole number/,
  );
});

test("the rule table: every rule states its window and takes its thresholds from config", () => {
  assert.deepEqual(
    rules.map((r) => [r.name, r.windowSeconds]),
    [
      ["LATENCY_P95", 300],
      ["LATENCY_P99", 300],
      ["ERROR_RATE", 300],
      ["DLQ_COUNT", 300],
      ["QUEUE_LAG", 300],
      ["TPS", 60],
      ["DERIVED_DRIFT", 7200],
    ],
  );
  const info = ruleInfo(
    loadConfig({ RTTM_ALERT_QUEUE_DEPTH_WARNING: "100", RTTM_ALERT_QUEUE_DEPTH_CRITICAL: "500" })
      .alerts,
  );
  const lag = info.find((r) => r.name === "QUEUE_LAG")!;
  assert.deepEqual(
    [lag.warning, lag.critical, lag.clearBelow, lag.clearEvaluations],
    [100, 500, 90, 2],
  );
  assert.ok(info.every((r) => r.window.length > 0 && r.description.length > 0));
});
