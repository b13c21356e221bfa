/**
 * The user commands on an alert: acknowledge and resolve. Each runs in one alert transaction
 * (store.ts) that reads the alert locked, refuses an unknown or resolved one with its error
 * (errors.ts) and records the change as an event.
 */
import type { ClientBase, Pool } from "pg";
import type { AlertEventRecord, AlertRecord } from "../domain/alerts.js";
import { isRttmError } from "../domain/errors.js";
import { alertColumns, toAlert } from "../store/read/index.js";
import { AlertAlreadyResolvedError, AlertNotFoundError } from "./errors.js";
import { inAlertTransaction, insertEvent, updateOne } from "./store.js";

type Row = Record<string, unknown>;

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
