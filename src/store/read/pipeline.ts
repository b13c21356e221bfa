import type { Pool } from "pg";
import { stages, type Stage } from "../../domain/stages.js";
import { trailingWindowArgs } from "./args.js";
import { meanMs, readLatencyHistograms } from "./latencyHistograms.js";
import { percentHalfUp } from "./percent.js";
import { stageTotals } from "./stageCounts.js";
import { trailingWindow } from "./window.js";

export interface PipelineArgs {
  now: Date;
  /** Default 86,400 s (24 h). */
  windowSeconds?: number;
}

export interface PipelineStage {
  stage: Stage;
  /** Trade events of this stage with event_time in (now − windowSeconds, now] (events, not distinct trades). */
  count: number;
  /** Exact mean latency from the previous stage over the latency window; null for RECEIVED and without samples. */
  avgLatencyMs: number | null;
  /** count / previous stage's count × 100, half-up to 2 decimals; 100 for RECEIVED; null when the previous count is 0. May exceed 100 (retries). */
  successRate: number | null;
}

export interface Pipeline {
  asOf: Date;
  windowSeconds: number;
  /** Where the latency window starts (rounded down to a whole minute, see latencyHistograms). */
  latencyWindowStart: Date;
  /** RECEIVED, VALIDATED, ENRICHED, COMMITTED, always in that order. */
  stages: PipelineStage[];
}

export async function pipeline(db: Pool, args: PipelineArgs): Promise<Pipeline> {
  const { now, window } = trailingWindowArgs(args);
  const [counts, latency] = await Promise.all([
    stageTotals(db, trailingWindow(now, window), stages),
    readLatencyHistograms(db, now, window, ["VALIDATED", "ENRICHED", "COMMITTED"]),
  ]);
  const result = stages.map((stage, i): PipelineStage => {
    const count = counts.get(stage) ?? 0;
    const previous = i === 0 ? null : stages[i - 1]!;
    return {
      stage,
      count,
      avgLatencyMs: stage === "RECEIVED" ? null : meanMs(latency.byStage.get(stage)),
      successRate: previous === null ? 100 : percentHalfUp(count, counts.get(previous) ?? 0),
    };
  });
  return {
    asOf: now,
    windowSeconds: window,
    latencyWindowStart: latency.latencyWindowStart,
    stages: result,
  };
}
