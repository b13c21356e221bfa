import { latencyStages, stages } from "../domain/stages.js";
import type { CardStatus } from "../metrics/cardStatus.js";
import type * as read from "../store/read/index.js";
import { builder } from "./builder.js";

export const StageEnum = builder.enumType("Stage", {
  values: stages,
  description: "Pipeline stages in their fixed order.",
});
export const LatencyStageEnum = builder.enumType("LatencyStage", {
  values: latencyStages,
  description:
    "A stage's latency is measured from the previous stage; END_TO_END is COMMITTED minus RECEIVED.",
});
export const GranularityEnum = builder.enumType("Granularity", {
  values: ["SECOND", "MINUTE", "HOUR"] as const,
});
export const CardStatusEnum = builder.enumType("CardStatus", {
  values: {
    HEALTHY: { value: "healthy" },
    WARNING: { value: "warning" },
    CRITICAL: { value: "critical" },
  } as const,
  description:
    "From the card's thresholds (RTTM_CARD_*): above critical → CRITICAL, above warning → WARNING.",
});
export const TimelineSourceEnum = builder.enumType("TimelineSource", {
  values: ["TRADE_EVENT", "DLQ", "ERROR", "INVALID"] as const,
});

export interface MetricCard {
  title: string;
  value: number | null;
  unit: string;
  status: CardStatus;
  windowSeconds: number;
}

export const MetricCardRef = builder.objectRef<MetricCard>("MetricCard").implement({
  description: "One overview card, as the old /ws/rttm/metrics sent it, plus the window it covers.",
  fields: (t) => ({
    title: t.exposeString("title"),
    value: t.exposeFloat("value", {
      nullable: true,
      description: "Null when there is nothing to measure (e.g. no completed trade yet).",
    }),
    unit: t.exposeString("unit"),
    status: t.field({ type: CardStatusEnum, resolve: (c) => c.status }),
    windowSeconds: t.exposeInt("windowSeconds"),
  }),
});

export interface OverviewView extends read.Overview {
  cards: MetricCard[];
}

export const OverviewRef = builder.objectRef<OverviewView>("Overview").implement({
  fields: (t) => ({
    asOf: t.field({ type: "DateTime", resolve: (o) => o.asOf }),
    cards: t.field({
      type: [MetricCardRef],
      description:
        "Current TPS, Peak TPS, Avg Latency (end to end), DLQ Count, Invalid Trades, Errors.",
      resolve: (o) => o.cards,
    }),
    currentTps: t.exposeFloat("currentTps", {
      description: "RECEIVED events per second over the trailing currentTpsWindowSeconds.",
    }),
    currentTpsWindowSeconds: t.exposeInt("currentTpsWindowSeconds"),
    peakTps: t.exposeInt("peakTps", {
      description:
        "Highest one-second count of RECEIVED events in the trailing peakTpsWindowSeconds.",
    }),
    peakTpsWindowSeconds: t.exposeInt("peakTpsWindowSeconds"),
    avgEndToEndLatencyMs: t.exposeFloat("avgEndToEndLatencyMs", {
      nullable: true,
      description: "Mean COMMITTED − RECEIVED over the window.",
    }),
    dlqCount: t.exposeInt("dlqCount"),
    invalidTradeCount: t.exposeInt("invalidTradeCount"),
    errorCount: t.exposeInt("errorCount"),
    windowSeconds: t.exposeInt("windowSeconds"),
  }),
});

export const PipelineStageRef = builder.objectRef<read.PipelineStage>("PipelineStage").implement({
  fields: (t) => ({
    stage: t.field({ type: StageEnum, resolve: (s) => s.stage }),
    count: t.exposeInt("count", { description: "Events of this stage in the window." }),
    avgLatencyMs: t.exposeFloat("avgLatencyMs", {
      nullable: true,
      description: "Mean latency from the previous stage; null for RECEIVED.",
    }),
    successRate: t.exposeFloat("successRate", {
      nullable: true,
      description:
        "Percent of the previous stage's count (RECEIVED: 100); null when the previous count is 0.",
    }),
  }),
});

