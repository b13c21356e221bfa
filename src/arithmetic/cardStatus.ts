import type { StatusThresholds } from "../config/index.js";

export type CardStatus = "healthy" | "warning" | "critical";

/** The old service's card rule: above critical → critical, above warning → warning, else healthy. */
export function cardStatus(value: number | null, thresholds: StatusThresholds): CardStatus {
  if (value === null) return "healthy";
  if (value > thresholds.critical) return "critical";
  if (value > thresholds.warning) return "warning";
  return "healthy";
}
