/**
 * The tables a change notice can name: the ingest tables the writer stores into, and "alerts",
 * which the alert evaluator and the alert mutations announce. Other names are accepted and passed
 * on (the writer decides).
 */
export const changeTables = [
  "tradeEvents",
  "dlqEvents",
  "queueMetrics",
  "errorEvents",
  "invalidTrades",
  "quarantine",
  "alerts",
] as const;
export type ChangeTable = (typeof changeTables)[number];

/** The change-notice table name for alert changes. */
export const alertsChangeTable = "alerts" satisfies ChangeTable;