export const PipelineRef = builder.objectRef<read.Pipeline>("Pipeline").implement({
  fields: (t) => ({
    asOf: t.field({ type: "DateTime", resolve: (p) => p.asOf }),
    windowSeconds: t.exposeInt("windowSeconds"),
    stages: t.field({
      type: [PipelineStageRef],
      description: "Always RECEIVED, VALIDATED, ENRICHED, COMMITTED, in that order.",
      resolve: (p) => p.stages,
    }),
  }),
});

export const DlqStageCountRef = builder.objectRef<read.DlqStageCount>("DlqStageCount").implement({
  fields: (t) => ({
    stage: t.field({ type: StageEnum, resolve: (s) => s.stage }),
    count: t.exposeInt("count"),
  }),
});

export const DlqOverviewRef = builder.objectRef<read.DlqOverview>("DlqOverview").implement({
  fields: (t) => ({
    asOf: t.field({ type: "DateTime", resolve: (d) => d.asOf }),
    windowSeconds: t.exposeInt("windowSeconds"),
    total: t.exposeInt("total"),
    byStage: t.field({
      type: [DlqStageCountRef],
      description: "Every stage, in pipeline order, zeros included.",
      resolve: (d) => d.byStage,
    }),
    lastEventTime: t.field({
      type: "DateTime",
      nullable: true,
      description: "The most recent DLQ event, whatever the window.",
      resolve: (d) => d.lastEventTime,
    }),
  }),
});

export const ThroughputBucketRef = builder
  .objectRef<read.ThroughputBucket>("ThroughputBucket")
  .implement({
    fields: (t) => ({
      bucketStart: t.field({ type: "DateTime", resolve: (b) => b.bucketStart }),
      count: t.exposeInt("count"),
      seconds: t.exposeFloat("seconds", {
        description:
          "Length of the bucket inside the window, in seconds (the first and last may be partial).",
      }),
      perSecond: t.exposeFloat("perSecond"),
    }),
  });

export const ThroughputTrendRef = builder
  .objectRef<read.ThroughputTrend>("ThroughputTrend")
  .implement({
    fields: (t) => ({
      asOf: t.field({ type: "DateTime", resolve: (x) => x.asOf }),
      windowSeconds: t.exposeInt("windowSeconds"),
      granularity: t.field({ type: GranularityEnum, resolve: (x) => x.granularity }),
      stage: t.field({
        type: StageEnum,
        nullable: true,
        description: "Null: all stages.",
        resolve: (x) => x.stage,
      }),
      buckets: t.field({
        type: [ThroughputBucketRef],
        description: "Zero-filled, oldest first.",
        resolve: (x) => x.buckets,
      }),
    }),
  });

export const StageLatencyStatsRef = builder
  .objectRef<read.StageLatencyStats>("StageLatencyStats")
  .implement({
    description: "Percentiles come from log-linear histograms: within 4.4 % of the exact value.",
    fields: (t) => ({
      stage: t.field({ type: LatencyStageEnum, resolve: (s) => s.stage }),
      samples: t.exposeInt("samples"),
      avgMs: t.exposeFloat("avgMs", { nullable: true }),
      p50Ms: t.exposeFloat("p50Ms", { nullable: true }),
      p95Ms: t.exposeFloat("p95Ms", { nullable: true }),
      p99Ms: t.exposeFloat("p99Ms", { nullable: true }),
    }),
  });

export const LatencyStatsRef = builder.objectRef<read.LatencyStats>("LatencyStats").implement({
  fields: (t) => ({
    asOf: t.field({ type: "DateTime", resolve: (x) => x.asOf }),
    windowSeconds: t.exposeInt("windowSeconds"),
    stages: t.field({ type: [StageLatencyStatsRef], resolve: (x) => x.stages }),
  }),
});

export interface TelemetryView {
  throughput: read.ThroughputTrend;
  latency: read.LatencyStats;
}

