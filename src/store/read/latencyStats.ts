import type { Pool } from "pg";
import { trailingWindowArgs } from "./args.js";
import { latencyStages, type LatencyStage } from "../../domain/stages.js";
import { meanMs, quantileMs, readLatencyHistograms } from "./latencyHistograms.js";

export interface LatencyStatsArgs {
  now: Date;
  /** Default 86,400 s (24 h). */
  windowSeconds?: number;
}

export interface StageLatencyStats {
  /** VALIDATED, ENRICHED, COMMITTED: from the previous stage; END_TO_END: COMMITTED − RECEIVED. */
  stage: LatencyStage;
  samples: number;
  /** Exact mean (histogram sums / counts); null without samples. */
  avgMs: number | null;
  /** Percentiles from the log-linear histogram (within 4.4 % of the exact value); null without samples. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface LatencyStats {
  asOf: Date;
  windowSeconds: number;
  /** Where the latency window starts (rounded down to a whole minute, see latencyHistograms). */
  latencyWindowStart: Date;
  /** VALIDATED, ENRICHED, COMMITTED, END_TO_END, in that order. */
  stages: StageLatencyStats[];
}

/** One query over rttm_latency_histogram_minute: at most (window in minutes + 1) × bins rows per stage. */
export async function latencyStats(db: Pool, args: LatencyStatsArgs): Promise<LatencyStats> {
  const { now, window } = trailingWindowArgs(args);
  const { latencyWindowStart, byStage } = await readLatencyHistograms(
    db,
    now,
    window,
    latencyStages,
  );
  return {
    asOf: now,
    windowSeconds: window,
    latencyWindowStart,
    stages: latencyStages.map((stage) => {
      const histogram = byStage.get(stage);
      return {
        stage,
        samples: histogram?.samples ?? 0,
        avgMs: meanMs(histogram),
        p50Ms: quantileMs(histogram, 0.5),
        p95Ms: quantileMs(histogram, 0.95),
        p99Ms: quantileMs(histogram, 0.99),
      };
    }),
  };
}
