import type { PoolClient } from "pg";
import type { TradeEventRow } from "../domain/rows.js";
import { stages, type Stage } from "../domain/stages.js";
import {
  latencyChanges,
  countPerBucket,
  earliestPerStage,
  mergeStageTimes,
  sameStageTimes,
  sumHistogram,
  type HistogramDelta,
  type StageTimes,
} from "../arithmetic/index.js";
import { copyIntoStaging } from "./staging.js";
import { tradeEventsTable } from "./tables.js";

const lower = (stage: Stage) => stage.toLowerCase();

/**
 * A batch of trade events costs three statements and one COPY, whatever its size:
 *  1. the events, copied into a staging table (src/store/staging.ts) and moved from there in one
 *     INSERT … SELECT (see insertNewEvents for duplicates: the derived data counts only the
 *     events this batch stored);
 *  2. the known progress of the batch's trades, read through the primary key;
 *  3. every derived row at once: progress, per-second and per-minute counts, per-minute and
 *     per-hour latency histograms, all aggregated in memory first, so each rollup row is written
 *     once per batch.
 * Stage latencies are not stored per trade: the view rttm_stage_latency derives them from
 * rttm_trade_progress.
 *
 * Every multi-row upsert takes its row locks in sorted order, so concurrent writers (other
 * shards, other replicas) wait for each other instead of deadlocking; a deadlock that still
 * happens is retried like any failed batch.
 */
const eventColumns = tradeEventsTable.columns.map((c) => c.name).join(", ");
const fromStaging = (staging: string) => `
  INSERT INTO ${tradeEventsTable.table} (${eventColumns}) SELECT ${eventColumns} FROM ${staging}`;
const insertIgnoringDuplicatesSql = (staging: string) => `
WITH ins AS (${fromStaging(staging)}
  ON CONFLICT (${tradeEventsTable.conflictTarget}) DO NOTHING
  RETURNING kafka_topic, kafka_partition, kafka_offset
)
SELECT CASE WHEN count(*) < $1
    THEN coalesce(array_agg(kafka_topic || '/' || kafka_partition || '/' || kafka_offset), '{}') END AS keys
FROM ins`;

const progressColumns = stages.flatMap((s) => [`${lower(s)}_at`, `${lower(s)}_service`]);

const readProgressSql = `
SELECT trade_id, ${progressColumns.join(", ")} FROM rttm_trade_progress WHERE trade_id = ANY($1::uuid[])`;

const countRollup = (table: string, first: number) => `
  INSERT INTO ${table} AS t (bucket, stage, event_count)
  SELECT * FROM unnest($${first}::timestamptz[], $${first + 1}::text[], $${first + 2}::bigint[])
  ON CONFLICT (bucket, stage) DO UPDATE SET event_count = t.event_count + excluded.event_count`;

const histogramRollup = (table: string, first: number) => `
  INSERT INTO ${table} AS h (bucket, stage, bin, sample_count, latency_sum_ms)
  SELECT * FROM unnest($${first}::timestamptz[], $${first + 1}::text[], $${first + 2}::int[],
    $${first + 3}::bigint[], $${first + 4}::bigint[])
  ON CONFLICT (bucket, stage, bin) DO UPDATE SET
    sample_count = h.sample_count + excluded.sample_count,
    latency_sum_ms = h.latency_sum_ms + excluded.latency_sum_ms`;

// Parameters: $1 trade ids, then an (at, service) pair per stage; the rollups follow.
const progressUpsert = (() => {
  const arrays = stages
    .map((_, i) => `$${2 + 2 * i}::timestamptz[], $${3 + 2 * i}::text[]`)
    .join(", ");
  const merge = stages
    .map((s) => {
      const at = `${lower(s)}_at`;
      const service = `${lower(s)}_service`;
      return `${at} = least(p.${at}, excluded.${at}),
    ${service} = CASE WHEN p.${at} IS NULL OR excluded.${at} < p.${at} THEN coalesce(excluded.${service}, p.${service}) ELSE p.${service} END`;
    })
    .join(",\n    ");
  return `
  INSERT INTO rttm_trade_progress AS p (trade_id, ${progressColumns.join(", ")})
  SELECT * FROM unnest($1::uuid[], ${arrays})
  ON CONFLICT (trade_id) DO UPDATE SET
    ${merge}`;
})();

