import type {
  DlqEventRow,
  ErrorEventRow,
  InvalidTradeRow,
  QuarantineRow,
  QueueMetricRow,
  TradeEventRow,
} from "../domain/rows.js";
import type { KafkaCoordinates } from "../domain/kafka.js";
import type { Column, TableSpec } from "./columns.js";

const kafkaColumns: Array<Column<KafkaCoordinates>> = [
  { name: "kafka_topic", type: "text", value: (r) => r.kafkaTopic },
  { name: "kafka_partition", type: "int", value: (r) => r.kafkaPartition },
  { name: "kafka_offset", type: "bigint", value: (r) => r.kafkaOffset },
];
const kafkaConflict = "kafka_topic, kafka_partition, kafka_offset";

export const tradeEventsTable: TableSpec<TradeEventRow> = {
  table: "rttm_trade_events",
  conflictTarget: kafkaConflict,
  columns: [
    { name: "trade_id", type: "uuid", value: (r) => r.tradeId },
    { name: "service_name", type: "text", value: (r) => r.serviceName },
    { name: "event_type", type: "text", value: (r) => r.eventType },
    { name: "event_stage", type: "text", value: (r) => r.eventStage },
    { name: "event_status", type: "text", value: (r) => r.eventStatus },
    { name: "source_queue", type: "text", value: (r) => r.sourceQueue },
    { name: "target_queue", type: "text", value: (r) => r.targetQueue },
    { name: "topic_name", type: "text", value: (r) => r.topicName },
    { name: "consumer_group", type: "text", value: (r) => r.consumerGroup },
    { name: "partition_id", type: "int", value: (r) => r.partitionId },
    { name: "offset_value", type: "bigint", value: (r) => r.offsetValue },
    { name: "event_time", type: "timestamptz", value: (r) => r.eventTime },
    { name: "message", type: "text", value: (r) => r.message },
    ...kafkaColumns,
  ],
};

export const errorEventsTable: TableSpec<ErrorEventRow> = {
  table: "rttm_error_events",
  conflictTarget: kafkaConflict,
  columns: [
    { name: "trade_id", type: "uuid", value: (r) => r.tradeId },
    { name: "service_name", type: "text", value: (r) => r.serviceName },
    { name: "error_type", type: "text", value: (r) => r.errorType },
    { name: "error_message", type: "text", value: (r) => r.errorMessage },
    { name: "event_stage", type: "text", value: (r) => r.eventStage },
    { name: "event_time", type: "timestamptz", value: (r) => r.eventTime },
    ...kafkaColumns,
  ],
};

export const dlqEventsTable: TableSpec<DlqEventRow> = {
  table: "rttm_dlq_events",
  conflictTarget: kafkaConflict,
  columns: [
    { name: "trade_id", type: "uuid", value: (r) => r.tradeId },
    { name: "service_name", type: "text", value: (r) => r.serviceName },
    { name: "topic_name", type: "text", value: (r) => r.topicName },
    { name: "original_topic", type: "text", value: (r) => r.originalTopic },
    { name: "reason", type: "text", value: (r) => r.reason },
    { name: "event_stage", type: "text", value: (r) => r.eventStage },
    { name: "event_time", type: "timestamptz", value: (r) => r.eventTime },
    ...kafkaColumns,
  ],
};

export const invalidTradesTable: TableSpec<InvalidTradeRow> = {
  table: "rttm_invalid_trades",
  conflictTarget: kafkaConflict,
  columns: [
    { name: "trade_id", type: "text", value: (r) => r.tradeId },
    { name: "portfolio_id", type: "text", value: (r) => r.portfolioId },
    { name: "symbol", type: "text", value: (r) => r.symbol },
    { name: "side", type: "text", value: (r) => r.side },
    { name: "price_per_stock", type: "float8", value: (r) => r.pricePerStock },
    { name: "quantity", type: "bigint", value: (r) => r.quantity },
    { name: "trade_timestamp", type: "timestamptz", value: (r) => r.tradeTimestamp },
    { name: "validation_errors", type: "text", value: (r) => r.validationErrors },
    { name: "event_time", type: "timestamptz", value: (r) => r.eventTime },
    ...kafkaColumns,
  ],
};

export const queueMetricsTable: TableSpec<QueueMetricRow> = {
  table: "rttm_queue_metrics",
  conflictTarget: kafkaConflict,
  columns: [
    { name: "service_name", type: "text", value: (r) => r.serviceName },
    { name: "topic_name", type: "text", value: (r) => r.topicName },
    { name: "partition_id", type: "int", value: (r) => r.partitionId },
    { name: "produced_offset", type: "bigint", value: (r) => r.producedOffset },
    { name: "consumed_offset", type: "bigint", value: (r) => r.consumedOffset },
    { name: "consumer_group", type: "text", value: (r) => r.consumerGroup },
    { name: "snapshot_time", type: "timestamptz", value: (r) => r.snapshotTime },
    ...kafkaColumns,
  ],
};

export const quarantineTable: TableSpec<QuarantineRow> = {
  table: "rttm_quarantine",
  conflictTarget: kafkaConflict,
  columns: [
    ...kafkaColumns,
    { name: "kafka_timestamp", type: "timestamptz", value: (r) => r.kafkaTimestamp },
    { name: "message_key", type: "bytea", value: (r) => r.messageKey },
    { name: "raw_value", type: "bytea", value: (r) => r.rawValue },
    { name: "error_kind", type: "text", value: (r) => r.errorKind },
    { name: "reason", type: "text", value: (r) => r.reason },
  ],
};
