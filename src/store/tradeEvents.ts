import type { PoolClient } from "pg";
import type { TradeEventRow } from "../domain/rows.js";
import { stages, type Stage } from "../domain/stages.js";
import {
  latencyChanges,
  type HistogramDelta,
  type StageLatency,
  type StageTimes,
} from "../metrics/stageLatency.js";
import { columnArrays, unnestSelect } from "./columns.js";
import { tradeEventsTable } from "./tables.js";

const lower = (stage: Stage) => stage.toLowerCase();

/**
 * Every multi-row upsert below takes its row locks in sorted order, so concurrent writers (other
 * shards, other replicas) wait for each other instead of deadlocking; a deadlock that still
 * happens is retried like any failed batch.
 *
 * Inserts trade events and, from the rows actually inserted (a redelivered record inserts
 * nothing), in the same statement: per-second and per-minute counts per stage, and each touched
 * trade's earliest time per stage. Returns each touched trade's stage times before and after.
 */
const insertTradeEventsSql = (() => {
  const names = tradeEventsTable.columns.map((c) => c.name).join(", ");
  const countRollup = (table: string, unit: string) => `
  INSERT INTO ${table} (bucket, stage, event_count)
  SELECT date_trunc('${unit}', event_time), event_stage, count(*) FROM ins GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (bucket, stage) DO UPDATE SET event_count = ${table}.event_count + excluded.event_count`;
  const perStage = stages
    .map(
      (s) =>
        `min(at) FILTER (WHERE event_stage = '${s}') AS ${lower(s)}_at, min(service) FILTER (WHERE event_stage = '${s}') AS ${lower(s)}_service`,
    )
    .join(",\n    ");
  const progressColumns = stages.map((s) => `${lower(s)}_at, ${lower(s)}_service`).join(", ");
  const merge = stages
    .map((s) => {
      const at = `${lower(s)}_at`;
      const service = `${lower(s)}_service`;
      return `${at} = least(p.${at}, excluded.${at}),
    ${service} = CASE WHEN p.${at} IS NULL OR excluded.${at} < p.${at} THEN coalesce(excluded.${service}, p.${service}) ELSE p.${service} END`;
    })
    .join(",\n    ");
  const oldColumns = stages
    .map(
      (s) =>
        `old.${lower(s)}_at AS old_${lower(s)}_at, old.${lower(s)}_service AS old_${lower(s)}_service`,
    )
    .join(", ");
  return `
WITH ins AS (
  INSERT INTO ${tradeEventsTable.table} (${names}) ${unnestSelect(tradeEventsTable)}
  ON CONFLICT (${tradeEventsTable.conflictTarget}) DO NOTHING
  RETURNING trade_id, service_name, event_stage, event_time
), per_second AS (${countRollup("rttm_stage_count_second", "second")}
), per_minute AS (${countRollup("rttm_stage_count_minute", "minute")}
), firsts AS (
  SELECT DISTINCT ON (trade_id, event_stage) trade_id, event_stage, event_time AS at, service_name AS service
  FROM ins ORDER BY trade_id, event_stage, event_time, service_name
), incoming AS (
  SELECT trade_id,
    ${perStage}
  FROM firsts GROUP BY trade_id
), old AS (
  SELECT p.* FROM rttm_trade_progress p JOIN incoming USING (trade_id)
), merged AS (
  INSERT INTO rttm_trade_progress AS p (trade_id, ${progressColumns}, updated_at)
  SELECT trade_id, ${progressColumns}, now() FROM incoming ORDER BY trade_id
  ON CONFLICT (trade_id) DO UPDATE SET
    ${merge},
    updated_at = now()
  RETURNING p.*
)
SELECT merged.*, ${oldColumns}
FROM merged LEFT JOIN old USING (trade_id)`;
})();

type ProgressRow = Record<string, Date | string | null> & { trade_id: string };

function stageTimes(row: ProgressRow, prefix: string): StageTimes | null {
  let any = false;
  const times = {} as StageTimes;
  for (const stage of stages) {
    const at = row[`${prefix}${lower(stage)}_at`] as Date | null;
    const service = row[`${prefix}${lower(stage)}_service`] as string | null;
    times[stage] = at ? { at, service: service ?? "" } : null;
    any ||= at !== null;
  }
  return any ? times : null;
}

const upsertLatencySql = `
WITH latencies AS (
  INSERT INTO rttm_stage_latency AS l (trade_id, service_name, stage_name, latency_ms, event_time)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[]) ORDER BY 1, 3
  ON CONFLICT (trade_id, stage_name) DO UPDATE SET
    service_name = excluded.service_name, latency_ms = excluded.latency_ms,
    event_time = excluded.event_time, updated_at = now()
), deltas AS (
  SELECT * FROM unnest($6::timestamptz[], $7::text[], $8::int[], $9::bigint[], $10::bigint[]) AS d(bucket, stage, bin, n, total)
), per_minute AS (
  INSERT INTO rttm_latency_histogram_minute AS h (bucket, stage, bin, sample_count, latency_sum_ms)
  SELECT bucket, stage, bin, sum(n), sum(total) FROM deltas
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (bucket, stage, bin) DO UPDATE SET
    sample_count = h.sample_count + excluded.sample_count,
    latency_sum_ms = h.latency_sum_ms + excluded.latency_sum_ms
)
INSERT INTO rttm_latency_histogram_hour AS h (bucket, stage, bin, sample_count, latency_sum_ms)
SELECT date_trunc('hour', bucket), stage, bin, sum(n), sum(total) FROM deltas
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
ON CONFLICT (bucket, stage, bin) DO UPDATE SET
  sample_count = h.sample_count + excluded.sample_count,
  latency_sum_ms = h.latency_sum_ms + excluded.latency_sum_ms`;

export interface TradeWriteResult {
  latencies: number;
}

export async function writeTradeEvents(
  client: PoolClient,
  rows: readonly TradeEventRow[],
): Promise<TradeWriteResult> {
  const { rows: progress } = await client.query<ProgressRow>(
    insertTradeEventsSql,
    columnArrays(tradeEventsTable, rows),
  );
  const upserts: StageLatency[] = [];
  const histogram: HistogramDelta[] = [];
  for (const row of progress) {
    const after = stageTimes(row, "");
    if (!after) continue;
    const change = latencyChanges(row.trade_id, stageTimes(row, "old_"), after);
    upserts.push(...change.upserts);
    histogram.push(...change.histogram);
  }
  if (upserts.length > 0) {
    await client.query(upsertLatencySql, [
      upserts.map((l) => l.tradeId),
      upserts.map((l) => l.serviceName),
      upserts.map((l) => l.stage),
      upserts.map((l) => l.latencyMs),
      upserts.map((l) => l.eventTime.toISOString()),
      histogram.map((h) => h.bucket.toISOString()),
      histogram.map((h) => h.stage),
      histogram.map((h) => h.bin),
      histogram.map((h) => h.count),
      histogram.map((h) => h.sumMs),
    ]);
  }
  return { latencies: upserts.length };
}
