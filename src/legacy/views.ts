/**
 * The legacy views: each one is a read model GraphQL serves (the same function with the same
 * defaults as the GraphQL field) passed through its mapper. REST answers and socket frames both
 * come from here, so no number is computed twice or differently.
 */
import type { Pool } from "pg";
import { listAlerts } from "../store/read/index.js";
import type { Status } from "../domain/alerts.js";
import type { Config } from "../config/index.js";
import { overviewView, telemetryView } from "../live/index.js";
import * as read from "../store/read/index.js";
import type {
  Alert,
  DlqResponse,
  MetricCard,
  PipelineStage,
  TelemetrySnapshot,
  TradeEvent,
} from "./contract.js";
import * as map from "./mappers.js";

/** The old alerts socket sent up to 25 open alerts, newest first. */
export const socketAlertLimit = 25;

/** The telemetry read model's arguments for the "TPS Trend" chart: RECEIVED per second, hourly, 24 h. */
export const tpsTrendArgs = { granularity: "HOUR", stage: "RECEIVED" } as const;

export interface LegacyViews {
  metrics(now: Date): Promise<MetricCard[]>;
  pipeline(now: Date): Promise<PipelineStage[]>;
  dlq(now: Date): Promise<DlqResponse>;
  telemetry(now: Date): Promise<TelemetrySnapshot>;
  trackTrade(tradeId: string): Promise<TradeEvent[]>;
  alerts(now: Date, statuses: readonly Status[], limit: number): Promise<Alert[]>;
}

export function legacyViews(db: Pool, config: Config): LegacyViews {
  return {
    metrics: async (now) => map.metricCards(await overviewView(db, config, now, {})),
    pipeline: async (now) => map.pipelineStages(await read.pipeline(db, { now })),
    dlq: async (now) => map.dlqResponse(await read.dlqOverview(db, { now })),
    async telemetry(now) {
      const [telemetry, lag] = await Promise.all([
        telemetryView(db, now, tpsTrendArgs),
        read.queueLag(db, { now }),
      ]);
      return {
        tpsTrend: map.tpsTrend(telemetry.throughput),
        latencyMetrics: map.latencyMetrics(telemetry.latency),
        kafkaLag: map.kafkaLag(lag),
      };
    },
    trackTrade: async (tradeId) => map.tradeEvents(await read.tradeTimeline(db, { tradeId })),
    async alerts(now, statuses, limit) {
      const page = await listAlerts(db, { status: statuses, first: limit });
      return page.edges.map((e) => map.legacyAlert(e.node, now));
    },
  };
}
