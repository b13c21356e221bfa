import { stages, type LatencyStage, type Stage } from "../domain/stages.js";
import { latencyBin } from "./latencyHistogram.js";

/** Earliest event time and its service per stage of one trade; null where the stage has not been seen. */
export type StageTimes = Record<Stage, { at: Date; service: string } | null>;

export interface StageLatency {
  tradeId: string;
  stage: LatencyStage;
  serviceName: string;
  latencyMs: number;
  /** The later event's time: where the latency sits on the time axis. */
  eventTime: Date;
}

/**
 * Latency of each stage from the previous stage (earliest events), plus END_TO_END (COMMITTED
 * minus RECEIVED). A pair with a missing side yields nothing. Negative gaps (clock skew between
 * services) count as 0.
 */
export function stageLatencies(tradeId: string, times: StageTimes): StageLatency[] {
  const pairs: Array<[Stage, Stage, LatencyStage]> = [];
  for (let i = 1; i < stages.length; i++)
    pairs.push([stages[i - 1]!, stages[i]!, stages[i] as LatencyStage]);
  pairs.push(["RECEIVED", "COMMITTED", "END_TO_END"]);
  const result: StageLatency[] = [];
  for (const [from, to, stage] of pairs) {
    const earlier = times[from];
    const later = times[to];
    if (!earlier || !later) continue;
    result.push({
      tradeId,
      stage,
      serviceName: later.service,
      latencyMs: Math.max(0, later.at.getTime() - earlier.at.getTime()),
      eventTime: later.at,
    });
  }
  return result;
}

export interface HistogramDelta {
  bucket: Date;
  stage: LatencyStage;
  bin: number;
  count: number;
  sumMs: number;
}

function minuteOf(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 60_000) * 60_000);
}

function sameLatency(a: StageLatency, b: StageLatency): boolean {
  return (
    a.latencyMs === b.latencyMs &&
    a.eventTime.getTime() === b.eventTime.getTime() &&
    a.serviceName === b.serviceName
  );
}

/**
 * What changes when a trade's stage times move from `before` to `after`: the latency rows to
 * upsert, and the per-minute histogram entries to add (+1) or take back (-1).
 */
export function latencyChanges(
  tradeId: string,
  before: StageTimes | null,
  after: StageTimes,
): { upserts: StageLatency[]; histogram: HistogramDelta[] } {
  const old = new Map((before ? stageLatencies(tradeId, before) : []).map((l) => [l.stage, l]));
  const upserts: StageLatency[] = [];
  const histogram: HistogramDelta[] = [];
  const entry = (l: StageLatency, sign: 1 | -1): HistogramDelta => ({
    bucket: minuteOf(l.eventTime),
    stage: l.stage,
    bin: latencyBin(l.latencyMs),
    count: sign,
    sumMs: sign * l.latencyMs,
  });
  for (const latency of stageLatencies(tradeId, after)) {
    const previous = old.get(latency.stage);
    if (previous && sameLatency(previous, latency)) continue;
    upserts.push(latency);
    if (previous) histogram.push(entry(previous, -1));
    histogram.push(entry(latency, 1));
  }
  return { upserts, histogram };
}
