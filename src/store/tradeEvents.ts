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
 *  2. the progress of the batch's trades, locked (in trade id order) and read, or inserted for
 *     new trades: two transactions writing stages of one trade (two replicas, when producers do
 *     not key records by trade id) take turns, so each derives its latency samples from the
 *     other's committed progress and none is missed or taken back twice;
 *  3. every derived row at once: progress, per-second and per-minute counts, per-minute and
 *     per-hour latency histograms, all aggregated in memory first, so each rollup row is written
 *     once per batch.
 * Stage latencies are not stored per trade: the view rttm_stage_latency derives them from
 * rttm_trade_progress.
 *
 * Every statement takes its row locks in sorted order (events by Kafka coordinates, progress by
 * trade id, rollups by bucket, stage and bin), and every batch in that sequence, so concurrent
 * writers (other shards, other replicas) wait for each other instead of deadlocking; a deadlock
 * that still happens is retried like any failed batch.
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

const progressArrays = stages
  .map((_, i) => `$${2 + 2 * i}::timestamptz[], $${3 + 2 * i}::text[]`)
  .join(", ");

export const countRollup = (table: string, first: number) => `
  INSERT INTO ${table} AS t (bucket, stage, event_count)
  SELECT * FROM unnest($${first}::timestamptz[], $${first + 1}::text[], $${first + 2}::bigint[])
  ON CONFLICT (bucket, stage) DO UPDATE SET event_count = t.event_count + excluded.event_count`;

export const histogramRollup = (table: string, first: number) => `
  INSERT INTO ${table} AS h (bucket, stage, bin, sample_count, latency_sum_ms)
  SELECT * FROM unnest($${first}::timestamptz[], $${first + 1}::text[], $${first + 2}::int[],
    $${first + 3}::bigint[], $${first + 4}::bigint[])
  ON CONFLICT (bucket, stage, bin) DO UPDATE SET
    sample_count = h.sample_count + excluded.sample_count,
    latency_sum_ms = h.latency_sum_ms + excluded.latency_sum_ms`;

/**
 * Locks the progress rows of trade ids $1 (sorted: the lock order) before they are read, and
 * returns them; a trade without a row gets one, so it is locked too. With `values`, a new row is
 * inserted with the stage times of parameters $2… (the same as the upsert below) and reported as
 * `inserted`; without, it is inserted empty. An existing row is returned as it is (the no-op
 * update only takes its lock).
 */
export const lockProgressSql = (values: boolean) => `
  INSERT INTO rttm_trade_progress AS p (trade_id${values ? `, ${progressColumns.join(", ")}` : ""})
  SELECT * FROM unnest($1::uuid[]${values ? `, ${progressArrays}` : ""})
  ON CONFLICT (trade_id) DO UPDATE SET trade_id = p.trade_id
  RETURNING (xmax = 0) AS inserted, trade_id, ${progressColumns.join(", ")}`;

// Parameters: $1 trade ids, then an (at, service) pair per stage; the rollups follow. The rows
// were locked (lockProgressSql) and merged in memory, so they are set to the merged times.
const progressUpsert = (() => {
  const arrays = progressArrays;
  const set = progressColumns.map((c) => `${c} = excluded.${c}`).join(",\n    ");
  return `
  INSERT INTO rttm_trade_progress AS p (trade_id, ${progressColumns.join(", ")})
  SELECT * FROM unnest($1::uuid[], ${arrays})
  ON CONFLICT (trade_id) DO UPDATE SET
    ${set}`;
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
  const tradeIds = [...incoming.keys()]
    .filter((id) => stages.some((stage) => incoming.get(id)![stage]))
    .sort();
  const { rows: locked } = await client.query<ProgressRow & { inserted: boolean }>(
    lockProgressSql(true),
    [tradeIds, ...progressParams(tradeIds.map((id) => [id, incoming.get(id)!]))],
  );
  const changed: Array<[string, StageTimes]> = [];
  const deltas: HistogramDelta[] = [];
  for (const row of locked) {
    const tradeId = row.trade_id;
    // A new row already holds this batch's times; a known one is merged with them.
    const old = row.inserted ? null : stageTimes(row);
    const after = mergeStageTimes(old, incoming.get(tradeId)!);
    if (sameStageTimes(old, after)) continue;
    if (old) changed.push([tradeId, after]);
    deltas.push(...latencyChanges(tradeId, old, after).histogram);
  }
  const perSecond = countPerBucket(stored, secondMs);
  const perMinute = countPerBucket(stored, minuteMs);
  const histMinute = sumHistogram(deltas, minuteMs);
  const histHour = sumHistogram(deltas, hourMs);
  changed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  await client.query(writeDerivedSql, [
    changed.map(([id]) => id),
    ...progressParams(changed),
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

/** An (at, service) array pair per stage, for the trades in order. */
function progressParams(trades: ReadonlyArray<[string, StageTimes]>): unknown[] {
  return stages.flatMap((stage) => [
    trades.map(([, t]) => t[stage]?.at.toISOString() ?? null),
    trades.map(([, t]) => t[stage]?.service ?? null),
  ]);
}

/**
 * Inserts the batch's events (each record once, in key order: writeBatch) and returns those that
 * were new, so the derived data counts each stored event once. Almost every batch is all new, so
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
