import client from "prom-client";
import type { AlertFeedStats } from "../alerts/index.js";
import type { IngestStats, StoredListener } from "../ingest/index.js";
import type { BusStats, FanOutStats, HubStats } from "../live/index.js";

import type { SocketCounts } from "./upgradeGate.js";

export type { SocketCounts };

/** A subsystem as /metrics sees it: its counts, read at scrape time. */
export interface StatsSource<T> {
  stats(): T;
}

/** What the metrics read at scrape time: each subsystem's own stats. */
export interface MetricSources {
  /** Consumer, queue, offsets and writers; `onStored` times each batch write. */
  ingest: StatsSource<IngestStats> & { onStored(listener: StoredListener): void };
  hub: StatsSource<HubStats & { subscribers: number }>;
  fanout: StatsSource<FanOutStats>;
  /** The change bus (in process or Redis). */
  bus: StatsSource<BusStats>;
  alertFeed: StatsSource<AlertFeedStats>;
  /** GraphQL and legacy sockets of this replica. */
  sockets: StatsSource<SocketCounts>;
}

type Labels = Record<string, string>;
/** One series' value: a bare number, or values per label set. */
type Reading = number | Iterable<[Labels, number]>;

function samples(reading: Reading): Iterable<[Labels, number]> {
  return typeof reading === "number" ? [[{}, reading]] : reading;
}

/**
 * Prometheus metrics at /metrics: this module only maps each subsystem's `stats()` (counts it
 * keeps anyway) to series, read at scrape time, so the hot path does no extra work; timings are
 * observed where they happen. Monotonic counts are Counters named `*_total`, levels are Gauges.
 * Event-counted series of their own (legacy routes, Alertmanager delivery, health) are
 * registered on `registry` by their subsystem.
 */
