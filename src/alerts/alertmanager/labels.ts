/**
 * RTTM's alerts as Alertmanager alerts (v2 API, POST /api/v2/alerts): pure, from the alert rows
 * and the time of sending.
 *
 * Labels (the identity Alertmanager groups, routes, deduplicates and silences by): `alertname`
 * (the rule), `severity` (`warning`/`critical`), the scope split into `stage` (latency rules) or
 * `topic`, `partition`, `consumer_group` (queue lag), `service="rttm"`, and the static labels of
 * RTTM_ALERTMANAGER_LABELS. Global rules (ERROR_RATE, DLQ_COUNT, TPS) have no scope label.
 *
 * Timing, as Prometheus does it: an open alert is sent with `endsAt` = now + 4 resend intervals,
 * so Alertmanager resolves it by itself when RTTM stops sending; a resolved one with `endsAt` = its
 * resolution time.
 *
 * Escalation WARNING → CRITICAL changes the `severity` label, so it is a different Alertmanager
 * alert: the warning label set is sent resolved (`endsAt` = the escalation time) and the critical
 * one firing from the escalation time (the warning's resolution for as long as a resolved alert is
 * sent). Receivers see the warning resolve and the critical fire.
 *
 * Two RTTM alerts with the same label set (a recurrence after a resolution) are one Alertmanager
 * alert: only the newer is sent, or Alertmanager would take the older's resolution for the newer.
 */
import type { AlertRecord, RuleName, Severity } from "../../domain/alerts.js";
import { twoDecimals } from "../format.js";
import { ruleByName } from "../rules.js";

/** One alert of the v2 API's postableAlerts body. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

export interface LabelOptions {
  staticLabels: Readonly<Record<string, string>>;
  /** `{rule}` is replaced by the rule's name. */
  runbookUrl?: string | undefined;
  /** generatorURL: this URL with `alert=<id>` in its query. */
  dashboardUrl?: string | undefined;
  /** Open alerts carry endsAt = now + this. */
  lookaheadMs: number;
  /** The rule's warning threshold (an escalated alert stores the critical one). */
  warningThreshold(rule: RuleName): number;
}

/** One label set of an RTTM alert as sent: which alert, and whether it is still firing. */
export interface Sent {
  alertId: string;
  alert: PostableAlert;
  firing: boolean;
}

/** The scope as labels: `stage` for latency rules, `topic`/`partition`/`consumer_group` for queue lag. */
export function scopeLabels(alert: Pick<AlertRecord, "rule" | "scope">): Record<string, string> {
  switch (alert.rule) {
    case "LATENCY_P95":
    case "LATENCY_P99":
      return { stage: alert.scope };
    case "QUEUE_LAG": {
      // "topic/partition/group": topic names cannot contain "/", group names can.
      const [topic = "", partition = "", ...group] = alert.scope.split("/");
      return { topic, partition, consumer_group: group.join("/") };
    }
    default:
      return {};
  }
}

export function labelsOf(
  alert: Pick<AlertRecord, "rule" | "scope">,
  severity: Severity,
  staticLabels: Readonly<Record<string, string>>,
): Record<string, string> {
  return {
    ...staticLabels,
    alertname: alert.rule,
    severity: severity.toLowerCase(),
    service: "rttm",
    ...scopeLabels(alert),
  };
}

/** The label set as one string: the same for the same labels, whatever their order. */
export function labelKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function scopeText(alert: Pick<AlertRecord, "rule" | "scope">): string {
  const labels = scopeLabels(alert);
  if (labels.stage) return ` for stage ${labels.stage}`;
  if (labels.topic)
    return ` on ${labels.topic} partition ${labels.partition}, group ${labels.consumer_group}`;
  return "";
}

