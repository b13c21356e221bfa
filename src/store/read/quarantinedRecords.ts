import type { Pool } from "pg";
import { optionalText } from "./args.js";
import { decodeCursor, PageQuery, pageSize, toPage, type Page, type PageArgs } from "./page.js";
import { toBigInt } from "./values.js";

export interface QuarantinedRecordsArgs extends PageArgs {
  /** framing, decode, schema or validation. */
  errorKind?: string | null;
  /** The Kafka topic the record came from. */
  topic?: string | null;
}

/** A Kafka record that could not be decoded or failed validation, kept whole with the reason. */
export interface QuarantinedRecordNode {
  /** Row id (bigint as text). */
  id: string;
  kafkaTopic: string;
  kafkaPartition: number;
  kafkaOffset: bigint;
  kafkaTimestamp: Date | null;
  messageKey: Buffer | null;
  rawValue: Buffer | null;
  errorKind: string;
  reason: string;
  /** When RTTM quarantined it; the list's sort key. */
  createdAt: Date;
}

interface Row {
  id: string;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: string;
  kafka_timestamp: Date | null;
  message_key: Buffer | null;
  raw_value: Buffer | null;
  error_kind: string;
  reason: string;
  created_at: Date;
}

/**
 * Quarantined records, newest first by (created_at, id). Indexes: idx_quarantine_created; with an
 * errorKind filter idx_quarantine_kind_created; with a topic filter idx_quarantine_topic_created.
 */
export async function quarantinedRecords(
  db: Pool,
  args: QuarantinedRecordsArgs,
): Promise<Page<QuarantinedRecordNode>> {
  const first = pageSize(args.first);
  const after = decodeCursor("quarantine", args.after);
  const q = new PageQuery();
  const errorKind = optionalText("errorKind", args.errorKind, 64);
  const topic = optionalText("topic", args.topic, 249);
  if (errorKind !== null) q.where(`error_kind = ${q.param(errorKind)}`);
  if (topic !== null) q.where(`kafka_topic = ${q.param(topic)}`);
  const sql = q.sql(
    "id::text AS id, kafka_topic, kafka_partition, kafka_offset::text AS kafka_offset, kafka_timestamp, message_key, raw_value, error_kind, reason, created_at",
    "rttm_quarantine",
    "created_at",
    after,
    first + 1,
  );
  const { rows } = await db.query<Row>(sql, q.params);
  return toPage(
    "quarantine",
    rows,
    first,
    (r) => ({ timeMs: r.created_at.getTime(), id: r.id }),
    (r) => ({
      id: r.id,
      kafkaTopic: r.kafka_topic,
      kafkaPartition: r.kafka_partition,
      kafkaOffset: toBigInt(r.kafka_offset),
      kafkaTimestamp: r.kafka_timestamp,
      messageKey: r.message_key,
      rawValue: r.raw_value,
      errorKind: r.error_kind,
      reason: r.reason,
      createdAt: r.created_at,
    }),
  );
}
