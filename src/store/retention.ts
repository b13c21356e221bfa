import type { Pool } from "pg";
import type { Config } from "../config/index.js";
import { advisoryLockKeys } from "../domain/locks.js";
import { latencyStages } from "../domain/stages.js";
import type { Logger } from "../log.js";

/** Each pruned table, the column its age is read from, and the setting that bounds it. */
/** `key` identifies a row for chunked deletes (ctid where the table has no single-column key). */
const prunedTables: Array<{
  table: string;
  column: string;
  key: string;
  scope?: string;
  hours: (r: Config["retention"]) => number;
}> = [
  { table: "rttm_trade_events", column: "event_time", key: "id", hours: (r) => r.eventsHours },
  { table: "rttm_error_events", column: "event_time", key: "id", hours: (r) => r.eventsHours },
  { table: "rttm_dlq_events", column: "event_time", key: "id", hours: (r) => r.eventsHours },
  { table: "rttm_invalid_trades", column: "event_time", key: "id", hours: (r) => r.eventsHours },
  // Scoped by stage so the (stage_name, event_time) index serves the scan.
  {
    table: "rttm_stage_latency",
    column: "event_time",
    key: "ctid",
    scope: `stage_name IN (${latencyStages.map((stage) => `'${stage}'`).join(", ")}) AND`,
    hours: (r) => r.eventsHours,
  },
  {
    table: "rttm_trade_progress",
    column: "updated_at",
    key: "trade_id",
    hours: (r) => r.eventsHours,
  },
  {
    table: "rttm_queue_metrics",
    column: "snapshot_time",
    key: "id",
    hours: (r) => r.queueMetricsHours,
  },
  { table: "rttm_quarantine", column: "created_at", key: "id", hours: (r) => r.quarantineHours },
  // Resolved alerts (their events go with them: ON DELETE CASCADE); open ones are never pruned.
  {
    table: "rttm_alerts",
    column: "resolved_at",
    key: "id",
    scope: "status = 'RESOLVED' AND",
    hours: (r) => r.alertsHours,
  },
  {
    table: "rttm_stage_count_second",
    column: "bucket",
    key: "ctid",
    hours: (r) => r.secondRollupHours,
  },
  {
    table: "rttm_stage_count_minute",
    column: "bucket",
    key: "ctid",
    hours: (r) => r.minuteRollupHours,
  },
  {
    table: "rttm_latency_histogram_minute",
    column: "bucket",
    key: "ctid",
    hours: (r) => r.minuteRollupHours,
  },
  {
    table: "rttm_latency_histogram_hour",
    column: "bucket",
    key: "ctid",
    hours: (r) => r.minuteRollupHours,
  },
];

const deleteChunk = 10_000;
/** Only one replica prunes at a time (key: "rttm" retention). */

/**
 * Deletes rows older than each table's retention, in chunks so no statement holds locks for long.
 * Returns rows deleted per table; skips the run when another replica holds the lock.
 */
export async function pruneOnce(
  pool: Pool,
  retention: Config["retention"],
  now = new Date(),
): Promise<Record<string, number> | null> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1) AS locked",
      [advisoryLockKeys.retention],
    );
    if (!rows[0]!.locked) return null;
    try {
      const deleted: Record<string, number> = {};
      for (const { table, column, key, scope = "", hours } of prunedTables) {
        const cutoff = new Date(now.getTime() - hours(retention) * 3_600_000);
        let total = 0;
        for (;;) {
          const result = await client.query(
            `DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${scope} ${column} < $1 LIMIT ${deleteChunk})`,
            [cutoff],
          );
          total += result.rowCount ?? 0;
          if ((result.rowCount ?? 0) < deleteChunk) break;
        }
        deleted[table] = total;
      }
      return deleted;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [advisoryLockKeys.retention]);
    }
  } finally {
    client.release();
  }
}

export function startRetention(
  pool: Pool,
  retention: Config["retention"],
  logger: Logger,
): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const deleted = await pruneOnce(pool, retention);
      if (deleted && Object.values(deleted).some((n) => n > 0))
        logger.info("retention pruned old rows", { deleted });
    } catch (err) {
      logger.warn("retention run failed; will retry next interval", { err });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, retention.intervalMs);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
