/**
 * Seeds a database, copied from the migrated template, with a day of realistic history: trades of
 * 4 stage events each over the last 24 h, the derived rows the ingest path maintains
 * (rttm_trade_progress, from which the view rttm_stage_latency derives latencies incl. END_TO_END,
 * rttm_stage_count_second/minute, rttm_latency_histogram_minute with the service's own latencyBin),
 * and DLQ, error, invalid-trade,
 * queue-metric and quarantine rows. Everything goes in with COPY (parallel streams for
 * the large tables), then VACUUM (ANALYZE): autovacuum is off on this machine's PostgreSQL, and a
 * live database would have been vacuumed and analysed by it (visibility map for index-only scans,
 * planner statistics).
 *
 * The database keeps its name (rttm_seed_<events>, which scripts/with-services.sh does not drop)
 * and records what it holds in its COMMENT, so `bench:live --skip-seed` can reuse it when the
 * migrations still match the template's.
 *
 * Usage: bash scripts/with-services.sh node --import tsx scripts/bench/seed.ts [--events 10000000]
 * (bench:live calls seedDatabase itself).
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { Writable } from "node:stream";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { stages } from "../../src/domain/stages.js";
import { loadConfig } from "../../src/config/index.js";
import { latencyBin } from "../../src/arithmetic/latencyHistogram.js";
import { preparePartitions } from "../../src/store/retention.js";
import { createDatabase, databaseUrl, progress, template, withAdmin } from "./lib/service.js";
import { fmt } from "./lib/stats.js";

export const seedVersion = 3;
const spanMs = 86_400_000;
const tradesPerSideRow = 25; // one DLQ event, one error event and one invalid trade per 25 trades (as bench:ingest)
const latencyStageNames = ["VALIDATED", "ENRICHED", "COMMITTED", "END_TO_END"] as const;
const stageServices = [
  ["order-gateway-0", "order-gateway-1", "order-gateway-2"],
  ["trade-validator-0", "trade-validator-1", "trade-validator-2"],
  ["trade-enricher-0", "trade-enricher-1", "trade-enricher-2"],
  ["trade-committer-0", "trade-committer-1", "trade-committer-2"],
] as const;
const maxBins = 512;

export interface SeedInfo {
  name: string;
  url: string;
  events: number;
  trades: number;
  /** Epoch ms: the end of the seeded day (events lie in [seededAt − 24 h, seededAt − 60 s]). */
  seededAt: number;
  seedVersion: number;
  migrations: string[];
  rows: Record<string, number>;
  copySeconds: number;
  vacuumSeconds: number;
  /** Share of each table's pages VACUUM marked all-visible (index-only scans skip their heap). */
  allVisiblePct: Record<string, number>;
  totalSeconds: number;
  /** Trade-event rows per second of the COPY phase. */
  tradeEventsPerSec: number;
  databaseBytes: number;
  /** Every table and index of the database, per trade event seeded. */
  bytesPerTradeEvent: number;
}

export const seedDatabaseName = (events: number) => `rttm_seed_${events}`;

async function migrationsOf(name: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl(name) });
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY 1",
    );
    return rows.map((r) => r.migration_name);
  } finally {
    await client.end();
  }
}

/** The seeded database for `events` if it exists, is complete, and its migrations match the template's; otherwise why not. */
export async function existingSeed(events: number): Promise<SeedInfo | string> {
  const name = seedDatabaseName(events);
  const comment = await withAdmin(async (c) => {
    const { rows } = await c.query<{ comment: string | null }>(
      "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
      [name],
    );
    return rows.length === 0 ? undefined : rows[0]!.comment;
  });
  if (comment === undefined) return `database ${name} does not exist`;
  let info: SeedInfo;
  try {
    info = JSON.parse(comment ?? "") as SeedInfo;
  } catch {
    return `database ${name} has no seed record (an interrupted seed?)`;
  }
  if (info.seedVersion !== seedVersion || info.events !== events)
    return `database ${name} was seeded by another version or size`;
  const [seeded, current] = await Promise.all([migrationsOf(name), migrationsOf(template)]);
  if (JSON.stringify(seeded) !== JSON.stringify(current)) {
    return `database ${name} has migrations [${seeded.join(", ")}] but the template has [${current.join(", ")}]`;
  }
  return { ...info, url: databaseUrl(name) };
}

/** One COPY … FROM STDIN stream on its own connection; write() respects backpressure. */
class CopyWriter {
  private readonly stream: Writable;
  private readonly finished: Promise<void>;
  rows = 0;

