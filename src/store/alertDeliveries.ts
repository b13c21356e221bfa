/**
 * Writes of rttm_alert_deliveries: how each alert was delivered to Alertmanager. Written only by
 * the replica that evaluates alerts; advisory (the alert itself lives in rttm_alerts), so a lost
 * write costs a stale "last sent", never an alert.
 */
import type { ClientBase, Pool } from "pg";

type Db = Pool | ClientBase;

/** An Alertmanager accepted these alerts at `at`. */
export async function recordSent(db: Db, alertIds: readonly string[], at: Date): Promise<void> {
  if (alertIds.length === 0) return;
  await db.query(
    `INSERT INTO rttm_alert_deliveries (alert_id, last_sent_at) SELECT unnest($1::bigint[]), $2
     ON CONFLICT (alert_id) DO UPDATE SET last_sent_at = excluded.last_sent_at`,
    [alertIds, at],
  );
}

/** Sending these alerts failed at `at` (the error text is cut to the column's 1024 characters). */
export async function recordFailure(
  db: Db,
  alertIds: readonly string[],
  error: string,
  at: Date,
): Promise<void> {
  if (alertIds.length === 0) return;
  await db.query(
    `INSERT INTO rttm_alert_deliveries (alert_id, last_error, last_error_at) SELECT unnest($1::bigint[]), $2, $3
     ON CONFLICT (alert_id) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at`,
    [alertIds, error.slice(0, 1024), at],
  );
}

/** The silence of an acknowledged alert (created or renewed), the Alertmanager that holds it, and when it ends. */
export async function recordSilence(
  db: Db,
  alertId: string,
  silence: { id: string; url: string; endsAt: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO rttm_alert_deliveries (alert_id, silence_id, silence_url, silence_ends_at) VALUES ($1::bigint, $2, $3, $4)
     ON CONFLICT (alert_id) DO UPDATE SET silence_id = excluded.silence_id, silence_url = excluded.silence_url,
       silence_ends_at = excluded.silence_ends_at, silence_expired_at = NULL`,
    [alertId, silence.id, silence.url, silence.endsAt],
  );
}

/** The alert's silence was expired at `at` (its id is kept). */
export async function recordSilenceExpired(db: Db, alertId: string, at: Date): Promise<void> {
  await db.query(
    "UPDATE rttm_alert_deliveries SET silence_expired_at = $2 WHERE alert_id = $1::bigint",
    [alertId, at],
  );
}
