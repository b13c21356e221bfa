/**
 * Alert vocabulary. Severities are WARNING and CRITICAL only (the old service mixed CRITICAL,
 * HIGH and MEDIUM): WARNING when the value reaches the rule's warning threshold, CRITICAL when it
 * reaches the critical one (both inclusive, ≥, as before).
 */
export const severities = ["WARNING", "CRITICAL"] as const;
export type Severity = (typeof severities)[number];

/** ACTIVE and ACKED are open; RESOLVED is final (a recurrence opens a new alert). */
export const statuses = ["ACTIVE", "ACKED", "RESOLVED"] as const;
export type Status = (typeof statuses)[number];
export type OpenStatus = Exclude<Status, "RESOLVED">;

/** The lifecycle changes recorded in rttm_alert_events and pushed to subscribers. */
export const eventKinds = ["RAISED", "ESCALATED", "ACKNOWLEDGED", "RESOLVED"] as const;
export type EventKind = (typeof eventKinds)[number];

/** Why an alert resolved: the condition cleared, a person resolved it, or its scope went silent. */
export const resolutions = ["CLEARED", "MANUAL", "NO_DATA"] as const;
export type Resolution = (typeof resolutions)[number];

export const ruleNames = [
  "LATENCY_P95",
  "LATENCY_P99",
  "ERROR_RATE",
  "DLQ_COUNT",
  "QUEUE_LAG",
  "TPS",
  "DERIVED_DRIFT",
] as const;
export type RuleName = (typeof ruleNames)[number];

/** Scope of the rules that watch the whole platform. */
export const globalScope = "ALL";

/** One row of rttm_alerts. */
export interface AlertRecord {
  /** bigint id as decimal text. */
  id: string;
  rule: RuleName;
  scope: string;
  /** The old column: the scope for scoped rules, null for global rules. */
  serviceName: string | null;
  severity: Severity;
  status: Status;
  currentValue: number;
  peakValue: number;
  thresholdValue: number;
  triggeredTime: Date;
  lastObservedAt: Date;
  clearStreak: number;
  escalatedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolution: Resolution | null;
  updatedAt: Date;
}

/** One row of rttm_alert_events. */
export interface AlertEventRecord {
  /** bigint id as decimal text; grows in commit order. */
  id: string;
  alertId: string;
  kind: EventKind;
  status: Status;
  severity: Severity;
  value: number;
  thresholdValue: number;
  actor: string;
  at: Date;
}

/** An event with its alert as it was read together with the event. */
export interface AlertEventWithAlert extends AlertEventRecord {
  alert: AlertRecord;
}
