/** Rows for seeding through the real write path (src/store/writeBatch.ts) without Kafka. */
import type { KafkaCoordinates } from "../../src/domain/kafka.js";
import type { TradeEventRow } from "../../src/domain/rows.js";
import type { RowsByTable } from "../../src/store/writeBatch.js";
import type { Stage } from "../../src/domain/stages.js";

/** Successive coordinates on one made-up topic, so every seeded row is unique. */
export function coordinateSequence(kafkaTopic: string): () => KafkaCoordinates {
  let kafkaOffset = 0n;
  return () => ({ kafkaTopic, kafkaPartition: 0, kafkaOffset: kafkaOffset++ });
}

export function tradeEventRow(
  tradeId: string,
  stage: Stage,
  time: Date,
  coordinates: KafkaCoordinates,
): TradeEventRow {
  return {
    tradeId,
    serviceName: `${stage.toLowerCase()}-service`,
    eventType: `TRADE_${stage}`,
    eventStage: stage,
    eventStatus: "SUCCESS",
    sourceQueue: "in",
    targetQueue: "out",
    topicName: "trades",
    consumerGroup: "pms",
    partitionId: 0,
    offsetValue: 1n,
    eventTime: time,
    message: `${stage} ${tradeId}`,
    ...coordinates,
  };
}

/** A batch for writeBatch holding trade events only. */
export function tradeEventsBatch(tradeEvents: TradeEventRow[]): RowsByTable {
  return {
    tradeEvents,
    errorEvents: [],
    dlqEvents: [],
    invalidTrades: [],
    queueMetrics: [],
    quarantine: [],
  };
}
