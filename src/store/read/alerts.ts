/**
 * The alerts read model: one alert, the open alerts, the filtered and paged list, one alert's
 * history and the lifecycle events after an id (the alertEvents feed). The field ↔ column mapping
 * of rttm_alerts is declared here once; the evaluator's and the user commands' writes return rows
 * through it too.
 */
import type { ClientBase, Pool } from "pg";
import type {
  AlertEventRecord,
  AlertEventWithAlert,
  AlertRecord,
  RuleName,
  Severity,
  Status,
} from "../../domain/alerts.js";
import {
  checked,
  column,
  equals,
  idColumn,
  pagedList,
  readNode,
  selectList,
  type Columns,
} from "./list.js";
import type { PageArgs } from "./page.js";
import type { TimeFilter } from "./timeFilter.js";

type Db = Pool | ClientBase;

/** Every field of an alert and the rttm_alerts column it comes from. */
export const alertFields: Columns<AlertRecord> = {
  id: idColumn,
  rule: column("metric_name"),
  scope: column("scope"),
  serviceName: column("service_name"),
  severity: column("severity"),
  status: column("status"),
  currentValue: column("current_value"),
  peakValue: column("peak_value"),
  thresholdValue: column("threshold_value"),
  triggeredTime: column("triggered_time"),
  lastObservedAt: column("last_observed_at"),
  clearStreak: column("clear_streak"),
  escalatedAt: column("escalated_at"),
  acknowledgedAt: column("acknowledged_at"),
  acknowledgedBy: column("acknowledged_by"),
  resolvedAt: column("resolved_at"),
  resolvedBy: column("resolved_by"),
  resolution: column("resolution"),
  updatedAt: column("updated_at"),
};
export const alertColumns = selectList(alertFields);

type Row = Record<string, unknown>;
export const toAlert = (row: Row): AlertRecord => readNode(alertFields, row);

export async function getAlert(db: Db, id: string): Promise<AlertRecord | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${alertColumns} FROM rttm_alerts WHERE id = $1::bigint`,
    [id],
  );
  return rows[0] ? toAlert(rows[0]) : null;
}

/** Open alerts, CRITICAL first, then newest first (bounded: one per rule and scope). */
export async function openAlerts(db: Db, limit = 1000): Promise<AlertRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${alertColumns} FROM rttm_alerts WHERE status <> 'RESOLVED'
     ORDER BY (severity = 'CRITICAL') DESC, triggered_time DESC, id DESC LIMIT $1`,
    [limit],
  );
  return rows.map(toAlert);
}

/**
 * What is sent to Alertmanager: every open alert and the alerts resolved after `resolvedSince`
 * (sent again as resolved for a few intervals), oldest first.
 */
export async function alertsToDeliver(
  db: Db,
  resolvedSince: Date,
  limit = 2000,
): Promise<AlertRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${alertColumns} FROM rttm_alerts WHERE status <> 'RESOLVED' OR resolved_at > $1
     ORDER BY id LIMIT $2`,
    [resolvedSince, limit],
  );
  return rows.map(toAlert);
}

export interface AlertListArgs extends PageArgs, TimeFilter {
  /** Any of these statuses; all when absent or empty. */
  status?: readonly Status[] | null;
  severity?: Severity | null;
  rule?: RuleName | null;
}

/** Alerts newest first by triggered_time (then id), filtered; keyset pages (src/store/read/list.ts). */
export const listAlerts = pagedList<AlertRecord, AlertListArgs>({
  cursor: "alert",
  table: "rttm_alerts",
  sortedBy: { column: "triggered_time", field: "triggeredTime" },
  timeRange: true,
  filters: {
    status: equals("status", checked),
    severity: equals("severity", checked),
    rule: equals("metric_name", checked),
  },
  columns: alertFields,
});

/** Every field of an alert event and the rttm_alert_events column it comes from. */
const eventFields: Columns<AlertEventRecord> = {
  id: idColumn,
  alertId: column("alert_id::text"),
  kind: column("kind"),
  status: column("status"),
  severity: column("severity"),
  value: column("value"),
  thresholdValue: column("threshold_value"),
  actor: column("actor"),
  at: column("at"),
};
// Prefixed: joined with the alert's own columns (id, status, severity) in eventsAfter.
const eventColumns = selectList(eventFields, { qualifier: "e.", prefix: "event." });
const toEvent = (row: Row): AlertEventRecord => readNode(eventFields, row, "event.");

/** One alert's history, oldest first. */
export async function alertHistory(db: Db, alertId: string): Promise<AlertEventRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${eventColumns} FROM rttm_alert_events e WHERE e.alert_id = $1::bigint ORDER BY e.id`,
    [alertId],
  );
  return rows.map(toEvent);
}

/** Events with id > afterId, oldest first, each with its alert as it is now. */
export async function eventsAfter(
  db: Db,
  afterId: bigint,
  limit: number,
): Promise<AlertEventWithAlert[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${eventColumns}, ${selectList(alertFields, { qualifier: "a." })} FROM rttm_alert_events e JOIN rttm_alerts a ON a.id = e.alert_id
     WHERE e.id > $1::bigint ORDER BY e.id LIMIT $2`,
    [afterId.toString(), limit],
  );
  return rows.map((r) => ({ ...toEvent(r), alert: toAlert(r) }));
}

export async function lastEventId(db: Db): Promise<bigint> {
  const { rows } = await db.query<{ id: string }>(
    "SELECT coalesce(max(id), 0)::text AS id FROM rttm_alert_events",
  );
  return BigInt(rows[0]!.id);
}
