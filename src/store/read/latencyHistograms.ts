import type { Pool } from "pg";
import { quantileFromHistogram, type HistogramBin } from "../../metrics/latencyHistogram.js";
import type { LatencyStage } from "../../metrics/stageLatency.js";
import { toNumber } from "./values.js";
import { floorTo, minuteMs, trailingWindow } from "./window.js";

export type { LatencyStage };

/** The latency stages in report order: each stage from its predecessor, then end to end. */
export const latencyStages = ["VALIDATED", "ENRICHED", "COMMITTED", "END_TO_END"] as const satisfies readonly LatencyStage[];

/** One stage's latency histogram merged over a window. */
export interface LatencyHistogram {
  samples: number;
  sumMs: number;
  bins: HistogramBin[];
}

export interface LatencyHistograms {
  /**
   * Where the latency window starts. Latency histograms are kept per minute, so a window reads
   * every minute bucket that overlaps it: the start is rounded down to its minute (at most 59.999 s
   * earlier than now − window); the current minute is read as far as it has got.
   */
  latencyWindowStart: Date;
  byStage: Map<LatencyStage, LatencyHistogram>;
}

const histogramSql = `
SELECT stage, bin, sum(sample_count)::float8 AS n, sum(latency_sum_ms)::float8 AS total
FROM rttm_latency_histogram_minute
WHERE stage = ANY($1::text[]) AND bucket >= $2::timestamptz AND bucket < $3::timestamptz
GROUP BY stage, bin`;

/** Reads rttm_latency_histogram_minute over the minute buckets overlapping the window (now − seconds, now]. */
export async function readLatencyHistograms(db: Pool, now: Date, seconds: number, stages: readonly LatencyStage[]): Promise<LatencyHistograms> {
  const range = trailingWindow(now, seconds);
  const latencyWindowStart = new Date(floorTo(range.fromMs, minuteMs));
  const byStage = new Map<LatencyStage, LatencyHistogram>(stages.map((s) => [s, { samples: 0, sumMs: 0, bins: [] }]));
  const { rows } = await db.query<{ stage: LatencyStage; bin: number; n: unknown; total: unknown }>(histogramSql, [
    stages,
    latencyWindowStart.toISOString(),
    new Date(range.toMs).toISOString(),
  ]);
  for (const row of rows) {
    const histogram = byStage.get(row.stage);
    if (!histogram) continue;
    const count = toNumber(row.n);
    histogram.samples += count;
    histogram.sumMs += toNumber(row.total);
    histogram.bins.push({ bin: row.bin, count });
  }
  return { latencyWindowStart, byStage };
}

/** The exact mean (sum / count); null without samples. */
export function meanMs(histogram: LatencyHistogram | undefined): number | null {
  return histogram && histogram.samples > 0 ? histogram.sumMs / histogram.samples : null;
}

export function quantileMs(histogram: LatencyHistogram | undefined, q: number): number | null {
  return histogram && histogram.samples > 0 ? quantileFromHistogram(histogram.bins, q) : null;
}
