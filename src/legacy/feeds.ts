/**
 * The five raw dashboard sockets (contract §2): which legacy view each one pushes, which change
 * notices make it stale, and how its value becomes text frames. Each feed is one live-hub snapshot
 * for all of its sockets; `refreshMs` is the old push period, so a value that changes with time
 * alone (moving windows, "3m ago") is re-read at least that often.
 */
import { alertsChangeTable } from "../domain/changes.js";
import type { SnapshotSource } from "../live/index.js";
import type { TelemetrySnapshot, TelemetryType } from "./contract.js";
import { socketAlertLimit, type LegacyViews } from "./views.js";

export const legacySocketPaths = ["metrics", "pipeline", "telemetry", "dlq", "alerts"] as const;
export type LegacySocketPath = (typeof legacySocketPaths)[number];

export interface LegacyFeed<T = unknown> {
  path: LegacySocketPath;
  source: SnapshotSource<T>;
  /** The value's parts, each sent as its own frame. */
  parts(value: T): Array<[key: string, payload: unknown]>;
  /** The text frame of one part, given the part's JSON. */
  frame(key: string, json: string, now: Date): string;
}

const whole = <T>(path: LegacySocketPath, source: SnapshotSource<T>): LegacyFeed<T> => ({
  path,
  source,
  parts: (value) => [["", value]],
  frame: (_key, json) => json,
});

const telemetryTypes: Array<[TelemetryType, keyof TelemetrySnapshot]> = [
  ["TPS_TREND", "tpsTrend"],
  ["LATENCY_METRICS", "latencyMetrics"],
  ["KAFKA_LAG", "kafkaLag"],
];

/** `{type, timestamp, data}`: one envelope per type, as the page's telemetry socket expects. */
export function telemetryEnvelope(type: string, dataJson: string, now: Date): string {
  return `{"type":${JSON.stringify(type)},"timestamp":${JSON.stringify(now.toISOString())},"data":${dataJson}}`;
}

/** The old push periods: metrics every 2 s, the others every 3 s. */
export const oldPeriodMs: Record<LegacySocketPath, number> = {
  metrics: 2000,
  pipeline: 3000,
  telemetry: 3000,
  dlq: 3000,
  alerts: 3000,
};

export function legacyFeeds(views: LegacyViews): LegacyFeed[] {
  const now = () => new Date();
  const source = <T>(
    path: LegacySocketPath,
    tables: readonly string[],
    compute: () => Promise<T>,
  ): SnapshotSource<T> => ({
    key: `legacy:${path}`,
    tables,
    refreshMs: oldPeriodMs[path],
    compute,
  });
  return [
    whole(
      "metrics",
      source("metrics", ["tradeEvents", "dlqEvents", "errorEvents", "invalidTrades"], () =>
        views.metrics(now()),
      ),
    ),
    whole(
      "pipeline",
      source("pipeline", ["tradeEvents"], () => views.pipeline(now())),
    ),
    {
      path: "telemetry",
      source: source("telemetry", ["tradeEvents", "queueMetrics"], () => views.telemetry(now())),
      parts: (value) => telemetryTypes.map(([type, field]) => [type, value[field]]),
      frame: telemetryEnvelope,
    } satisfies LegacyFeed<TelemetrySnapshot>,
    whole(
      "dlq",
      source("dlq", ["dlqEvents"], () => views.dlq(now())),
    ),
    whole(
      "alerts",
      source("alerts", [alertsChangeTable], () =>
        views.alerts(now(), ["ACTIVE", "ACKED"], socketAlertLimit),
      ),
    ),
  ] as LegacyFeed[];
}
