import type { Pool } from "pg";
import { windowSeconds, trailingWindowArgs } from "./args.js";
import { countInRange } from "./eventCounts.js";
import { meanMs, readLatencyHistograms } from "./latencyHistograms.js";
import { countStageEvents } from "./stageCounts.js";
import { secondMs, trailingWindow } from "./window.js";

export interface OverviewArgs {
  now: Date;
  /** Trailing window of Current TPS; default 5 s. */
  currentTpsWindowSeconds?: number;
  /** Window whose busiest second is Peak TPS; default 300 s. */
  peakTpsWindowSeconds?: number;
  /** Window of the latency, DLQ, invalid-trade and error figures; default 86,400 s (24 h). */
  windowSeconds?: number;
}

export interface Overview {
  /** The `now` every window ends at. */
  asOf: Date;
  /** RECEIVED events per second: the count in (now − currentTpsWindowSeconds, now] divided by its length. */
  currentTps: number;
  currentTpsWindowSeconds: number;
  /** The highest count of RECEIVED events in one calendar second within (now − peakTpsWindowSeconds, now]. */
  peakTps: number;
  peakTpsWindowSeconds: number;
  /** Exact mean end-to-end latency (COMMITTED − RECEIVED) over the window; null without samples. */
  avgEndToEndLatencyMs: number | null;
  /** Where the latency figure's window starts (rounded down to a whole minute, see latencyHistograms). */
  latencyWindowStart: Date;
  dlqCount: number;
  invalidTradeCount: number;
  errorCount: number;
  /** The window of avgEndToEndLatencyMs, dlqCount, invalidTradeCount and errorCount: (now − windowSeconds, now]. */
  windowSeconds: number;
}

/** The dashboard's headline numbers. Six small indexed queries; none reads more than its window. */
export async function overview(db: Pool, args: OverviewArgs): Promise<Overview> {
  const { now, window } = trailingWindowArgs(args);
  const currentTpsWindowSeconds = windowSeconds(
    "currentTpsWindowSeconds",
    args.currentTpsWindowSeconds,
    5,
  );
  const peakTpsWindowSeconds = windowSeconds(
    "peakTpsWindowSeconds",
    args.peakTpsWindowSeconds,
    300,
  );
  const range = trailingWindow(now, window);
  const [current, perSecond, latency, dlqCount, invalidTradeCount, errorCount] = await Promise.all([
    countStageEvents(db, {
      range: trailingWindow(now, currentTpsWindowSeconds),
      stages: ["RECEIVED"],
    }),
    countStageEvents(db, {
      range: trailingWindow(now, peakTpsWindowSeconds),
      stages: ["RECEIVED"],
      bucketMs: secondMs,
    }),
    readLatencyHistograms(db, now, window, ["END_TO_END"]),
    countInRange(db, "rttm_dlq_events", range),
    countInRange(db, "rttm_invalid_trades", range),
    countInRange(db, "rttm_error_events", range),
  ]);
  const received = current.reduce((sum, r) => sum + r.count, 0);
  return {
    asOf: now,
    currentTps: received / currentTpsWindowSeconds,
    currentTpsWindowSeconds,
    peakTps: perSecond.reduce((max, r) => Math.max(max, r.count), 0),
    peakTpsWindowSeconds,
    avgEndToEndLatencyMs: meanMs(latency.byStage.get("END_TO_END")),
    latencyWindowStart: latency.latencyWindowStart,
    dlqCount,
    invalidTradeCount,
    errorCount,
    windowSeconds: window,
  };
}
