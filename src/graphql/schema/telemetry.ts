/** Throughput trend, latency percentiles per stage, and Kafka queue lag. */
import * as read from "../../store/read/index.js";
import { windowArgs } from "../args.js";
import { builder } from "../builder.js";
import { GranularityEnum, LatencyStageEnum, StageEnum } from "../enums.js";
import { fromLiveHub } from "../live.js";

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

const telemetryArgs = builder.args((t) => ({
  ...windowArgs,
  granularity: t.field({
    type: GranularityEnum,
    description: "Trend bucket size; default MINUTE.",
  }),
  stage: t.field({ type: StageEnum, description: "Trend of one stage; default all stages." }),
}));

builder.queryFields((t) => ({
  telemetry: t.field({
    type: TelemetryRef,
    description: "Throughput trend and latency avg/P50/P95/P99 per stage and end to end.",
    args: telemetryArgs,
    resolve: (_root, args, ctx) => ctx.hub.read(ctx.sources.telemetry(args)),
  }),
  queueLag: t.field({
    type: QueueLagRef,
    resolve: (_root, _args, ctx) => ctx.hub.read(ctx.sources.queueLag()),
  }),
}));

builder.subscriptionFields((t) => ({
  telemetry: t.field({
    type: TelemetryRef,
    ...fromLiveHub(telemetryArgs, (args, ctx) => ctx.sources.telemetry(args)),
  }),
  queueLag: t.field({
    type: QueueLagRef,
    ...fromLiveHub({}, (_args, ctx) => ctx.sources.queueLag()),
  }),
}));
