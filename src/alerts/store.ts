/**
 * Every SQL statement on rttm_alerts and rttm_alert_events.
 *
 * Writes (evaluation, acknowledge, resolve, auto-resolve) run in transactions that first take one
 * transaction-level advisory lock, so they are serialised: event ids are therefore assigned in
 * commit order (a reader of "events after id N" never skips one committed later with a smaller
 * id), and the evaluator's read-decide-write of open alerts cannot interleave with a mutation.
 * The partial unique index uq_alerts_open_rule_scope is the last fence: one open alert per
 * (rule, scope) even for a writer that skipped the lock.
 */
import type { ClientBase, Pool } from "pg";
import { advisoryLockKeys } from "../domain/locks.js";
import {
  checked,
  column,
  equals,
  idColumn,
  pagedList,
  readNode,
  selectList,
  type Columns,
} from "../store/read/list.js";
import type { PageArgs } from "../store/read/page.js";
import type { TimeFilter } from "../store/read/timeFilter.js";
import type {
  AlertEventRecord,
  AlertEventWithAlert,
  AlertRecord,
  EventKind,
  Resolution,
  RuleName,
  Severity,
  Status,
} from "./types.js";
import { isRttmError, RttmError } from "../domain/errors.js";

type Db = Pool | ClientBase;

/** Every field of an alert and the rttm_alerts column it comes from. */
const alertFields: Columns<AlertRecord> = {
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
const alertColumns = selectList(alertFields);

type Row = Record<string, unknown>;
const toAlert = (row: Row): AlertRecord => readNode(alertFields, row);

/** Runs `work` in a transaction holding the alert write lock; rolls back on failure. */
export async function inAlertTransaction<T>(
  client: ClientBase,
  work: () => Promise<T>,
): Promise<T> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [advisoryLockKeys.alertWrite]);
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/** Open alerts (ACTIVE, ACKED), locked for the transaction. */
export async function lockOpenAlerts(client: ClientBase): Promise<AlertRecord[]> {
  const { rows } = await client.query<Row>(
    `SELECT ${alertColumns} FROM rttm_alerts WHERE status <> 'RESOLVED' FOR UPDATE`,
  );
  return rows.map(toAlert);
}

export interface NewAlert {
  rule: RuleName;
  scope: string;
  serviceName: string | null;
  severity: Severity;
  value: number;
  threshold: number;
  now: Date;
}

/** Inserts an ACTIVE alert; null if an open one of the same (rule, scope) exists (the unique index said no). */
export async function insertAlert(client: ClientBase, a: NewAlert): Promise<AlertRecord | null> {
  const { rows } = await client.query<Row>(
    `INSERT INTO rttm_alerts (metric_name, scope, service_name, current_value, peak_value, threshold_value, severity, status,
       triggered_time, last_observed_at, clear_streak, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $4, $5, $6, 'ACTIVE', $7, $7, 0, $7, $7)
     ON CONFLICT (metric_name, scope) WHERE status <> 'RESOLVED' DO NOTHING
     RETURNING ${alertColumns}`,
    [a.rule, a.scope, a.serviceName, a.value, a.threshold, a.severity, a.now],
  );
  return rows[0] ? toAlert(rows[0]) : null;
}

async function updateOne(
  client: ClientBase,
  id: string,
  set: string,
  params: unknown[],
): Promise<AlertRecord> {
  const { rows } = await client.query<Row>(
    `UPDATE rttm_alerts SET ${set} WHERE id = $1::bigint RETURNING ${alertColumns}`,
    [id, ...params],
  );
  if (!rows[0]) throw new Error(`internal: alert ${id} vanished inside its transaction`);
  return toAlert(rows[0]);
}

/** The condition still holds (or is clearing): new current and peak values, clear count, observation time. */
export function updateObservation(
  client: ClientBase,
  id: string,
  o: { value: number; peak: number; clearStreak: number; now: Date },
): Promise<AlertRecord> {
  return updateOne(
    client,
    id,
    "current_value = $2, peak_value = $3, clear_streak = $4, last_observed_at = $5, updated_at = $5",
    [o.value, o.peak, o.clearStreak, o.now],
  );
}

/** WARNING → CRITICAL. An acknowledged alert becomes ACTIVE again: the acknowledgement was of a warning (the history keeps it). */
export function escalate(
  client: ClientBase,
  id: string,
  o: { value: number; peak: number; threshold: number; now: Date },
): Promise<AlertRecord> {
  return updateOne(
    client,
    id,
    `severity = 'CRITICAL', status = 'ACTIVE', threshold_value = $4, current_value = $2, peak_value = $3, clear_streak = 0,
     escalated_at = $5, acknowledged_at = NULL, acknowledged_by = NULL, last_observed_at = $5, updated_at = $5`,
    [o.value, o.peak, o.threshold, o.now],
  );
}

