import type { Pool } from "pg";
import type { Logger } from "../../log.js";
import { withVerifyLock } from "./lock.js";
import { hourMs, sameRange, verifyDerived, type TableReport } from "./run.js";

/** One self-check: the derived tables of one closed hour, as stored in rttm_verify_runs. */
export interface VerifyRun {
  checkedAt: Date;
  from: Date;
  to: Date;
  /** Keys (buckets, trades) that differed, over all derived tables. */
  driftedBuckets: number;
  tables: TableReport[];
}

const latestSql = `
SELECT checked_at, range_from, range_to, drifted_buckets, tables
FROM rttm_verify_runs ORDER BY checked_at DESC LIMIT 1`;

/** The most recent self-check of any replica, or null before the first. */
export async function latestVerifyRun(db: Pool): Promise<VerifyRun | null> {
  const { rows } = await db.query<{
    checked_at: Date;
    range_from: Date;
    range_to: Date;
    drifted_buckets: number;
    tables: TableReport[];
  }>(latestSql);
  const row = rows[0];
  return row
    ? {
        checkedAt: row.checked_at,
        from: row.range_from,
        to: row.range_to,
        driftedBuckets: row.drifted_buckets,
        tables: row.tables,
      }
    : null;
}

/**
 * Verifies the last closed hour and records the result, unless another replica holds the verify
 * lock or has already checked that hour. Returns the run, or null when it did not run.
 */
export async function verifyLastClosedHour(
  pool: Pool,
  now = new Date(),
): Promise<VerifyRun | null> {
  const to = new Date(Math.floor(now.getTime() / hourMs) * hourMs);
  const from = new Date(to.getTime() - hourMs);
  return withVerifyLock(pool, async () => {
    const latest = await latestVerifyRun(pool);
    if (latest && latest.from.getTime() >= from.getTime()) return null;
    const tables = await verifyDerived(pool, { ranges: sameRange({ from, to }) });
    const run: VerifyRun = {
      checkedAt: new Date(),
      from,
      to,
      driftedBuckets: tables.reduce((n, t) => n + t.differing, 0),
      tables,
    };
    await pool.query(
      `INSERT INTO rttm_verify_runs (checked_at, range_from, range_to, drifted_buckets, tables)
       VALUES ($1, $2, $3, $4, $5)`,
      [run.checkedAt, from, to, run.driftedBuckets, JSON.stringify(tables)],
    );
    return run;
  });
}

export interface VerifySchedule {
  /** The latest self-check of any replica, as last read; null before the first (or when off). */
  latest(): VerifyRun | null;
  stop(): void;
}

/**
 * Every `intervalMs` each replica tries to verify the last closed hour (one at a time: advisory
 * lock; an hour already checked is not checked again) and reads the latest result, so every
 * replica reports it. Off (null interval): nothing runs.
 */
export function startVerifySchedule(
  pool: Pool,
  intervalMs: number | null,
  logger: Logger,
): VerifySchedule {
  let latest: VerifyRun | null = null;
  if (intervalMs === null) return { latest: () => null, stop: () => {} };
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const run = await verifyLastClosedHour(pool);
      if (run && run.driftedBuckets > 0)
        logger.error("derived tables differ from the stored events", {
          from: run.from,
          to: run.to,
          drifted: run.tables.filter((t) => t.differing > 0),
        });
      else if (run) logger.info("derived tables verified", { from: run.from, to: run.to });
      latest = await latestVerifyRun(pool);
    } catch (err) {
      logger.warn("self-check failed; will retry next interval", { err });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();
  return { latest: () => latest, stop: () => clearInterval(timer) };
}
