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
import { applyTimeFilter, type TimeFilter } from "../store/read/timeFilter.js";
import {
  decodeCursor,
  PageQuery,
  pageSize,
  toPage,
  type ListName,
  type Page,
  type PageArgs,
} from "../store/read/page.js";
import { InvalidInputError } from "../store/read/errors.js";
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
import { ruleNames, severities, statuses } from "./types.js";
import { errorCodes } from "../domain/errorCodes.js";

type Db = Pool | ClientBase;

const alertColumnNames = [
  "metric_name",
  "scope",
  "service_name",
  "severity",
  "status",
  "current_value",
  "peak_value",
  "threshold_value",
  "triggered_time",
  "last_observed_at",
  "clear_streak",
  "escalated_at",
  "acknowledged_at",
  "acknowledged_by",
  "resolved_at",
  "resolved_by",
  "resolution",
  "updated_at",
];
/** The select list of an alert row; `table` qualifies the columns (for joins). */
const alertSelect = (table = "") =>
  [`${table}id::text AS id`, ...alertColumnNames.map((c) => table + c)].join(", ");
const alertColumns = alertSelect();

interface AlertRow {
  id: string;
  metric_name: RuleName;
  scope: string;
  service_name: string | null;
  severity: Severity;
  status: Status;
  current_value: number;
  peak_value: number;
  threshold_value: number;
  triggered_time: Date;
  last_observed_at: Date;
  clear_streak: number;
  escalated_at: Date | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: Resolution | null;
  updated_at: Date;
}

