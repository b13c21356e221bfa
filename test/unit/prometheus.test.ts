import assert from "node:assert/strict";
import { test } from "node:test";
import { createMetrics } from "../../src/http/prometheus.js";
import type { IngestStats } from "../../src/ingest/service.js";
import { FanOut } from "../../src/live/fanout.js";
import { LiveHub } from "../../src/live/hub.js";
import { inProcessBus } from "../../src/live/inProcessBus.js";
import { createLogger, setLogLevel } from "../../src/log.js";

setLogLevel("silent");

/** Ingest as the metrics see it: its stats (plain values) and the batch-write hook. */
function ingestStats(rows: Record<string, number>) {
  return {
    stats: (): IngestStats => ({
      consumer: {
        consumed: { "rttm.trade.events": 7 },
        pausedPartitions: 4,
        lag: { "rttm.trade.events": { 0: 12, 1: 0 } },
      },
      writer: { rows: { ...rows }, redelivered: 8, failing: true },
      queueDepth: 3,
      queueCapacity: 10,
      commitLag: 2,
      schemaIds: { verified: 5, unverified: 1 },
      verifyDrift: [
        { table: "rttm_stage_count_minute", differing: 3 },
        { table: "rttm_trade_progress", differing: 0 },
      ],
    }),
    onStored() {},
  };
}

test("*_total series are counters holding the counts the service keeps; levels are gauges", async () => {
  const logger = createLogger();
  const bus = inProcessBus(logger);
  const hub = new LiveHub({ bus, tickMs: 1000, fanout: new FanOut(logger), logger });
  const rows = { tradeEvents: 4, quarantine: 1 };
  const { registry } = createMetrics({
    ingest: ingestStats(rows),
    hub,
    fanout: hub.fanout,
    bus,
    alertFeed: { stats: () => ({ reads: 2, delivered: 9, readFailures: 0 }) },
    sockets: { stats: () => ({ open: 1, rejected: 6 }) },
  });
  bus.publish({ origin: "test", at: Date.now(), tables: ["tradeEvents"], tradeIds: [] });
  await new Promise((resolve) => setImmediate(resolve));
  try {
    const text = await registry.metrics();
    // prom-client's default process metrics (rttm_process_*) name a few gauges *_total: not ours.
    const ours = (l: string) =>
      l.startsWith("# TYPE rttm_") && !l.startsWith("# TYPE rttm_process_");
    for (const line of text.split("\n").filter(ours)) {
      const [, , name, type] = line.split(" ");
      if (name!.endsWith("_total")) assert.equal(type, "counter", name);
    }
    assert.match(text, /^rttm_stored_rows_total\{table="tradeEvents"\} 4$/m);
    assert.match(text, /^rttm_ingest_records_total\{topic="rttm.trade.events"\} 7$/m);
    assert.match(text, /^rttm_ws_rejected_total 6$/m);
    assert.match(text, /^rttm_schema_ids_verified_total 5$/m);
    assert.match(text, /^rttm_change_notices_published_total 1$/m);
    assert.match(text, /^rttm_alert_feed_delivered_total 9$/m);
    assert.match(text, /^# TYPE rttm_queue_depth gauge$/m);
    assert.match(text, /^rttm_queue_depth 3$/m);
    assert.match(text, /^rttm_verify_drifted_buckets\{table="rttm_stage_count_minute"\} 3$/m);
    assert.match(text, /^rttm_verify_drifted_buckets\{table="rttm_trade_progress"\} 0$/m);
    assert.match(
      text,
      /^rttm_consumer_lag_records\{topic="rttm.trade.events",partition="0"\} 12$/m,
    );
    assert.match(text, /^rttm_queue_capacity 10$/m);
    assert.match(text, /^rttm_paused_partitions 4$/m);
    assert.match(text, /^rttm_commit_lag_records 2$/m);
    assert.match(text, /^rttm_database_writes_failing 1$/m);
    assert.match(text, /^rttm_quarantined_records_total 1$/m);
    assert.match(text, /^rttm_redelivered_records_total 8$/m);
    assert.match(text, /^rttm_ws_open_sockets 1$/m);
    assert.match(text, /^rttm_subscriptions_active 0$/m);
    assert.match(text, /^rttm_live_reads_total\{answer="computed"\} 0$/m);
    // A second scrape reports the count as it is now, not added to the first.
    rows.tradeEvents = 6;
    assert.match(await registry.metrics(), /^rttm_stored_rows_total\{table="tradeEvents"\} 6$/m);
  } finally {
    hub.close();
    await bus.close();
  }
});