  constructor(
    private readonly client: pg.PoolClient,
    readonly table: string,
    columns: readonly string[],
  ) {
    this.stream = client.query(
      copyFrom(`COPY ${table} (${columns.join(", ")}) FROM STDIN`) as never,
    ) as unknown as Writable;
    this.finished = new Promise((resolve, reject) => {
      this.stream.once("finish", () => resolve());
      this.stream.once("error", reject);
    });
    this.finished.catch(() => undefined);
  }

  async write(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    this.rows += lines.length;
    if (!this.stream.write(lines.join("")))
      await Promise.race([once(this.stream, "drain"), this.finished]);
  }

  async end(): Promise<void> {
    this.stream.end();
    await this.finished;
    this.client.release();
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A log-normal gap around `medianMs` with a 0.5 % heavy tail (5–50 ×), 1 ms to 20 s. */
function gapMs(medianMs: number): number {
  const u = 1 - Math.random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
  let v = medianMs * Math.exp(0.55 * z);
  if (Math.random() < 0.005) v *= 5 + Math.random() * 45;
  return Math.min(20_000, Math.max(1, Math.round(v)));
}

export async function seedDatabase(options: { events: number; name?: string }): Promise<SeedInfo> {
  const trades = Math.floor(options.events / 4);
  const events = trades * 4;
  const name = options.name ?? seedDatabaseName(events);
  const started = performance.now();
  progress(`seed: creating ${name} from ${template}`);
  const url = await createDatabase(name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const seededAt = Date.now();
  const start = seededAt - spanMs;
  const end = seededAt - 120_000; // with the largest gaps (3 × 20 s) every event is at least 60 s old
  const sec0 = Math.floor(start / 1000);
  const min0 = Math.floor(start / 60_000);
  const seconds = Math.ceil(spanMs / 1000) + 10;
  const minutes = Math.ceil(spanMs / 60_000) + 10;
  const secondCounts = new Int32Array(seconds * 4);
  const minuteCounts = new Int32Array(minutes * 4);
  const histCount = new Int32Array(minutes * 4 * maxBins);
  const histSum = new Float64Array(minutes * 4 * maxBins);
  const rows: Record<string, number> = {};

  // Default synchronous_commit on purpose: rows of an asynchronously committed transaction cannot
  // be marked all-visible by the VACUUM that follows (hint bits wait for the WAL flush).
  const connect = () => pool.connect();
  const tradeEventColumns = [
    "trade_id",
    "service_name",
    "event_type",
    "event_stage",
    "event_status",
    "source_queue",
    "target_queue",
    "topic_name",
    "consumer_group",
    "partition_id",
    "offset_value",
    "event_time",
    "message",
    "kafka_topic",
    "kafka_partition",
    "kafka_offset",
  ];
  const progressColumns = [
    "trade_id",
    ...stages.flatMap((s) => [`${s.toLowerCase()}_at`, `${s.toLowerCase()}_service`]),
  ];
  // The day partitions the service would have created (else every row lands in the default one).
  await preparePartitions(pool, loadConfig({}).retention, seededAt);
  const tradeEventsOut = new CopyWriter(await connect(), "rttm_trade_events", tradeEventColumns);
  const progressOut = new CopyWriter(await connect(), "rttm_trade_progress", progressColumns);

  const dlqLines: string[] = [];
  const errorLines: string[] = [];
  const invalidLines: string[] = [];
  const partitions = 12;
  const offsets = new Array<number>(partitions).fill(0);
  const chunkTrades = 2000;
  let lastReport = performance.now();
  const copyStarted = performance.now();
  progress(
    `seed: ${fmt(trades)} trades × 4 stages = ${fmt(events)} trade events over 24 h, plus derived rows, by COPY`,
  );
  for (let from = 0; from < trades; from += chunkTrades) {
    const te: string[] = [];
    const pr: string[] = [];
    const to = Math.min(trades, from + chunkTrades);
    for (let i = from; i < to; i++) {
      const tradeId = randomUUID();
      const r = start + Math.floor(((i + Math.random()) / trades) * (end - start));
      const gaps = [gapMs(40), gapMs(120), gapMs(60)] as const;
      const times = [
        r,
        r + gaps[0],
        r + gaps[0] + gaps[1],
        r + gaps[0] + gaps[1] + gaps[2],
      ] as const;
      const partition = i % partitions;
      const services = stageServices.map((list) => list[i % 3]!);
      const isoTimes = times.map(iso);
      for (let s = 0; s < 4; s++) {
        const stage = stages[s]!;
        const t = times[s]!;
        te.push(
          `${tradeId}\t${services[s]}\tTRADE_${stage}\t${stage}\tSUCCESS\torders.${s}\torders.${s + 1}\torders\tpms-${stage.toLowerCase()}\t${i % 6}\t${i}\t${isoTimes[s]}\ttrade ${stage.toLowerCase()}\trttm.trade.events\t${partition}\t${offsets[partition]!++}\n`,
        );
        secondCounts[(Math.floor(t / 1000) - sec0) * 4 + s]!++;
        minuteCounts[(Math.floor(t / 60_000) - min0) * 4 + s]!++;
      }
      pr.push(
        `${tradeId}\t${isoTimes[0]}\t${services[0]}\t${isoTimes[1]}\t${services[1]}\t${isoTimes[2]}\t${services[2]}\t${isoTimes[3]}\t${services[3]}\n`,
      );
      const latencies = [gaps[0], gaps[1], gaps[2], gaps[0] + gaps[1] + gaps[2]];
      for (let l = 0; l < 4; l++) {
        const at = l === 3 ? times[3] : times[l + 1]!;
        const ms = latencies[l]!;
        const bin = latencyBin(ms);
        if (bin >= maxBins) throw new Error(`latency ${ms} ms falls in bin ${bin} ≥ ${maxBins}`);
        const k = ((Math.floor(at / 60_000) - min0) * 4 + l) * maxBins + bin;
        histCount[k]!++;
        histSum[k]! += ms;
      }
      if (i % tradesPerSideRow === 0) {
        const n = i / tradesPerSideRow;
        const stage = stages[n % 4]!;
        dlqLines.push(
          `${tradeId}\ttrade-validator-${n % 3}\torders.dlq\torders.${n % 4}\t${["schema mismatch", "poison message", "max retries exceeded"][n % 3]}\t${stage}\t${isoTimes[n % 4]}\trttm.dlq.events\t${n % 3}\t${Math.floor(n / 3)}\n`,
        );
        errorLines.push(
          `${tradeId}\ttrade-enricher-${n % 3}\t${["TECHNICAL", "BUSINESS", "VALIDATION"][n % 3]}\tprice feed timeout after 5000 ms\t${stages[(n + 2) % 4]}\t${isoTimes[(n + 2) % 4]}\trttm.error.events\t${n % 3}\t${Math.floor(n / 3)}\n`,
        );
        invalidLines.push(
          `${tradeId}\tportfolio-${n % 500}\t${["AAPL", "MSFT", "XYZ", "GOOG"][n % 4]}\t${n % 2 ? "HOLD" : "BUY"}\t${(100 + (n % 400) + 0.25).toFixed(2)}\t${(n % 7) - 3}\t${isoTimes[0]}\tside must be BUY or SELL; quantity must be positive\t${isoTimes[0]}\tinvalid-trades-topic\t${n % 3}\t${Math.floor(n / 3)}\n`,
        );
      }
    }
    await Promise.all([tradeEventsOut.write(te), progressOut.write(pr)]);
    const now = performance.now();
    if (now - lastReport > 3000 || to === trades) {
      lastReport = now;
      const elapsed = (now - copyStarted) / 1000;
      const done = to * 4;
      const rate = done / elapsed;
      progress(
        `seed: ${fmt(done)}/${fmt(events)} trade events (+ ${fmt(to)} progress rows), ${fmt(rate)} events/s, ${elapsed.toFixed(0)} s, ETA ${((events - done) / rate).toFixed(0)} s`,
      );
    }
  }
  progress("seed: finishing the two large COPY streams");
  await Promise.all([tradeEventsOut.end(), progressOut.end()]);
  rows.rttm_trade_events = tradeEventsOut.rows;
  rows.rttm_trade_progress = progressOut.rows;
  const bigCopySeconds = (performance.now() - copyStarted) / 1000;
  progress(
    `seed: large tables done in ${bigCopySeconds.toFixed(1)} s (${fmt(events / bigCopySeconds)} trade events/s); rollups and side tables`,
  );

  // Rollups, exactly as the writer would have accumulated them.
  const secondLines: string[] = [];
  for (let i = 0; i < secondCounts.length; i++) {
    const n = secondCounts[i]!;
    if (n > 0)
      secondLines.push(`${iso((sec0 + Math.floor(i / 4)) * 1000)}\t${stages[i % 4]}\t${n}\n`);
  }
  const minuteLines: string[] = [];
  for (let i = 0; i < minuteCounts.length; i++) {
    const n = minuteCounts[i]!;
    if (n > 0)
      minuteLines.push(`${iso((min0 + Math.floor(i / 4)) * 60_000)}\t${stages[i % 4]}\t${n}\n`);
  }
  const histogramLines: string[] = [];
  for (let k = 0; k < histCount.length; k++) {
    const n = histCount[k]!;
    if (n === 0) continue;
    const bin = k % maxBins;
    const stageIndex = Math.floor(k / maxBins) % 4;
    const minute = Math.floor(k / maxBins / 4);
    histogramLines.push(
      `${iso((min0 + minute) * 60_000)}\t${latencyStageNames[stageIndex]}\t${bin}\t${n}\t${histSum[k]}\n`,
    );
  }
  // Queue snapshots: 4 topics × 6 partitions × 2 consumer groups, one stored snapshot per key every
  // 5 min (the store-if-changed rule's minimum interval), the newest one 10 s before seededAt.
  const queueHistory: string[] = [];
  const queueLatest: string[] = [];
  let qOffset = 0;
  for (let topic = 0; topic < 4; topic++) {
    for (let partition = 0; partition < 6; partition++) {
      for (const [g, group] of ["enricher-group", "committer-group"].entries()) {
        const key = topic * 12 + partition * 2 + g;
        let produced = 0;
        let consumed = 0;
        let last = { t: 0, produced: 0, consumed: 0 };
        for (let t = start + (key % 30) * 1000; t <= seededAt - 10_000; t += 300_000) {
          produced += 9000 + ((key * 7919 + Math.floor(t / 300_000)) % 2000);
          consumed = Math.max(consumed, produced - ((key * 31 + Math.floor(t / 60_000)) % 900));
          last = { t, produced, consumed };
          queueHistory.push(
            `${["trade-validator", "trade-enricher", "trade-committer", "order-gateway"][topic]}\torders.${topic}\t${partition}\t${produced}\t${consumed}\t${group}\t${iso(t)}\trttm.queue.metrics\t${key % 3}\t${qOffset++}\n`,
          );
        }
        const latestAt = seededAt - 10_000 - (key % 20) * 1000;
        queueLatest.push(
          `orders.${topic}\t${partition}\t${group}\t${["trade-validator", "trade-enricher", "trade-committer", "order-gateway"][topic]}\t${last.produced + 500}\t${last.consumed + 420}\t${iso(latestAt)}\t${last.produced - last.consumed}\t${iso(last.t)}\n`,
        );
      }
    }
  }
  const quarantineLines: string[] = [];
  for (let q = 0; q < 1000; q++) {
    const t = start + Math.floor((q / 1000) * spanMs);
    quarantineLines.push(
      `rttm.trade.events\t${q % 3}\t${1_000_000 + q}\t${iso(t)}\t\\\\x${Buffer.from(randomUUID()).toString("hex")}\t\\\\x00000000${(q % 256).toString(16).padStart(2, "0")}ff\t${["framing", "schema", "decode", "validation"][q % 4]}\tbad magic byte 0x${(q % 256).toString(16)}\t${iso(t + 50)}\n`,
    );
  }
  const small: Array<[string, string[], string[]]> = [
    ["rttm_stage_count_second", ["bucket", "stage", "event_count"], secondLines],
    ["rttm_stage_count_minute", ["bucket", "stage", "event_count"], minuteLines],
    [
      "rttm_latency_histogram_minute",
      ["bucket", "stage", "bin", "sample_count", "latency_sum_ms"],
      histogramLines,
    ],
    [
      "rttm_dlq_events",
      [
        "trade_id",
        "service_name",
        "topic_name",
        "original_topic",
        "reason",
        "event_stage",
        "event_time",
        "kafka_topic",
        "kafka_partition",
        "kafka_offset",
      ],
      dlqLines,
    ],
    [
      "rttm_error_events",
      [
        "trade_id",
        "service_name",
        "error_type",
        "error_message",
        "event_stage",
        "event_time",
        "kafka_topic",
        "kafka_partition",
        "kafka_offset",
      ],
      errorLines,
    ],
    [
      "rttm_invalid_trades",
      [
        "trade_id",
        "portfolio_id",
        "symbol",
        "side",
        "price_per_stock",
        "quantity",
        "trade_timestamp",
        "validation_errors",
        "event_time",
        "kafka_topic",
        "kafka_partition",
        "kafka_offset",
      ],
      invalidLines,
    ],
    [
      "rttm_queue_metrics",
      [
        "service_name",
        "topic_name",
        "partition_id",
        "produced_offset",
        "consumed_offset",
        "consumer_group",
        "snapshot_time",
        "kafka_topic",
        "kafka_partition",
        "kafka_offset",
      ],
      queueHistory,
    ],
    [
      "rttm_queue_metric_latest",
      [
        "topic_name",
        "partition_id",
        "consumer_group",
        "service_name",
        "produced_offset",
        "consumed_offset",
        "snapshot_time",
        "stored_lag",
        "stored_snapshot_time",
      ],
      queueLatest,
    ],
    [
      "rttm_quarantine",
      [
        "kafka_topic",
        "kafka_partition",
        "kafka_offset",
        "kafka_timestamp",
        "message_key",
        "raw_value",
        "error_kind",
        "reason",
        "created_at",
      ],
      quarantineLines,
    ],
  ];
  await Promise.all(
    small.map(async ([table, columns, lines]) => {
      const out = new CopyWriter(await connect(), table, columns);
      for (let i = 0; i < lines.length; i += 20_000) await out.write(lines.slice(i, i + 20_000));
      await out.end();
      rows[table] = out.rows;
    }),
  );
  {
    const client = await pool.connect();
    try {
      const result = await client.query(
        "INSERT INTO rttm_latency_histogram_hour (bucket, stage, bin, sample_count, latency_sum_ms) SELECT date_trunc('hour', bucket), stage, bin, sum(sample_count), sum(latency_sum_ms) FROM rttm_latency_histogram_minute GROUP BY 1, 2, 3",
      );
      rows.rttm_latency_histogram_hour = result.rowCount ?? 0;
    } finally {
      client.release();
    }
  }
  const copySeconds = (performance.now() - copyStarted) / 1000;
  progress(
    `seed: all COPY done in ${copySeconds.toFixed(1)} s; VACUUM (ANALYZE) of every table (2 at a time)`,
  );

  const vacuumStarted = performance.now();
  const queue = Object.keys(rows).sort((a, b) => rows[b]! - rows[a]!);
  await Promise.all(
    [0, 1].map(async () => {
      const client = await pool.connect();
      try {
        for (let table = queue.shift(); table; table = queue.shift()) {
          const t0 = performance.now();
          await client.query(`VACUUM (ANALYZE) ${table}`);
          if (rows[table]! > 100_000)
            progress(
              `seed: VACUUM (ANALYZE) ${table}: ${((performance.now() - t0) / 1000).toFixed(1)} s`,
            );
        }
      } finally {
        client.release();
      }
    }),
  );
  const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
  const { rows: visibility } = await pool.query<{
    relname: string;
    relpages: number;
    relallvisible: number;
  }>(
    "SELECT relname, relpages, relallvisible FROM pg_class WHERE relname = ANY($1::text[]) AND relkind = 'r'",
    [Object.keys(rows)],
  );
  const allVisiblePct = Object.fromEntries(
    visibility.map((v) => [
      v.relname,
      v.relpages > 0 ? Math.round((v.relallvisible / v.relpages) * 1000) / 10 : 100,
    ]),
  );
  await pool.end();

  const databaseBytes = await withAdmin(async (c) =>
    Number((await c.query("SELECT pg_database_size($1) AS n", [name])).rows[0].n),
  );
  const info: SeedInfo = {
    name,
    url,
    events,
    trades,
    seededAt,
    seedVersion,
    migrations: await migrationsOf(name),
    rows,
    copySeconds: Number(copySeconds.toFixed(1)),
    vacuumSeconds: Number(vacuumSeconds.toFixed(1)),
    allVisiblePct,
    totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    tradeEventsPerSec: Math.round(events / bigCopySeconds),
    databaseBytes,
    bytesPerTradeEvent: Math.round(databaseBytes / events),
  };
  const { url: _url, ...record } = info;
  await withAdmin((c) =>
    c.query(`COMMENT ON DATABASE ${name} IS ${pg.escapeLiteral(JSON.stringify(record))}`),
  );
  progress(
    `seed: ${name} ready in ${info.totalSeconds} s (${(databaseBytes / 2 ** 30).toFixed(2)} GiB, ${info.bytesPerTradeEvent} B per trade event)`,
  );
  return info;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: { events: { type: "string", default: "10000000" }, db: { type: "string" } },
  });
  const info = await seedDatabase({ events: Number(values.events), name: values.db });
  console.log(JSON.stringify(info, null, 2));
}
