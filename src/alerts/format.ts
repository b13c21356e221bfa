import type { AlertRecord } from "../domain/alerts.js";

/** x with 2 decimals, rounded half away from zero on the decimal value (1.005 → "1.01"). */
export function twoDecimals(x: number): string {
  // toPrecision(15) drops the binary noise (1.005 × 100 = 100.49999999999999 → 100.5) before rounding.
  const hundredths = Math.round(Number((Math.abs(x) * 100).toPrecision(15)));
  return `${x < 0 && hundredths > 0 ? "-" : ""}${(hundredths / 100).toFixed(2)}`;
}

/**
 * The old service's alert message: "<metric> <service or empty>: <current> vs <threshold>",
 * e.g. "LATENCY_P99 VALIDATED: 3046.00 vs 200.00" and, without a service, "QUEUE_LAG : 81612.00 vs 50.00".
 */
export function alertMessage(
  alert: Pick<AlertRecord, "rule" | "serviceName" | "currentValue" | "thresholdValue">,
): string {
  return `${alert.rule} ${alert.serviceName ?? ""}: ${twoDecimals(alert.currentValue)} vs ${twoDecimals(alert.thresholdValue)}`.trim();
}

/** The old "timeAgo": "now" (future), "<s>s ago", "<m>m ago", "<h>h ago", "<d>d ago", floored. */
export function timeAgo(since: Date, now: Date): string {
  const seconds = Math.floor((now.getTime() - since.getTime()) / 1000);
  if (seconds < 0) return "now";
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}
