import client from "prom-client";
import type { IngestService } from "../ingest/service.js";
import type { LiveHub } from "../live/hub.js";

export interface SocketCounts {
  open: number;
  rejected: number;
}

/**
 * Prometheus metrics at /metrics. Counters the pipeline keeps anyway (status objects) are read at
 * scrape time, so the hot path does no extra work; timings are observed where they happen.
 */
export function createMetrics(ingest: IngestService, hub: LiveHub, sockets: SocketCounts) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "rttm_process_" });

  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    collect: (g: client.Gauge) => void,
  ) =>
    new client.Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        collect(this);
      },
    });

  gauge(
    "rttm_ingest_records_total",
    "Kafka records handed to the queue, per topic (monotonic)",
    ["topic"],
    (g) => {
      for (const [topic, n] of Object.entries(ingest.consumerStatus.consumed)) g.set({ topic }, n);
    },
  );
  gauge(
    "rttm_stored_rows_total",
    "Rows written per table (monotonic; quarantine = rejected records)",
    ["table"],
    (g) => {
      for (const [table, n] of Object.entries(ingest.writer.status.rows)) g.set({ table }, n);
    },
  );
  gauge(
    "rttm_quarantined_records_total",
    "Records quarantined because they could not be decoded or validated",
    [],
    (g) => g.set(ingest.writer.status.rows.quarantine ?? 0),
  );
  gauge("rttm_queue_depth", "Events waiting in the bounded queue", [], (g) =>
    g.set(ingest.queue.size),
  );
  gauge("rttm_queue_capacity", "Capacity of the bounded queue", [], (g) =>
    g.set(ingest.queue.capacity),
  );
  gauge("rttm_paused_partitions", "Partitions paused for backpressure", [], (g) => {
    const assigned = Object.values(ingest.consumerStatus.assigned).reduce(
      (n, p) => n + p.length,
      0,
    );
    g.set(ingest.consumerStatus.paused ? assigned : 0);
  });
  gauge(
    "rttm_commit_lag_records",
    "Records fetched but not yet stored, so their offsets are not committed",
    [],
    (g) => g.set(ingest.ledger.pendingCount),
  );
  gauge(
    "rttm_database_writes_failing",
    "1 while batch writes are failing and being retried",
    [],
    (g) => g.set(ingest.writer.status.failingSince ? 1 : 0),
  );
  gauge("rttm_ws_open_sockets", "Open WebSocket connections", [], (g) => g.set(sockets.open));
  gauge(
    "rttm_ws_rejected_total",
    "WebSocket upgrades refused (origin, connection cap, path)",
    [],
    (g) => g.set(sockets.rejected),
  );
  gauge("rttm_subscriptions_active", "Active GraphQL subscriptions", [], (g) =>
    g.set(hub.stats.subscriptions),
  );
  gauge("rttm_live_snapshots_active", "Distinct live snapshots being computed", [], (g) =>
    g.set(hub.stats.snapshots),
  );
  gauge(
    "rttm_live_coalesced_updates_total",
    "Updates dropped for a slow subscriber because a newer one replaced them",
    [],
    (g) => g.set(hub.stats.coalesced),
  );
  gauge("rttm_live_computations_total", "Live snapshot computations", [], (g) =>
    g.set(hub.stats.computations),
  );

  const batchWrite = new client.Histogram({
    name: "rttm_batch_write_seconds",
    help: "Duration of one batch transaction",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  ingest.onStored((_counts, _batch, durationMs) => batchWrite.observe(durationMs / 1000));

  const graphqlDuration = new client.Histogram({
    name: "rttm_graphql_request_duration_seconds",
    help: "GraphQL operation execution time",
    labelNames: ["operation_type", "operation_name"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  return { registry, graphqlDuration };
}

export type Metrics = ReturnType<typeof createMetrics>;
