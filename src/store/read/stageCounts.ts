import type { Pool } from "pg";
import type { Stage } from "../../domain/stages.js";
import { toNumber } from "./values.js";
import { minuteMs, planRange, secondMs, type MsRange } from "./window.js";

/**
 * Trade-event counts per stage over a time range, exact to the millisecond, at a cost bounded by
 * the range's length and never by history: whole minutes come from rttm_stage_count_minute, the
 * whole seconds left at the edges from rttm_stage_count_second, and the sub-second edges (under
 * one second at each end) from raw rows through the (event_stage, event_time) index.
 *
 * Raw rows and rollups are written in one transaction and read here in one statement, so the
 * sum is consistent. Retention caveat: where the range reaches back past the second-rollup or
 * raw-event retention (48 h / 168 h by default), the sub-minute edge there reads as empty.
 */
export interface StageCountQuery {
  range: MsRange;
  stages: readonly Stage[];
  /** Group by buckets of this many milliseconds (aligned to the epoch); omit for one total. */
  bucketMs?: number;
}

export interface StageBucketCount {
  /** Start of the bucket (0 when not bucketed). */
  bucketStartMs: number;
  stage: Stage;
  count: number;
}

function countSql(bucketed: boolean): string {
  // $1 stages; when bucketed $2 is the bucket length in ms; then one [from, to) pair per slot:
  // one minute range, two second ranges, two raw ranges (planRange never needs more).
  const key = (column: string) =>
    bucketed ? `floor(extract(epoch FROM ${column}) * 1000 / $2::numeric)` : "0";
  let next = bucketed ? 3 : 2;
  const between = (column: string) => {
    const from = next;
    next += 2;
    return `${column} >= $${from}::timestamptz AND ${column} < $${from + 1}::timestamptz`;
  };
  const rollup = (table: string) =>
    `SELECT ${key("bucket")} AS k, stage, event_count AS n FROM ${table}
   WHERE stage = ANY($1::text[]) AND ${between("bucket")}`;
  const raw = () =>
    `SELECT ${key("event_time")} AS k, event_stage AS stage, 1::bigint AS n FROM rttm_trade_events
   WHERE event_stage = ANY($1::text[]) AND ${between("event_time")}`;
  return `
SELECT k::float8 AS k, stage, sum(n)::float8 AS n FROM (
  ${rollup("rttm_stage_count_minute")}
  UNION ALL
  ${rollup("rttm_stage_count_second")}
  UNION ALL
  ${rollup("rttm_stage_count_second")}
  UNION ALL
  ${raw()}
  UNION ALL
  ${raw()}
) AS counts
GROUP BY k, stage`;
}

const bucketedSql = countSql(true);
const totalSql = countSql(false);

const emptyRange: MsRange = { fromMs: 0, toMs: 0 };

function slots(ranges: MsRange[], n: number): string[] {
  if (ranges.length > n) throw new Error(`internal: ${ranges.length} ranges for ${n} slots`);
  const padded = [...ranges, ...Array.from({ length: n - ranges.length }, () => emptyRange)];
  return padded.flatMap((r) => [new Date(r.fromMs).toISOString(), new Date(r.toMs).toISOString()]);
}

export async function countStageEvents(
  db: Pool,
  query: StageCountQuery,
): Promise<StageBucketCount[]> {
  const { range, stages, bucketMs } = query;
  if (range.fromMs >= range.toMs || stages.length === 0) return [];
  if (bucketMs !== undefined && (bucketMs <= 0 || bucketMs % secondMs !== 0))
    throw new Error(`internal: bucket of ${bucketMs} ms`);
  // Per-second buckets cannot be cut from minute rows.
  const plan = planRange(
    range,
    bucketMs !== undefined && bucketMs % minuteMs !== 0 ? "SECOND" : "MINUTE",
  );
  const ranges = [...slots(plan.minutes, 1), ...slots(plan.seconds, 2), ...slots(plan.raw, 2)];
  const { rows } =
    bucketMs === undefined
      ? await db.query<{ k: number; stage: Stage; n: number }>(totalSql, [stages, ...ranges])
      : await db.query<{ k: number; stage: Stage; n: number }>(bucketedSql, [
          stages,
          bucketMs,
          ...ranges,
        ]);
  return rows.map((r) => ({
    bucketStartMs: bucketMs === undefined ? 0 : toNumber(r.k) * bucketMs,
    stage: r.stage,
    count: toNumber(r.n),
  }));
}

/** Total events per stage over a range (0 for stages without events). */
export async function stageTotals(
  db: Pool,
  range: MsRange,
  stages: readonly Stage[],
): Promise<Map<Stage, number>> {
  const totals = new Map<Stage, number>(stages.map((s) => [s, 0]));
  for (const row of await countStageEvents(db, { range, stages }))
    totals.set(row.stage, (totals.get(row.stage) ?? 0) + row.count);
  return totals;
}