export const TelemetryRef = builder.objectRef<TelemetryView>("Telemetry").implement({
  fields: (t) => ({
    throughput: t.field({ type: ThroughputTrendRef, resolve: (x) => x.throughput }),
    latency: t.field({ type: LatencyStatsRef, resolve: (x) => x.latency }),
  }),
});

export const QueueLagRowRef = builder.objectRef<read.QueueLagRow>("QueueLagPartition").implement({
  fields: (t) => ({
    topic: t.exposeString("topic"),
    partition: t.exposeInt("partition"),
    consumerGroup: t.exposeString("consumerGroup"),
    serviceName: t.exposeString("serviceName"),
    producedOffset: t.field({ type: "Long", resolve: (r) => r.producedOffset }),
    consumedOffset: t.field({ type: "Long", resolve: (r) => r.consumedOffset }),
    lag: t.field({ type: "Long", resolve: (r) => r.lag }),
    snapshotTime: t.field({ type: "DateTime", resolve: (r) => r.snapshotTime }),
    ageSeconds: t.exposeFloat("ageSeconds"),
  }),
});

export const TopicGroupLagRef = builder.objectRef<read.TopicGroupLag>("TopicGroupLag").implement({
  fields: (t) => ({
    topic: t.exposeString("topic"),
    consumerGroup: t.exposeString("consumerGroup"),
    partitions: t.exposeInt("partitions"),
    lag: t.field({ type: "Long", resolve: (r) => r.lag }),
  }),
});

export const QueueLagRef = builder.objectRef<read.QueueLag>("QueueLag").implement({
  description: "From the latest snapshot of each (topic, partition, consumer group).",
  fields: (t) => ({
    asOf: t.field({ type: "DateTime", resolve: (x) => x.asOf }),
    partitions: t.field({ type: [QueueLagRowRef], resolve: (x) => x.rows }),
    totalLag: t.field({ type: "Long", resolve: (x) => x.totalLag }),
    byTopicGroup: t.field({ type: [TopicGroupLagRef], resolve: (x) => x.byTopicGroup }),
  }),
});

export const TimelineEntryRef = builder.objectRef<read.TimelineEntry>("TimelineEntry").implement({
  fields: (t) => ({
    source: t.field({ type: TimelineSourceEnum, resolve: (e) => e.source }),
    id: t.exposeString("id", { description: "Row id in its source table." }),
    time: t.field({ type: "DateTime", resolve: (e) => e.time }),
    serviceName: t.exposeString("serviceName", { nullable: true }),
    stage: t.exposeString("stage"),
    eventType: t.exposeString("eventType", { nullable: true }),
    status: t.exposeString("status", { nullable: true }),
    errorType: t.exposeString("errorType", { nullable: true }),
    message: t.exposeString("message"),
  }),
});

export const TimelineStageRef = builder.objectRef<read.TimelineStage>("TimelineStage").implement({
  fields: (t) => ({
    stage: t.field({ type: StageEnum, resolve: (s) => s.stage }),
    reached: t.boolean({ resolve: (s) => s.reachedAt !== null }),
    reachedAt: t.field({ type: "DateTime", nullable: true, resolve: (s) => s.reachedAt }),
    serviceName: t.exposeString("serviceName", { nullable: true }),
    latencyFromPreviousMs: t.exposeFloat("latencyFromPreviousMs", { nullable: true }),
  }),
});

export const TradeTimelineRef = builder.objectRef<read.TradeTimeline>("TradeTimeline").implement({
  fields: (t) => ({
    tradeId: t.exposeString("tradeId"),
    entries: t.field({
      type: [TimelineEntryRef],
      description: "Trade events, DLQ, error and invalid-trade records, oldest first.",
      resolve: (x) => x.entries,
    }),
    truncated: t.exposeBoolean("truncated"),
    stages: t.field({
      type: [TimelineStageRef],
      description: "Per-stage status in pipeline order.",
      resolve: (x) => x.stages,
    }),
    endToEndMs: t.exposeFloat("endToEndMs", { nullable: true }),
  }),
});
