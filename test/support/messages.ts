/** Realistic protobuf messages for the five topics. */
import { randomUUID } from "node:crypto";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { RttmDlqEventSchema } from "../../src/ingest/proto/rttm/rttm_dlq_event_pb.js";
import { RttmErrorEventSchema } from "../../src/ingest/proto/rttm/rttm_error_event_pb.js";
import { RttmQueueMetricSchema } from "../../src/ingest/proto/rttm/rttm_queue_metric_pb.js";
import { RttmTradeEventSchema } from "../../src/ingest/proto/rttm/rttm_trade_event_pb.js";
import { InvalidTradeEventProtoSchema } from "../../src/ingest/proto/validation/invalid_trade_event_pb.js";
import type { Stage } from "../../src/domain/stages.js";

export {
  RttmDlqEventSchema,
  RttmErrorEventSchema,
  RttmQueueMetricSchema,
  RttmTradeEventSchema,
  InvalidTradeEventProtoSchema,
};

export function tradeEvent(
  tradeId: string,
  stage: Stage,
  timeMs: number,
  service = `${stage.toLowerCase()}-service`,
): MessageInitShape<typeof RttmTradeEventSchema> {
  return {
    tradeId,
    serviceName: service,
    eventType: `TRADE_${stage}`,
    eventStage: stage,
    eventStatus: "SUCCESS",
    sourceQueue: "in",
    targetQueue: "out",
    topicName: "trades",
    consumerGroup: "pms",
    partitionId: 1,
    offsetValue: 42n,
    eventTime: BigInt(timeMs),
    message: `trade ${tradeId} ${stage}`,
  };
}

export function errorEvent(
  tradeId: string,
  timeMs: number,
): MessageInitShape<typeof RttmErrorEventSchema> {
  return {
    tradeId,
    serviceName: "enricher",
    errorType: "TECHNICAL",
    errorMessage: "price feed timeout",
    eventStage: "ENRICHED",
    eventTime: BigInt(timeMs),
  };
}

export function dlqEvent(
  tradeId: string,
  timeMs: number,
): MessageInitShape<typeof RttmDlqEventSchema> {
  return {
    tradeId,
    serviceName: "validator",
    topicName: "trades.dlq",
    originalTopic: "trades",
    reason: "schema mismatch",
    eventStage: "VALIDATED",
    eventTime: BigInt(timeMs),
  };
}

export function queueMetric(
  topic: string,
  partition: number,
  produced: bigint,
  consumed: bigint,
  timeMs: number,
): MessageInitShape<typeof RttmQueueMetricSchema> {
  return {
    serviceName: "enricher",
    topicName: topic,
    partitionId: partition,
    producedOffset: produced,
    consumedOffset: consumed,
    consumerGroup: "enricher-group",
    snapshotTime: BigInt(timeMs),
  };
}

export function invalidTrade(
  tradeId: string,
  timeMs: number,
): MessageInitShape<typeof InvalidTradeEventProtoSchema> {
  return {
    portfolioId: "invalid-portfolio-id",
    tradeId,
    symbol: "AAPL",
    side: "HOLD",
    pricePerStock: 420.123456,
    quantity: -5n,
    timestamp: timestampFromMs(timeMs),
    validationErrors: "side must be BUY or SELL; quantity must be positive",
  };
}

export const newTradeId = () => randomUUID();
