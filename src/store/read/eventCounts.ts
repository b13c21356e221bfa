import type { Pool } from "pg";
import { toNumber } from "./values.js";
import type { MsRange } from "./window.js";

/** The event tables counted by time through their event_time index (low-volume, recent rows). */
export type CountedTable = "rttm_dlq_events" | "rttm_error_events" | "rttm_invalid_trades";

/** Rows of `table` with event_time in the range: an index range scan over the window only. */
export async function countInRange(db: Pool, table: CountedTable, range: MsRange): Promise<number> {
  const { rows } = await db.query(
    `SELECT count(*)::float8 AS n FROM ${table} WHERE event_time >= $1::timestamptz AND event_time < $2::timestamptz`,
    [new Date(range.fromMs).toISOString(), new Date(range.toMs).toISOString()],
  );
  return toNumber(rows[0]?.n);
}
