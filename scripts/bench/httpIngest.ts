/**
 * HTTP ingest benchmark: the real service (src/main.ts) as a child process with real Kafka, the
 * Schema Registry and PostgreSQL, measured in one run:
 *   (a) events/s accepted (202) with 16 keep-alive connections posting single events, one at a
 *       time each (pms-rttm-client's way);
 *   (b) the same with delimited batches of 500 events;
 *   (c) answer latency p50/p99 at an offered 1,000 events/s (single events, open loop);
 *   (d) the Kafka-mode ingest rate (a backlog of trade events produced straight to Kafka, until
 *       the service committed past it) alone, and again while (a)'s load runs.
 * Prints the numbers, the load average and writes bench-results/http-ingest-latest.json.
 * The per-key rate limit is set out of the way (RTTM_INGEST_RATE_LIMIT): this measures the path,
 * not the limiter.
 * Usage: npm run bench:http-ingest -- [--seconds 15] [--connections 16] [--batch 500]
 *        [--rate 1000] [--backlog 40000]
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Partitioners, type Admin } from "kafkajs";
import { RttmTradeEventSchema } from "../../src/ingest/proto/rttm/rttm_trade_event_pb.js";
import { registerTopicSchemas } from "../../src/ingest/schemaRegistration.js";
import { frameValue } from "../../src/ingest/wireFormat.js";
import { stages } from "../../src/domain/stages.js";
import { sleep } from "../../src/pipeline/retry.js";
import { benchTradeEvent } from "./lib/tradeMix.js";
import {
  createDatabase,
  createTopics,
  deleteTopics,
  dropDatabase,
  kafka,
  progress,
  registryUrl,
  scrapeMetrics,
  startService,
} from "./lib/service.js";
import { fmt, round, summarize } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "15" },
    connections: { type: "string", default: "16" },
    batch: { type: "string", default: "500" },
    rate: { type: "string", default: "1000" },
    backlog: { type: "string", default: "40000" },
    out: { type: "string", default: "bench-results" },
  },
});
const seconds = Number(args.seconds);
const connections = Number(args.connections);
const batchSize = Number(args.batch);
const offeredRate = Number(args.rate);
const backlogEvents = Number(args.backlog);

const load = () => loadavg().map((n) => round(n, 2));
const apiKey = randomBytes(24).toString("hex");
const runId = randomUUID().slice(0, 8);
const dbName = `rttm_bench_http_${runId}`;

/** A trade event's protobuf, a fresh trade id each. */
let sequence = 0;
function tradeEventBytes(): Uint8Array {
  const i = sequence++;
  const stage = stages[i % stages.length]!;
  const { fields, eventTimeMs } = benchTradeEvent(
    randomUUID(),
    i,
    1_000_000,
    Date.now() - 3_600_000,
    i % 4,
    stage,
  );
  return toBinary(
    RttmTradeEventSchema,
    create(RttmTradeEventSchema, { ...fields, eventTime: BigInt(eventTimeMs) }),
  );
}

function delimited(events: Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of events) {
    const prefix: number[] = [];
    for (let n = e.length; ; n >>>= 7) {
      if (n < 0x80) {
        prefix.push(n);
        break;
      }
      prefix.push((n & 0x7f) | 0x80);
    }
    parts.push(Buffer.from(prefix), Buffer.from(e));
  }
  return Buffer.concat(parts);
}

interface Posted {
  status: number;
  ms: number;
}