const firstRollupParam = 2 + 2 * stages.length;
const writeDerivedSql = `
WITH progress AS (${progressUpsert}
), per_second AS (${countRollup("rttm_stage_count_second", firstRollupParam)}
), per_minute AS (${countRollup("rttm_stage_count_minute", firstRollupParam + 3)}
), histogram_minute AS (${histogramRollup("rttm_latency_histogram_minute", firstRollupParam + 6)}
)${histogramRollup("rttm_latency_histogram_hour", firstRollupParam + 11)}`;

type ProgressRow = Record<string, Date | string | null> & { trade_id: string };

function stageTimes(row: ProgressRow): StageTimes {
  const times = {} as StageTimes;
  for (const stage of stages) {
    const at = row[`${lower(stage)}_at`] as Date | null;
    times[stage] = at
      ? { at, service: (row[`${lower(stage)}_service`] as string | null) ?? "" }
      : null;
  }
  return times;
}

const secondMs = 1000;
const minuteMs = 60_000;
const hourMs = 3_600_000;

export interface TradeWriteResult {
  /** Events stored by this batch (duplicates of stored ones excluded). */
  inserted: number;
  /** (trade, stage) latencies that were new or changed. */
  latencies: number;
}

export async function writeTradeEvents(
  client: PoolClient,
  rows: readonly TradeEventRow[],
): Promise<TradeWriteResult> {
  const stored = await insertNewEvents(client, rows);
  if (stored.length === 0) return { inserted: 0, latencies: 0 };

  const incoming = earliestPerStage(stored);
  const tradeIds = [...incoming.keys()].sort();
  const { rows: known } = await client.query<ProgressRow>(readProgressSql, [tradeIds]);
  const before = new Map(known.map((row) => [row.trade_id, stageTimes(row)]));

  const changed: Array<[string, StageTimes]> = [];
  const deltas: HistogramDelta[] = [];
  for (const tradeId of tradeIds) {
    const old = before.get(tradeId) ?? null;
    const after = mergeStageTimes(old, incoming.get(tradeId)!);
    if (sameStageTimes(old, after)) continue;
    changed.push([tradeId, after]);
    deltas.push(...latencyChanges(tradeId, old, after).histogram);
  }
  const perSecond = countPerBucket(stored, secondMs);
  const perMinute = countPerBucket(stored, minuteMs);
  const histMinute = sumHistogram(deltas, minuteMs);
  const histHour = sumHistogram(deltas, hourMs);
  await client.query(writeDerivedSql, [
    changed.map(([id]) => id),
    ...stages.flatMap((stage) => [
      changed.map(([, t]) => t[stage]?.at.toISOString() ?? null),
      changed.map(([, t]) => t[stage]?.service ?? null),
    ]),
    ...[perSecond, perMinute].flatMap((counts) => [
      counts.map((c) => c.bucket.toISOString()),
      counts.map((c) => c.stage),
      counts.map((c) => c.count),
    ]),
    ...[histMinute, histHour].flatMap((hist) => [
      hist.map((h) => h.bucket.toISOString()),
      hist.map((h) => h.stage),
      hist.map((h) => h.bin),
      hist.map((h) => h.count),
      hist.map((h) => h.sumMs),
    ]),
  ]);
  return {
    inserted: stored.length,
    latencies: deltas.filter((d) => d.count > 0).length,
  };
}

/**
 * Inserts the batch's events and returns those that were new. Almost every batch is all new, so
 * the plain INSERT is tried first, under a savepoint: it checks the unique index once per row
 * where ON CONFLICT checks it before inserting and again while inserting. Only when it meets a
 * duplicate (a redelivery) is it undone and the batch inserted ignoring duplicates.
 */
async function insertNewEvents(
  client: PoolClient,
  rows: readonly TradeEventRow[],
): Promise<readonly TradeEventRow[]> {
  const staging = await copyIntoStaging(client, tradeEventsTable, rows);
  try {
    await client.query(
      `SAVEPOINT new_events; ${fromStaging(staging)}; RELEASE SAVEPOINT new_events`,
    );
    return rows;
  } catch (err) {
    if ((err as { code?: string }).code !== uniqueViolation) throw err;
    await client.query("ROLLBACK TO SAVEPOINT new_events");
  }
  const {
    rows: [result],
  } = await client.query<{ keys: string[] | null }>(insertIgnoringDuplicatesSql(staging), [
    rows.length,
  ]);
  return result!.keys ? onlyKeys(rows, new Set(result!.keys)) : rows;
}

const uniqueViolation = "23505";

function onlyKeys(rows: readonly TradeEventRow[], keys: Set<string>): TradeEventRow[] {
  return rows.filter((r) => keys.has(`${r.kafkaTopic}/${r.kafkaPartition}/${r.kafkaOffset}`));
}
