import type { StatusThresholds } from "../config/index.js";
import type { OpenStatus, Severity } from "../domain/alerts.js";

/**
 * The alert state machine, pure: what one evaluation does to the (at most one) open alert of a
 * rule and scope, given the value measured now.
 *
 *   no open alert ── value ≥ warning ──► RAISED (WARNING, or CRITICAL when ≥ critical)
 *   open WARNING  ── value ≥ critical ─► ESCALATED to CRITICAL (same alert)
 *   open          ── value < clear level for `clearEvaluations` evaluations in a row ─► RESOLVED (CLEARED)
 *   open          ── otherwise ───────► current and peak values updated
 *   open          ── no data ─────────► untouched (the auto-resolve fallback handles silent scopes)
 *
 * Hysteresis: the clear level is the warning threshold less `clearMarginPercent`, so a value
 * hovering at the threshold keeps one alert open instead of raising and resolving it in turn; a
 * value back at or above the clear level resets the count of clear evaluations. Severity never
 * falls while the alert is open: it says how bad the incident got (currentValue says how it is).
 */
export interface Hysteresis {
  clearMarginPercent: number;
  clearEvaluations: number;
}

export interface OpenAlertState {
  severity: Severity;
  status: OpenStatus;
  peakValue: number;
  clearStreak: number;
}

export type Transition =
  | { action: "none" }
  | { action: "silent" }
  | { action: "raise"; severity: Severity; threshold: number; value: number }
  | { action: "update"; value: number; peak: number; clearStreak: number }
  | { action: "escalate"; value: number; peak: number; severity: "CRITICAL"; threshold: number }
  | { action: "resolve"; value: number; peak: number };

/** CRITICAL at or above critical, WARNING at or above warning, else null. */
export function severityFor(value: number, thresholds: StatusThresholds): Severity | null {
  if (value >= thresholds.critical) return "CRITICAL";
  if (value >= thresholds.warning) return "WARNING";
  return null;
}

export function thresholdFor(severity: Severity, thresholds: StatusThresholds): number {
  return severity === "CRITICAL" ? thresholds.critical : thresholds.warning;
}

/** Below this a value counts as clear. */
export function clearLevel(thresholds: StatusThresholds, hysteresis: Hysteresis): number {
  return thresholds.warning * (1 - hysteresis.clearMarginPercent / 100);
}

export function step(
  open: OpenAlertState | null,
  value: number | null,
  thresholds: StatusThresholds,
  hysteresis: Hysteresis,
): Transition {
  if (value === null || !Number.isFinite(value))
    return open ? { action: "silent" } : { action: "none" };
  const severity = severityFor(value, thresholds);
  if (!open)
    return severity
      ? { action: "raise", severity, threshold: thresholdFor(severity, thresholds), value }
      : { action: "none" };
  const peak = Math.max(open.peakValue, value);
  if (severity === "CRITICAL" && open.severity === "WARNING")
    return { action: "escalate", value, peak, severity, threshold: thresholds.critical };
  const clearStreak = value < clearLevel(thresholds, hysteresis) ? open.clearStreak + 1 : 0;
  if (clearStreak >= hysteresis.clearEvaluations) return { action: "resolve", value, peak };
  return { action: "update", value, peak, clearStreak };
}
