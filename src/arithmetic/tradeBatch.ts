import { stages, type Stage } from "../domain/stages.js";
import type { HistogramDelta, StageTimes } from "./stageLatency.js";

/**
 * What one batch of newly stored trade events adds to the derived data, computed in memory so
 * each rollup row is written once per batch: counts per stage per time bucket, each trade's
 * earliest time per stage merged into its known progress, and histogram deltas summed per bucket.
 */
export interface StageEvent {
  tradeId: string;
  eventStage: string;
  eventTime: Date;
  serviceName: string;
}

export interface BucketCount {
  bucket: Date;
  stage: string;
  count: number;
}

function floorTo(date: Date, unitMs: number): number {
  return Math.floor(date.getTime() / unitMs) * unitMs;
}

/** Events per (bucket of `unitMs`, stage), sorted by bucket then stage (the lock order of the upsert). */
export function countPerBucket(events: Iterable<StageEvent>, unitMs: number): BucketCount[] {
  const counts = new Map<string, BucketCount>();
  for (const e of events) {
    const bucket = floorTo(e.eventTime, unitMs);
    const key = `${bucket}\u0000${e.eventStage}`;
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { bucket: new Date(bucket), stage: e.eventStage, count: 1 });
  }
  return [...counts.values()].sort(byBucketThenStage);
}

function byBucketThenStage(a: { bucket: Date; stage: string }, b: { bucket: Date; stage: string }) {
  return (
    a.bucket.getTime() - b.bucket.getTime() || (a.stage < b.stage ? -1 : a.stage > b.stage ? 1 : 0)
  );
}

export function emptyStageTimes(): StageTimes {
  return Object.fromEntries(stages.map((s) => [s, null])) as StageTimes;
}

/** Is `candidate` earlier than `current`? Ties go to the smaller service name, as the SQL did. */
function isEarlier(
  candidate: { at: Date; service: string },
  current: { at: Date; service: string } | null,
): boolean {
  if (!current) return true;
  const dt = candidate.at.getTime() - current.at.getTime();
  return dt < 0 || (dt === 0 && candidate.service < current.service);
}

/** Each trade's earliest event (time, then service name) per stage among `events`. */
export function earliestPerStage(events: Iterable<StageEvent>): Map<string, StageTimes> {
  const byTrade = new Map<string, StageTimes>();
  for (const e of events) {
    let times = byTrade.get(e.tradeId);
    if (!times) byTrade.set(e.tradeId, (times = emptyStageTimes()));
    const seen = { at: e.eventTime, service: e.serviceName };
    const stage = e.eventStage as Stage;
    if (isEarlier(seen, times[stage])) times[stage] = seen;
  }
  return byTrade;
}

/**
 * A trade's known stage times merged with a batch's: the earlier event per stage, by time then
 * service name, as within a batch (earliestPerStage). Progress is then a function of the stored
 * events alone, whatever order and batches they came in: what `npm run verify` recomputes.
 */
export function mergeStageTimes(known: StageTimes | null, incoming: StageTimes): StageTimes {
  const merged = emptyStageTimes();
  for (const stage of stages) {
    const old = known?.[stage] ?? null;
    const now = incoming[stage];
    merged[stage] = now && isEarlier(now, old) ? now : old;
  }
  return merged;
}

export function sameStageTimes(a: StageTimes | null, b: StageTimes): boolean {
  return stages.every((stage) => {
    const x = a?.[stage] ?? null;
    const y = b[stage];
    return x === y || (!!x && !!y && x.at.getTime() === y.at.getTime() && x.service === y.service);
  });
}

/** Histogram deltas summed per (bucket of `unitMs`, stage, bin); entries that cancel out are dropped. */
export function sumHistogram(deltas: Iterable<HistogramDelta>, unitMs: number): HistogramDelta[] {
  const sums = new Map<string, HistogramDelta>();
  for (const d of deltas) {
    const bucket = floorTo(d.bucket, unitMs);
    const key = `${bucket}\u0000${d.stage}\u0000${d.bin}`;
    const entry = sums.get(key);
    if (entry) {
      entry.count += d.count;
      entry.sumMs += d.sumMs;
    } else sums.set(key, { ...d, bucket: new Date(bucket) });
  }
  return [...sums.values()]
    .filter((d) => d.count !== 0 || d.sumMs !== 0)
    .sort((a, b) => byBucketThenStage(a, b) || a.bin - b.bin);
}
