/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AlertEventKind =
  | 'ACKNOWLEDGED'
  | 'ESCALATED'
  | 'RAISED'
  | 'RESOLVED';

/** CLEARED: the value stayed below the clear level; MANUAL: resolveAlert; NO_DATA: the scope went silent (auto-resolve fallback). */
export type AlertResolution =
  | 'CLEARED'
  | 'MANUAL'
  | 'NO_DATA';

/** The rules; see the alertRules query. */
export type AlertRuleName =
  | 'DERIVED_DRIFT'
  | 'DLQ_COUNT'
  | 'ERROR_RATE'
  | 'LATENCY_P95'
  | 'LATENCY_P99'
  | 'QUEUE_LAG'
  | 'TPS';

/** WARNING: the value reached the rule's warning threshold; CRITICAL: it reached the critical one (both inclusive). An open alert keeps the highest severity it reached. */
export type AlertSeverity =
  | 'CRITICAL'
  | 'WARNING';

/** ACTIVE (open), ACKED (open, someone is on it), RESOLVED (closed; a recurrence opens a new alert). */
export type AlertStatus =
  | 'ACKED'
  | 'ACTIVE'
  | 'RESOLVED';

/** From the card's thresholds (RTTM_CARD_*): above critical → CRITICAL, above warning → WARNING. */
export type CardStatus =
  | 'CRITICAL'
  | 'HEALTHY'
  | 'WARNING';

export type Granularity =
  | 'HOUR'
  | 'MINUTE'
  | 'SECOND';

/** A stage's latency is measured from the previous stage; END_TO_END is COMMITTED minus RECEIVED. */
export type LatencyStage =
  | 'COMMITTED'
  | 'END_TO_END'
  | 'ENRICHED'
  | 'VALIDATED';

/** Pipeline stages in their fixed order. */
export type Stage =
  | 'COMMITTED'
  | 'ENRICHED'
  | 'RECEIVED'
  | 'VALIDATED';

export type TimelineSource =
  | 'DLQ'
  | 'ERROR'
  | 'INVALID'
  | 'TRADE_EVENT';

export type AlertFieldsFragment = { id: string, rule: AlertRuleName, metricName: string, scope: string, serviceName: string | null, severity: AlertSeverity, status: AlertStatus, currentValue: number, peakValue: number, thresholdValue: number, unit: string, windowSeconds: number, triggeredTime: string, lastObservedAt: string, escalatedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, resolvedAt: string | null, resolvedBy: string | null, resolution: AlertResolution | null, updatedAt: string, message: string, timeAgo: string };

export type AlertEventFieldsFragment = { id: string, alertId: string, kind: AlertEventKind, status: AlertStatus, severity: AlertSeverity, value: number, thresholdValue: number, actor: string, at: string };

export type OpenAlertsQueryVariables = Exact<{ [key: string]: never; }>;


export type OpenAlertsQuery = { openAlerts: { asOf: string, alerts: Array<{ id: string, rule: AlertRuleName, metricName: string, scope: string, serviceName: string | null, severity: AlertSeverity, status: AlertStatus, currentValue: number, peakValue: number, thresholdValue: number, unit: string, windowSeconds: number, triggeredTime: string, lastObservedAt: string, escalatedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, resolvedAt: string | null, resolvedBy: string | null, resolution: AlertResolution | null, updatedAt: string, message: string, timeAgo: string }> } };

export type LiveOpenAlertsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type LiveOpenAlertsSubscription = { openAlerts: { asOf: string, alerts: Array<{ id: string, rule: AlertRuleName, metricName: string, scope: string, serviceName: string | null, severity: AlertSeverity, status: AlertStatus, currentValue: number, peakValue: number, thresholdValue: number, unit: string, windowSeconds: number, triggeredTime: string, lastObservedAt: string, escalatedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, resolvedAt: string | null, resolvedBy: string | null, resolution: AlertResolution | null, updatedAt: string, message: string, timeAgo: string }> } };

