import type { Pool } from "pg";
import type { Stage } from "../../domain/stages.js";
import { optionalStage, optionalText } from "./args.js";
import { decodeCursor, PageQuery, pageSize, toPage, type Page, type PageArgs } from "./page.js";
import { applyTimeFilter, type TimeFilter } from "./timeFilter.js";
import { toBigInt } from "./values.js";

export interface ErrorEventsArgs extends PageArgs, TimeFilter {
  stage?: string | null;
  service?: string | null;
  errorType?: string | null;
}

export interface ErrorEventNode {
  /** Row id (bigint as text). */
  id: string;
  tradeId: string | null;
  serviceName: string;
  errorType: string;
  errorMessage: string;
  stage: Stage;
  eventTime: Date;
  kafkaTopic: string;
  kafkaPartition: number;
  kafkaOffset: bigint;
}

interface Row {
  id: string;
  trade_id: string | null;
  service_name: string;
  error_type: string;
  error_message: string;
  event_stage: Stage;
  event_time: Date;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: string;
}

/**
 * Error events, newest first. Indexes: idx_error_time; with a service filter
 * idx_error_service_time, with a stage filter idx_error_stage_time, with an errorType filter
 * idx_error_type_time.
 */
export async function errorEvents(db: Pool, args: ErrorEventsArgs): Promise<Page<ErrorEventNode>> {
  const first = pageSize(args.first);
  const after = decodeCursor("error", args.after);
  const q = new PageQuery();
  const stage = optionalStage("stage", args.stage);
  const service = optionalText("service", args.service, 128);
  const errorType = optionalText("errorType", args.errorType, 128);
  if (stage) q.where(`event_stage = ${q.param(stage)}`);
  if (service !== null) q.where(`service_name = ${q.param(service)}`);
  if (errorType !== null) q.where(`error_type = ${q.param(errorType)}`);
  applyTimeFilter(q, "event_time", args);
  const sql = q.sql(
    "id::text AS id, trade_id::text AS trade_id, service_name, error_type, error_message, event_stage, event_time, kafka_topic, kafka_partition, kafka_offset::text AS kafka_offset",
    "rttm_error_events",
    "event_time",
    after,
    first + 1,
  );
  const { rows } = await db.query<Row>(sql, q.params);
  return toPage(
    "error",
    rows,
    first,
    (r) => ({ timeMs: r.event_time.getTime(), id: r.id }),
    (r) => ({
      id: r.id,
      tradeId: r.trade_id,
      serviceName: r.service_name,
      errorType: r.error_type,
      errorMessage: r.error_message,
      stage: r.event_stage,
      eventTime: r.event_time,
      kafkaTopic: r.kafka_topic,
      kafkaPartition: r.kafka_partition,
      kafkaOffset: toBigInt(r.kafka_offset),
    }),
  );
}
