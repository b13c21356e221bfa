import type { Pool } from "pg";
import { stages, type Stage } from "../../domain/stages.js";
import { optionalStage, trailingWindowArgs } from "./args.js";
import { InvalidInputError } from "./errors.js";
import { countStageEvents } from "./stageCounts.js";
import { ceilTo, floorTo, hourMs, minuteMs, secondMs, trailingWindow } from "./window.js";

/** Trend bucket sizes, finest first. */
export const granularities = ["SECOND", "MINUTE", "HOUR"] as const;
export type Granularity = (typeof granularities)[number];

export const granularityMs: Record<Granularity, number> = {
  SECOND: secondMs,
  MINUTE: minuteMs,
  HOUR: hourMs,
};

export const maxTrendBuckets = 10_000;

export interface ThroughputTrendArgs {
  now: Date;
  /** Default 86,400 s (24 h). */
  windowSeconds?: number;
  granularity: Granularity;
  /** One stage, or all stages when absent. */
  stage?: string | null;
}

export interface ThroughputBucket {
  /** Aligned to the granularity (UTC). */
  bucketStart: Date;
  /** Trade events in this bucket and inside the window (the first and last bucket are cut by the window's ends). */
  count: number;
  /** The length of the bucket inside the window, in seconds: the granularity, less at the window's ends. */
  seconds: number;
  /** count / seconds. */
  perSecond: number;
}

export interface ThroughputTrend {
  asOf: Date;
  windowSeconds: number;
  granularity: Granularity;
  /** The stage counted; null for all stages. */
  stage: Stage | null;
  /** Every bucket overlapping (now − windowSeconds, now] for a positive time, oldest first, zero-filled. */
  buckets: ThroughputBucket[];
}

/**
 * Trade events per bucket. Whole minutes come from the minute rollup (the second rollup for
 * SECOND), the window's edges exactly from finer rollups and raw rows (see stageCounts).
 */
export async function throughputTrend(
  db: Pool,
  args: ThroughputTrendArgs,
): Promise<ThroughputTrend> {
  const { now, window } = trailingWindowArgs(args);
  if (!(args.granularity in granularityMs))
    throw new InvalidInputError(
      "granularity",
      `granularity must be one of SECOND, MINUTE, HOUR, got ${JSON.stringify(args.granularity)}`,
    );
  const bucketMs = granularityMs[args.granularity];
  const stage = optionalStage("stage", args.stage);
  const range = trailingWindow(now, window);
  // The window is (now − w, now], i.e. the instants from range.fromMs up to now.
  const startMs = now.getTime() - window * 1000;
  const endMs = now.getTime();
  // Buckets that overlap the window for a positive time. When now falls exactly on a bucket
  // boundary, the bucket starting at now would cover no time and is not listed (an event stamped
  // exactly now then shows in the next call's trend).
  const firstBucket = floorTo(startMs, bucketMs);
  const lastBucket = ceilTo(endMs, bucketMs) - bucketMs;
  // The bound does not depend on where now falls, so a query that passes once always passes:
  // a window of w overlaps at most ceil(w / bucket) + 1 buckets.
  const mostBuckets = Math.ceil((window * 1000) / bucketMs) + 1;
  if (mostBuckets > maxTrendBuckets) {
    throw new InvalidInputError(
      "windowSeconds",
      `windowSeconds ${window} at granularity ${args.granularity} spans up to ${mostBuckets} buckets, at most ${maxTrendBuckets} allowed; use a coarser granularity or a shorter window`,
    );
  }
  const counts = new Map<number, number>();
  for (const row of await countStageEvents(db, {
    range,
    stages: stage ? [stage] : stages,
    bucketMs,
  })) {
    counts.set(row.bucketStartMs, (counts.get(row.bucketStartMs) ?? 0) + row.count);
  }
  const buckets: ThroughputBucket[] = [];
  for (let b = firstBucket; b <= lastBucket; b += bucketMs) {
    const count = counts.get(b) ?? 0;
    const seconds = (Math.min(b + bucketMs, endMs) - Math.max(b, startMs)) / 1000;
    buckets.push({
      bucketStart: new Date(b),
      count,
      seconds,
      perSecond: seconds > 0 ? count / seconds : 0,
    });
  }
  return { asOf: now, windowSeconds: window, granularity: args.granularity, stage, buckets };
}
