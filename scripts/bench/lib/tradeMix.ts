/**
 * The benchmarks' trade-event mix: trade `i` of `trades`, spread over 50 minutes after `base`,
 * its stage `s` 50–300 ms after the previous one. One description for the Kafka benchmark (as
 * protobuf) and the write-path benchmark (as rows), so both measure the same data.
 */
import type { Stage } from "../../../src/domain/stages.js";

/** When trade `i` of `trades` starts: spread evenly over 50 minutes after `base`. */
export const benchTradeStartMs = (i: number, trades: number, base: number) =>
  base + Math.floor((i / trades) * 3000_000);

export function benchTradeEvent(
  tradeId: string,
  i: number,
  trades: number,
  base: number,
  s: number,
  stage: Stage,
) {
  const t = benchTradeStartMs(i, trades, base);
  return {
    fields: {
      tradeId,
      serviceName: `${stage.toLowerCase()}-svc`,
      eventType: `TRADE_${stage}`,
      eventStage: stage,
      eventStatus: "SUCCESS",
      sourceQueue: "orders.in",
      targetQueue: "orders.out",
      topicName: "orders",
      consumerGroup: "pms",
      partitionId: i % 12,
      offsetValue: BigInt(i),
      message: "",
    },
    eventTimeMs: t + s * (50 + (i % 250)),
  };
}
