/**
 * Read models for the dashboards. Each is a plain async function (db, args) → typed data whose
 * shape the GraphQL layer maps 1:1; each windowed one takes `now` explicitly and echoes its
 * windows. Query cost is bounded by the window, never by history: rollups
 * (rttm_stage_count_second/minute, rttm_latency_histogram_minute), rttm_queue_metric_latest and
 * index range scans over recent rows only.
 */
export { InvalidInputError } from "./errors.js";
export { maxWindowSeconds } from "./args.js";
export { overview, type Overview, type OverviewArgs } from "./overview.js";
export { pipeline, type Pipeline, type PipelineArgs, type PipelineStage } from "./pipeline.js";
export {
  dlqOverview,
  type DlqOverview,
  type DlqOverviewArgs,
  type DlqStageCount,
} from "./dlqOverview.js";
export {
  maxPageSize,
  defaultPageSize,
  type Edge,
  type Page,
  type PageArgs,
  type PageInfo,
} from "./page.js";
export type { TimeFilter } from "./timeFilter.js";
export type { KafkaCoordinates } from "./list.js";
export { dlqEvents, type DlqEventNode, type DlqEventsArgs } from "./dlqEvents.js";
export { errorEvents, type ErrorEventNode, type ErrorEventsArgs } from "./errorEvents.js";
export { invalidTrades, type InvalidTradeNode, type InvalidTradesArgs } from "./invalidTrades.js";
export {
  quarantinedRecords,
  type QuarantinedRecordNode,
  type QuarantinedRecordsArgs,
} from "./quarantinedRecords.js";
export {
  throughputTrend,
  maxTrendBuckets,
  granularities,
  type Granularity,
  type ThroughputBucket,
  type ThroughputTrend,
  type ThroughputTrendArgs,
} from "./throughputTrend.js";
export {
  latencyStats,
  type LatencyStats,
  type LatencyStatsArgs,
  type StageLatencyStats,
} from "./latencyStats.js";
export {
  queueLag,
  type QueueLag,
  type QueueLagArgs,
  type QueueLagRow,
  type TopicGroupLag,
} from "./queueLag.js";
export {
  tradeTimeline,
  maxTimelineEntries,
  timelineSources,
  type TimelineEntry,
  type TimelineSource,
  type TimelineStage,
  type TradeTimeline,
  type TradeTimelineArgs,
} from "./tradeTimeline.js";

export {
  alertColumns,
  alertHistory,
  eventsAfter,
  getAlert,
  lastEventId,
  listAlerts,
  openAlerts,
  toAlert,
  alertsToDeliver,
} from "./alerts.js";
export { bigintIdArg } from "./bigintId.js";
export { countInRange, type CountedTable } from "./eventCounts.js";
export { quantileMs, readLatencyHistograms } from "./latencyHistograms.js";
export { countStageEvents } from "./stageCounts.js";
export { secondMs, trailingWindow } from "./window.js";

export { alertDeliveries, type AlertDeliveryRecord } from "./alertDeliveries.js";