function annotationsOf(
  alert: AlertRecord,
  severity: Severity,
  threshold: number,
  options: LabelOptions,
): Record<string, string> {
  const rule = ruleByName.get(alert.rule);
  const unit = rule ? ` ${rule.unit}` : "";
  const state =
    alert.status === "RESOLVED"
      ? `Resolved (${alert.resolution ?? "RESOLVED"}) at ${alert.resolvedAt?.toISOString() ?? "?"}.`
      : alert.status === "ACKED"
        ? `Acknowledged by ${alert.acknowledgedBy ?? "?"} at ${alert.acknowledgedAt?.toISOString() ?? "?"}.`
        : "Open.";
  const annotations: Record<string, string> = {
    summary: `${alert.rule}${scopeText(alert)}: ${twoDecimals(alert.currentValue)}${unit}, ${severity.toLowerCase()} at ${twoDecimals(threshold)}${unit}`,
    description: [
      `Value ${twoDecimals(alert.currentValue)}${unit} (peak ${twoDecimals(alert.peakValue)}) against the ${severity.toLowerCase()} threshold ${twoDecimals(threshold)}${unit}`,
      rule ? `over the ${rule.window}.` : ".",
      rule?.description ?? "",
      `Raised at ${alert.triggeredTime.toISOString()}${alert.escalatedAt ? `, escalated at ${alert.escalatedAt.toISOString()}` : ""}.`,
      state,
    ]
      .filter(Boolean)
      .join(" "),
    rttm_alert_id: alert.id,
  };
  if (options.runbookUrl)
    annotations.runbook_url = options.runbookUrl.replace("{rule}", alert.rule);
  return annotations;
}

function generatorUrl(alertId: string, dashboardUrl: string | undefined): string | undefined {
  if (!dashboardUrl) return undefined;
  const url = new URL(dashboardUrl);
  url.searchParams.set("alert", alertId);
  return url.toString();
}

/** The label sets of one RTTM alert: one, or two after an escalation (the warning one resolved). */
export function labelSetsOf(alert: AlertRecord, now: Date, options: LabelOptions): Sent[] {
  const firingEnds = new Date(now.getTime() + options.lookaheadMs).toISOString();
  const open = alert.status !== "RESOLVED";
  const ends = open ? firingEnds : (alert.resolvedAt ?? now).toISOString();
  const generatorURL = generatorUrl(alert.id, options.dashboardUrl);
  const make = (
    severity: Severity,
    threshold: number,
    startsAt: Date,
    endsAt: string,
    firing: boolean,
  ): Sent => ({
    alertId: alert.id,
    firing,
    alert: {
      labels: labelsOf(alert, severity, options.staticLabels),
      annotations: annotationsOf(alert, severity, threshold, options),
      startsAt: startsAt.toISOString(),
      endsAt,
      ...(generatorURL ? { generatorURL } : {}),
    },
  });
  const escalatedAt = alert.severity === "CRITICAL" ? alert.escalatedAt : null;
  if (escalatedAt) {
    const critical = make("CRITICAL", alert.thresholdValue, escalatedAt, ends, open);
    // The warning's resolution is sent as long as a resolved alert is (lookaheadMs).
    if (now.getTime() - escalatedAt.getTime() > options.lookaheadMs) return [critical];
    return [
      make(
        "WARNING",
        options.warningThreshold(alert.rule),
        alert.triggeredTime,
        escalatedAt.toISOString(),
        false,
      ),
      critical,
    ];
  }
  return [make(alert.severity, alert.thresholdValue, alert.triggeredTime, ends, open)];
}

/**
 * The body of one POST: every label set of `alerts` (open and recently resolved), one per label
 * set (the newest start wins), resolved ones first.
 */
export function postableAlerts(
  alerts: readonly AlertRecord[],
  now: Date,
  options: LabelOptions,
): Sent[] {
  const byLabels = new Map<string, Sent>();
  for (const alert of alerts) {
    for (const sent of labelSetsOf(alert, now, options)) {
      const key = labelKey(sent.alert.labels);
      const held = byLabels.get(key);
      if (!held || held.alert.startsAt < sent.alert.startsAt) byLabels.set(key, sent);
    }
  }
  return [...byLabels.values()].sort((a, b) => Number(a.firing) - Number(b.firing));
}
