import { latencyStages, stages } from "../../domain/stages.js";
import { integerBinThresholds } from "../../arithmetic/index.js";

/**
 * One derived table, recomputed from the stored trade events of a time chunk and compared with
 * what the write path stored there. Each check is one SQL statement with parameters $1 (chunk
 * start) and $2 (chunk end; chunks are whole hours, so every bucket of every table lies wholly in
 * one chunk). It returns one row: `checked` (keys compared: buckets, or trades), `largest` (the
 * largest difference) and `drift`, a JSON array of the differing keys with the recomputed values
 * (`expected`) and the stored ones (`actual`).
 */
export interface DerivedCheck {
  table: string;
  /** What `largest` counts. */
  unit: string;
  sql: string;
  /** Extra parameters after $1 and $2. */
  params: unknown[];
}

const epoch = "timestamptz '1970-01-01 00:00:00+00'";
const lower = (s: string) => s.toLowerCase();

function countCheck(table: string, interval: string): DerivedCheck {
  return {
    table,
    unit: "events",
    sql: `
WITH expected AS (
  SELECT date_bin('${interval}', event_time, ${epoch}) AS bucket, event_stage AS stage, count(*)::bigint AS n
  FROM rttm_trade_events WHERE event_time >= $1 AND event_time < $2 GROUP BY 1, 2
), actual AS (
  SELECT bucket, stage, event_count AS n FROM ${table} WHERE bucket >= $1 AND bucket < $2
), compared AS (
  SELECT bucket, stage, coalesce(e.n, 0) AS expected, coalesce(a.n, 0) AS actual
  FROM expected e FULL JOIN actual a USING (bucket, stage)
)
SELECT count(*)::int AS checked, coalesce(max(abs(expected - actual)), 0)::bigint AS largest,
  coalesce(json_agg(json_build_object('bucket', bucket, 'stage', stage, 'expected', expected,
    'actual', actual) ORDER BY bucket, stage) FILTER (WHERE expected <> actual), '[]') AS drift
FROM compared`,
    params: [],
  };
}

/** Each trade's earliest event per stage (time, then service name) over all its stored events. */
export const stageTimesSql = (trades: string) => `
  SELECT e.trade_id, min(e.event_time) AS first_at,
    ${stages
      .map(
        (s) => `min(e.event_time) FILTER (WHERE e.event_stage = '${s}') AS ${lower(s)}_at,
    (array_agg(e.service_name ORDER BY e.event_time, e.service_name)
      FILTER (WHERE e.event_stage = '${s}'))[1] AS ${lower(s)}_service`,
      )
      .join(",\n    ")}
  FROM rttm_trade_events e JOIN (${trades}) t USING (trade_id) GROUP BY e.trade_id`;

const tradesInChunk = `SELECT DISTINCT trade_id FROM rttm_trade_events WHERE event_time >= $1 AND event_time < $2`;

export const progressColumns = stages.flatMap((s) => [`${lower(s)}_at`, `${lower(s)}_service`]);

/**
 * Trade progress, for the trades whose first stored event lies in the chunk (so each trade is
 * checked once over a range). The view rttm_stage_latency is computed from these rows, so it is
 * exact when they are.
 */
export const progressCheck: DerivedCheck = {
  table: "rttm_trade_progress",
  unit: "stage columns of one trade",
  sql: `
WITH expected AS (${stageTimesSql(tradesInChunk)}
), compared AS (
  SELECT x.trade_id, ${progressColumns.map((c) => `(x.${c} IS DISTINCT FROM p.${c})::int`).join(" + ")} AS d,
    json_build_object(${progressColumns.map((c) => `'${c}', x.${c}`).join(", ")}) AS expected,
    json_build_object(${progressColumns.map((c) => `'${c}', p.${c}`).join(", ")}) AS actual
  FROM expected x LEFT JOIN rttm_trade_progress p USING (trade_id)
  WHERE x.first_at >= $1
)
SELECT count(*)::int AS checked, coalesce(max(d), 0)::bigint AS largest,
  coalesce(json_agg(json_build_object('trade_id', trade_id, 'expected', expected, 'actual', actual)
    ORDER BY trade_id) FILTER (WHERE d > 0), '[]') AS drift
FROM compared`,
  params: [],
};

const latencyPairs: Array<[string, string, string]> = [
  ...latencyStages
    .filter((s) => s !== "END_TO_END")
    .map((s): [string, string, string] => [s, stages[stages.indexOf(s) - 1]!, s]),
  ["END_TO_END", "RECEIVED", "COMMITTED"],
];

const thresholds = integerBinThresholds();

/**
 * A latency histogram: every stage latency (src/arithmetic/stageLatency.ts) whose later event lies
 * in the chunk, from each trade's earliest events per stage, binned exactly as latencyBin does.
 */
function histogramCheck(table: string, interval: string): DerivedCheck {
  const pairs = latencyPairs
    .map(([stage, from, to]) => `('${stage}', t.${lower(from)}_at, t.${lower(to)}_at)`)
    .join(", ");
  return {
    table,
    unit: "samples",
    sql: `
WITH times AS (${stageTimesSql(tradesInChunk)}
), latencies AS (
  SELECT s.stage, s.later,
    greatest(0, round(extract(epoch FROM s.later - s.earlier) * 1000))::bigint AS ms
  FROM times t CROSS JOIN LATERAL (VALUES ${pairs}) AS s(stage, earlier, later)
  WHERE s.earlier IS NOT NULL AND s.later >= $1 AND s.later < $2
), expected AS (
  SELECT date_bin('${interval}', later, ${epoch}) AS bucket, stage,
    CASE WHEN ms < 1 THEN 0 ELSE ($3::int[])[width_bucket(ms, $4::bigint[])] END AS bin,
    count(*)::bigint AS n, sum(ms)::bigint AS sum_ms
  FROM latencies GROUP BY 1, 2, 3
), actual AS (
  SELECT bucket, stage, bin, sample_count AS n, latency_sum_ms AS sum_ms
  FROM ${table} WHERE bucket >= $1 AND bucket < $2
), compared AS (
  SELECT bucket, stage, bin, coalesce(e.n, 0) AS expected, coalesce(a.n, 0) AS actual,
    coalesce(e.sum_ms, 0) AS expected_sum_ms, coalesce(a.sum_ms, 0) AS actual_sum_ms
  FROM expected e FULL JOIN actual a USING (bucket, stage, bin)
)
SELECT count(*)::int AS checked, coalesce(max(abs(expected - actual)), 0)::bigint AS largest,
  coalesce(json_agg(json_build_object('bucket', bucket, 'stage', stage, 'bin', bin,
    'expected', expected, 'actual', actual, 'expected_sum_ms', expected_sum_ms,
    'actual_sum_ms', actual_sum_ms) ORDER BY bucket, stage, bin)
    FILTER (WHERE expected <> actual OR expected_sum_ms <> actual_sum_ms), '[]') AS drift
FROM compared`,
    params: [thresholds.bins, thresholds.mins],
  };
}

export const derivedChecks = {
  progress: progressCheck,
  countSecond: countCheck("rttm_stage_count_second", "1 second"),
  countMinute: countCheck("rttm_stage_count_minute", "1 minute"),
  histogramMinute: histogramCheck("rttm_latency_histogram_minute", "1 minute"),
  histogramHour: histogramCheck("rttm_latency_histogram_hour", "1 hour"),
} as const;

export type DerivedTable = keyof typeof derivedChecks;
