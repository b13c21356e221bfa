import { textFilter } from "./args.js";
import {
  column,
  equals,
  idColumn,
  kafkaColumns,
  pagedList,
  type KafkaCoordinates,
} from "./list.js";
import type { PageArgs } from "./page.js";

export interface QuarantinedRecordsArgs extends PageArgs {
  /** framing, decode, schema or validation. */
  errorKind?: string | null;
  /** The Kafka topic the record came from. */
  topic?: string | null;
}

/** A Kafka record that could not be decoded or failed validation, kept whole with the reason. */
export interface QuarantinedRecordNode extends KafkaCoordinates {
  /** Row id (bigint as text). */
  id: string;
  kafkaTimestamp: Date | null;
  messageKey: Buffer | null;
  rawValue: Buffer | null;
  errorKind: string;
  reason: string;
  /** When RTTM quarantined it; the list's sort key. */
  createdAt: Date;
}

/**
 * Quarantined records, newest first by (created_at, id). Indexes: idx_quarantine_created; with an
 * errorKind filter idx_quarantine_kind_created; with a topic filter idx_quarantine_topic_created.
 */
export const quarantinedRecords = pagedList<QuarantinedRecordNode, QuarantinedRecordsArgs>({
  cursor: "quarantine",
  table: "rttm_quarantine",
  sortedBy: { column: "created_at", field: "createdAt" },
  filters: {
    errorKind: equals("error_kind", textFilter(64)),
    topic: equals("kafka_topic", textFilter(249)),
  },
  columns: {
    id: idColumn,
    ...kafkaColumns,
    kafkaTimestamp: column("kafka_timestamp"),
    messageKey: column("message_key"),
    rawValue: column("raw_value"),
    errorKind: column("error_kind"),
    reason: column("reason"),
    createdAt: column("created_at"),
  },
});
