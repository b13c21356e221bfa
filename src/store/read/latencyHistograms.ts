import type { Pool } from "pg";
import { quantileFromHistogram, type HistogramBin } from "../../arithmetic/index.js";
import type { LatencyStage } from "../../domain/stages.js";
import { toNumber } from "./values.js";
import { ceilTo, floorTo, hourMs, minuteMs, trailingWindow } from "./window.js";

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

// Whole hours [$3, $4) from the hour rollup; the minutes before and after them from the minute one.
const histogramSql = `
SELECT stage, bin, sum(n)::float8 AS n, sum(total)::float8 AS total FROM (
  SELECT stage, bin, sample_count AS n, latency_sum_ms AS total FROM rttm_latency_histogram_minute
  WHERE stage = ANY($1::text[]) AND bucket >= $2::timestamptz AND bucket < $3::timestamptz
  UNION ALL
  SELECT stage, bin, sample_count, latency_sum_ms FROM rttm_latency_histogram_hour
  WHERE stage = ANY($1::text[]) AND bucket >= $3::timestamptz AND bucket < $4::timestamptz
  UNION ALL
  SELECT stage, bin, sample_count, latency_sum_ms FROM rttm_latency_histogram_minute
  WHERE stage = ANY($1::text[]) AND bucket >= $4::timestamptz AND bucket < $5::timestamptz
) buckets
GROUP BY stage, bin`;

/**
 * Reads the latency histograms over the minute buckets overlapping the window (now − seconds, now]:
 * whole hours from rttm_latency_histogram_hour, the minutes around them from the minute rollup.
 */
export async function readLatencyHistograms(
  db: Pool,
  now: Date,
  seconds: number,
  stages: readonly LatencyStage[],
): Promise<LatencyHistograms> {
  const range = trailingWindow(now, seconds);
  const latencyWindowStart = new Date(floorTo(range.fromMs, minuteMs));
  const byStage = new Map<LatencyStage, LatencyHistogram>(
    stages.map((s) => [s, { samples: 0, sumMs: 0, bins: [] }]),
  );
  // Whole hours inside [start, end): read from the hour rollup; none when the window holds no whole hour.
  const startMs = latencyWindowStart.getTime();
  const hoursFrom = Math.min(ceilTo(startMs, hourMs), range.toMs);
  const hoursTo = Math.max(hoursFrom, floorTo(range.toMs, hourMs));
  const { rows } = await db.query<{ stage: LatencyStage; bin: number; n: unknown; total: unknown }>(
    histogramSql,
    [
      stages,
      latencyWindowStart.toISOString(),
      new Date(hoursFrom).toISOString(),
      new Date(hoursTo).toISOString(),
      new Date(range.toMs).toISOString(),
    ],
  );
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