function toAlert(r: AlertRow): AlertRecord {
  return {
    id: r.id,
    rule: r.metric_name,
    scope: r.scope,
    serviceName: r.service_name,
    severity: r.severity,
    status: r.status,
    currentValue: r.current_value,
    peakValue: r.peak_value,
    thresholdValue: r.threshold_value,
    triggeredTime: r.triggered_time,
    lastObservedAt: r.last_observed_at,
    clearStreak: r.clear_streak,
    escalatedAt: r.escalated_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    resolution: r.resolution,
    updatedAt: r.updated_at,
  };
}

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
  const { rows } = await client.query<AlertRow>(
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
  const { rows } = await client.query<AlertRow>(
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
  const { rows } = await client.query<AlertRow>(
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
  const { rows } = await client.query<AlertRow>(
    `UPDATE rttm_alerts SET status = 'RESOLVED', resolution = 'NO_DATA', resolved_at = $2, resolved_by = $3, clear_streak = 0, updated_at = $2
     WHERE status <> 'RESOLVED' AND last_observed_at < $1 RETURNING ${alertColumns}`,
    [cutoff, now, by],
  );
  return rows.map(toAlert).sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
}

/** An id argument that is not a positive bigint. */
export function alertIdArg(value: string): string {
  if (
    typeof value !== "string" ||
    !/^[0-9]{1,19}$/.test(value) ||
    BigInt(value) < 1n ||
    BigInt(value) > 9_223_372_036_854_775_807n
  ) {
    throw new InvalidInputError(
      "id",
      `id must be an alert id (a positive whole number), got ${JSON.stringify(String(value).slice(0, 40))}`,
    );
  }
  return value;
}

export class AlertNotFoundError extends Error {
  readonly code = errorCodes.ALERT_NOT_FOUND;
  constructor(readonly alertId: string) {
    super(`Alert ${alertId} does not exist`);
    this.name = "AlertNotFoundError";
  }
}

export class AlertAlreadyResolvedError extends Error {
  readonly code = errorCodes.ALERT_ALREADY_RESOLVED;
  constructor(readonly alert: AlertRecord) {
    super(
      `Alert ${alert.id} is already resolved (${alert.resolution ?? "RESOLVED"} by ${alert.resolvedBy ?? "unknown"} at ${alert.resolvedAt?.toISOString() ?? "?"})`,
    );
    this.name = "AlertAlreadyResolvedError";
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
      const { rows } = await client.query<AlertRow>(
        `SELECT ${alertColumns} FROM rttm_alerts WHERE id = $1::bigint FOR UPDATE`,
        [id],
      );
      if (!rows[0]) throw new AlertNotFoundError(id);
      const alert = toAlert(rows[0]);
      if (alert.status === "RESOLVED") throw new AlertAlreadyResolvedError(alert);
      return change(client, alert);
    });
  } catch (err) {
    if (!(err instanceof AlertNotFoundError || err instanceof AlertAlreadyResolvedError))
      failure = err as Error;
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
  const { rows } = await db.query<AlertRow>(
    `SELECT ${alertColumns} FROM rttm_alerts WHERE id = $1::bigint`,
    [id],
  );
  return rows[0] ? toAlert(rows[0]) : null;
}

/** Open alerts, CRITICAL first, then newest first (bounded: one per rule and scope). */
export async function openAlerts(db: Db, limit = 1000): Promise<AlertRecord[]> {
  const { rows } = await db.query<AlertRow>(
    `SELECT ${alertColumns} FROM rttm_alerts WHERE status <> 'RESOLVED'
     ORDER BY (severity = 'CRITICAL') DESC, triggered_time DESC, id DESC LIMIT $1`,
    [limit],
  );
  return rows.map(toAlert);
}

export interface AlertListArgs extends PageArgs, TimeFilter {
  /** Any of these statuses; all when absent or empty. */
  status?: readonly string[] | null;
  severity?: string | null;
  rule?: string | null;
}

function oneOf<T extends string>(
  name: string,
  value: string | null | undefined,
  allowed: readonly T[],
): T | null {
  if (value === undefined || value === null) return null;
  if (!(allowed as readonly string[]).includes(value))
    throw new InvalidInputError(
      name,
      `${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`,
    );
  return value as T;
}

// page.ts names its lists in a closed union; "alert" is this list's name in its cursors.
const alertList: ListName = "alert";

/** Alerts newest first by triggered_time (then id), filtered; keyset pages (src/store/read/page.ts). */
export async function listAlerts(db: Pool, args: AlertListArgs): Promise<Page<AlertRecord>> {
  const first = pageSize(args.first);
  const after = decodeCursor(alertList, args.after);
  const q = new PageQuery();
  const wanted = (args.status ?? []).map((s) => oneOf("status", s, statuses)!);
  const severity = oneOf("severity", args.severity, severities);
  const rule = oneOf("rule", args.rule, ruleNames);
  if (wanted.length > 0) q.where(`status = ANY(${q.param([...new Set(wanted)])}::text[])`);
  if (severity) q.where(`severity = ${q.param(severity)}`);
  if (rule) q.where(`metric_name = ${q.param(rule)}`);
  applyTimeFilter(q, "triggered_time", args);
  const { rows } = await db.query<AlertRow>(
    q.sql(alertColumns, "rttm_alerts", "triggered_time", after, first + 1),
    q.params,
  );
  return toPage(
    alertList,
    rows,
    first,
    (r) => ({ timeMs: r.triggered_time.getTime(), id: r.id }),
    toAlert,
  );
}

const eventColumns =
  "e.id::text AS event_id, e.alert_id::text AS alert_id, e.kind, e.status AS event_status, e.severity AS event_severity, e.value, e.threshold_value AS event_threshold, e.actor, e.at";

interface EventRow {
  event_id: string;
  alert_id: string;
  kind: EventKind;
  event_status: Status;
  event_severity: Severity;
  value: number;
  event_threshold: number;
  actor: string;
  at: Date;
}

function toEvent(r: EventRow): AlertEventRecord {
  return {
    id: r.event_id,
    alertId: r.alert_id,
    kind: r.kind,
    status: r.event_status,
    severity: r.event_severity,
    value: r.value,
    thresholdValue: r.event_threshold,
    actor: r.actor,
    at: r.at,
  };
}

/** One alert's history, oldest first. */
export async function alertHistory(db: Db, alertId: string): Promise<AlertEventRecord[]> {
  const { rows } = await db.query<EventRow>(
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
  const { rows } = await db.query<EventRow & AlertRow>(
    `SELECT ${eventColumns}, ${alertSelect("a.")} FROM rttm_alert_events e JOIN rttm_alerts a ON a.id = e.alert_id
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
