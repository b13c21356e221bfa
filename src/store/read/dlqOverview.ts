import type { Pool } from "pg";
import { stages, type Stage } from "../../domain/stages.js";
import { trailingWindowArgs } from "./args.js";
import { toNumber } from "./values.js";
import { trailingWindow } from "./window.js";

export interface DlqOverviewArgs {
  now: Date;
  /** Default 86,400 s (24 h). */
  windowSeconds?: number;
}

export interface DlqStageCount {
  stage: Stage;
  count: number;
}

export interface DlqOverview {
  asOf: Date;
  windowSeconds: number;
  /** DLQ events with event_time in (now − windowSeconds, now]. */
  total: number;
  /** All four stages in pipeline order, 0 included; with unknownStage sums to total. */
  byStage: DlqStageCount[];
  /** DLQ events of the window sent without a stage (counted in total, in no stage). */
  unknownStage: number;
  /** event_time of the most recent DLQ event at or before now, whatever the window; null if none. */
  lastEventTime: Date | null;
}

// One pass over the window's rows (idx_dlq_time), plus one backward step on the same index.
const overviewSql = `
SELECT
  (SELECT coalesce(json_object_agg(stage, n), '{}'::json) FROM (
     SELECT coalesce(event_stage, '') AS stage, count(*) AS n FROM rttm_dlq_events
     WHERE event_time >= $1::timestamptz AND event_time < $2::timestamptz GROUP BY 1) AS s) AS by_stage,
  (SELECT max(event_time) FROM rttm_dlq_events WHERE event_time < $2::timestamptz) AS last_event_time`;

export async function dlqOverview(db: Pool, args: DlqOverviewArgs): Promise<DlqOverview> {
  const { now, window } = trailingWindowArgs(args);
  const range = trailingWindow(now, window);
  const { rows } = await db.query<{
    by_stage: Record<string, unknown>;
    last_event_time: Date | null;
  }>(overviewSql, [new Date(range.fromMs).toISOString(), new Date(range.toMs).toISOString()]);
  const counted = rows[0]?.by_stage ?? {};
  const byStage = stages.map((stage) => ({ stage, count: toNumber(counted[stage] ?? 0) }));
  return {
    asOf: now,
    windowSeconds: window,
    total: Object.values(counted).reduce((sum: number, n) => sum + toNumber(n), 0),
    byStage,
    // The query's key for a stage-less event: '' (json_object_agg refuses a null key).
    unknownStage: toNumber(counted[""] ?? 0),
    lastEventTime: rows[0]?.last_event_time ?? null,
  };
}
