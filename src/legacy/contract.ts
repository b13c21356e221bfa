/**
 * The wire shapes the existing dashboard (pms-frontend's RTTM page) reads, field for field, in the
 * order it reads them (../shared/spec/legacy-dashboard-contract.md §6). Nothing here computes a
 * number: src/legacy/mappers.ts fills these from the read models GraphQL serves.
 */
import type { Stage } from "../domain/stages.js";

/** §1.2 / §2.2. `status` picks the card colour: healthy green, warning yellow, anything else red. */
export interface MetricCard {
  title: string;
  value: number;
  unit: string;
  status: "healthy" | "warning" | "critical";
}

/** §1.3 / §2.3. `successRate` in percent (0–100 and above with retries); `latencyMs` whole ms. */
export interface PipelineStage {
  name: Stage;
  count: number;
  /** Absent when the stage has no latency samples in the window: the page then hides the row. */
  latencyMs?: number;
  successRate: number;
}

/**
 * The key under which the old dashboard sees error and DLQ events sent without a stage (DLQ
 * `byStage`, a trade's `eventStage`).
 */
export const unknownStageKey = "UNKNOWN";

/** §1.4 / §2.5. `byStage` is always an object, keys in pipeline order, UNKNOWN last. */
export interface DlqResponse {
  total: number;
  byStage: Partial<Record<Stage | typeof unknownStageKey, number>>;
}

export interface LabelValue {
  label: "Avg" | "P95" | "P99";
  value: number;
}

export interface PartitionLag {
  partition: string;
  lag: number;
}

/** §1.5. */
export interface TelemetrySnapshot {
  tpsTrend: number[];
  latencyMetrics: LabelValue[];
  kafkaLag: PartitionLag[];
}

export type TelemetryType = "TPS_TREND" | "LATENCY_METRICS" | "KAFKA_LAG";

/** §2.4: one envelope per frame. */
export interface TelemetryMessage {
  type: TelemetryType;
  timestamp: string;
  data: number[] | LabelValue[] | PartitionLag[];
}

/** §1.6. The page reads eventStage, message and sourceTable ("ERROR" or "DLQ" = failed stage). */
export interface TradeEvent {
  id: number;
  tradeId: string;
  serviceName: string;
  eventStage: string;
  eventTime: string;
  message: string | null;
  sourceTable: "TRADE_EVENT" | "ERROR" | "DLQ";
}

/** §2.6. `severity` "HIGH" is styled red, anything else yellow. */
export interface Alert {
  message: string;
  severity: "HIGH" | "MEDIUM";
  timeAgo: string;
}
