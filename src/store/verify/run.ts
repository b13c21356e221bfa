import type { Pool } from "pg";
import { derivedChecks, type DerivedCheck, type DerivedTable } from "./checks.js";
import { inTransaction } from "../transaction.js";
import { repairDrift, type Drift } from "./repair.js";

export const hourMs = 3_600_000;

export interface VerifyRange {
  from: Date;
  to: Date;
}

export interface TableReport {
  table: string;
  from: string;
  to: string;
  /** Keys compared: buckets (bucket, stage[, bin]) for rollups, trades for progress. */
  checked: number;
  differing: number;
  /** Largest difference of one key, in `unit`. */
  largestDifference: number;
  unit: string;
  /** Keys rewritten by --repair. */
  repaired: number;
}

export interface VerifyProgress {
  table: string;
  chunk: Date;
  chunksDone: number;
  chunksTotal: number;
}

export interface VerifyOptions {
  ranges: Record<DerivedTable, VerifyRange>;
  repair?: boolean;
  onProgress?(progress: VerifyProgress): void;
}

/** Progress first: a repaired progress row is what later writers derive histogram samples from. */
export const verifyOrder: DerivedTable[] = [
  "progress",
  "countSecond",
  "countMinute",
  "histogramMinute",
  "histogramHour",
];

/** Hour-aligned: every bucket of every table lies wholly in one hour. */
export function alignRange(from: Date, to: Date): VerifyRange {
  return {
    from: new Date(Math.floor(from.getTime() / hourMs) * hourMs),
    to: new Date(Math.ceil(to.getTime() / hourMs) * hourMs),
  };
}

/**
 * Recomputes each derived table from the stored events, hour by hour, and compares. Each hour is
 * read in one REPEATABLE READ snapshot, so a batch that commits meanwhile is either wholly in
 * both the events and the rollups or in neither: verifying while ingest runs reports no false
 * drift. With `repair`, the differences found are written back (see repair.ts).
 */
export async function verifyDerived(pool: Pool, options: VerifyOptions): Promise<TableReport[]> {
  const reports: TableReport[] = [];
  for (const table of verifyOrder) {
    const range = alignRange(options.ranges[table].from, options.ranges[table].to);
    const check = derivedChecks[table];
    const report: TableReport = {
      table: check.table,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      checked: 0,
      differing: 0,
      largestDifference: 0,
      unit: check.unit,
      repaired: 0,
    };
    const chunksTotal = Math.max(0, (range.to.getTime() - range.from.getTime()) / hourMs);
    for (let i = 0; i < chunksTotal; i++) {
      const chunk = new Date(range.from.getTime() + i * hourMs);
      const result = await checkChunk(pool, check, chunk);
      report.checked += result.checked;
      report.differing += result.drift.length;
      report.largestDifference = Math.max(report.largestDifference, result.largest);
      if (options.repair && result.drift.length > 0)
        report.repaired += await repairDrift(pool, table, result.drift);
      options.onProgress?.({ table: check.table, chunk, chunksDone: i + 1, chunksTotal });
    }
    reports.push(report);
  }
  return reports;
}

async function checkChunk(
  pool: Pool,
  check: DerivedCheck,
  chunk: Date,
): Promise<{ checked: number; largest: number; drift: Drift[] }> {
  const { rows } = await inTransaction(
    pool,
    (client) =>
      client.query<{ checked: number; largest: string; drift: Drift[] }>(check.sql, [
        chunk,
        new Date(chunk.getTime() + hourMs),
        ...check.params,
      ]),
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
  );
  const row = rows[0]!;
  return { checked: row.checked, largest: Number(row.largest), drift: row.drift };
}

/** The retention settings the default ranges follow (src/config: RTTM_*_RETENTION_HOURS). */
export interface RetentionHours {
  eventsHours: number;
  secondRollupHours: number;
  minuteRollupHours: number;
}

/**
 * Each table's retention window, as far as the events it is computed from are kept: a rollup
 * kept longer than the events (per-minute counts: 90 days against 7) cannot be recomputed
 * beyond them. The window starts one hour inside the events' retention: retention drops whole
 * days, and a trade whose earlier stages were dropped keeps its latencies in the histograms, so
 * only trades with more than an hour between two stages are left out of the proof. It ends with
 * the current hour.
 */
export function defaultRanges(
  retention: RetentionHours,
  now = new Date(),
): Record<DerivedTable, VerifyRange> {
  const to = new Date(Math.ceil(now.getTime() / hourMs) * hourMs);
  const since = (hours: number) => {
    const kept = Math.max(0, Math.min(hours, retention.eventsHours - 1));
    return new Date(Math.ceil((now.getTime() - kept * hourMs) / hourMs) * hourMs);
  };
  const events = { from: since(retention.eventsHours), to };
  const minute = { from: since(retention.minuteRollupHours), to };
  return {
    progress: events,
    countSecond: { from: since(retention.secondRollupHours), to },
    countMinute: minute,
    histogramMinute: minute,
    histogramHour: minute,
  };
}

/** The same range for every table. */
export function sameRange(range: VerifyRange): Record<DerivedTable, VerifyRange> {
  return Object.fromEntries(verifyOrder.map((t) => [t, range])) as Record<
    DerivedTable,
    VerifyRange
  >;
}
