import type { Pool, PoolClient } from "pg";
import type { Config } from "../config/index.js";
import { advisoryLockKeys } from "../domain/locks.js";
import { withSessionLock } from "./advisoryLock.js";
import type { Logger } from "../log.js";
import {
  dayMs,
  dayPartitions,
  ensureDayPartitions,
  partitionedTable,
  startOfDay,
} from "./partitions.js";

/**
 * Each table pruned row by row, the column its age is read from, and the setting that bounds it;
 * `key` identifies a row for chunked deletes (ctid where the table has no single-column key).
 * These tables are small beside the trade events (a fraction of a row per event, or one row per
 * second or minute), or keyed by something other than time (trade progress), so row deletes
 * stay cheap there; rttm_trade_events itself drops whole days (see pruneTradeEvents).
 */
const prunedTables: Array<{
  table: string;
  column: string;
  key: string;
  scope?: string;
  hours: (r: Config["retention"]) => number;
}> = [
  { table: "rttm_error_events", column: "event_time", key: "id", hours: (r) => r.eventsHours },
  { table: "rttm_dlq_events", column: "event_time", key: "id", hours: (r) => r.eventsHours },
  { table: "rttm_invalid_trades", column: "event_time", key: "id", hours: (r) => r.eventsHours },
  // first_seen_at is set once and read through a BRIN index.
  {
    table: "rttm_trade_progress",
    column: "first_seen_at",
    key: "ctid",
    hours: (r) => r.eventsHours,
  },
  {
    table: "rttm_queue_metrics",
    column: "snapshot_time",
    key: "id",
    hours: (r) => r.queueMetricsHours,
  },
  { table: "rttm_quarantine", column: "created_at", key: "id", hours: (r) => r.quarantineHours },
  { table: "rttm_verify_runs", column: "checked_at", key: "id", hours: (r) => r.eventsHours },
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
/** Day partitions are created this far ahead of now (producers' clocks run a little ahead). */
const daysAhead = 2;

export interface PruneOptions {
  /**
   * Round each partitioned table's cutoff down to a partition boundary, so whole days are dropped
   * and no row is deleted one by one (rows stay up to one day longer than their setting). The
   * scheduled runs do this; without it the cutoff is exact.
   */
  wholePartitions?: boolean;
}

/**
 * Deletes rows older than each table's retention, in chunks so no statement holds locks for long.
 * Returns rows deleted per table (and, under "rttm_trade_events (days)", the day partitions
 * dropped); skips the run when another replica holds the lock.
 */
export async function pruneOnce(
  pool: Pool,
  retention: Config["retention"],
  now = new Date(),
  options: PruneOptions = {},
): Promise<Record<string, number> | null> {
  return withSessionLock(pool, advisoryLockKeys.retention, async (client) => {
    const deleted: Record<string, number> = {};
    const eventsCutoff = now.getTime() - retention.eventsHours * 3_600_000;
    const tradeEvents = await pruneTradeEvents(
      client,
      options.wholePartitions ? startOfDay(eventsCutoff) : eventsCutoff,
    );
    deleted[partitionedTable] = tradeEvents.rows;
    deleted[`${partitionedTable} (days)`] = tradeEvents.days;
    for (const { table, column, key, scope = "", hours } of prunedTables) {
      const cutoff = new Date(now.getTime() - hours(retention) * 3_600_000);
      deleted[table] = await deleteInChunks(
        client,
        `DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${scope} ${column} < $1 LIMIT ${deleteChunk})`,
        cutoff,
      );
    }
    return deleted;
  });
}

async function deleteInChunks(client: PoolClient, sql: string, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await client.query(sql, [cutoff]);
    total += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < deleteChunk) return total;
  }
}

/**
 * Drops the day partitions that lie wholly before the cutoff, then deletes row by row what is
 * left before it: the rows of the day the cutoff falls in (none when the cutoff is a day
 * boundary) and those of the default partition. (tableoid, ctid) names a row of a partitioned
 * table; a ctid alone repeats across partitions.
 */
async function pruneTradeEvents(
  client: PoolClient,
  cutoffMs: number,
): Promise<{ rows: number; days: number }> {
  let days = 0;
  for (const partition of await dayPartitions(client)) {
    if (partition.toMs > cutoffMs) break;
    await client.query(`DROP TABLE ${partition.name}`);
    days++;
  }
  const rows = await deleteInChunks(
    client,
    `DELETE FROM ${partitionedTable} WHERE event_time < $1 AND (tableoid, ctid) IN
     (SELECT tableoid, ctid FROM ${partitionedTable} WHERE event_time < $1 LIMIT ${deleteChunk})`,
    new Date(cutoffMs),
  );
  return { rows, days };
}

/** Day partitions for the whole retention window and a little ahead, so rows rarely wait in the default one. */
export async function preparePartitions(
  pool: Pool,
  retention: Config["retention"],
  now = Date.now(),
): Promise<string[]> {
  return ensureDayPartitions(
    pool,
    now - retention.eventsHours * 3_600_000,
    now + daysAhead * dayMs,
  );
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
      const created = await preparePartitions(pool, retention);
      if (created.length > 0) logger.info("created day partitions", { created });
      const deleted = await pruneOnce(pool, retention, new Date(), { wholePartitions: true });
      if (deleted && Object.values(deleted).some((n) => n > 0))
        logger.info("retention pruned old rows", { deleted });
    } catch (err) {
      logger.warn("retention run failed; will retry next interval", { err });
    } finally {
      running = false;
    }
  };
  // tick catches its own failures (logged, retried next interval).
  const timer = setInterval(() => void tick(), retention.intervalMs);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
