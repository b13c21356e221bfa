/**
 * The alert writes: the evaluator's SQL on rttm_alerts and rttm_alert_events, and the transaction
 * every alert write runs in (the user commands in commands.ts use it too).
 *
 * Writes (evaluation, acknowledge, resolve, auto-resolve) run in transactions that first take one
 * transaction-level advisory lock, so they are serialised: event ids are therefore assigned in
 * commit order (a reader of "events after id N" never skips one committed later with a smaller
 * id), and the evaluator's read-decide-write of open alerts cannot interleave with a mutation.
 * The partial unique index uq_alerts_open_rule_scope is the last fence: one open alert per
 * (rule, scope) even for a writer that skipped the lock.
 */
import type { ClientBase } from "pg";
import { advisoryLockKeys } from "../domain/locks.js";
import type {
  AlertEventRecord,
  AlertRecord,
  EventKind,
  RuleName,
  Severity,
} from "../domain/alerts.js";
import { alertColumns, toAlert } from "../store/read/index.js";

type Row = Record<string, unknown>;

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

export async function updateOne(
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
