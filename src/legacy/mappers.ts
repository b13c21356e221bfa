/**
 * Read models → the dashboard's wire shapes (contract.ts). Pure and number-preserving: every value
 * comes from the read model GraphQL serves; the only arithmetic is rounding for display (the page
 * shows numbers raw, without rounding of its own) and a null turned into what the page can draw.
 * Each deliberate difference from the old service is listed in README "Legacy dashboard API".
 */
import { alertMessage, timeAgo } from "../alerts/index.js";
import type { AlertRecord } from "../domain/alerts.js";
import type { overviewView } from "../live/index.js";
import type * as read from "../store/read/index.js";
import {
  unknownStageKey,
  type Alert,
  type DlqResponse,
  type LabelValue,
  type MetricCard,
  type PartitionLag,
  type PipelineStage,
  type TradeEvent,
} from "./contract.js";

type OverviewView = Awaited<ReturnType<typeof overviewView>>;

/** The old service's five cards, in its order (the page's grid has five columns). */
export const legacyCardTitles = [
  "Current TPS",
  "Peak TPS",
  "Avg Latency",
  "DLQ Count",
  "Invalid Trades",
] as const;

/** At most `digits` decimals, for numbers the page shows as they come. */
export function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function metricCards(view: Pick<OverviewView, "cards">): MetricCard[] {
  return legacyCardTitles.map((title) => {
    const card = view.cards.find((c) => c.title === title);
    if (!card) throw new Error(`internal: the overview view has no "${title}" card`);
    return {
      title: card.title,
      // Rates keep two decimals (Current TPS is a per-second rate); latency is whole ms; no samples → 0.
      value: card.value === null ? 0 : roundTo(card.value, card.unit === "ms" ? 0 : 2),
      unit: card.unit,
      status: card.status,
    };
  });
}

export function pipelineStages(pipeline: read.Pipeline): PipelineStage[] {
  return pipeline.stages.map((s) => {
    // RECEIVED has no latency; the page shows "-" for it, so 0 keeps the field's type.
    const latencyMs =
      s.stage === "RECEIVED" ? 0 : s.avgLatencyMs === null ? undefined : Math.round(s.avgLatencyMs);
    return {
      name: s.stage,
      count: s.count,
      ...(latencyMs === undefined ? {} : { latencyMs }),
      // No previous-stage events → no rate; 0 as the old service said (undefined would print "NaN%").
      successRate: s.successRate ?? 0,
    };
  });
}

export function dlqResponse(dlq: read.DlqOverview): DlqResponse {
  const byStage: DlqResponse["byStage"] = {};
  // Pipeline order (the read model's), stages without DLQ events left out as before.
  for (const { stage, count } of dlq.byStage) if (count > 0) byStage[stage] = count;
  // Events sent without a stage: one more row, last, so the rows still add up to the total.
  if (dlq.unknownStage > 0) byStage[unknownStageKey] = dlq.unknownStage;
  return { total: dlq.total, byStage };
}

/** Per-second throughput per bucket, oldest first (the chart is titled "TPS Trend"). */
export function tpsTrend(trend: read.ThroughputTrend): number[] {
  return trend.buckets.map((b) => roundTo(b.perSecond, 3));
}

/** Avg, P95, P99 of the COMMITTED stage in whole ms, in the bar order the page colours by index. */
export function latencyMetrics(stats: read.LatencyStats): LabelValue[] {
  const committed = stats.stages.find((s) => s.stage === "COMMITTED");
  const ms = (v: number | null | undefined) => (v == null ? 0 : Math.round(v));
  return [
    { label: "Avg", value: ms(committed?.avgMs) },
    { label: "P95", value: ms(committed?.p95Ms) },
    { label: "P99", value: ms(committed?.p99Ms) },
  ];
}

/**
 * Lag of every (topic, partition, consumer group) from its latest snapshot. The label is "P<n>" as
 * the page expects; the topic and group are added only when there is more than one of them, so
 * partitions of different topics are never summed into one bar.
 */
export function kafkaLag(lag: read.QueueLag): PartitionLag[] {
  const topics = new Set(lag.rows.map((r) => r.topic)).size;
  const groups = new Set(lag.rows.map((r) => r.consumerGroup)).size;
  return lag.rows.map((r) => ({
    partition: [topics > 1 ? r.topic : "", groups > 1 ? r.consumerGroup : "", `P${r.partition}`]
      .filter(Boolean)
      .join(" "),
    lag: Number(r.lag),
  }));
}

/**
 * A trade's timeline as the page's trade search reads it. An invalid-trade report becomes a failed
 * VALIDATED stage (sourceTable "ERROR"): the page recognises only ERROR and DLQ as failures.
 */
export function tradeEvents(timeline: read.TradeTimeline): TradeEvent[] {
  return timeline.entries.map((e) => ({
    id: Number(e.id),
    tradeId: timeline.tradeId,
    serviceName: e.source === "INVALID" ? "VALIDATION" : (e.serviceName ?? ""),
    // The page matches stages by name: an event without a stage shows under none of them.
    eventStage: e.stage ?? unknownStageKey,
    eventTime: e.time.toISOString(),
    message: e.message,
    sourceTable: e.source === "INVALID" ? "ERROR" : e.source,
  }));
}

/** CRITICAL shows as the page's most severe style ("HIGH", red); WARNING as "MEDIUM" (yellow). */
export function legacyAlert(alert: AlertRecord, now: Date): Alert {
  return {
    message: alertMessage(alert),
    severity: alert.severity === "CRITICAL" ? "HIGH" : "MEDIUM",
    timeAgo: timeAgo(alert.triggeredTime, now),
  };
}
