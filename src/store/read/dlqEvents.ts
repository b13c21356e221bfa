import type { Pool } from "pg";
import type { Stage } from "../../domain/stages.js";
import { optionalStage, optionalText } from "./args.js";
import { decodeCursor, PageQuery, pageSize, toPage, type Page, type PageArgs } from "./page.js";
import { applyTimeFilter, type TimeFilter } from "./timeFilter.js";
import { toBigInt } from "./values.js";

export interface DlqEventsArgs extends PageArgs, TimeFilter {
  stage?: string | null;
  service?: string | null;
}

export interface DlqEventNode {
  /** Row id (bigint as text). */
  id: string;
  tradeId: string | null;
  serviceName: string;
  topicName: string;
  originalTopic: string;
  reason: string;
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
  topic_name: string;
  original_topic: string;
  reason: string;
  event_stage: Stage;
  event_time: Date;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: string;
}

/**
 * DLQ events, newest first. Indexes: idx_dlq_time; with a stage filter idx_dlq_stage_time; with a
 * service filter idx_dlq_service_time (stage and service together: the planner picks one of them).
 */
export async function dlqEvents(db: Pool, args: DlqEventsArgs): Promise<Page<DlqEventNode>> {
  const first = pageSize(args.first);
  const after = decodeCursor("dlq", args.after);
  const q = new PageQuery();
  const stage = optionalStage("stage", args.stage);
  const service = optionalText("service", args.service, 128);
  if (stage) q.where(`event_stage = ${q.param(stage)}`);
  if (service !== null) q.where(`service_name = ${q.param(service)}`);
  applyTimeFilter(q, "event_time", args);
  const sql = q.sql(
    "id::text AS id, trade_id::text AS trade_id, service_name, topic_name, original_topic, reason, event_stage, event_time, kafka_topic, kafka_partition, kafka_offset::text AS kafka_offset",
    "rttm_dlq_events",
    "event_time",
    after,
    first + 1,
  );
  const { rows } = await db.query<Row>(sql, q.params);
  return toPage(
    "dlq",
    rows,
    first,
    (r) => ({ timeMs: r.event_time.getTime(), id: r.id }),
    (r) => ({
      id: r.id,
      tradeId: r.trade_id,
      serviceName: r.service_name,
      topicName: r.topic_name,
      originalTopic: r.original_topic,
      reason: r.reason,
      stage: r.event_stage,
      eventTime: r.event_time,
      kafkaTopic: r.kafka_topic,
      kafkaPartition: r.kafka_partition,
      kafkaOffset: toBigInt(r.kafka_offset),
    }),
  );
}
