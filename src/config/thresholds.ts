/**
 * Warning/critical threshold pairs: the overview cards' status (RTTM_CARD_*) and the alert rules'
 * (RTTM_ALERT_*), each pair read from <prefix>_WARNING and <prefix>_CRITICAL.
 */
import { literal, Variable } from "./variable.js";

/** Warning and critical thresholds of one overview card: above warning → warning, above critical → critical. */
export interface StatusThresholds {
  warning: number;
  critical: number;
}

/** Threshold pairs of the alert rules, each from RTTM_ALERT_<NAME>_WARNING / _CRITICAL. */
export const alertThresholdEnv = {
  latencyMs: "LATENCY",
  errorRate: "ERROR_RATE",
  dlq: "DLQ",
  queueDepth: "QUEUE_DEPTH",
  tps: "TPS",
  verifyDrift: "VERIFY_DRIFT",
} as const;
export type AlertThresholdKey = keyof typeof alertThresholdEnv;

interface PairOptions {
  /** The variables are `${prefix}_WARNING` and `${prefix}_CRITICAL`. */
  prefix: string;
  warning: number;
  critical: number;
  /** What the pair means (the README's column). */
  doc: string;
  /**
   * Refuse a warning level above the critical one.
   * @default false
   */
  checkOrder?: boolean;
}

/** <prefix>_WARNING and _CRITICAL as one setting. */
function thresholdPair({
  prefix,
  warning,
  critical,
  doc,
  checkOrder = false,
}: PairOptions): Variable<StatusThresholds> {
  const names = [`${prefix}_WARNING`, `${prefix}_CRITICAL`] as const;
  return new Variable(
    [{ names, shown: `${literal(warning)} / ${literal(critical)}`, doc }],
    (read) => {
      const pair = {
        warning: read.number(names[0], { fallback: warning, min: 0 }),
        critical: read.number(names[1], { fallback: critical, min: 0 }),
      };
      if (checkOrder && pair.warning > pair.critical)
        read.problems.push(
          `${names[0]}=${pair.warning} is not allowed: expected at most ${names[1]} (${pair.critical})`,
        );
      return pair;
    },
  );
}

const card = (name: string, warning: number, critical: number, what: string) =>
  thresholdPair({
    prefix: `RTTM_CARD_${name}`,
    warning,
    critical,
    doc: `status thresholds of the overview card ${what} (the old hard-coded rule)`,
  });

/** The overview cards' status thresholds (the old service's hard-coded rules). */
export const cardThresholds = {
  tps: card("TPS", 50, 100, "TPS"),
  latencyMs: card("LATENCY_MS", 30_000, 60_000, "latency, in ms"),
  dlq: card("DLQ", 30, 100, "DLQ"),
  invalidTrades: card("INVALID_TRADES", 1000, 5000, "invalid trades"),
  errors: card("ERRORS", 30, 100, "errors"),
};

const rule = (key: AlertThresholdKey, warning: number, critical: number, what: string) =>
  thresholdPair({
    prefix: `RTTM_ALERT_${alertThresholdEnv[key]}`,
    warning,
    critical,
    doc: `alert thresholds of ${what} (see [Alerts](#alerts-srcalerts)); warning ≤ critical`,
    checkOrder: true,
  });

/** The alert rules' thresholds: the old service's application.yml values (its "dev" defaults, which it ran with). */
export const alertThresholds = {
  latencyMs: rule("latencyMs", 50, 200, "rules `LATENCY_P95` and `LATENCY_P99`, in ms"),
  errorRate: rule("errorRate", 1, 2, "rule `ERROR_RATE`: error events in the window"),
  dlq: rule("dlq", 1, 2, "rule `DLQ_COUNT`: DLQ events in the window"),
  queueDepth: rule("queueDepth", 10, 50, "rule `QUEUE_LAG`: messages behind"),
  tps: rule("tps", 10, 50, "rule `TPS`: peak RECEIVED events in one second"),
  verifyDrift: rule(
    "verifyDrift",
    1,
    100,
    "rule `DERIVED_DRIFT`: derived-table keys that differed from the stored events in the latest self-check",
  ),
} satisfies Record<AlertThresholdKey, Variable<StatusThresholds>>;