function poster(port: number, agent: http.Agent) {
  return (contentType: string, body: Buffer): Promise<Posted> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/api/rttm/trade-events",
          agent,
          headers: {
            "content-type": contentType,
            "content-length": body.length,
            "x-api-key": apiKey,
          },
        },
        (res) => {
          res.resume();
          res.on("end", () =>
            resolve({ status: res.statusCode!, ms: performance.now() - started }),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
}

interface ClosedLoopResult {
  seconds: number;
  requests: number;
  acceptedEvents: number;
  eventsPerSecond: number;
  statuses: Record<string, number>;
  latencyMs: ReturnType<typeof summarize>;
  loadAverage: Array<number | null>;
}

/** `connections` loops, each posting and waiting for the answer, until `done(elapsed ms)`. */
async function closedLoop(
  port: number,
  done: (elapsedMs: number) => boolean,
  eventsPerRequest: number,
  label: string,
): Promise<ClosedLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const post = poster(port, agent);
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let accepted = 0;
  let requests = 0;
  const started = performance.now();
  const ticker = setInterval(
    () =>
      progress(
        `${label}: ${fmt(accepted / ((performance.now() - started) / 1000))} events/s so far`,
      ),
    5000,
  );
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (!done(performance.now() - started)) {
        const single = eventsPerRequest === 1;
        const body = single
          ? Buffer.from(tradeEventBytes())
          : delimited(Array.from({ length: eventsPerRequest }, tradeEventBytes));
        const answer = await post(
          single ? "application/octet-stream" : "application/x-protobuf; delimited=true",
          body,
        );
        requests++;
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        latencies.push(answer.ms);
        if (answer.status === 202) accepted += eventsPerRequest;
      }
    }),
  );
  clearInterval(ticker);
  agent.destroy();
  const elapsed = (performance.now() - started) / 1000;
  return {
    seconds: round(elapsed, 2)!,
    requests,
    acceptedEvents: accepted,
    eventsPerSecond: Math.round(accepted / elapsed),
    statuses,
    latencyMs: summarize(latencies),
    loadAverage: load(),
  };
}

