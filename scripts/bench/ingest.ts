/**
 * Ingest benchmark: produces a realistic mix to the local broker, then measures in one run
 *   (a) the raw consume ceiling: kafkajs consume-and-discard of the same data,
 *   (b) the raw write ceiling: COPY of the same rows into the same tables,
 *   (c) the full pipeline: the real service process, until every offset is committed,
 *   (d) the same with the service pinned to one core (taskset -c 0),
 *   (e) the same data on a trade-event topic of 48 partitions (every offset committed),
 * and prints and writes events/s, the ratios, the service's peak RSS and CPU seconds per 100,000
 * events, rows and index entries written per event, and on-disk bytes per stored event.
 * Usage: npm run bench:ingest -- [--trades 50000] [--partitions 3] [--wide-partitions 48]
 * Needs the local infrastructure (bash scripts/infra/up.sh) and a migrated template database.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { topicKeys, type TopicKey } from "../../src/config/index.js";
import type { IngestRow } from "../../src/domain/rows.js";
import { benchTradeEvent, benchTradeStartMs } from "./lib/tradeMix.js";
import { RttmDlqEventSchema } from "../../src/ingest/proto/rttm/rttm_dlq_event_pb.js";
import { RttmErrorEventSchema } from "../../src/ingest/proto/rttm/rttm_error_event_pb.js";
import { RttmQueueMetricSchema } from "../../src/ingest/proto/rttm/rttm_queue_metric_pb.js";
import { RttmTradeEventSchema } from "../../src/ingest/proto/rttm/rttm_trade_event_pb.js";
import { InvalidTradeEventProtoSchema } from "../../src/ingest/proto/validation/invalid_trade_event_pb.js";
import { stages } from "../../src/domain/stages.js";
import { topicDescriptions } from "../../src/ingest/topics.js";
import { frameValue } from "../../src/ingest/wireFormat.js";
import { groupByTable } from "../../src/store/writeBatch.js";
import * as tables from "../../src/store/tables.js";
import type { TableSpec } from "../../src/store/columns.js";
import { registerTopicSchemas } from "../../src/ingest/schemaRegistration.js";
import { createEnvelope, type Envelope } from "./lib/cgroup.js";
import { createDatabase, dropDatabase } from "./lib/service.js";
import { imageNodeOptions } from "./lib/image.js";

const { values: args } = parseArgs({
  options: {
    trades: { type: "string", default: "50000" },
    partitions: { type: "string", default: "3" },
    "wide-partitions": { type: "string", default: "48" },
    out: { type: "string", default: "bench-results" },
  },
});
const trades = Number(args.trades);
const partitions = Number(args.partitions);
const widePartitions = Number(args["wide-partitions"]);
const brokers = (process.env.KAFKA_BOOTSTRAP_SERVERS ?? "127.0.0.1:9092").split(",");
const registryUrl = process.env.SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7";
const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const kafka = new Kafka({ clientId: "rttm-bench", brokers, logLevel: logLevel.NOTHING });
const runId = randomUUID().slice(0, 8);
const topicSet = (label: string) =>
  Object.fromEntries(topicKeys.map((k) => [k, `bench.${k}.${runId}${label}`])) as Record<
    TopicKey,
    string
  >;
const topics = topicSet("");

// ---- the data: 4 stage events per trade, plus 1 of each other kind per 25 trades ----
function* messages(
  ids: Record<TopicKey, number>,
): Generator<{ topic: TopicKey; key: string | null; value: Buffer }> {
  const base = Date.now() - 3600_000;
  for (let i = 0; i < trades; i++) {
    const tradeId = randomUUID();
    const t = benchTradeStartMs(i, trades, base);
    for (const [s, stage] of stages.entries()) {
      const { fields, eventTimeMs } = benchTradeEvent(tradeId, i, trades, base, s, stage);
      const event = create(RttmTradeEventSchema, { ...fields, eventTime: BigInt(eventTimeMs) });
      yield {
        topic: "tradeEvents",
        key: tradeId,
        value: frameValue(ids.tradeEvents, toBinary(RttmTradeEventSchema, event)),
      };
    }
    if (i % 25 === 0) {
      const n = i / 25;
      yield {
        topic: "errorEvents",
        key: null,
        value: frameValue(
          ids.errorEvents,
          toBinary(
            RttmErrorEventSchema,
            create(RttmErrorEventSchema, {
              tradeId,
              serviceName: "enricher",
              errorType: "TECHNICAL",
              errorMessage: "price feed timeout",
              eventStage: "ENRICHED",
              eventTime: BigInt(t),
            }),
          ),
        ),
      };
      yield {
        topic: "dlqEvents",
        key: null,
        value: frameValue(
          ids.dlqEvents,
          toBinary(
            RttmDlqEventSchema,
            create(RttmDlqEventSchema, {
              tradeId,
              serviceName: "validator",
              topicName: "orders.dlq",
              originalTopic: "orders",
              reason: "schema mismatch",
              eventStage: "VALIDATED",
              eventTime: BigInt(t),
            }),
          ),
        ),
      };
      yield {
        topic: "queueMetrics",
        key: null,
        value: frameValue(
          ids.queueMetrics,
          toBinary(
            RttmQueueMetricSchema,
            create(RttmQueueMetricSchema, {
              serviceName: "enricher",
              topicName: `orders-${n % 20}`,
              partitionId: n % 6,
              producedOffset: BigInt(1000 + n * 10),
              consumedOffset: BigInt(900 + n * 10 - (n % 7) * 30),
              consumerGroup: "enricher-group",
              snapshotTime: BigInt(t),
            }),
          ),
        ),
      };
      yield {
        topic: "invalidTrades",
        key: null,
        value: frameValue(
          ids.invalidTrades,
          toBinary(
            InvalidTradeEventProtoSchema,
            create(InvalidTradeEventProtoSchema, {
              portfolioId: "invalid-portfolio-id",
              tradeId,
              symbol: "AAPL",
              side: "HOLD",
              pricePerStock: 420.12,
              quantity: 10n,
              timestamp: timestampFromMs(t),
              validationErrors: "side must be BUY or SELL",
            }),
          ),
        ),
      };
    }
  }
}

/** Produces the mix to `topics`; the trade-event topic gets `tradePartitions` partitions. */
async function produce(
  ids: Record<TopicKey, number>,
  topics: Record<TopicKey, string>,
  tradePartitions = partitions,
): Promise<Array<{ topic: TopicKey; value: Buffer }>> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: topicKeys.map((key) => ({
      topic: topics[key],
      numPartitions: key === "tradeEvents" ? tradePartitions : partitions,
    })),
  });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const all: Array<{ topic: TopicKey; value: Buffer }> = [];
  let pending: Record<string, Array<{ key: string | null; value: Buffer }>> = {};
  const flush = async () => {
    await producer.sendBatch({
      topicMessages: Object.entries(pending).map(([topic, msgs]) => ({ topic, messages: msgs })),
    });
    pending = {};
  };
  const started = performance.now();
  for (const message of messages(ids)) {
    all.push({ topic: message.topic, value: message.value });
    (pending[topics[message.topic]] ??= []).push({ key: message.key, value: message.value });
    if (all.length % 5000 === 0) {
      await flush();
      if (all.length % 50_000 === 0) progress(`produced ${all.length} events`);
    }
  }
  await flush();
  await producer.disconnect();
  progress(
    `produced ${all.length} events in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return all;
}

// ---- (a) consume and discard ----
async function rawConsume(total: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-raw-${runId}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: Object.values(topics), fromBeginning: true });
  let seen = 0;
  let started = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        started ||= performance.now();
        seen += batch.messages.length;
        if (seen >= total) resolve(performance.now());
      },
    });
  });
  const finished = await done;
  await consumer.disconnect();
  return total / ((finished - started) / 1000);
}

// ---- (b) COPY of the same rows ----
function copyLine(values: unknown[]): string {
  return values
    .map((v) => {
      if (v === null || v === undefined) return "\\N";
      if (v instanceof Date) return v.toISOString();
      if (v instanceof Uint8Array) return `\\\\x${Buffer.from(v).toString("hex")}`;
      return String(v)
        .replace(/\\/g, "\\\\")
        .replace(/\t/g, "\\t")
        .replace(/\n/g, "\\n")
        .replace(/\r/g, "\\r");
    })
    .join("\t");
}

async function rawCopy(
  db: pg.Pool,
  produced: Array<{ topic: TopicKey; value: Buffer }>,
): Promise<number> {
  const descriptions = new Map(topicDescriptions.map((d) => [d.key, d]));
  const { fromBinary } = await import("@bufbuild/protobuf");
  const rows: IngestRow[] = produced.map(({ topic, value }, i) => {
    const d = descriptions.get(topic)!;
    return d.toRow(fromBinary(d.schema, value.subarray(6)), {
      kafkaTopic: topics[topic],
      kafkaPartition: 0,
      kafkaOffset: BigInt(i),
      kafkaTimestamp: new Date(),
    });
  });
  const grouped = groupByTable(rows);
  const specs: Array<[keyof typeof grouped, TableSpec<never>]> = [
    ["tradeEvents", tables.tradeEventsTable as TableSpec<never>],
    ["errorEvents", tables.errorEventsTable as TableSpec<never>],
    ["dlqEvents", tables.dlqEventsTable as TableSpec<never>],
    ["invalidTrades", tables.invalidTradesTable as TableSpec<never>],
    ["queueMetrics", tables.queueMetricsTable as TableSpec<never>],
  ];
  const client = await db.connect();
  const started = performance.now();
  for (const [key, spec] of specs) {
    const list = grouped[key] as never[];
    const lines = function* () {
      for (let i = 0; i < list.length; i += 1000) {
        yield list
          .slice(i, i + 1000)
          .map((row) => copyLine(spec.columns.map((c) => c.value(row))) + "\n")
          .join("");
      }
    };
    const stream = client.query(
      copyFrom(
        `COPY ${spec.table} (${spec.columns.map((c) => c.name).join(", ")}) FROM STDIN`,
      ) as never,
    ) as unknown as NodeJS.WritableStream;
    await pipeline(Readable.from(lines()), stream);
  }
  const seconds = (performance.now() - started) / 1000;
  client.release();
  return rows.length / seconds;
}

// ---- (c, d, e) the real service ----
interface PipelineRun {
  rate: number;
  seconds: number;
  peakRssMb: number;
  /** User + system CPU of the service process from joining its group to the last commit. */
  cpuSeconds: number;
  /** Every partition's committed offset equals its end offset. */
  everyOffsetCommitted: boolean;
  partitions: number;
}

/**
 * The platform runs the service with a 512 MiB memory limit (shared/spec/platform.md §4); Node
 * sizes V8's heap from that limit (heap_size_limit ~259 MB under 512 MiB, ~4 GB on this 24 GiB
 * machine without one), and the image sets NODE_OPTIONS for it. So the service runs in a memory
 * cgroup of BENCH_MEMORY_LIMIT_MB (default 512; 0 = none) where this process may create one
 * (root), with the image's NODE_OPTIONS, as it would in its pod.
 */
const memoryLimitMb = Number(process.env.BENCH_MEMORY_LIMIT_MB ?? 512);
const memoryLimit = await memoryEnvelope(memoryLimitMb);
/** Inside the pod's limit, V8's heap is sized as the image sizes it (its NODE_OPTIONS). */
const serviceNodeOptions = memoryLimit ? imageNodeOptions() : null;

async function memoryEnvelope(mb: number): Promise<Envelope | null> {
  if (mb <= 0) return null;
  try {
    const envelope = await createEnvelope(`rttm-bench-${runId}`, {
      cpuQuotaUs: null,
      cpuPeriodUs: 100_000,
      memoryBytes: mb * 2 ** 20,
    });
    progress(`the service runs with a ${mb} MiB memory limit (cgroup v${envelope.version})`);
    return envelope;
  } catch (err) {
    progress(
      `no memory cgroup could be created (${(err as Error).message}): the service runs without a ${mb} MiB limit`,
    );
    return null;
  }
}

const clockTicks = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / clockTicks;
}

async function everyOffsetCommitted(groupId: string, topics: Record<TopicKey, string>) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics: Object.values(topics) });
    const partitionCount = committed.reduce((n, t) => n + t.partitions.length, 0);
    for (const { topic, partitions: list } of committed) {
      const ends = new Map(
        (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]),
      );
      if (list.some((p) => p.offset !== ends.get(p.partition)))
        return { all: false, partitionCount };
    }
    return { all: true, partitionCount };
  } finally {
    await admin.disconnect();
  }
}

async function fullPipeline(
  databaseUrl: string,
  total: number,
  topics: Record<TopicKey, string>,
  label: string,
  pinToCore?: number,
): Promise<PipelineRun> {
  const groupId = `bench-rttm-${runId}-${label}`;
  const env = {
    ...process.env,
    ...(serviceNodeOptions === null ? {} : { NODE_OPTIONS: serviceNodeOptions }),
    DATABASE_URL: databaseUrl,
    KAFKA_BOOTSTRAP_SERVERS: brokers.join(","),
    SCHEMA_REGISTRY_URL: registryUrl,
    KAFKA_CONSUMER_GROUP_ID: groupId,
    KAFKA_TOPIC_TRADE_EVENTS: topics.tradeEvents,
    KAFKA_TOPIC_ERROR_EVENTS: topics.errorEvents,
    KAFKA_TOPIC_QUEUE_METRICS: topics.queueMetrics,
    KAFKA_TOPIC_DLQ_EVENTS: topics.dlqEvents,
    KAFKA_TOPIC_INVALID_TRADES: topics.invalidTrades,
    LOG_LEVEL: "info",
  };
  // BENCH_SERVICE_NODE_ARGS adds Node flags to the service, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const command = [process.execPath, ...nodeArgs, "--import", "tsx", "src/main.ts"];
  // taskset and the shell exec the service in place: the child's pid is the service's.
  const pinned =
    pinToCore === undefined ? command : ["taskset", "-c", String(pinToCore), ...command];
  const limited = memoryLimit ? memoryLimit.wrap(pinned) : pinned;
  const child = spawn(limited[0]!, limited.slice(1), { env, stdio: ["ignore", "inherit", "pipe"] });
  // The clock starts when the consumer has joined its group: process start-up is not ingestion.
  const joined = new Promise<number>((resolve) => {
    let buffered = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.includes('"joined consumer group"')) resolve(performance.now());
        else if (line.includes('"level":"error"') || line.includes('"level":"warn"'))
          process.stderr.write(line + "\n");
      }
    });
  });
  const started = await joined;
  const cpuAtJoin = await cpuSecondsOf(child.pid!);
  const admin = kafka.admin();
  await admin.connect();
  let peakRssKb = 0;
  let lastReport = 0;
  let cpuAtEnd = cpuAtJoin;
  for (;;) {
    const status = await readFile(`/proc/${child.pid}/status`, "utf8").catch(() => "");
    peakRssKb = Math.max(peakRssKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    const offsets = await admin.fetchOffsets({ groupId, topics: Object.values(topics) });
    const committed = offsets
      .flatMap((t) => t.partitions)
      .reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    if (committed >= total) {
      cpuAtEnd = await cpuSecondsOf(child.pid!);
      break;
    }
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      progress(
        `pipeline ${label}: ${committed}/${total} committed (${Math.round(committed / ((lastReport - started) / 1000))} events/s so far)`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  await admin.disconnect();
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  const commits = await everyOffsetCommitted(groupId, topics);
  return {
    rate: total / seconds,
    seconds,
    peakRssMb: peakRssKb / 1024,
    cpuSeconds: cpuAtEnd - cpuAtJoin,
    everyOffsetCommitted: commits.all,
    partitions: commits.partitionCount,
  };
}

/** What the write path left in the database: bytes on disk, rows and index entries written. */
async function storageStats(db: pg.Pool) {
  const { rows } = await db.query<{
    bytes: string;
    rows_written: string;
    index_entries: string;
  }>(`
    WITH indexes AS (
      SELECT i.indrelid, count(*) FILTER (WHERE am.amname <> 'brin') AS per_row
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
      GROUP BY i.indrelid
    )
    SELECT
      (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm'))::text AS bytes,
      sum(s.n_tup_ins + s.n_tup_upd)::text AS rows_written,
      -- a row version that is not a HOT update adds one entry to each (B-tree) index of its table
      sum((s.n_tup_ins + s.n_tup_upd - s.n_tup_hot_upd) * coalesce(x.per_row, 0))::text AS index_entries
    FROM pg_stat_user_tables s LEFT JOIN indexes x ON x.indrelid = s.relid
    WHERE s.schemaname = 'public' AND s.relname <> '_prisma_migrations'`);
  const r = rows[0]!;
  return {
    bytes: Number(r.bytes),
    rowsWritten: Number(r.rows_written),
    indexEntries: Number(r.index_entries),
  };
}

async function withDatabase<T>(fn: (pool: pg.Pool, url: string) => Promise<T>): Promise<T> {
  // scripts/with-services.sh drops rttm_bench_* databases left by interrupted runs.
  const prefix = process.env.BENCH_DB_PREFIX ?? "rttm_bench";
  const name = `${prefix}_${runId}_${Math.random().toString(36).slice(2, 6)}`;
  const url = await createDatabase(name);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => undefined); // the drop below ends connections a failed step left open
  try {
    return await fn(pool, url);
  } finally {
    await pool.end();
    await dropDatabase(name);
  }
}

const round = (n: number, digits = 0) => Number(n.toFixed(digits));
const summary = (run: PipelineRun, total: number) => ({
  eventsPerSec: Math.round(run.rate),
  seconds: round(run.seconds, 2),
  peakRssMb: round(run.peakRssMb, 1),
  cpuSecondsPer100kEvents: round((run.cpuSeconds / total) * 100_000, 2),
  everyOffsetCommitted: run.everyOffsetCommitted,
  partitionsCommitted: run.partitions,
});

const ids = await registerTopicSchemas(registryUrl, topics);
const produced = await produce(ids, topics);
const total = produced.length;
const tradeEventCount = trades * 4;
progress("(a) raw consume ceiling: kafkajs consume and discard");
const consumeRate = await rawConsume(total);
progress(`(a) ${Math.round(consumeRate)} events/s`);
progress("(b) raw write ceiling: COPY of the same rows");
const copyRate = await withDatabase((pool) => rawCopy(pool, produced));
progress(`(b) ${Math.round(copyRate)} rows/s`);
progress("(c) full pipeline: the service process until every offset is committed");
const { full, storage } = await withDatabase(async (pool, url) => ({
  full: await fullPipeline(url, total, topics, "full"),
  storage: await storageStats(pool),
}));
progress(`(c) ${Math.round(full.rate)} events/s, peak RSS ${full.peakRssMb.toFixed(0)} MB`);
progress("(d) the same, the service pinned to one core (taskset -c 0)");
const pinned = await withDatabase((_pool, url) => fullPipeline(url, total, topics, "pinned", 0));
progress(`(d) ${Math.round(pinned.rate)} events/s on one core`);
progress(`(e) ${widePartitions} partitions on the trade-event topic`);
const wideTopics = topicSet(`.p${widePartitions}`);
await produce(await registerTopicSchemas(registryUrl, wideTopics), wideTopics, widePartitions);
const wide = await withDatabase((_pool, url) => fullPipeline(url, total, wideTopics, "wide"));
progress(`(e) ${Math.round(wide.rate)} events/s, peak RSS ${wide.peakRssMb.toFixed(0)} MB`);
const slowerCeiling = Math.min(consumeRate, copyRate);
const oldServiceCeiling = 50 * topicKeys.length;
const result = {
  date: new Date().toISOString(),
  node: process.version,
  loadAverage: (await readFile("/proc/loadavg", "utf8")).split(" ").slice(0, 3).map(Number),
  serviceMemoryLimitMb: memoryLimit ? memoryLimitMb : null,
  serviceNodeOptions,
  events: total,
  tradeEvents: tradeEventCount,
  partitions,
  rawConsumeEventsPerSec: Math.round(consumeRate),
  rawCopyRowsPerSec: Math.round(copyRate),
  pipelineEventsPerSec: Math.round(full.rate),
  pipelineSeconds: round(full.seconds, 2),
  pipelineVsSlowerCeiling: round(full.rate / slowerCeiling, 3),
  pipelineVsCopyCeiling: round(full.rate / copyRate, 3),
  pipelineVsOldServiceDesignCeiling: round(full.rate / oldServiceCeiling, 1),
  servicePeakRssMb: round(full.peakRssMb, 1),
  serviceCpuSecondsPer100kEvents: round((full.cpuSeconds / total) * 100_000, 2),
  oneCore: summary(pinned, total),
  [`tradeTopicWith${widePartitions}Partitions`]: summary(wide, total),
  storage: {
    bytesOnDiskPerEvent: Math.round(storage.bytes / total),
    bytesOnDiskPerTradeEvent: Math.round(storage.bytes / tradeEventCount),
    rowsWrittenPerEvent: round(storage.rowsWritten / total, 3),
    indexEntriesWrittenPerEvent: round(storage.indexEntries / total, 3),
  },
};
console.log(JSON.stringify(result, null, 2));
await mkdir(args.out!, { recursive: true });
await writeFile(`${args.out}/ingest-latest.json`, JSON.stringify(result, null, 2) + "\n");
await writeFile(
  `${args.out}/ingest-${result.date.replace(/[:.]/g, "-")}.json`,
  JSON.stringify(result, null, 2) + "\n",
);
progress(`wrote ${args.out}/ingest-latest.json`);
await memoryLimit?.remove(10_000);
