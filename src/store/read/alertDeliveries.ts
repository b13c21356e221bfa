/** How alerts were delivered to Alertmanager (rttm_alert_deliveries), by alert id. */
import type { ClientBase, Pool } from "pg";
import { column, readNode, selectList, type Columns } from "./list.js";

export interface AlertDeliveryRecord {
  alertId: string;
  lastSentAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  silenceId: string | null;
  silenceUrl: string | null;
  silenceEndsAt: Date | null;
  silenceExpiredAt: Date | null;
}

const deliveryFields: Columns<AlertDeliveryRecord> = {
  alertId: column("alert_id::text"),
  lastSentAt: column("last_sent_at"),
  lastError: column("last_error"),
  lastErrorAt: column("last_error_at"),
  silenceId: column("silence_id"),
  silenceUrl: column("silence_url"),
  silenceEndsAt: column("silence_ends_at"),
  silenceExpiredAt: column("silence_expired_at"),
};
const deliveryColumns = selectList(deliveryFields);

/** The delivery records of these alerts (alerts never tried have none). */
export async function alertDeliveries(
  db: Pool | ClientBase,
  alertIds: readonly string[],
): Promise<Map<string, AlertDeliveryRecord>> {
  if (alertIds.length === 0) return new Map();
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT ${deliveryColumns} FROM rttm_alert_deliveries WHERE alert_id = ANY($1::bigint[])`,
    [alertIds],
  );
  return new Map(
    rows.map((row) => {
      const record = readNode(deliveryFields, row);
      return [record.alertId, record];
    }),
  );
}