/** Resolves by the evaluator: the condition cleared (value and observation time recorded). */
export function resolveCleared(
  client: ClientBase,
  id: string,
  o: { value: number; peak: number; now: Date; by: string },
): Promise<AlertRecord> {
  return updateOne(
    client,
    id,
    `status = 'RESOLVED', resolution = 'CLEARED', resolved_at = $4, resolved_by = $5, current_value = $2, peak_value = $3,
     clear_streak = 0, last_observed_at = $4, updated_at = $4`,
    [o.value, o.peak, o.now, o.by],
  );
}

export async function insertEvent(
  client: ClientBase,
  alert: AlertRecord,
  kind: EventKind,
  actor: string,
  at: Date,
): Promise<AlertEventRecord> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO rttm_alert_events (alert_id, kind, status, severity, value, threshold_value, actor, at)
     VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8) RETURNING id::text AS id`,
    [
      alert.id,
      kind,
      alert.status,
      alert.severity,
      alert.currentValue,
      alert.thresholdValue,
      actor,
      at,
    ],
  );
  return {
    id: rows[0]!.id,
    alertId: alert.id,
    kind,
    status: alert.status,
    severity: alert.severity,
    value: alert.currentValue,
    thresholdValue: alert.thresholdValue,
    actor,
    at,
  };
}

/**
 * The fallback for silent scopes: open alerts whose scope has had no data since `cutoff` resolve
 * as NO_DATA. Alerts whose scope still reports are never resolved by age.
 */
export async function resolveSilent(
  client: ClientBase,
  cutoff: Date,
  now: Date,
  by: string,
): Promise<AlertRecord[]> {
  const { rows } = await client.query<Row>(
    `UPDATE rttm_alerts SET status = 'RESOLVED', resolution = 'NO_DATA', resolved_at = $2, resolved_by = $3, clear_streak = 0, updated_at = $2
     WHERE status <> 'RESOLVED' AND last_observed_at < $1 RETURNING ${alertColumns}`,
    [cutoff, now, by],
  );
  return rows.map(toAlert).sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
}

export class AlertNotFoundError extends RttmError<"ALERT_NOT_FOUND"> {
  override name = "AlertNotFoundError";
  constructor(alertId: string) {
    super("ALERT_NOT_FOUND", `Alert ${alertId} does not exist`, { alertId });
  }
}

export class AlertAlreadyResolvedError extends RttmError<"ALERT_ALREADY_RESOLVED"> {
  override name = "AlertAlreadyResolvedError";
  constructor(alert: AlertRecord) {
    const resolvedAt = alert.resolvedAt?.toISOString() ?? null;
    super(
      "ALERT_ALREADY_RESOLVED",
      `Alert ${alert.id} is already resolved (${alert.resolution ?? "RESOLVED"} by ${alert.resolvedBy ?? "unknown"} at ${resolvedAt ?? "?"})`,
      {
        alertId: alert.id,
        details: { resolution: alert.resolution, resolvedBy: alert.resolvedBy, resolvedAt },
      },
    );
  }
}

export interface Outcome {
  alert: AlertRecord;
  /** The event recorded; null when the call changed nothing (acknowledging an acknowledged alert). */
  event: AlertEventRecord | null;
}

async function mutate(
  pool: Pool,
  id: string,
  change: (client: ClientBase, alert: AlertRecord) => Promise<Outcome>,
): Promise<Outcome> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    return await inAlertTransaction(client, async () => {
      const { rows } = await client.query<Row>(
        `SELECT ${alertColumns} FROM rttm_alerts WHERE id = $1::bigint FOR UPDATE`,
        [id],
      );
      if (!rows[0]) throw new AlertNotFoundError(id);
      const alert = toAlert(rows[0]);
      if (alert.status === "RESOLVED") throw new AlertAlreadyResolvedError(alert);
      return change(client, alert);
    });
  } catch (err) {
    if (!isRttmError(err, "ALERT_NOT_FOUND", "ALERT_ALREADY_RESOLVED")) failure = err as Error;
    throw err;
  } finally {
    client.release(failure);
  }
}

/** ACTIVE → ACKED (who, when). Idempotent: an ACKED alert is returned unchanged. Resolved or unknown: an error. */
export function acknowledgeAlert(pool: Pool, id: string, by: string, now: Date): Promise<Outcome> {
  return mutate(pool, id, async (client, alert) => {
    if (alert.status === "ACKED") return { alert, event: null };
    const acked = await updateOne(
      client,
      id,
      "status = 'ACKED', acknowledged_at = $2, acknowledged_by = $3, updated_at = $2",
      [now, by],
    );
    return { alert: acked, event: await insertEvent(client, acked, "ACKNOWLEDGED", by, now) };
  });
}

/** ACTIVE or ACKED → RESOLVED (MANUAL, who, when). An already resolved or unknown alert: an error, nothing changes. */
export function resolveAlert(pool: Pool, id: string, by: string, now: Date): Promise<Outcome> {
  return mutate(pool, id, async (client) => {
    const resolved = await updateOne(
      client,
      id,
      "status = 'RESOLVED', resolution = 'MANUAL', resolved_at = $2, resolved_by = $3, clear_streak = 0, updated_at = $2",
      [now, by],
    );
    return { alert: resolved, event: await insertEvent(client, resolved, "RESOLVED", by, now) };
  });
}

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
