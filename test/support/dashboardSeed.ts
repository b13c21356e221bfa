/**
 * A small, fully known data set produced through Kafka for the dashboard tests. T is two minutes
 * ago on a whole second: inside the 5-minute peak-TPS window, outside the 5-s current-TPS window.
 *   t1: RECEIVED T, VALIDATED +100, ENRICHED +300, COMMITTED +600 (end to end 600 ms)
 *   t2: RECEIVED +1000, VALIDATED +1300, ENRICHED +1400, COMMITTED +2000 (end to end 1000 ms)
 *   t3: RECEIVED +2000, VALIDATED +2200, and an invalid-trade report
 *   t4: RECEIVED +1500 (the same second as t2's RECEIVED: peak TPS 2)
 *   DLQ: t1 VALIDATED +50, no trade ENRICHED +60; error: t2 +70; lag: P0 300, P1 50.
 */
import type { Producer } from "kafkajs";
import type { Stage } from "../../src/domain/stages.js";
import type { Encoder } from "./kafka.js";
import * as m from "./messages.js";

// Thresholds that make the seed raise exactly two alerts: DLQ_COUNT CRITICAL (2 ≥ 2), ERROR_RATE WARNING (1 ≥ 1).
export const seedAlertEnv = {
  RTTM_ALERT_EVAL_INTERVAL: "1000",
  RTTM_ALERT_DLQ_WARNING: "1",
  RTTM_ALERT_DLQ_CRITICAL: "2",
  RTTM_ALERT_ERROR_RATE_WARNING: "1",
  RTTM_ALERT_ERROR_RATE_CRITICAL: "10",
  RTTM_ALERT_LATENCY_WARNING: "100000",
  RTTM_ALERT_LATENCY_CRITICAL: "200000",
  RTTM_ALERT_QUEUE_DEPTH_WARNING: "100000",
  RTTM_ALERT_QUEUE_DEPTH_CRITICAL: "200000",
  RTTM_ALERT_TPS_WARNING: "1000",
  RTTM_ALERT_TPS_CRITICAL: "2000",
};

export interface DashboardSeed {
  T: number;
  trades: { t1: string; t2: string; t3: string; t4: string };
  /** Rows per table once everything is stored (as ingestionHealth.rowsStored reports them). */
  rows: Record<string, number>;
}

export async function produceDashboardSeed(
  producer: Producer,
  encoder: Encoder,
  topics: Record<string, string>,
): Promise<DashboardSeed> {
  const T = Math.floor(Date.now() / 1000) * 1000 - 120_000;
  const trades = { t1: m.newTradeId(), t2: m.newTradeId(), t3: m.newTradeId(), t4: m.newTradeId() };
  const { t1, t2, t3, t4 } = trades;
  const steps: Array<[string, Stage, number]> = [
    [t1, "RECEIVED", 0],
    [t1, "VALIDATED", 100],
    [t1, "ENRICHED", 300],
    [t1, "COMMITTED", 600],
    [t2, "RECEIVED", 1000],
    [t2, "VALIDATED", 1300],
    [t2, "ENRICHED", 1400],
    [t2, "COMMITTED", 2000],
    [t3, "RECEIVED", 2000],
    [t3, "VALIDATED", 2200],
    [t4, "RECEIVED", 1500],
  ];
  await producer.send({
    topic: topics.tradeEvents!,
    messages: steps.map(([id, stage, dt]) => ({
      key: id,
      value: encoder.encode("tradeEvents", m.RttmTradeEventSchema, m.tradeEvent(id, stage, T + dt)),
    })),
  });
  const dlq = (tradeId: string, at: number, eventStage: Stage) =>
    encoder.encode("dlqEvents", m.RttmDlqEventSchema, { ...m.dlqEvent(tradeId, at), eventStage });
  await producer.send({
    topic: topics.dlqEvents!,
    messages: [{ value: dlq(t1, T + 50, "VALIDATED") }, { value: dlq("", T + 60, "ENRICHED") }],
  });
  await producer.send({
    topic: topics.errorEvents!,
    messages: [
      { value: encoder.encode("errorEvents", m.RttmErrorEventSchema, m.errorEvent(t2, T + 70)) },
    ],
  });
  await producer.send({
    topic: topics.invalidTrades!,
    messages: [
      {
        value: encoder.encode(
          "invalidTrades",
          m.InvalidTradeEventProtoSchema,
          m.invalidTrade(t3, T),
        ),
      },
    ],
  });
  const lag = (partition: number, produced: bigint, consumed: bigint) =>
    encoder.encode(
      "queueMetrics",
      m.RttmQueueMetricSchema,
      m.queueMetric("orders", partition, produced, consumed, T),
    );
  await producer.send({
    topic: topics.queueMetrics!,
    messages: [{ value: lag(0, 1300n, 1000n) }, { value: lag(1, 550n, 500n) }],
  });
  return {
    T,
    trades,
    rows: { tradeEvents: 11, dlqEvents: 2, errorEvents: 1, invalidTrades: 1, queueMetrics: 2 },
  };
}