/** Single events offered at `rate` per second (open loop: sent on schedule, whatever the answers). */
async function openLoop(port: number, durationS: number, rate: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const post = poster(port, agent);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < durationS * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; sent < due; sent++) {
      inFlight.push(
        post("application/octet-stream", Buffer.from(tradeEventBytes())).then((a) => {
          latencies.push(a.ms);
          statuses[a.status] = (statuses[a.status] ?? 0) + 1;
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(inFlight);
  agent.destroy();
  const elapsed = (performance.now() - started) / 1000;
  return {
    offeredPerSecond: rate,
    sentPerSecond: Math.round(sent / elapsed),
    requests: sent,
    statuses,
    latencyMs: summarize(latencies),
    loadAverage: load(),
  };
}

/** Whether the group has committed every offset of `topic` up to `ends`. */
async function caughtUp(
  admin: Admin,
  topic: string,
  groupId: string,
  ends: Array<{ partition: number; offset: string }>,
): Promise<boolean> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return ends.every((end) => {
    const c = committed!.partitions.find((p) => p.partition === end.partition);
    return c !== undefined && Number(c.offset) >= Number(end.offset);
  });
}

/**
 * Produces `events` trade events straight to Kafka (the library's Kafka mode), then times until
 * the service committed past them. It starts once the service has caught up with what the HTTP
 * phases before it produced, so their backlog is not timed as this one's.
 */
async function kafkaModeRate(topic: string, groupId: string, schemaId: number, events: number) {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const draining = performance.now();
    const earlier = await admin.fetchTopicOffsets(topic);
    while (!(await caughtUp(admin, topic, groupId, earlier))) await sleep(100);
    if (performance.now() - draining > 1000)
      progress(
        `    (waited ${fmt((performance.now() - draining) / 1000)} s for the earlier backlog to be stored)`,
      );
    const started = performance.now();
    for (let sent = 0; sent < events; sent += 1000) {
      const messages = Array.from({ length: Math.min(1000, events - sent) }, () => {
        const value = tradeEventBytes();
        return { key: randomUUID(), value: frameValue(schemaId, value) };
      });
      await producer.send({ topic, acks: -1, messages });
    }
    const produced = performance.now();
    const ends = await admin.fetchTopicOffsets(topic);
    while (!(await caughtUp(admin, topic, groupId, ends))) await sleep(100);
    const done = performance.now();
    return {
      events,
      produceSeconds: round((produced - started) / 1000, 2),
      storedAndCommittedSeconds: round((done - started) / 1000, 2),
      eventsPerSecond: Math.round(events / ((done - started) / 1000)),
      loadAverage: load(),
    };
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

async function main() {
  progress(`load average before: ${load().join(" ")} (${cpus().length} cores)`);
  const topics = await createTopics(`http-${runId}`, 3);
  const url = await createDatabase(dbName);
  const schemaIds = await registerTopicSchemas(registryUrl, topics.topics);
  const service = await startService({
    ...topics.env,
    DATABASE_URL: url,
    RTTM_INGEST_API_KEYS: `bench:${apiKey}`,
    RTTM_INGEST_RATE_LIMIT: "100000000",
    RTTM_INGEST_RATE_BURST: "100000000",
  });
  progress(`service up on port ${service.port} (pid ${service.pid})`);
  try {
    progress("warming up (2 s of single events)");
    await closedLoop(service.port, (ms) => ms > 2000, 1, "warm-up");
    progress(`(a) ${connections} connections posting single events for ${seconds} s`);
    const forSeconds = (ms: number) => ms > seconds * 1000;
    const singleEvents = await closedLoop(service.port, forSeconds, 1, "single");
    progress(`    ${fmt(singleEvents.eventsPerSecond)} events/s`);
    progress(`(b) ${connections} connections posting batches of ${batchSize} for ${seconds} s`);
    const batched = await closedLoop(service.port, forSeconds, batchSize, "batched");
    progress(`    ${fmt(batched.eventsPerSecond)} events/s`);
    progress(`(c) ${offeredRate} single events/s offered for ${seconds} s`);
    const latency = await openLoop(service.port, seconds, offeredRate);
    progress(`    p50 ${latency.latencyMs.p50} ms, p99 ${latency.latencyMs.p99} ms`);
    progress(`(d) Kafka-mode backlog of ${fmt(backlogEvents)} events, no HTTP load`);
    const kafkaAlone = await kafkaModeRate(
      topics.topics.tradeEvents,
      topics.groupId,
      schemaIds.tradeEvents,
      backlogEvents,
    );
    progress(`    ${fmt(kafkaAlone.eventsPerSecond)} events/s`);
    progress(`(d) the same backlog while ${connections} connections post single events`);
    let loadRunning = true;
    const httpLoad = closedLoop(service.port, () => !loadRunning, 1, "http load");
    const kafkaUnderLoad = await kafkaModeRate(
      topics.topics.tradeEvents,
      topics.groupId,
      schemaIds.tradeEvents,
      backlogEvents,
    ).finally(() => (loadRunning = false));
    const httpDuringKafka = await httpLoad;
    progress(
      `    ${fmt(kafkaUnderLoad.eventsPerSecond)} events/s, HTTP meanwhile ${fmt(httpDuringKafka.eventsPerSecond)} events/s`,
    );
    const metrics = await scrapeMetrics(service.port);
    const result = {
      benchmark: "http-ingest",
      at: new Date().toISOString(),
      machine: { cores: cpus().length, loadAverageAtEnd: load() },
      settings: { seconds, connections, batchSize, offeredRate, backlogEvents, partitions: 3 },
      singleEvents,
      batched,
      latencyAtOfferedRate: latency,
      kafkaMode: { alone: kafkaAlone, underHttpLoad: kafkaUnderLoad, httpDuringKafka },
      targets: {
        singleEventsPerSecond: 10_000,
        batchedEventsPerSecond: 50_000,
        p99MsAtOfferedRate: 25,
      },
      serviceMetrics: Object.fromEntries(
        [...metrics].filter(([k]) => k.startsWith("rttm_http_ingest_")),
      ),
    };
    await mkdir(args.out!, { recursive: true });
    await writeFile(`${args.out}/http-ingest-latest.json`, `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      [
        `single events, ${connections} connections: ${fmt(singleEvents.eventsPerSecond)} events/s (target 10,000), p50 ${singleEvents.latencyMs.p50} ms, p99 ${singleEvents.latencyMs.p99} ms`,
        `batches of ${batchSize}, ${connections} connections: ${fmt(batched.eventsPerSecond)} events/s (target 50,000)`,
        `at ${offeredRate} events/s offered: p50 ${latency.latencyMs.p50} ms, p99 ${latency.latencyMs.p99} ms (target p99 ≤ 25 ms)`,
        `Kafka-mode ingest: ${fmt(kafkaAlone.eventsPerSecond)} events/s alone, ${fmt(kafkaUnderLoad.eventsPerSecond)} events/s under HTTP load`,
        `load average at end: ${load().join(" ")} (${cpus().length} cores)`,
        `written to ${args.out}/http-ingest-latest.json`,
      ].join("\n"),
    );
  } finally {
    await service.stop();
    await dropDatabase(dbName).catch(() => undefined);
    await deleteTopics(topics).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
