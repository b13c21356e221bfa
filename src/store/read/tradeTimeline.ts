import type { Pool } from "pg";
import { isUuid } from "../../domain/uuid.js";
import { stages, type Stage } from "../../domain/stages.js";
import { InvalidInputError } from "./errors.js";
import { toNullableNumber } from "./values.js";

export interface TradeTimelineArgs {
  /** Any id up to 128 characters: invalid trades keep ids that are not UUIDs. */
  tradeId: string;
}

export type TimelineSource = "TRADE_EVENT" | "DLQ" | "ERROR" | "INVALID";

/** Ties on time are ordered by source in this order, then by row id. */
export const timelineSources: readonly TimelineSource[] = [
  "TRADE_EVENT",
  "DLQ",
  "ERROR",
  "INVALID",
];

export interface TimelineEntry {
  source: TimelineSource;
  /** Row id in the source's table (bigint as text; unique only together with source). */
  id: string;
  time: Date;
  /** Null for INVALID (the validation service's report names no service). */
  serviceName: string | null;
  /**
   * The stage reported; INVALID entries are VALIDATED (the trade failed validation); null for an
   * error or DLQ event sent without a stage.
   */
  stage: string | null;
  /** TRADE_EVENT: event_type; otherwise null. */
  eventType: string | null;
  /** TRADE_EVENT: event_status; otherwise null. */
  status: string | null;
  /** ERROR: error_type; otherwise null. */
  errorType: string | null;
  /** TRADE_EVENT: message; DLQ: reason; ERROR: error_message; INVALID: validation_errors. */
  message: string;
}

export interface TimelineStage {
  stage: Stage;
  /** Earliest event of the stage; null if not reached. */
  reachedAt: Date | null;
  serviceName: string | null;
  /** From the previous stage's earliest event; null for RECEIVED or when either side is missing. */
  latencyFromPreviousMs: number | null;
}

export interface TradeTimeline {
  tradeId: string;
  /** Ordered by time, then source (TRADE_EVENT, DLQ, ERROR, INVALID), then id; at most maxTimelineEntries. */
  entries: TimelineEntry[];
  /** True when the trade has more entries than maxTimelineEntries (the earliest are kept). */
  truncated: boolean;
  /** RECEIVED, VALIDATED, ENRICHED, COMMITTED; all null unless tradeId is a UUID with progress. */
  stages: TimelineStage[];
  /** COMMITTED − RECEIVED; null until both are known. */
  endToEndMs: number | null;
}

export const maxTimelineEntries = 1_000;
const maxTradeIdLength = 128;

/**
 * Each branch reads one trade through its trade-id index. $1 is the trade id as a uuid (null when
 * it is not one, so the uuid tables are not asked), $2 the spellings to match in the text column
 * of invalid trades, $3 the per-branch limit.
 */
const timelineSql = `
SELECT * FROM (
  (SELECT 'TRADE_EVENT' AS source, 0 AS rank, id, event_time AS time, service_name, event_stage AS stage,
      event_type, event_status AS status, NULL::text AS error_type, message
    FROM rttm_trade_events WHERE trade_id = $1::uuid ORDER BY event_time, id LIMIT $3)
  UNION ALL
  (SELECT 'DLQ', 1, id, event_time, service_name, event_stage, NULL, NULL, NULL, reason
    FROM rttm_dlq_events WHERE trade_id = $1::uuid ORDER BY event_time, id LIMIT $3)
  UNION ALL
  (SELECT 'ERROR', 2, id, event_time, service_name, event_stage, NULL, NULL, error_type, error_message
    FROM rttm_error_events WHERE trade_id = $1::uuid ORDER BY event_time, id LIMIT $3)
  UNION ALL
  (SELECT 'INVALID', 3, id, event_time, NULL, 'VALIDATED', NULL, NULL, NULL, validation_errors
    FROM rttm_invalid_trades WHERE trade_id = ANY($2::text[]) ORDER BY event_time, id LIMIT $3)
) AS entries
ORDER BY time, rank, id
LIMIT $3`;

const progressSql = `
SELECT p.*, (SELECT json_object_agg(l.stage_name, l.latency_ms) FROM rttm_stage_latency l WHERE l.trade_id = p.trade_id) AS latencies
FROM rttm_trade_progress p WHERE p.trade_id = $1::uuid`;

interface EntryRow {
  source: TimelineSource;
  id: unknown;
  time: Date;
  service_name: string | null;
  stage: string | null;
  event_type: string | null;
  status: string | null;
  error_type: string | null;
  message: string;
}

type ProgressRow = Record<string, unknown> & { latencies: Record<string, unknown> | null };

/**
 * Everything RTTM knows about one trade: its events, DLQ and error events and invalid-trade
 * reports on one time line, and the per-stage summary from rttm_trade_progress and
 * rttm_stage_latency. Validating that a client passed a UUID is the caller's concern; this accepts
 * any id up to 128 characters and asks the uuid-keyed tables only when it is a UUID.
 */
export async function tradeTimeline(db: Pool, args: TradeTimelineArgs): Promise<TradeTimeline> {
  const tradeId = args.tradeId;
  if (typeof tradeId !== "string" || tradeId.length > maxTradeIdLength) {
    throw new InvalidInputError(
      "tradeId",
      `tradeId must be a string of at most ${maxTradeIdLength} characters`,
    );
  }
  const uuid = isUuid(tradeId) ? tradeId.toLowerCase() : null;
  // Invalid trades keep the id as sent: match a UUID in the common spellings (as given, lower, upper case).
  const spellings = [...new Set(uuid ? [tradeId, uuid, uuid.toUpperCase()] : [tradeId])];
  const [entries, progress] = await Promise.all([
    db.query<EntryRow>(timelineSql, [uuid, spellings, maxTimelineEntries + 1]),
    uuid
      ? db.query<ProgressRow>(progressSql, [uuid])
      : Promise.resolve({ rows: [] as ProgressRow[] }),
  ]);
  const row = progress.rows[0];
  const latencies = row?.latencies ?? {};
  return {
    tradeId,
    entries: entries.rows.slice(0, maxTimelineEntries).map((r) => ({
      source: r.source,
      id: String(r.id),
      time: r.time,
      serviceName: r.service_name,
      stage: r.stage,
      eventType: r.event_type,
      status: r.status,
      errorType: r.error_type,
      message: r.message,
    })),
    truncated: entries.rows.length > maxTimelineEntries,
    stages: stages.map((stage, i) => {
      const name = stage.toLowerCase();
      return {
        stage,
        reachedAt: (row?.[`${name}_at`] as Date | null | undefined) ?? null,
        serviceName: (row?.[`${name}_service`] as string | null | undefined) ?? null,
        latencyFromPreviousMs: i === 0 ? null : toNullableNumber(latencies[stage]),
      };
    }),
    endToEndMs: toNullableNumber(latencies.END_TO_END),
  };
}
