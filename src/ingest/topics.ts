import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { TopicKey } from "../domain/topics.js";
import { RttmDlqEventSchema } from "./proto/rttm/rttm_dlq_event_pb.js";
import { RttmErrorEventSchema } from "./proto/rttm/rttm_error_event_pb.js";
import { RttmQueueMetricSchema } from "./proto/rttm/rttm_queue_metric_pb.js";
import { RttmTradeEventSchema } from "./proto/rttm/rttm_trade_event_pb.js";
import { InvalidTradeEventProtoSchema } from "./proto/validation/invalid_trade_event_pb.js";
import type { KafkaCoordinates } from "../domain/kafka.js";
import type { IngestRow } from "../domain/rows.js";
import * as check from "./validate.js";

/** What the mapper knows about a record besides its payload. */
export interface RecordContext extends KafkaCoordinates {
  /** The Kafka record timestamp (producer or log-append time). */
  kafkaTimestamp: Date;
}

/** One row of the topic table: everything that differs between the five topics. */
export interface TopicDescription<S extends DescMessage = DescMessage> {
  key: TopicKey;
  schema: S;
  toRow(message: MessageShape<S>, context: RecordContext): IngestRow;
}

function describe<S extends DescMessage>(d: TopicDescription<S>): TopicDescription {
  return d as unknown as TopicDescription;
}

function coordinates({ kafkaTopic, kafkaPartition, kafkaOffset }: RecordContext): KafkaCoordinates {
  return { kafkaTopic, kafkaPartition, kafkaOffset };
}

export const topicDescriptions: readonly TopicDescription[] = [
  describe({
    key: "tradeEvents",
    schema: RttmTradeEventSchema,
    toRow: (m, ctx) => ({
      table: "tradeEvents",
      row: {
        tradeId: check.uuid("trade_id", m.tradeId),
        serviceName: check.text("service_name", m.serviceName, 128),
        eventType: check.eventType("event_type", m.eventType),
        eventStage: check.stage("event_stage", m.eventStage),
        eventStatus: check.text("event_status", m.eventStatus, 64),
        sourceQueue: check.text("source_queue", m.sourceQueue, 256),
        targetQueue: check.text("target_queue", m.targetQueue, 256),
        topicName: check.text("topic_name", m.topicName, 256),
        consumerGroup: check.text("consumer_group", m.consumerGroup, 128),
        partitionId: check.int32("partition_id", m.partitionId),
        offsetValue: check.int64("offset_value", m.offsetValue),
        eventTime: check.epochMs("event_time", m.eventTime),
        message: check.text("message", m.message, 1_000_000),
        ...coordinates(ctx),
      },
    }),
  }),
  describe({
    key: "errorEvents",
    schema: RttmErrorEventSchema,
    toRow: (m, ctx) => ({
      table: "errorEvents",
      row: {
        tradeId: check.optionalUuid("trade_id", m.tradeId),
        serviceName: check.text("service_name", m.serviceName, 128),
        errorType: check.text("error_type", m.errorType, 128),
        errorMessage: check.text("error_message", m.errorMessage, 1_000_000),
        eventStage: check.optionalStage("event_stage", m.eventStage),
        eventTime: check.epochMs("event_time", m.eventTime),
        ...coordinates(ctx),
      },
    }),
  }),
  describe({
    key: "queueMetrics",
    schema: RttmQueueMetricSchema,
    toRow: (m, ctx) => ({
      table: "queueMetrics",
      row: {
        serviceName: check.text("service_name", m.serviceName, 128),
        topicName: check.text("topic_name", m.topicName, 256, true),
        partitionId: check.int32("partition_id", m.partitionId),
        producedOffset: check.int64("produced_offset", m.producedOffset),
        consumedOffset: check.int64("consumed_offset", m.consumedOffset),
        consumerGroup: check.text("consumer_group", m.consumerGroup, 128),
        snapshotTime: check.epochMs("snapshot_time", m.snapshotTime),
        ...coordinates(ctx),
      },
    }),
  }),
  describe({
    key: "dlqEvents",
    schema: RttmDlqEventSchema,
    toRow: (m, ctx) => ({
      table: "dlqEvents",
      row: {
        tradeId: check.optionalUuid("trade_id", m.tradeId),
        serviceName: check.text("service_name", m.serviceName, 128),
        topicName: check.text("topic_name", m.topicName, 256),
        originalTopic: check.text("original_topic", m.originalTopic, 256),
        reason: check.text("reason", m.reason, 1_000_000),
        eventStage: check.optionalStage("event_stage", m.eventStage),
        eventTime: check.epochMs("event_time", m.eventTime),
        ...coordinates(ctx),
      },
    }),
  }),
  describe({
    key: "invalidTrades",
    schema: InvalidTradeEventProtoSchema,
    // Invalid trades are stored as reported: the ids and values are what failed validation.
    toRow: (m, ctx) => ({
      table: "invalidTrades",
      row: {
        tradeId: check.text("tradeId", m.tradeId, 128),
        portfolioId: check.text("portfolioId", m.portfolioId, 128),
        symbol: check.text("symbol", m.symbol, 64),
        side: check.text("side", m.side, 32),
        pricePerStock: m.pricePerStock,
        quantity: check.int64("quantity", m.quantity),
        tradeTimestamp: m.timestamp
          ? check.protoTimestamp("timestamp", m.timestamp.seconds, m.timestamp.nanos)
          : null,
        validationErrors: check.text("validationErrors", m.validationErrors, 1_000_000),
        eventTime: ctx.kafkaTimestamp,
        ...coordinates(ctx),
      },
    }),
  }),
];