export function createMetrics({ ingest, hub, fanout, bus, alertFeed, sockets }: MetricSources) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "rttm_process_" });

  /** A series read at scrape time; `labelNames` when `read` gives values per label set. */
  const scraped = (
    kind: "counter" | "gauge",
    name: string,
    help: string,
    read: () => Reading,
    labelNames: string[] = [],
  ) => {
    if (kind === "gauge") {
      return new client.Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          for (const [labels, value] of samples(read())) this.set(labels, value);
        },
      });
    }
    return new client.Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      // The count is kept elsewhere, since process start: the counter takes its value as it is.
      collect() {
        this.reset();
        for (const [labels, value] of samples(read())) this.inc(labels, value);
      },
    });
  };
  const counter = (name: string, help: string, read: () => Reading, labelNames?: string[]) =>
    scraped("counter", name, help, read, labelNames);
  const gauge = (name: string, help: string, read: () => Reading, labelNames?: string[]) =>
    scraped("gauge", name, help, read, labelNames);
  const perLabel = (label: string, counts: Record<string, number>) =>
    Object.entries(counts).map(([value, n]): [Labels, number] => [{ [label]: value }, n]);

  counter(
    "rttm_ingest_records_total",
    "Kafka records handed to the queue, per topic",
    () => perLabel("topic", ingest.stats().consumer.consumed),
    ["topic"],
  );
  counter(
    "rttm_stored_rows_total",
    "Rows written per table (quarantine = rejected records; a redelivered record adds none)",
    () => perLabel("table", ingest.stats().writer.rows),
    ["table"],
  );
  counter(
    "rttm_redelivered_records_total",
    "Kafka records that were already stored when they came again (redelivered after a rebalance or restart): not written or counted again",
    () => ingest.stats().writer.redelivered,
  );
  counter(
    "rttm_quarantined_records_total",
    "Records quarantined because they could not be decoded or validated",
    () => ingest.stats().writer.rows.quarantine ?? 0,
  );
  counter(
    "rttm_schema_ids_verified_total",
    "Records whose schema id the Schema Registry confirmed for their topic's message type",
    () => ingest.stats().schemaIds.verified,
  );
  counter(
    "rttm_schema_ids_unverified_total",
    "Records decoded without a schema id check because the Schema Registry could not be reached",
    () => ingest.stats().schemaIds.unverified,
  );
  gauge("rttm_queue_depth", "Events waiting in the bounded queue", () => ingest.stats().queueDepth);
  gauge("rttm_queue_capacity", "Capacity of the bounded queue", () => ingest.stats().queueCapacity);
  gauge(
    "rttm_paused_partitions",
    "Partitions paused for backpressure",
    () => ingest.stats().consumer.pausedPartitions,
  );
  gauge(
    "rttm_consumer_lag_records",
    "Records behind the end of each partition at its last fetch (Kafka consumer lag)",
    () =>
      Object.entries(ingest.stats().consumer.lag).flatMap(([topic, partitions]) =>
        Object.entries(partitions).map(([partition, n]): [Labels, number] => [
          { topic, partition },
          n,
        ]),
      ),
    ["topic", "partition"],
  );
  gauge(
    "rttm_verify_drifted_buckets",
    "Keys (buckets, trades) of each derived table that differed from the stored events in the latest self-check (RTTM_VERIFY_INTERVAL)",
    () =>
      ingest
        .stats()
        .verifyDrift.map(({ table, differing }): [Labels, number] => [{ table }, differing]),
    ["table"],
  );
  gauge(
    "rttm_commit_lag_records",
    "Records fetched but not yet stored, so their offsets are not committed",
    () => ingest.stats().commitLag,
  );
  gauge("rttm_database_writes_failing", "1 while batch writes are failing and being retried", () =>
    ingest.stats().writer.failing ? 1 : 0,
  );
  gauge("rttm_ws_open_sockets", "Open WebSocket connections", () => sockets.stats().open);
  counter(
    "rttm_ws_rejected_total",
    "WebSocket upgrades refused (origin, connection cap, path)",
    () => sockets.stats().rejected,
  );
  gauge("rttm_subscriptions_active", "Active GraphQL subscriptions", () => hub.stats().subscribers);
  gauge(
    "rttm_live_snapshots_active",
    "Distinct live snapshots being computed",
    () => hub.stats().snapshots,
  );
  counter(
    "rttm_live_coalesced_updates_total",
    "Updates dropped for a slow subscriber because a newer one replaced them",
    () => hub.stats().coalesced,
  );
  counter(
    "rttm_live_computations_total",
    "Live snapshot computations",
    () => hub.stats().computations,
  );
  counter(
    "rttm_live_compute_failures_total",
    "Live snapshot computations that failed (retried on the next tick)",
    () => hub.stats().computeFailures,
  );
  counter(
    "rttm_live_deliveries_total",
    "Live updates handed to subscribers",
    () => hub.stats().deliveries,
  );
  counter(
    "rttm_change_notices_published_total",
    "Change notices handed to the bus (Redis: PUBLISH acknowledged)",
    () => bus.stats().published,
  );
  counter(
    "rttm_change_notice_publish_failures_total",
    "Change notices that could not be published (Redis down, timed out, too many in flight)",
    () => bus.stats().publishFailures,
  );
  counter(
    "rttm_change_notices_received_total",
    "Change notices delivered to this replica's listeners",
    () => bus.stats().received,
  );
  counter(
    "rttm_change_notices_malformed_total",
    "Messages on the change channel that were not valid notices (ignored)",
    () => bus.stats().malformed,
  );
  counter(
    "rttm_change_bus_resyncs_total",
    "Resync notices (everything stale) after the bus subscription was restored",
    () => bus.stats().resyncs,
  );
  counter(
    "rttm_alert_feed_reads_total",
    "Reads of new alert events by this replica's feed",
    () => alertFeed.stats().reads,
  );
  counter(
    "rttm_alert_feed_delivered_total",
    "Alert events handed to alertEvents subscribers",
    () => alertFeed.stats().delivered,
  );
  counter(
    "rttm_alert_feed_read_failures_total",
    "Alert event reads that failed (retried at the next notice or poll)",
    () => alertFeed.stats().readFailures,
  );

  gauge(
    "rttm_live_fanout_groups",
    "Groups of subscribers sharing one execution",
    () => fanout.stats().groups,
  );
  counter(
    "rttm_live_fanout_serialisations_total",
    "Values executed and serialised once for a group",
    () => fanout.stats().serialisations,
  );
  counter(
    "rttm_live_fanout_frames_total",
    "Frames written to sockets by the fan-out",
    () => fanout.stats().framesWritten,
  );
  counter(
    "rttm_live_fanout_bytes_total",
    "Bytes of frames written by the fan-out",
    () => fanout.stats().bytesWritten,
  );
  counter(
    "rttm_live_fanout_coalesced_total",
    "Payloads a slow socket never got because a newer one replaced them",
    () => fanout.stats().coalesced,
  );
  counter(
    "rttm_live_reads_total",
    "One-off reads (HTTP queries) of hub views, by how they were answered",
    () => {
      const reads = hub.stats();
      return [
        [{ answer: "snapshot" }, reads.readsFromSnapshot],
        [{ answer: "joined" }, reads.readsJoined],
        [{ answer: "computed" }, reads.readsComputed],
      ];
    },
    ["answer"],
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