export type AlertsQueryVariables = Exact<{
  status?: Array<AlertStatus> | AlertStatus | null | undefined;
  severity?: AlertSeverity | null | undefined;
  rule?: AlertRuleName | null | undefined;
  from?: string | null | undefined;
  to?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type AlertsQuery = { alerts: { edges: Array<{ cursor: string, node: { id: string, rule: AlertRuleName, metricName: string, scope: string, serviceName: string | null, severity: AlertSeverity, status: AlertStatus, currentValue: number, peakValue: number, thresholdValue: number, unit: string, windowSeconds: number, triggeredTime: string, lastObservedAt: string, escalatedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, resolvedAt: string | null, resolvedBy: string | null, resolution: AlertResolution | null, updatedAt: string, message: string, timeAgo: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type AlertQueryVariables = Exact<{
  id: string | number;
}>;


export type AlertQuery = { alert: { id: string, rule: AlertRuleName, metricName: string, scope: string, serviceName: string | null, severity: AlertSeverity, status: AlertStatus, currentValue: number, peakValue: number, thresholdValue: number, unit: string, windowSeconds: number, triggeredTime: string, lastObservedAt: string, escalatedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, resolvedAt: string | null, resolvedBy: string | null, resolution: AlertResolution | null, updatedAt: string, message: string, timeAgo: string, events: Array<{ id: string, alertId: string, kind: AlertEventKind, status: AlertStatus, severity: AlertSeverity, value: number, thresholdValue: number, actor: string, at: string }> } | null };

export type AlertRulesQueryVariables = Exact<{ [key: string]: never; }>;


export type AlertRulesQuery = { alertRules: Array<{ name: AlertRuleName, description: string, unit: string, window: string, windowSeconds: number, warning: number, critical: number, clearBelow: number, clearEvaluations: number }> };

export type AlertEventsSubscriptionVariables = Exact<{
  afterEventId?: string | number | null | undefined;
}>;


export type AlertEventsSubscription = { alertEvents: { id: string, alertId: string, kind: AlertEventKind, status: AlertStatus, severity: AlertSeverity, value: number, thresholdValue: number, actor: string, at: string, alert: { id: string, rule: AlertRuleName, metricName: string, scope: string, serviceName: string | null, severity: AlertSeverity, status: AlertStatus, currentValue: number, peakValue: number, thresholdValue: number, unit: string, windowSeconds: number, triggeredTime: string, lastObservedAt: string, escalatedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, resolvedAt: string | null, resolvedBy: string | null, resolution: AlertResolution | null, updatedAt: string, message: string, timeAgo: string } } };

export type AcknowledgeAlertMutationVariables = Exact<{
  id: string | number;
  by?: string | null | undefined;
}>;


export type AcknowledgeAlertMutation = { acknowledgeAlert: { id: string, rule: AlertRuleName, metricName: string, scope: string, serviceName: string | null, severity: AlertSeverity, status: AlertStatus, currentValue: number, peakValue: number, thresholdValue: number, unit: string, windowSeconds: number, triggeredTime: string, lastObservedAt: string, escalatedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, resolvedAt: string | null, resolvedBy: string | null, resolution: AlertResolution | null, updatedAt: string, message: string, timeAgo: string } };

export type ResolveAlertMutationVariables = Exact<{
  id: string | number;
  by?: string | null | undefined;
}>;


export type ResolveAlertMutation = { resolveAlert: { id: string, rule: AlertRuleName, metricName: string, scope: string, serviceName: string | null, severity: AlertSeverity, status: AlertStatus, currentValue: number, peakValue: number, thresholdValue: number, unit: string, windowSeconds: number, triggeredTime: string, lastObservedAt: string, escalatedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, resolvedAt: string | null, resolvedBy: string | null, resolution: AlertResolution | null, updatedAt: string, message: string, timeAgo: string } };

export type DlqOverviewFieldsFragment = { asOf: string, windowSeconds: number, total: number, lastEventTime: string | null, byStage: Array<{ stage: Stage, count: number }> };

export type DlqOverviewQueryVariables = Exact<{
  windowSeconds?: number | null | undefined;
}>;


export type DlqOverviewQuery = { dlqOverview: { asOf: string, windowSeconds: number, total: number, lastEventTime: string | null, byStage: Array<{ stage: Stage, count: number }> } };

export type LiveDlqOverviewSubscriptionVariables = Exact<{
  windowSeconds?: number | null | undefined;
}>;


export type LiveDlqOverviewSubscription = { dlqOverview: { asOf: string, windowSeconds: number, total: number, lastEventTime: string | null, byStage: Array<{ stage: Stage, count: number }> } };

export type DlqEventsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  stage?: Stage | null | undefined;
  service?: string | null | undefined;
  from?: string | null | undefined;
  to?: string | null | undefined;
}>;


export type DlqEventsQuery = { dlqEvents: { edges: Array<{ cursor: string, node: { id: string, tradeId: string | null, serviceName: string, topicName: string, originalTopic: string, reason: string, stage: Stage | null, eventTime: string, kafkaTopic: string, kafkaPartition: number, kafkaOffset: number } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ErrorEventsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  stage?: Stage | null | undefined;
  service?: string | null | undefined;
  errorType?: string | null | undefined;
  from?: string | null | undefined;
  to?: string | null | undefined;
}>;


export type ErrorEventsQuery = { errorEvents: { edges: Array<{ cursor: string, node: { id: string, tradeId: string | null, serviceName: string, errorType: string, errorMessage: string, stage: Stage | null, eventTime: string, kafkaTopic: string, kafkaPartition: number, kafkaOffset: number } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type IngestionHealthFieldsFragment = { replica: string, consumerJoined: boolean, partitionsAssigned: number, paused: boolean, pausedSince: string | null, queueDepth: number, queueCapacity: number, commitLagRecords: number, writesFailingSince: string | null, lastWriteError: string | null, batchesWritten: number, changeBusHealthy: boolean, rowsStored: Array<{ table: string, rows: number }>, recordsConsumed: Array<{ topic: string, records: number }> };

export type IngestionHealthQueryVariables = Exact<{ [key: string]: never; }>;


export type IngestionHealthQuery = { ingestionHealth: { replica: string, consumerJoined: boolean, partitionsAssigned: number, paused: boolean, pausedSince: string | null, queueDepth: number, queueCapacity: number, commitLagRecords: number, writesFailingSince: string | null, lastWriteError: string | null, batchesWritten: number, changeBusHealthy: boolean, rowsStored: Array<{ table: string, rows: number }>, recordsConsumed: Array<{ topic: string, records: number }> } };

export type LiveIngestionHealthSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type LiveIngestionHealthSubscription = { ingestionHealth: { replica: string, consumerJoined: boolean, partitionsAssigned: number, paused: boolean, pausedSince: string | null, queueDepth: number, queueCapacity: number, commitLagRecords: number, writesFailingSince: string | null, lastWriteError: string | null, batchesWritten: number, changeBusHealthy: boolean, rowsStored: Array<{ table: string, rows: number }>, recordsConsumed: Array<{ topic: string, records: number }> } };

export type InvalidTradesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  from?: string | null | undefined;
  to?: string | null | undefined;
}>;


export type InvalidTradesQuery = { invalidTrades: { edges: Array<{ cursor: string, node: { id: string, tradeId: string, portfolioId: string, symbol: string, side: string, pricePerStock: number, quantity: number, tradeTimestamp: string | null, validationErrors: string, eventTime: string, kafkaTopic: string, kafkaPartition: number, kafkaOffset: number } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type OverviewFieldsFragment = { asOf: string, currentTps: number, currentTpsWindowSeconds: number, peakTps: number, peakTpsWindowSeconds: number, avgEndToEndLatencyMs: number | null, dlqCount: number, invalidTradeCount: number, errorCount: number, windowSeconds: number, cards: Array<{ title: string, value: number | null, unit: string, status: CardStatus, windowSeconds: number }> };

export type OverviewQueryVariables = Exact<{
  windowSeconds?: number | null | undefined;
  currentTpsWindowSeconds?: number | null | undefined;
  peakTpsWindowSeconds?: number | null | undefined;
}>;


export type OverviewQuery = { overview: { asOf: string, currentTps: number, currentTpsWindowSeconds: number, peakTps: number, peakTpsWindowSeconds: number, avgEndToEndLatencyMs: number | null, dlqCount: number, invalidTradeCount: number, errorCount: number, windowSeconds: number, cards: Array<{ title: string, value: number | null, unit: string, status: CardStatus, windowSeconds: number }> } };

export type LiveOverviewSubscriptionVariables = Exact<{
  windowSeconds?: number | null | undefined;
  currentTpsWindowSeconds?: number | null | undefined;
  peakTpsWindowSeconds?: number | null | undefined;
}>;


export type LiveOverviewSubscription = { overview: { asOf: string, currentTps: number, currentTpsWindowSeconds: number, peakTps: number, peakTpsWindowSeconds: number, avgEndToEndLatencyMs: number | null, dlqCount: number, invalidTradeCount: number, errorCount: number, windowSeconds: number, cards: Array<{ title: string, value: number | null, unit: string, status: CardStatus, windowSeconds: number }> } };

export type PipelineFieldsFragment = { asOf: string, windowSeconds: number, stages: Array<{ stage: Stage, count: number, avgLatencyMs: number | null, successRate: number | null }> };

export type PipelineQueryVariables = Exact<{
  windowSeconds?: number | null | undefined;
}>;


export type PipelineQuery = { pipeline: { asOf: string, windowSeconds: number, stages: Array<{ stage: Stage, count: number, avgLatencyMs: number | null, successRate: number | null }> } };

export type LivePipelineSubscriptionVariables = Exact<{
  windowSeconds?: number | null | undefined;
}>;


export type LivePipelineSubscription = { pipeline: { asOf: string, windowSeconds: number, stages: Array<{ stage: Stage, count: number, avgLatencyMs: number | null, successRate: number | null }> } };

export type QuarantinedRecordsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  errorKind?: string | null | undefined;
  topic?: string | null | undefined;
}>;


export type QuarantinedRecordsQuery = { quarantinedRecords: { edges: Array<{ cursor: string, node: { id: string, errorKind: string, reason: string, kafkaTimestamp: string | null, messageKeyBase64: string | null, rawValueBase64: string | null, createdAt: string, kafkaTopic: string, kafkaPartition: number, kafkaOffset: number } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type QueueLagFieldsFragment = { asOf: string, totalLag: number, partitions: Array<{ topic: string, partition: number, consumerGroup: string, serviceName: string, producedOffset: number, consumedOffset: number, lag: number, snapshotTime: string, ageSeconds: number }>, byTopicGroup: Array<{ topic: string, consumerGroup: string, partitions: number, lag: number }> };

export type QueueLagQueryVariables = Exact<{ [key: string]: never; }>;


export type QueueLagQuery = { queueLag: { asOf: string, totalLag: number, partitions: Array<{ topic: string, partition: number, consumerGroup: string, serviceName: string, producedOffset: number, consumedOffset: number, lag: number, snapshotTime: string, ageSeconds: number }>, byTopicGroup: Array<{ topic: string, consumerGroup: string, partitions: number, lag: number }> } };

export type LiveQueueLagSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type LiveQueueLagSubscription = { queueLag: { asOf: string, totalLag: number, partitions: Array<{ topic: string, partition: number, consumerGroup: string, serviceName: string, producedOffset: number, consumedOffset: number, lag: number, snapshotTime: string, ageSeconds: number }>, byTopicGroup: Array<{ topic: string, consumerGroup: string, partitions: number, lag: number }> } };

export type TelemetryFieldsFragment = { throughput: { asOf: string, windowSeconds: number, granularity: Granularity, stage: Stage | null, buckets: Array<{ bucketStart: string, count: number, perSecond: number }> }, latency: { asOf: string, windowSeconds: number, stages: Array<{ stage: LatencyStage, samples: number, avgMs: number | null, p50Ms: number | null, p95Ms: number | null, p99Ms: number | null }> } };

export type TelemetryQueryVariables = Exact<{
  windowSeconds?: number | null | undefined;
  granularity?: Granularity | null | undefined;
  stage?: Stage | null | undefined;
}>;


export type TelemetryQuery = { telemetry: { throughput: { asOf: string, windowSeconds: number, granularity: Granularity, stage: Stage | null, buckets: Array<{ bucketStart: string, count: number, perSecond: number }> }, latency: { asOf: string, windowSeconds: number, stages: Array<{ stage: LatencyStage, samples: number, avgMs: number | null, p50Ms: number | null, p95Ms: number | null, p99Ms: number | null }> } } };

export type LiveTelemetrySubscriptionVariables = Exact<{
  windowSeconds?: number | null | undefined;
  granularity?: Granularity | null | undefined;
  stage?: Stage | null | undefined;
}>;


export type LiveTelemetrySubscription = { telemetry: { throughput: { asOf: string, windowSeconds: number, granularity: Granularity, stage: Stage | null, buckets: Array<{ bucketStart: string, count: number, perSecond: number }> }, latency: { asOf: string, windowSeconds: number, stages: Array<{ stage: LatencyStage, samples: number, avgMs: number | null, p50Ms: number | null, p95Ms: number | null, p99Ms: number | null }> } } };

export type TradeTimelineFieldsFragment = { tradeId: string, truncated: boolean, endToEndMs: number | null, entries: Array<{ source: TimelineSource, id: string, time: string, serviceName: string | null, stage: string | null, eventType: string | null, status: string | null, errorType: string | null, message: string }>, stages: Array<{ stage: Stage, reached: boolean, reachedAt: string | null, serviceName: string | null, latencyFromPreviousMs: number | null }> };

export type TradeQueryVariables = Exact<{
  tradeId: string;
}>;


export type TradeQuery = { trade: { tradeId: string, truncated: boolean, endToEndMs: number | null, entries: Array<{ source: TimelineSource, id: string, time: string, serviceName: string | null, stage: string | null, eventType: string | null, status: string | null, errorType: string | null, message: string }>, stages: Array<{ stage: Stage, reached: boolean, reachedAt: string | null, serviceName: string | null, latencyFromPreviousMs: number | null }> } };

export type LiveTradeSubscriptionVariables = Exact<{
  tradeId: string;
}>;


export type LiveTradeSubscription = { trade: { tradeId: string, truncated: boolean, endToEndMs: number | null, entries: Array<{ source: TimelineSource, id: string, time: string, serviceName: string | null, stage: string | null, eventType: string | null, status: string | null, errorType: string | null, message: string }>, stages: Array<{ stage: Stage, reached: boolean, reachedAt: string | null, serviceName: string | null, latencyFromPreviousMs: number | null }> } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const AlertFieldsFragmentDoc = new TypedDocumentString(`
    fragment AlertFields on Alert {
  id
  rule
  metricName
  scope
  serviceName
  severity
  status
  currentValue
  peakValue
  thresholdValue
  unit
  windowSeconds
  triggeredTime
  lastObservedAt
  escalatedAt
  acknowledgedAt
  acknowledgedBy
  resolvedAt
  resolvedBy
  resolution
  updatedAt
  message
  timeAgo
}
    `, {"fragmentName":"AlertFields"}) as unknown as TypedDocumentString<AlertFieldsFragment, unknown>;
export const AlertEventFieldsFragmentDoc = new TypedDocumentString(`
    fragment AlertEventFields on AlertEvent {
  id
  alertId
  kind
  status
  severity
  value
  thresholdValue
  actor
  at
}
    `, {"fragmentName":"AlertEventFields"}) as unknown as TypedDocumentString<AlertEventFieldsFragment, unknown>;
export const DlqOverviewFieldsFragmentDoc = new TypedDocumentString(`
    fragment DlqOverviewFields on DlqOverview {
  asOf
  windowSeconds
  total
  byStage {
    stage
    count
  }
  lastEventTime
}
    `, {"fragmentName":"DlqOverviewFields"}) as unknown as TypedDocumentString<DlqOverviewFieldsFragment, unknown>;
export const IngestionHealthFieldsFragmentDoc = new TypedDocumentString(`
    fragment IngestionHealthFields on IngestionHealth {
  replica
  consumerJoined
  partitionsAssigned
  paused
  pausedSince
  queueDepth
  queueCapacity
  commitLagRecords
  writesFailingSince
  lastWriteError
  batchesWritten
  rowsStored {
    table
    rows
  }
  recordsConsumed {
    topic
    records
  }
  changeBusHealthy
}
    `, {"fragmentName":"IngestionHealthFields"}) as unknown as TypedDocumentString<IngestionHealthFieldsFragment, unknown>;
export const OverviewFieldsFragmentDoc = new TypedDocumentString(`
    fragment OverviewFields on Overview {
  asOf
  cards {
    title
    value
    unit
    status
    windowSeconds
  }
  currentTps
  currentTpsWindowSeconds
  peakTps
  peakTpsWindowSeconds
  avgEndToEndLatencyMs
  dlqCount
  invalidTradeCount
  errorCount
  windowSeconds
}
    `, {"fragmentName":"OverviewFields"}) as unknown as TypedDocumentString<OverviewFieldsFragment, unknown>;
export const PipelineFieldsFragmentDoc = new TypedDocumentString(`
    fragment PipelineFields on Pipeline {
  asOf
  windowSeconds
  stages {
    stage
    count
    avgLatencyMs
    successRate
  }
}
    `, {"fragmentName":"PipelineFields"}) as unknown as TypedDocumentString<PipelineFieldsFragment, unknown>;
export const QueueLagFieldsFragmentDoc = new TypedDocumentString(`
    fragment QueueLagFields on QueueLag {
  asOf
  totalLag
  partitions {
    topic
    partition
    consumerGroup
    serviceName
    producedOffset
    consumedOffset
    lag
    snapshotTime
    ageSeconds
  }
  byTopicGroup {
    topic
    consumerGroup
    partitions
    lag
  }
}
    `, {"fragmentName":"QueueLagFields"}) as unknown as TypedDocumentString<QueueLagFieldsFragment, unknown>;
export const TelemetryFieldsFragmentDoc = new TypedDocumentString(`
    fragment TelemetryFields on Telemetry {
  throughput {
    asOf
    windowSeconds
    granularity
    stage
    buckets {
      bucketStart
      count
      perSecond
    }
  }
  latency {
    asOf
    windowSeconds
    stages {
      stage
      samples
      avgMs
      p50Ms
      p95Ms
      p99Ms
    }
  }
}
    `, {"fragmentName":"TelemetryFields"}) as unknown as TypedDocumentString<TelemetryFieldsFragment, unknown>;
export const TradeTimelineFieldsFragmentDoc = new TypedDocumentString(`
    fragment TradeTimelineFields on TradeTimeline {
  tradeId
  entries {
    source
    id
    time
    serviceName
    stage
    eventType
    status
    errorType
    message
  }
  truncated
  stages {
    stage
    reached
    reachedAt
    serviceName
    latencyFromPreviousMs
  }
  endToEndMs
}
    `, {"fragmentName":"TradeTimelineFields"}) as unknown as TypedDocumentString<TradeTimelineFieldsFragment, unknown>;
export const OpenAlertsDocument = new TypedDocumentString(`
    query OpenAlerts {
  openAlerts {
    asOf
    alerts {
      ...AlertFields
    }
  }
}
    fragment AlertFields on Alert {
  id
  rule
  metricName
  scope
  serviceName
  severity
  status
  currentValue
  peakValue
  thresholdValue
  unit
  windowSeconds
  triggeredTime
  lastObservedAt
  escalatedAt
  acknowledgedAt
  acknowledgedBy
  resolvedAt
  resolvedBy
  resolution
  updatedAt
  message
  timeAgo
}`, {"hash":"sha256:62b6f7c65220e2d4fec7e8517a177679824d1a9dc185b32078424ab65246af05"}) as unknown as TypedDocumentString<OpenAlertsQuery, OpenAlertsQueryVariables>;
export const LiveOpenAlertsDocument = new TypedDocumentString(`
    subscription LiveOpenAlerts {
  openAlerts {
    asOf
    alerts {
      ...AlertFields
    }
  }
}
    fragment AlertFields on Alert {
  id
  rule
  metricName
  scope
  serviceName
  severity
  status
  currentValue
  peakValue
  thresholdValue
  unit
  windowSeconds
  triggeredTime
  lastObservedAt
  escalatedAt
  acknowledgedAt
  acknowledgedBy
  resolvedAt
  resolvedBy
  resolution
  updatedAt
  message
  timeAgo
}`, {"hash":"sha256:b8fa1690469fa5e05bcebb76fa243be462b3421032a2f28d405a457a227ef940"}) as unknown as TypedDocumentString<LiveOpenAlertsSubscription, LiveOpenAlertsSubscriptionVariables>;
export const AlertsDocument = new TypedDocumentString(`
    query Alerts($status: [AlertStatus!], $severity: AlertSeverity, $rule: AlertRuleName, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  alerts(
    status: $status
    severity: $severity
    rule: $rule
    from: $from
    to: $to
    first: $first
    after: $after
  ) {
    edges {
      cursor
      node {
        ...AlertFields
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment AlertFields on Alert {
  id
  rule
  metricName
  scope
  serviceName
  severity
  status
  currentValue
  peakValue
  thresholdValue
  unit
  windowSeconds
  triggeredTime
  lastObservedAt
  escalatedAt
  acknowledgedAt
  acknowledgedBy
  resolvedAt
  resolvedBy
  resolution
  updatedAt
  message
  timeAgo
}`, {"hash":"sha256:dedbee6651a3f3f2bd467b6823addb0daf523cb337c702c959a5deafcf64f8b0"}) as unknown as TypedDocumentString<AlertsQuery, AlertsQueryVariables>;
export const AlertDocument = new TypedDocumentString(`
    query Alert($id: ID!) {
  alert(id: $id) {
    ...AlertFields
    events {
      ...AlertEventFields
    }
  }
}
    fragment AlertFields on Alert {
  id
  rule
  metricName
  scope
  serviceName
  severity
  status
  currentValue
  peakValue
  thresholdValue
  unit
  windowSeconds
  triggeredTime
  lastObservedAt
  escalatedAt
  acknowledgedAt
  acknowledgedBy
  resolvedAt
  resolvedBy
  resolution
  updatedAt
  message
  timeAgo
}
fragment AlertEventFields on AlertEvent {
  id
  alertId
  kind
  status
  severity
  value
  thresholdValue
  actor
  at
}`, {"hash":"sha256:a08d9bc0c9307851fb6eb46512cf04dc1c6a342464bcabd75ead781d66fecf9e"}) as unknown as TypedDocumentString<AlertQuery, AlertQueryVariables>;
export const AlertRulesDocument = new TypedDocumentString(`
    query AlertRules {
  alertRules {
    name
    description
    unit
    window
    windowSeconds
    warning
    critical
    clearBelow
    clearEvaluations
  }
}
    `, {"hash":"sha256:5d931524e33220491b041fda93359e893d122d528d6f83e0bae71d1b0b7b5c09"}) as unknown as TypedDocumentString<AlertRulesQuery, AlertRulesQueryVariables>;
export const AlertEventsDocument = new TypedDocumentString(`
    subscription AlertEvents($afterEventId: ID) {
  alertEvents(afterEventId: $afterEventId) {
    ...AlertEventFields
    alert {
      ...AlertFields
    }
  }
}
    fragment AlertFields on Alert {
  id
  rule
  metricName
  scope
  serviceName
  severity
  status
  currentValue
  peakValue
  thresholdValue
  unit
  windowSeconds
  triggeredTime
  lastObservedAt
  escalatedAt
  acknowledgedAt
  acknowledgedBy
  resolvedAt
  resolvedBy
  resolution
  updatedAt
  message
  timeAgo
}
fragment AlertEventFields on AlertEvent {
  id
  alertId
  kind
  status
  severity
  value
  thresholdValue
  actor
  at
}`, {"hash":"sha256:b8aff2d82641aefca73b6dc19b9c80fab28d8eeef464f036a7b47a5a5b57cc9f"}) as unknown as TypedDocumentString<AlertEventsSubscription, AlertEventsSubscriptionVariables>;
export const AcknowledgeAlertDocument = new TypedDocumentString(`
    mutation AcknowledgeAlert($id: ID!, $by: String) {
  acknowledgeAlert(id: $id, by: $by) {
    ...AlertFields
  }
}
    fragment AlertFields on Alert {
  id
  rule
  metricName
  scope
  serviceName
  severity
  status
  currentValue
  peakValue
  thresholdValue
  unit
  windowSeconds
  triggeredTime
  lastObservedAt
  escalatedAt
  acknowledgedAt
  acknowledgedBy
  resolvedAt
  resolvedBy
  resolution
  updatedAt
  message
  timeAgo
}`, {"hash":"sha256:399ee8fc89c91f3f9a16a9ea17ef81a1c3fa110e37a24c5211329cba704c7631"}) as unknown as TypedDocumentString<AcknowledgeAlertMutation, AcknowledgeAlertMutationVariables>;
export const ResolveAlertDocument = new TypedDocumentString(`
    mutation ResolveAlert($id: ID!, $by: String) {
  resolveAlert(id: $id, by: $by) {
    ...AlertFields
  }
}
    fragment AlertFields on Alert {
  id
  rule
  metricName
  scope
  serviceName
  severity
  status
  currentValue
  peakValue
  thresholdValue
  unit
  windowSeconds
  triggeredTime
  lastObservedAt
  escalatedAt
  acknowledgedAt
  acknowledgedBy
  resolvedAt
  resolvedBy
  resolution
  updatedAt
  message
  timeAgo
}`, {"hash":"sha256:f78bfff641599ba64face966debe3390436ad367785f8efca4dfc6d1cb24df34"}) as unknown as TypedDocumentString<ResolveAlertMutation, ResolveAlertMutationVariables>;
export const DlqOverviewDocument = new TypedDocumentString(`
    query DlqOverview($windowSeconds: Int) {
  dlqOverview(windowSeconds: $windowSeconds) {
    ...DlqOverviewFields
  }
}
    fragment DlqOverviewFields on DlqOverview {
  asOf
  windowSeconds
  total
  byStage {
    stage
    count
  }
  lastEventTime
}`, {"hash":"sha256:259c4d511652b550953fe7c3831d0f7fa6c74b90d58a2e85968a7cced25cc3ba"}) as unknown as TypedDocumentString<DlqOverviewQuery, DlqOverviewQueryVariables>;
export const LiveDlqOverviewDocument = new TypedDocumentString(`
    subscription LiveDlqOverview($windowSeconds: Int) {
  dlqOverview(windowSeconds: $windowSeconds) {
    ...DlqOverviewFields
  }
}
    fragment DlqOverviewFields on DlqOverview {
  asOf
  windowSeconds
  total
  byStage {
    stage
    count
  }
  lastEventTime
}`, {"hash":"sha256:6cc930957929cdc9ad8b3abc579560a8e58d6659526b18bc21f980ffca31d3dc"}) as unknown as TypedDocumentString<LiveDlqOverviewSubscription, LiveDlqOverviewSubscriptionVariables>;
export const DlqEventsDocument = new TypedDocumentString(`
    query DlqEvents($first: Int, $after: String, $stage: Stage, $service: String, $from: DateTime, $to: DateTime) {
  dlqEvents(
    first: $first
    after: $after
    stage: $stage
    service: $service
    from: $from
    to: $to
  ) {
    edges {
      cursor
      node {
        id
        tradeId
        serviceName
        topicName
        originalTopic
        reason
        stage
        eventTime
        kafkaTopic
        kafkaPartition
        kafkaOffset
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:4794b936c4a5d77f28a28a6dae933b6253f10af54b983cfa0fc511e3550f48f6"}) as unknown as TypedDocumentString<DlqEventsQuery, DlqEventsQueryVariables>;
export const ErrorEventsDocument = new TypedDocumentString(`
    query ErrorEvents($first: Int, $after: String, $stage: Stage, $service: String, $errorType: String, $from: DateTime, $to: DateTime) {
  errorEvents(
    first: $first
    after: $after
    stage: $stage
    service: $service
    errorType: $errorType
    from: $from
    to: $to
  ) {
    edges {
      cursor
      node {
        id
        tradeId
        serviceName
        errorType
        errorMessage
        stage
        eventTime
        kafkaTopic
        kafkaPartition
        kafkaOffset
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:78debf90f24d55125149c6b1fc0d3f29a62baddf07472135558e6e8910f57924"}) as unknown as TypedDocumentString<ErrorEventsQuery, ErrorEventsQueryVariables>;
export const IngestionHealthDocument = new TypedDocumentString(`
    query IngestionHealth {
  ingestionHealth {
    ...IngestionHealthFields
  }
}
    fragment IngestionHealthFields on IngestionHealth {
  replica
  consumerJoined
  partitionsAssigned
  paused
  pausedSince
  queueDepth
  queueCapacity
  commitLagRecords
  writesFailingSince
  lastWriteError
  batchesWritten
  rowsStored {
    table
    rows
  }
  recordsConsumed {
    topic
    records
  }
  changeBusHealthy
}`, {"hash":"sha256:aeff10ff157e39bfa86a519dec68aaa6a155c9ae577f7dd633738db90114c8ea"}) as unknown as TypedDocumentString<IngestionHealthQuery, IngestionHealthQueryVariables>;
export const LiveIngestionHealthDocument = new TypedDocumentString(`
    subscription LiveIngestionHealth {
  ingestionHealth {
    ...IngestionHealthFields
  }
}
    fragment IngestionHealthFields on IngestionHealth {
  replica
  consumerJoined
  partitionsAssigned
  paused
  pausedSince
  queueDepth
  queueCapacity
  commitLagRecords
  writesFailingSince
  lastWriteError
  batchesWritten
  rowsStored {
    table
    rows
  }
  recordsConsumed {
    topic
    records
  }
  changeBusHealthy
}`, {"hash":"sha256:c311b564d45d4ccc6c78e4ef211d13f73c68557d802b612df544e786f318182b"}) as unknown as TypedDocumentString<LiveIngestionHealthSubscription, LiveIngestionHealthSubscriptionVariables>;
export const InvalidTradesDocument = new TypedDocumentString(`
    query InvalidTrades($first: Int, $after: String, $from: DateTime, $to: DateTime) {
  invalidTrades(first: $first, after: $after, from: $from, to: $to) {
    edges {
      cursor
      node {
        id
        tradeId
        portfolioId
        symbol
        side
        pricePerStock
        quantity
        tradeTimestamp
        validationErrors
        eventTime
        kafkaTopic
        kafkaPartition
        kafkaOffset
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:e44eefb7687d19ca2b606276cb06ac65749451c4864229439fb199d54b674a1f"}) as unknown as TypedDocumentString<InvalidTradesQuery, InvalidTradesQueryVariables>;
export const OverviewDocument = new TypedDocumentString(`
    query Overview($windowSeconds: Int, $currentTpsWindowSeconds: Int, $peakTpsWindowSeconds: Int) {
  overview(
    windowSeconds: $windowSeconds
    currentTpsWindowSeconds: $currentTpsWindowSeconds
    peakTpsWindowSeconds: $peakTpsWindowSeconds
  ) {
    ...OverviewFields
  }
}
    fragment OverviewFields on Overview {
  asOf
  cards {
    title
    value
    unit
    status
    windowSeconds
  }
  currentTps
  currentTpsWindowSeconds
  peakTps
  peakTpsWindowSeconds
  avgEndToEndLatencyMs
  dlqCount
  invalidTradeCount
  errorCount
  windowSeconds
}`, {"hash":"sha256:85b3c3bd2017cd213c5d59f4b15b9bf82f72251528dced6f86151be3775cf1d0"}) as unknown as TypedDocumentString<OverviewQuery, OverviewQueryVariables>;
export const LiveOverviewDocument = new TypedDocumentString(`
    subscription LiveOverview($windowSeconds: Int, $currentTpsWindowSeconds: Int, $peakTpsWindowSeconds: Int) {
  overview(
    windowSeconds: $windowSeconds
    currentTpsWindowSeconds: $currentTpsWindowSeconds
    peakTpsWindowSeconds: $peakTpsWindowSeconds
  ) {
    ...OverviewFields
  }
}
    fragment OverviewFields on Overview {
  asOf
  cards {
    title
    value
    unit
    status
    windowSeconds
  }
  currentTps
  currentTpsWindowSeconds
  peakTps
  peakTpsWindowSeconds
  avgEndToEndLatencyMs
  dlqCount
  invalidTradeCount
  errorCount
  windowSeconds
}`, {"hash":"sha256:dbef53ca6288c9a87993110ed47d382da7a940a53a7eb4961f432d2d1f0561af"}) as unknown as TypedDocumentString<LiveOverviewSubscription, LiveOverviewSubscriptionVariables>;
export const PipelineDocument = new TypedDocumentString(`
    query Pipeline($windowSeconds: Int) {
  pipeline(windowSeconds: $windowSeconds) {
    ...PipelineFields
  }
}
    fragment PipelineFields on Pipeline {
  asOf
  windowSeconds
  stages {
    stage
    count
    avgLatencyMs
    successRate
  }
}`, {"hash":"sha256:a6ce906cd20969eaced5996e4c96f9ddeba751523473357a5523a4460ab38c25"}) as unknown as TypedDocumentString<PipelineQuery, PipelineQueryVariables>;
export const LivePipelineDocument = new TypedDocumentString(`
    subscription LivePipeline($windowSeconds: Int) {
  pipeline(windowSeconds: $windowSeconds) {
    ...PipelineFields
  }
}
    fragment PipelineFields on Pipeline {
  asOf
  windowSeconds
  stages {
    stage
    count
    avgLatencyMs
    successRate
  }
}`, {"hash":"sha256:792576a27a1a1a1f421eac3be7598dc775790903d9033f8715f9660a2d855c88"}) as unknown as TypedDocumentString<LivePipelineSubscription, LivePipelineSubscriptionVariables>;
export const QuarantinedRecordsDocument = new TypedDocumentString(`
    query QuarantinedRecords($first: Int, $after: String, $errorKind: String, $topic: String) {
  quarantinedRecords(
    first: $first
    after: $after
    errorKind: $errorKind
    topic: $topic
  ) {
    edges {
      cursor
      node {
        id
        errorKind
        reason
        kafkaTimestamp
        messageKeyBase64
        rawValueBase64
        createdAt
        kafkaTopic
        kafkaPartition
        kafkaOffset
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:103dbbad8d2c733fdcc1bfa90153e4a99d2c66843f38905c251a893e46576348"}) as unknown as TypedDocumentString<QuarantinedRecordsQuery, QuarantinedRecordsQueryVariables>;
export const QueueLagDocument = new TypedDocumentString(`
    query QueueLag {
  queueLag {
    ...QueueLagFields
  }
}
    fragment QueueLagFields on QueueLag {
  asOf
  totalLag
  partitions {
    topic
    partition
    consumerGroup
    serviceName
    producedOffset
    consumedOffset
    lag
    snapshotTime
    ageSeconds
  }
  byTopicGroup {
    topic
    consumerGroup
    partitions
    lag
  }
}`, {"hash":"sha256:a9b7d25884896009c8344e095e4b08cbdfe497cd88a3c9ff643bc22c13664ef4"}) as unknown as TypedDocumentString<QueueLagQuery, QueueLagQueryVariables>;
export const LiveQueueLagDocument = new TypedDocumentString(`
    subscription LiveQueueLag {
  queueLag {
    ...QueueLagFields
  }
}
    fragment QueueLagFields on QueueLag {
  asOf
  totalLag
  partitions {
    topic
    partition
    consumerGroup
    serviceName
    producedOffset
    consumedOffset
    lag
    snapshotTime
    ageSeconds
  }
  byTopicGroup {
    topic
    consumerGroup
    partitions
    lag
  }
}`, {"hash":"sha256:76fdb25570bfb3ecf4ce56a9e327c63f229976ffa631ac97a70f63a538ad4dbd"}) as unknown as TypedDocumentString<LiveQueueLagSubscription, LiveQueueLagSubscriptionVariables>;
export const TelemetryDocument = new TypedDocumentString(`
    query Telemetry($windowSeconds: Int, $granularity: Granularity, $stage: Stage) {
  telemetry(
    windowSeconds: $windowSeconds
    granularity: $granularity
    stage: $stage
  ) {
    ...TelemetryFields
  }
}
    fragment TelemetryFields on Telemetry {
  throughput {
    asOf
    windowSeconds
    granularity
    stage
    buckets {
      bucketStart
      count
      perSecond
    }
  }
  latency {
    asOf
    windowSeconds
    stages {
      stage
      samples
      avgMs
      p50Ms
      p95Ms
      p99Ms
    }
  }
}`, {"hash":"sha256:c716aaf934bc5b80566dbbb55dce1627b71dcfe9e72daa6f09515bc23749b41e"}) as unknown as TypedDocumentString<TelemetryQuery, TelemetryQueryVariables>;
export const LiveTelemetryDocument = new TypedDocumentString(`
    subscription LiveTelemetry($windowSeconds: Int, $granularity: Granularity, $stage: Stage) {
  telemetry(
    windowSeconds: $windowSeconds
    granularity: $granularity
    stage: $stage
  ) {
    ...TelemetryFields
  }
}
    fragment TelemetryFields on Telemetry {
  throughput {
    asOf
    windowSeconds
    granularity
    stage
    buckets {
      bucketStart
      count
      perSecond
    }
  }
  latency {
    asOf
    windowSeconds
    stages {
      stage
      samples
      avgMs
      p50Ms
      p95Ms
      p99Ms
    }
  }
}`, {"hash":"sha256:6dee087a8490b08703a21ee5ee49aa1630ddb87900fd6b3d86e25d0e6bdca1eb"}) as unknown as TypedDocumentString<LiveTelemetrySubscription, LiveTelemetrySubscriptionVariables>;
export const TradeDocument = new TypedDocumentString(`
    query Trade($tradeId: String!) {
  trade(tradeId: $tradeId) {
    ...TradeTimelineFields
  }
}
    fragment TradeTimelineFields on TradeTimeline {
  tradeId
  entries {
    source
    id
    time
    serviceName
    stage
    eventType
    status
    errorType
    message
  }
  truncated
  stages {
    stage
    reached
    reachedAt
    serviceName
    latencyFromPreviousMs
  }
  endToEndMs
}`, {"hash":"sha256:cb549081887993a33ad1b326174df2098836f2d15d302857f6dc163cc608b540"}) as unknown as TypedDocumentString<TradeQuery, TradeQueryVariables>;
export const LiveTradeDocument = new TypedDocumentString(`
    subscription LiveTrade($tradeId: String!) {
  trade(tradeId: $tradeId) {
    ...TradeTimelineFields
  }
}
    fragment TradeTimelineFields on TradeTimeline {
  tradeId
  entries {
    source
    id
    time
    serviceName
    stage
    eventType
    status
    errorType
    message
  }
  truncated
  stages {
    stage
    reached
    reachedAt
    serviceName
    latencyFromPreviousMs
  }
  endToEndMs
}`, {"hash":"sha256:f9a37fede9d41eb3169d3334c493eda2da75dc81d9e069c9e400fb5d17814c87"}) as unknown as TypedDocumentString<LiveTradeSubscription, LiveTradeSubscriptionVariables>;