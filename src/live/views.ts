import type { Pool } from "pg";
import type { Config } from "../config/index.js";
import type { IngestService } from "../ingest/index.js";
import { cardStatus } from "../arithmetic/index.js";
import * as read from "../store/read/index.js";
import type { SnapshotSource } from "./hub.js";
import type { ChangeBus } from "./bus.js";

/**
 * Dashboard views: read models shaped for the screens, shared by queries and subscriptions. A
 * view's snapshot source names the tables whose changes make it stale and how often time alone
 * (moving windows) makes it stale.
 */
export interface Windows {
  windowSeconds?: number | null;
}

const opt = (n: number | null | undefined) => n ?? undefined;

export async function overviewView(
  db: Pool,
  config: Config,
  now: Date,
  args: {
    windowSeconds?: number | null;
    currentTpsWindowSeconds?: number | null;
    peakTpsWindowSeconds?: number | null;
  },
) {
  const o = await read.overview(db, {
    now,
    windowSeconds: opt(args.windowSeconds),
    currentTpsWindowSeconds: opt(args.currentTpsWindowSeconds),
    peakTpsWindowSeconds: opt(args.peakTpsWindowSeconds),
  });
  const { cards: t } = config;
  const cards = [
    {
      title: "Current TPS",
      value: o.currentTps,
      unit: "tx/s",
      status: cardStatus(o.currentTps, t.tps),
      windowSeconds: o.currentTpsWindowSeconds,
    },
    {
      title: "Peak TPS",
      value: o.peakTps,
      unit: "tx/s",
      status: cardStatus(o.peakTps, t.tps),
      windowSeconds: o.peakTpsWindowSeconds,
    },
    {
      title: "Avg Latency",
      value: o.avgEndToEndLatencyMs,
      unit: "ms",
      status: cardStatus(o.avgEndToEndLatencyMs, t.latencyMs),
      windowSeconds: o.windowSeconds,
    },
    {
      title: "DLQ Count",
      value: o.dlqCount,
      unit: "errors",
      status: cardStatus(o.dlqCount, t.dlq),
      windowSeconds: o.windowSeconds,
    },
    {
      title: "Invalid Trades",
      value: o.invalidTradeCount,
      unit: "trades",
      status: cardStatus(o.invalidTradeCount, t.invalidTrades),
      windowSeconds: o.windowSeconds,
    },
    {
      title: "Errors",
      value: o.errorCount,
      unit: "errors",
      status: cardStatus(o.errorCount, t.errors),
      windowSeconds: o.windowSeconds,
    },
  ];
  return { ...o, cards };
}

export async function telemetryView(
  db: Pool,
  now: Date,
  args: {
    windowSeconds?: number | null;
    granularity?: read.Granularity | null;
    stage?: string | null;
  },
) {
  const [throughput, latency] = await Promise.all([
    read.throughputTrend(db, {
      now,
      windowSeconds: opt(args.windowSeconds),
      granularity: args.granularity ?? "MINUTE",
      stage: args.stage,
    }),
    read.latencyStats(db, { now, windowSeconds: opt(args.windowSeconds) }),
  ]);
  return { throughput, latency };
}

export function ingestionHealthView(ingest: IngestService, bus: ChangeBus, replica: string) {
  const consumer = ingest.consumerStatus;
  const writer = ingest.writer.status;
  return {
    asOf: new Date(),
    replica,
    consumerJoined: consumer.joined,
    partitionsAssigned: Object.values(consumer.assigned).reduce((n, p) => n + p.length, 0),
    paused: consumer.paused,
    pausedSince: consumer.pausedSince,
    queueDepth: ingest.queue.size,
    queueCapacity: ingest.queue.capacity,
    commitLagRecords: ingest.ledger.pendingCount,
    writesFailingSince: writer.failingSince,
    lastWriteError: writer.lastError,
    batchesWritten: writer.batches,
    rowsStored: Object.entries(writer.rows).map(([table, rows]) => ({ table, rows })),
    recordsConsumed: Object.entries(consumer.consumed).map(([topic, records]) => ({
      topic,
      records,
    })),
    changeBusHealthy: bus.healthy,
    verify: ingest.verify.latest(),
  };
}

export type IngestionHealth = ReturnType<typeof ingestionHealthView>;

/** Snapshot sources for the live hub, keyed by view and arguments. */
export function snapshotSources(
  db: Pool,
  config: Config,
  ingest: IngestService,
  bus: ChangeBus,
  replica: string,
) {
  const now = () => new Date();
  return {
    overview: (
      args: Parameters<typeof overviewView>[3],
    ): SnapshotSource<Awaited<ReturnType<typeof overviewView>>> => ({
      key: `overview:${args.windowSeconds ?? ""}:${args.currentTpsWindowSeconds ?? ""}:${args.peakTpsWindowSeconds ?? ""}`,
      tables: ["tradeEvents", "dlqEvents", "errorEvents", "invalidTrades"],
      refreshMs: 1000,
      compute: () => overviewView(db, config, now(), args),
    }),
    pipeline: (args: Windows): SnapshotSource<read.Pipeline> => ({
      key: `pipeline:${args.windowSeconds ?? ""}`,
      tables: ["tradeEvents"],
      refreshMs: 5000,
      compute: () => read.pipeline(db, { now: now(), windowSeconds: opt(args.windowSeconds) }),
    }),
    dlq: (args: Windows): SnapshotSource<read.DlqOverview> => ({
      key: `dlq:${args.windowSeconds ?? ""}`,
      tables: ["dlqEvents"],
      refreshMs: 10_000,
      compute: () => read.dlqOverview(db, { now: now(), windowSeconds: opt(args.windowSeconds) }),
    }),
    telemetry: (
      args: Parameters<typeof telemetryView>[2],
    ): SnapshotSource<Awaited<ReturnType<typeof telemetryView>>> => ({
      key: `telemetry:${args.windowSeconds ?? ""}:${args.granularity ?? ""}:${args.stage ?? ""}`,
      tables: ["tradeEvents"],
      refreshMs: 5000,
      compute: () => telemetryView(db, now(), args),
    }),
    queueLag: (): SnapshotSource<read.QueueLag> => ({
      key: "queueLag",
      tables: ["queueMetrics"],
      refreshMs: 5000,
      volatileKeys: ["asOf", "ageSeconds"],
      compute: () => read.queueLag(db, { now: now() }),
    }),
    ingestionHealth: (): SnapshotSource<IngestionHealth> => ({
      key: "ingestionHealth",
      // Every stored batch changes its counts (and is announced by a notice): a query after a
      // write must see it. Consumer state changes without notices: refreshed every tick.
      tables: "all",
      refreshMs: config.live.tickMs,
      compute: async () => ingestionHealthView(ingest, bus, replica),
    }),
    trade: (tradeId: string): SnapshotSource<read.TradeTimeline> => ({
      key: `trade:${tradeId}`,
      tables: [],
      tradeId,
      compute: () => read.tradeTimeline(db, { tradeId }),
    }),
  };
}

export type SnapshotSources = ReturnType<typeof snapshotSources>;
