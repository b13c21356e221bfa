/**
 * Ingest benchmark: produces a realistic mix to the local broker, then measures in one run
 *   (a) the raw consume ceiling: kafkajs consume-and-discard of the same data,
 *   (b) the raw write ceiling: COPY of the same rows into the same tables,
 *   (c) the full pipeline: the real service process, until every offset is committed,
 * and prints and writes events/s, the ratios, and the service's peak RSS.
 * Usage: npm run bench:ingest -- [--trades 50000] [--partitions 3]
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
import { registerTopicSchemas } from "../../src/simulator/registerSchemas.js";

const { values: args } = parseArgs({
  options: {
    trades: { type: "string", default: "50000" },
    partitions: { type: "string", default: "3" },
    out: { type: "string", default: "bench-results" },
  },
});
const trades = Number(args.trades);
const partitions = Number(args.partitions);
const brokers = (process.env.KAFKA_BOOTSTRAP_SERVERS ?? "127.0.0.1:9092").split(",");
const registryUrl = process.env.SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7";
const adminUrl = process.env.BENCH_PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const template = process.env.TEST_PG_TEMPLATE ?? "rttm_template";
const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const kafka = new Kafka({ clientId: "rttm-bench", brokers, logLevel: logLevel.NOTHING });
const runId = randomUUID().slice(0, 8);
const topics = Object.fromEntries(topicKeys.map((k) => [k, `bench.${k}.${runId}`])) as Record<
  TopicKey,
  string
>;

// ---- the data: 4 stage events per trade, plus 1 of each other kind per 25 trades ----
function* messages(
  ids: Record<TopicKey, number>,
): Generator<{ topic: TopicKey; key: string | null; value: Buffer }> {
  const base = Date.now() - 3600_000;
  for (let i = 0; i < trades; i++) {
    const tradeId = randomUUID();
    const t = base + Math.floor((i / trades) * 3000_000);
    for (const [s, stage] of stages.entries()) {
      const event = create(RttmTradeEventSchema, {
        tradeId,
        serviceName: `${stage.toLowerCase()}-svc`,
        eventType: `TRADE_${stage}`,
        eventStage: stage,
        eventStatus: "SUCCESS",
        sourceQueue: "orders.in",
        targetQueue: "orders.out",
        topicName: "orders",
        consumerGroup: "pms",
        partitionId: i % 12,
        offsetValue: BigInt(i),
        eventTime: BigInt(t + s * (50 + (i % 250))),
        message: "",
      });
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

async function produce(
  ids: Record<TopicKey, number>,
): Promise<Array<{ topic: TopicKey; value: Buffer }>> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: Object.values(topics).map((topic) => ({ topic, numPartitions: partitions })),
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

// ---- (c) the real service ----
async function fullPipeline(
  databaseUrl: string,
  total: number,
): Promise<{ rate: number; peakRssMb: number; seconds: number }> {
  const groupId = `bench-rttm-${runId}`;
  const env = {
    ...process.env,
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
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/main.ts"], {
    env,
    stdio: ["ignore", "inherit", "pipe"],
  });
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
  const admin = kafka.admin();
  await admin.connect();
  let peakRssKb = 0;
  let committed = 0;
  let lastReport = 0;
  for (;;) {
    const status = await readFile(`/proc/${child.pid}/status`, "utf8").catch(() => "");
    peakRssKb = Math.max(peakRssKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    const offsets = await admin.fetchOffsets({ groupId, topics: Object.values(topics) });
    committed = offsets
      .flatMap((t) => t.partitions)
      .reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    if (committed >= total) break;
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      progress(
        `pipeline: ${committed}/${total} committed (${Math.round(committed / ((lastReport - started) / 1000))} events/s so far)`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  await admin.disconnect();
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  return { rate: total / seconds, peakRssMb: peakRssKb / 1024, seconds };
}

async function withDatabase<T>(fn: (pool: pg.Pool, url: string) => Promise<T>): Promise<T> {
  const name = `rttm_bench_${runId}_${Math.random().toString(36).slice(2, 6)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  try {
    return await fn(pool, url.toString());
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const ids = await registerTopicSchemas(registryUrl, topics);
const produced = await produce(ids);
const total = produced.length;
progress("(a) raw consume ceiling: kafkajs consume and discard");
const consumeRate = await rawConsume(total);
progress(`(a) ${Math.round(consumeRate)} events/s`);
progress("(b) raw write ceiling: COPY of the same rows");
const copyRate = await withDatabase((pool) => rawCopy(pool, produced));
progress(`(b) ${Math.round(copyRate)} rows/s`);
progress("(c) full pipeline: the service process until every offset is committed");
const full = await withDatabase((_pool, url) => fullPipeline(url, total));
const slowerCeiling = Math.min(consumeRate, copyRate);
const oldServiceCeiling = 50 * topicKeys.length;
const result = {
  date: new Date().toISOString(),
  node: process.version,
  events: total,
  tradeEvents: trades * 4,
  partitions,
  rawConsumeEventsPerSec: Math.round(consumeRate),
  rawCopyRowsPerSec: Math.round(copyRate),
  pipelineEventsPerSec: Math.round(full.rate),
  pipelineSeconds: Number(full.seconds.toFixed(2)),
  pipelineVsSlowerCeiling: Number((full.rate / slowerCeiling).toFixed(3)),
  pipelineVsOldServiceDesignCeiling: Number((full.rate / oldServiceCeiling).toFixed(1)),
  servicePeakRssMb: Number(full.peakRssMb.toFixed(1)),
};
console.log(JSON.stringify(result, null, 2));
await mkdir(args.out!, { recursive: true });
await writeFile(`${args.out}/ingest-latest.json`, JSON.stringify(result, null, 2) + "\n");
await writeFile(
  `${args.out}/ingest-${result.date.replace(/[:.]/g, "-")}.json`,
  JSON.stringify(result, null, 2) + "\n",
);
progress(`wrote ${args.out}/ingest-latest.json`);
