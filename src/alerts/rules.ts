import type { Pool } from "pg";
import type { AlertThresholdKey, Config, StatusThresholds } from "../config/index.js";
import {
  countInRange,
  quantileMs,
  readLatencyHistograms,
  queueLag,
  countStageEvents,
  secondMs,
  trailingWindow,
  type CountedTable,
} from "../store/read/index.js";
import { latencyStages } from "../domain/stages.js";
import { latestVerifyRun } from "../store/verify/index.js";
import { clearLevel } from "./lifecycle.js";
import { globalScope, type RuleName } from "../domain/alerts.js";

/** What a rule measured for one scope now; `value` null: no data for the scope (it went silent). */
export interface Observation {
  scope: string;
  /** Stored in the old service_name column: the scope for scoped rules, null for global ones. */
  serviceName: string | null;
  value: number | null;
}

/** One evaluation's reads: `once` lets rules share a read (P95 and P99 read the same histograms). */
export interface MeasureContext {
  db: Pool;
  now: Date;
  once<T>(key: string, read: () => Promise<T>): Promise<T>;
}

export interface RuleSpec {
  name: RuleName;
  description: string;
  unit: string;
  /** Which RTTM_ALERT_*_WARNING / _CRITICAL pair applies. */
  thresholds: AlertThresholdKey;
  /** The window the value is measured over (QUEUE_LAG: the oldest snapshot that still counts as data). */
  windowSeconds: number;
  window: string;
  measure(ctx: MeasureContext, windowSeconds: number): Promise<Observation[]>;
}

function latencyRule(name: "LATENCY_P95" | "LATENCY_P99", quantile: number): RuleSpec {
  return {
    name,
    description: `${Math.round(quantile * 100)}th percentile of stage latency, per stage: VALIDATED, ENRICHED and COMMITTED from the previous stage, END_TO_END = COMMITTED − RECEIVED (from the latency histograms, within 4.4 %). A stage without samples in the window has no data.`,
    unit: "ms",
    thresholds: "latencyMs",
    windowSeconds: 300,
    window: "last 5 minutes of event time (every minute bucket of the histograms that overlaps it)",
    async measure(ctx, seconds) {
      const { byStage } = await ctx.once(`latency:${seconds}`, () =>
        readLatencyHistograms(ctx.db, ctx.now, seconds, latencyStages),
      );
      return latencyStages.map((stage) => ({
        scope: stage,
        serviceName: stage,
        value: quantileMs(byStage.get(stage), quantile),
      }));
    },
  };
}

function countRule(
  name: "ERROR_RATE" | "DLQ_COUNT",
  table: CountedTable,
  thresholds: AlertThresholdKey,
  what: string,
): RuleSpec {
  return {
    name,
    description: `${what} in the window (a count per window, as in the old service). No events counts as 0.`,
    unit: "events",
    thresholds,
    windowSeconds: 300,
    window: "last 5 minutes of event time",
    async measure(ctx, seconds) {
      return [
        {
          scope: globalScope,
          serviceName: null,
          value: await countInRange(ctx.db, table, trailingWindow(ctx.now, seconds)),
        },
      ];
    },
  };
}

/**
 * The rules, evaluated in this order by one path (src/alerts/evaluate.ts). Windows are the old
 * service's; queue lag reads the latest snapshot per (topic, partition, group) instead of the old
 * one-minute window over thinned history, where a steady lag rarely showed.
 */
export const rules: readonly RuleSpec[] = [
  latencyRule("LATENCY_P95", 0.95),
  latencyRule("LATENCY_P99", 0.99),
  countRule("ERROR_RATE", "rttm_error_events", "errorRate", "Error events"),
  countRule("DLQ_COUNT", "rttm_dlq_events", "dlq", "DLQ events"),
  {
    name: "QUEUE_LAG",
    description:
      'Produced minus consumed offset of the latest snapshot, per topic/partition/consumer group (scope "topic/partition/group"). A snapshot older than the window is no data.',
    unit: "messages",
    thresholds: "queueDepth",
    windowSeconds: 300,
    window: "latest snapshot, if taken in the last 5 minutes",
    async measure(ctx, seconds) {
      const lag = await queueLag(ctx.db, { now: ctx.now });
      return lag.rows.map((r) => {
        const scope = `${r.topic}/${r.partition}/${r.consumerGroup}`;
        return { scope, serviceName: scope, value: r.ageSeconds <= seconds ? Number(r.lag) : null };
      });
    },
  },
  {
    name: "TPS",
    description:
      "Peak trades per second: the highest one-second count of RECEIVED events in the window (the dashboards' TPS; the old alert counted every stage's events).",
    unit: "tx/s",
    thresholds: "tps",
    windowSeconds: 60,
    window: "last 60 seconds of event time",
    async measure(ctx, seconds) {
      const perSecond = await countStageEvents(ctx.db, {
        range: trailingWindow(ctx.now, seconds),
        stages: ["RECEIVED"],
        bucketMs: secondMs,
      });
      return [
        {
          scope: globalScope,
          serviceName: null,
          value: perSecond.reduce((max, r) => Math.max(max, r.count), 0),
        },
      ];
    },
  },
  {
    name: "DERIVED_DRIFT",
    description:
      "Keys of the derived tables (stage counts, latency histograms, trade progress) that differed from their recomputation from the stored events in the latest self-check (RTTM_VERIFY_INTERVAL; `npm run verify --repair` rewrites them). No self-check in the window is no data.",
    unit: "keys",
    thresholds: "verifyDrift",
    windowSeconds: 7200,
    window: "the latest self-check, if it ran in the last 2 hours",
    async measure(ctx, seconds) {
      const run = await latestVerifyRun(ctx.db);
      const fresh = run && ctx.now.getTime() - run.checkedAt.getTime() <= seconds * 1000;
      return [{ scope: globalScope, serviceName: null, value: fresh ? run.driftedBuckets : null }];
    },
  },
];

export const ruleByName = new Map<RuleName, RuleSpec>(rules.map((r) => [r.name, r]));

/** What a rule is and how it is configured now: served to clients and written in the README. */
export interface RuleInfo {
  name: RuleName;
  description: string;
  unit: string;
  windowSeconds: number;
  window: string;
  warning: number;
  critical: number;
  /** Values below this count as clear (hysteresis). */
  clearBelow: number;
  clearEvaluations: number;
}

export function thresholdsOf(rule: RuleSpec, config: Config["alerts"]): StatusThresholds {
  return config.thresholds[rule.thresholds];
}

export function ruleInfo(config: Config["alerts"]): RuleInfo[] {
  return rules.map((rule) => {
    const thresholds = thresholdsOf(rule, config);
    return {
      name: rule.name,
      description: rule.description,
      unit: rule.unit,
      windowSeconds: rule.windowSeconds,
      window: rule.window,
      warning: thresholds.warning,
      critical: thresholds.critical,
      clearBelow: clearLevel(thresholds, config),
      clearEvaluations: config.clearEvaluations,
    };
  });
}
