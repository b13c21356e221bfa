/**
 * Live benchmark, in two parts, against the real service process (src/main.ts):
 *
 * (A) Fan-out freshness, for each N in --subscribers: N graphql-ws clients (spread over client
 *     worker processes) all subscribe to `dlqOverview { asOf total lastEventTime }` while a trade
 *     stream flows (--trade-rate events/s) and a DLQ "marker" whose event_time is its produce time is
 *     produced on average every --marker-ms (gaps uniform in 0.5–1.5 ×, so markers fall at every
 *     phase of the hub's tick). Freshness of a delivery = receipt time − lastEventTime (one clock).
 *     Reported: p50/p99/max over a steady-state window, split at the payload's asOf (when the hub
 *     computed the snapshot) into Kafka → stored → hub tick → compute, and compute → fan-out →
 *     client; deliveries vs markers × N with coalescing explained; server RSS per connection and
 *     CPU; the hub's computations vs the queries the old per-session polling design would issue.
 * (B) Dashboard query latency on a database seeded with --events trade events (seed.ts): p50/p99
 *     of sequential HTTP requests per query; EXPLAIN (ANALYZE, BUFFERS) of the SQL of any query
 *     whose p99 misses the target.
 *
 * Each N runs on the shared fan-out (subscribers grouped by snapshot, operation and variables);
 * each --baseline-subscribers N also on the previous per-subscriber path
 * (the service composed without it, scripts/bench/lib/perSubscriberService.ts), in the same run; and
 * each --replica-subscribers N once more behind two replicas
 * sharing Redis. Per run, beside freshness: server CPU µs per subscriber per push (above the idle
 * baseline with the same ingest traffic; its user-space part apart), event-loop delay p99/max over
 * the window, bytes written per push, ingest capacity while pushing vs without subscribers
 * (--ingest-burst trade events), RSS and heap per connection. Clients bind to
 * --source-addresses loopback addresses so that 25,000 sockets fit the ephemeral ports.
 * (C) Dashboard query load: --http-connections keep-alive connections sending the dashboard query
 *     (overview + pipeline + dlqOverview) back to back for --http-seconds while --http-trade-rate
 *     events/s are ingested into a database seeded with --http-seed-events events.
 *
 * Usage: npm run bench:live -- [--subscribers 1000,10000] [--baseline-subscribers 10000]
 *        [--replica-subscribers 10000] [--source-addresses 4] [--ingest-burst 20000]
 *        [--http-connections 32] [--http-seconds 15] [--http-trade-rate 800]
 *        [--http-seed-events 400000] [--events 10000000] [--skip-seed]
 *        [--measure-seconds 30] [--marker-ms 250] [--trade-rate 400] [--requests 200]
 *        [--skip-live] [--skip-queries]
 * Writes bench-results/live-latest.json and a dated copy.
 */
import { fork, type ChildProcess } from "node:child_process";
import http from "node:http";
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Partitioners, type Producer } from "kafkajs";
import pg from "pg";
import type { TopicKey } from "../../src/config/index.js";
import { stages } from "../../src/domain/stages.js";
import * as read from "../../src/store/read/index.js";
import { createEncoder, type Encoder } from "../../test/support/kafka.js";
import * as m from "../../test/support/messages.js";
import type { WorkerCommand, WorkerMessage, WorkerReport } from "./lib/liveClients.js";
import {
  allProcessCpu,
  cpuSeconds,
  cpuSplitSeconds,
  machineBusyPct,
  machineCpu,
  openFds,
  rssKb,
  topProcesses,
} from "./lib/proc.js";
import {
  createDatabase,
  createTopics,
  deleteTopics,
  dropDatabase,
  graphqlRequest,
  kafka,
  progress,
  scrapeMetrics,
  startService,
  type BenchTopics,
  type RunningService,
} from "./lib/service.js";
import { existingSeed, seedDatabase, type SeedInfo } from "./seed.js";
import { fmt, round, summarize, type Summary } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: {
    subscribers: { type: "string", default: "1000,10000" },
    events: { type: "string", default: "10000000" },
    "skip-seed": { type: "boolean", default: false },
    "skip-live": { type: "boolean", default: false },
    "skip-queries": { type: "boolean", default: false },
    "measure-seconds": { type: "string", default: "30" },
    "warmup-seconds": { type: "string", default: "5" },
    "marker-ms": { type: "string", default: "250" },
    "trade-rate": { type: "string", default: "400" },
    "clients-per-worker": { type: "string", default: "2500" },
    "connect-concurrency": { type: "string", default: "64" },
    requests: { type: "string", default: "200" },
    "warmup-requests": { type: "string", default: "20" },
    out: { type: "string", default: "bench-results" },
    /** Subscriber counts to run once more on the previous per-subscriber path (side-by-side ratio). */
    "baseline-subscribers": { type: "string", default: "10000" },
    /** Subscriber counts to run once more behind two replicas sharing Redis ("" to skip). */
    "replica-subscribers": { type: "string", default: "10000" },
    "source-addresses": { type: "string", default: "4" },
    /**
     * Sockets one replica is given at most: a process may hold 20,000 descriptors on this machine
     * (hard limit), so more subscribers than this share sockets (several subscriptions each).
     */
    "max-sockets-per-replica": { type: "string", default: "15000" },
    "ingest-burst": { type: "string", default: "20000" },
    /** The dashboard-query load run: connections, seconds, ingest rate, seeded events ("0" seconds to skip). */
    "http-connections": { type: "string", default: "32" },
    "http-seconds": { type: "string", default: "15" },
    "http-trade-rate": { type: "string", default: "800" },
    "http-seed-events": { type: "string", default: "400000" },
  },
});
const subscriberCounts = args
  .subscribers!.split(",")
  .map((s) => Number(s.trim()))
  .filter((n) => n > 0);
const seedEvents = Number(args.events);
const measureSeconds = Number(args["measure-seconds"]);
const warmupSeconds = Number(args["warmup-seconds"]);
const markerMs = Number(args["marker-ms"]);
const tradeRate = Number(args["trade-rate"]);
const clientsPerWorker = Number(args["clients-per-worker"]);
const connectConcurrency = Number(args["connect-concurrency"]);
const requests = Number(args.requests);
const warmupRequests = Number(args["warmup-requests"]);
/** Issue 12: p99 ≤ 250 ms up to 10,000 subscribers, ≤ 500 ms for 25,000. */
const freshnessTargetMs = (subscribers: number) => (subscribers <= 10_000 ? 250 : 500);
const counts = (list: string) =>
  list
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
const baselineSubscribers = counts(args["baseline-subscribers"]!);
const replicaSubscribers = counts(args["replica-subscribers"]!);
const ingestBurstEvents = Number(args["ingest-burst"]);
const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const queryTargetMs = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// kafkajs 2.2 schedules a negative timeout on Node ≥ 23 (TimeoutNegativeWarning, harmless).
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name !== "TimeoutNegativeWarning")
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
const runId = randomUUID().slice(0, 8);
const subscriptionQuery = "subscription BenchDlq { dlqOverview { asOf total lastEventTime } }";

// ---------------------------------------------------------------- traffic

/** Trade events at `rate` per second (whole trades, 4 stages, keyed by trade id) and a DLQ marker every `markerMs`. */
class Traffic {
  readonly markers: number[] = [];
  tradeEvents = 0;
  sendErrors = 0;
  private stopped = false;
  private loops: Array<Promise<void>> = [];

  constructor(
    private readonly producer: Producer,
    private readonly encoder: Encoder,
    private readonly topics: Record<TopicKey, string>,
    private readonly tradeRate: number,
  ) {}

  start(): void {
    // Marker gaps are uniform in [0.5, 1.5] × markerMs: a fixed period equal to the hub's tick
    // would lock the marker's phase to the tick and measure one fixed point of the distribution.
    this.loops.push(
      this.every(
        () => markerMs * (0.5 + Math.random()),
        async () => {
          const t = Date.now();
          this.markers.push(t);
          await this.producer.send({
            topic: this.topics.dlqEvents,
            messages: [
              {
                value: this.encoder.encode(
                  "dlqEvents",
                  m.RttmDlqEventSchema,
                  m.dlqEvent(m.newTradeId(), t),
                ),
              },
            ],
          });
        },
      ),
    );
    const tradeRate = this.tradeRate;
    if (tradeRate > 0) {
      const tickMs = 100;
      let owed = 0;
      this.loops.push(
        this.every(
          () => tickMs,
          async () => {
            owed += (tradeRate * tickMs) / 1000 / 4;
            const trades = Math.floor(owed);
            owed -= trades;
            if (trades === 0) return;
            const now = Date.now();
            const messages = [];
            for (let i = 0; i < trades; i++) {
              const tradeId = m.newTradeId();
              for (const [s, stage] of stages.entries()) {
                messages.push({
                  key: tradeId,
                  value: this.encoder.encode(
                    "tradeEvents",
                    m.RttmTradeEventSchema,
                    m.tradeEvent(tradeId, stage, now - (3 - s) * 40),
                  ),
                });
              }
            }
            this.tradeEvents += messages.length;
            await this.producer.send({ topic: this.topics.tradeEvents, messages });
          },
        ),
      );
    }
  }

  /** Runs fn on a fixed cadence (no overlap; a late tick runs at once, missed ticks are skipped). */
  private async every(intervalMs: () => number, fn: () => Promise<void>): Promise<void> {
    let next = Date.now();
    while (!this.stopped) {
      try {
        await fn();
      } catch {
        this.sendErrors++;
      }
      next += intervalMs();
      const now = Date.now();
      if (next < now) next = now;
      await sleep(next - now);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

// ---------------------------------------------------------------- client workers

class Worker {
  readonly child: ChildProcess;
  last: Extract<WorkerMessage, { type: "progress" }> = {
    type: "progress",
    connected: 0,
    subscribed: 0,
    failed: 0,
    closed: 0,
  };
  private waiters = new Map<string, (message: WorkerMessage) => void>();

  constructor() {
    this.child = fork(fileURLToPath(new URL("./lib/liveClients.ts", import.meta.url)), [], {
      execArgv: ["--import", "tsx"],
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (message: WorkerMessage) => {
      if (message.type === "progress") this.last = message;
      else if (message.type === "ready")
        this.last = {
          type: "progress",
          connected: message.connected,
          subscribed: message.subscribed,
          failed: message.failed,
          closed: 0,
        };
      const waiter = this.waiters.get(message.type);
      if (waiter) {
        this.waiters.delete(message.type);
        waiter(message);
      }
    });
  }

  send(command: WorkerCommand): void {
    this.child.send(command);
  }

  next<T extends WorkerMessage["type"]>(type: T): Promise<Extract<WorkerMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.waiters.set(type, resolve as (message: WorkerMessage) => void);
      this.child.once("exit", (code) =>
        reject(new Error(`client worker exited with ${code} while waiting for ${type}`)),
      );
    });
  }
}

// ---------------------------------------------------------------- part A: live fan-out

interface LiveResult {
  subscribers: number;
  path: LiveShape["path"];
  replicas: number;
  clientWorkers: number;
  sourceAddresses: number;
  sockets: number;
  subscriptionsPerSocket: number;
  connect: { seconds: number; perSecond: number; failed: number; firstError: string | null };
  window: { seconds: number; markers: number; tradeEventsPerSec: number; produceErrors: number };
  freshnessMs: Summary;
  /** Delivery latency split at the payload's asOf (when the hub started computing the snapshot). */
  breakdownMs: { producedToComputed: Summary; computedToReceived: Summary };
  deliveries: {
    expected: number;
    delivered: number;
    missing: number;
    /** Markers no client received: a newer marker was stored before the hub's next computation (tick coalescing; the hub never saw them). */
    markersNeverPushed: number;
    missingBecauseNeverPushed: number;
    /** Deliveries of pushed markers that some clients did not get (the server's latest-value iterator replaced them for a slow client). */
    missingPerClient: number;
    serverCoalescedDuringWindow: number;
    nonIncreasing: number;
    clientsUpToDateAtEnd: number;
    socketsClosedDuringRun: number;
  };
  /** Cost of one push (one new payload to every subscriber). */
  perPush: {
    /** Server CPU above the idle baseline (same ingest traffic, no subscriber) per delivery, µs. */
    cpuUsPerSubscriber: number | null;
    /** Its user-space part (the rest is the kernel's socket writes, on loopback incl. the receive path). */
    userUsPerSubscriber: number | null;
    /** Average WebSocket message received by the clients (payload bytes). */
    frameBytes: number;
    /** Bytes written to all subscribers for one push (frame bytes × deliveries / pushes). */
    bytesWritten: number;
    /** GraphQL executions (+ serialisations) of shared groups in the window (shared path only). */
    executions: number;
    fanoutBytesWritten: number;
  };
  /** Ingest capacity (a burst of --ingest-burst trade events), without subscribers and while pushing. */
  ingest: {
    idleEventsPerSec: number | null;
    pushingEventsPerSec: number | null;
    ratio: number | null;
  };
  server: {
    rssIdleMb: number;
    rssWithClientsMb: number;
    rssPerConnectionKb: number;
    /** V8 heap in use (rttm_process_nodejs_heap_size_used_bytes) at the idle baseline and at the window's end. */
    heapUsedIdleMb: number;
    heapUsedWithClientsMb: number;
    heapPerConnectionKb: number;
    cpuIdlePctOfCore: number;
    cpuPctOfCore: number;
    openFds: number | null;
    /** Event-loop delay of the service over the window (pushes every ~marker-ms), worst replica. */
    eventLoopLagP99Ms: number | null;
    eventLoopLagMaxMs: number | null;
  };
  clients: { cpuPctOfCore: number; loopDelayP99MsWorst: number; loopDelayMaxMsWorst: number };
  /** Busy share of all cores during the window. */
  machineBusyPct: number;
  /** 1, 5 and 15-minute load averages at the window's end (2 cores; other work shares them). */
  loadAverage: number[];
  /** Where the machine's CPU went during the window (% of one core). */
  topProcesses: Array<{ name: string; processes: number; cpuPctOfCore: number }>;
  hub: {
    subscriptionsActive: number | null;
    snapshotsActive: number | null;
    groupsActive: number | null;
    computationsPerSec: number;
    /** dlqOverview is one SQL statement per computation (src/store/read/dlqOverview.ts). */
    snapshotQueriesPerSec: number;
    databaseTransactionsPerSec: number;
  };
  oldDesign: {
    /** /ws/rttm/dlq: 2 queries every 3 s per session (anchor spec §7). */
    dlqSocketQueriesPerSec: number;
    /** /ws/rttm/metrics: 8 queries every 2 s per session. */
    metricsSocketQueriesPerSec: number;
    /** All five sockets of one dashboard: ≈ 9.3 queries/s (anchor spec §7, W18). */
    fullDashboardQueriesPerSec: number;
    /** Its freshness floor: a change waits for the next poll (2–3 s) plus the 2-s batch drain. */
    pollIntervalMs: string;
  };
  targetP99Ms: number;
  targetMet: boolean;
}

function metric(values: Map<string, number>, name: string): number | null {
  return values.get(name) ?? null;
}

async function databaseXacts(name: string): Promise<number> {
  const client = new pg.Client({
    connectionString:
      process.env.BENCH_PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
  });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1",
      [name],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** What one live run measures: N subscribers, on which path, behind how many replicas. */
interface LiveShape {
  subscribers: number;
  /** "shared": the fan-out groups (today); "per-subscriber": the previous path (lib/perSubscriberService.ts). */
  path: "shared" | "per-subscriber";
  /** 2: two service processes sharing the database, the consumer group and the Redis change bus. */
  replicas: number;
}

const shapeLabel = (s: LiveShape) =>
  `live N=${fmt(s.subscribers)} ${s.path}${s.replicas > 1 ? ` ×${s.replicas} replicas` : ""}`;

/** Loopback source addresses for the clients: about 28,000 ports each per destination. */
const sourceAddresses = Array.from(
  { length: Math.max(1, Number(args["source-addresses"])) },
  (_, i) => `127.0.0.${i + 1}`,
);

const sumOf = (all: Array<Map<string, number>>, name: string) =>
  all.reduce((n, m) => n + (metric(m, name) ?? 0), 0);
const maxOf = (all: Array<Map<string, number>>, name: string) =>
  Math.max(...all.map((m) => metric(m, name) ?? 0));

/**
 * Ingest capacity: `events` trade events produced as fast as the producer can, and the rate at
 * which the service(s) store them (rows counted by their /metrics).
 */
async function ingestBurst(
  producer: Producer,
  encoder: Encoder,
  topic: string,
  services: RunningService[],
  events: number,
): Promise<number> {
  const stored = async () =>
    sumOf(
      await Promise.all(services.map((s) => scrapeMetrics(s.port))),
      'rttm_stored_rows_total{table="tradeEvents"}',
    );
  const batches: Array<Array<{ key: string; value: Buffer }>> = [];
  const now = Date.now();
  for (let t = 0; t < events / 4; t++) {
    if (t % 250 === 0) batches.push([]);
    const tradeId = m.newTradeId();
    for (const [s, stage] of stages.entries())
      batches.at(-1)!.push({
        key: tradeId,
        value: encoder.encode(
          "tradeEvents",
          m.RttmTradeEventSchema,
          m.tradeEvent(tradeId, stage, now - (3 - s) * 40),
        ),
      });
  }
  const start = await stored();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let b = next++; b < batches.length; b = next++)
        await producer.send({ topic, messages: batches[b]! });
    }),
  );
  while ((await stored()) < start + events) {
    if (performance.now() - t0 > 120_000) throw new Error("ingest burst not stored within 120 s");
    await sleep(100);
  }
  return events / ((performance.now() - t0) / 1000);
}

async function liveRun(shape: LiveShape): Promise<LiveResult> {
  const { subscribers, path, replicas } = shape;
  const label = shapeLabel(shape);
  const perSocket = Math.ceil(subscribers / replicas / Number(args["max-sockets-per-replica"]));
  const sockets = Math.ceil(subscribers / perSocket);
  progress(`${label}: fresh topics, consumer group and database`);
  const topics = await createTopics(`live${subscribers}`, 3);
  const encoder = await createEncoder(topics.topics);
  const dbName = `rttm_bench_live_${runId}_${subscribers}_${path.replace("-", "_")}_${replicas}`;
  const dbUrl = await createDatabase(dbName);
  const services: RunningService[] = [];
  const workers: Worker[] = [];
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const traffic = new Traffic(producer, encoder, topics.topics, tradeRate);
  try {
    const env: Record<string, string> = {
      DATABASE_URL: dbUrl,
      ...topics.env,
      RTTM_WS_MAX_CONNECTIONS: String(sockets + 1000),
    };
    if (replicas > 1) env.REDIS_URL = redisUrl;
    const entry =
      path === "per-subscriber" ? "scripts/bench/lib/perSubscriberService.ts" : undefined;
    for (let r = 0; r < replicas; r++) services.push(await startService(env, { entry }));
    const pids = services.map((s) => s.pid);
    const cpuNow = () => pids.reduce((n, p) => n + cpuSeconds(p)!, 0);
    const userNow = () => pids.reduce((n, p) => n + cpuSplitSeconds(p)!.user, 0);
    const rssNow = () => pids.reduce((n, p) => n + rssKb(p)!, 0);
    const scrapeAll = () => Promise.all(services.map((s) => scrapeMetrics(s.port)));
    progress(
      `${label}: service pid(s) ${pids.join(", ")} ready; traffic: a DLQ marker every ${markerMs} ms, ${tradeRate} trade events/s`,
    );
    traffic.start();
    await sleep(warmupSeconds * 1000);
    // Idle baseline: ingest and markers flowing, no subscriber.
    const idleCpu0 = cpuNow();
    const idleUser0 = userNow();
    const idleT0 = performance.now();
    const idleRss: number[] = [];
    for (let i = 0; i < 5; i++) {
      await sleep(1000);
      idleRss.push(rssNow());
    }
    const idleSeconds = (performance.now() - idleT0) / 1000;
    const idleCpuSecondsPerSec = (cpuNow() - idleCpu0) / idleSeconds;
    const idleUserSecondsPerSec = (userNow() - idleUser0) / idleSeconds;
    const cpuIdlePct = idleCpuSecondsPerSec * 100;
    const rssIdleKb = median(idleRss);
    const heapIdle = sumOf(await scrapeAll(), "rttm_process_nodejs_heap_size_used_bytes");
    progress(
      `${label}: idle server RSS ${(rssIdleKb / 1024).toFixed(1)} MB, CPU ${cpuIdlePct.toFixed(1)} % of a core`,
    );
    const ingestIdle =
      ingestBurstEvents > 0
        ? await ingestBurst(
            producer,
            encoder,
            topics.topics.tradeEvents,
            services,
            ingestBurstEvents,
          )
        : null;
    if (ingestIdle !== null)
      progress(
        `${label}: ingest capacity without subscribers ${fmt(Math.round(ingestIdle))} events/s`,
      );

    // Connect: workers take turns over the replicas.
    const workerCount = Math.max(replicas, Math.ceil(subscribers / clientsPerWorker));
    const connectStarted = performance.now();
    for (let w = 0; w < workerCount; w++) workers.push(new Worker());
    const share = (w: number) =>
      Math.floor(subscribers / workerCount) + (w < subscribers % workerCount ? 1 : 0);
    const ready = workers.map((worker) => worker.next("ready"));
    workers.forEach((worker, w) =>
      worker.send({
        cmd: "connect",
        url: `ws://127.0.0.1:${services[w % replicas]!.port}/ws/rttm/dlq`,
        count: share(w),
        concurrency: Math.max(1, Math.ceil(connectConcurrency / workerCount)),
        query: subscriptionQuery,
        timeoutMs: 120_000,
        localAddresses: sourceAddresses,
        subscriptionsPerSocket: perSocket,
      }),
    );
    const ticker = setInterval(() => {
      const sum = (k: "connected" | "subscribed" | "failed") =>
        workers.reduce((n, w) => n + w.last[k], 0);
      const s = sum("subscribed");
      progress(
        `${label}: ${fmt(sum("connected"))} connected, ${fmt(s)} subscribed (first payload), ${sum("failed")} failed, ${fmt(s / ((performance.now() - connectStarted) / 1000))}/s`,
      );
    }, 2000);
    const readies = await Promise.all(ready).finally(() => clearInterval(ticker));
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const failed = readies.reduce((n, r) => n + r.failed, 0);
    const firstError = readies.find((r) => r.firstError)?.firstError ?? null;
    progress(
      `${label}: ${fmt(subscribers - failed)} subscribed in ${connectSeconds.toFixed(1)} s over ${fmt(sockets)} sockets (${perSocket} subscription(s) each), ${workerCount} client process(es) and ${sourceAddresses.length} source address(es)${failed ? `; ${failed} failed: ${firstError}` : ""}`,
    );
    if (failed > subscribers * 0.01)
      throw new Error(`${failed} of ${subscribers} clients failed to subscribe: ${firstError}`);

    await sleep(warmupSeconds * 1000);
    // Steady-state window.
    progress(`${label}: measuring for ${measureSeconds} s`);
    const metrics0 = await scrapeAll();
    const xacts0 = await databaseXacts(dbName);
    const cpu0 = cpuNow();
    const user0 = userNow();
    const machine0 = machineCpu();
    const processes0 = allProcessCpu();
    const tradeEvents0 = traffic.tradeEvents;
    const produceErrors0 = traffic.sendErrors;
    for (const worker of workers) worker.send({ cmd: "markStart" });
    const t0 = Date.now();
    const wall0 = performance.now();
    const rssSamples: number[] = [];
    while (Date.now() - t0 < measureSeconds * 1000) {
      await sleep(1000);
      rssSamples.push(rssNow());
      if (rssSamples.length % 10 === 0)
        progress(
          `${label}: ${rssSamples.length} s of ${measureSeconds}, RSS ${(rssSamples.at(-1)! / 1024).toFixed(0)} MB`,
        );
    }
    const t1 = Date.now();
    const wallSeconds = (performance.now() - wall0) / 1000;
    const cpu1 = cpuNow();
    const user1 = userNow();
    const machine1 = machineCpu();
    const processes1 = allProcessCpu();
    const metrics1 = await scrapeAll();
    const xacts1 = await databaseXacts(dbName);
    const fds = pids.reduce((n, p) => n + (openFds(p) ?? 0), 0);
    const windowMarkers = traffic.markers.filter((t) => t >= t0 && t < t1);
    const lastMarker = windowMarkers.at(-1) ?? t1;
    const tradeEventsPerSec = (traffic.tradeEvents - tradeEvents0) / wallSeconds;
    const produceErrors = traffic.sendErrors - produceErrors0;
    // Let the last markers of the window arrive before asking.
    await sleep(5000);
    const reports: WorkerReport[] = [];
    for (const worker of workers) {
      const answer = worker.next("report");
      worker.send({ cmd: "report", fromMs: t0, toMs: t1, lastMarkerMs: lastMarker });
      reports.push((await answer).report);
    }
    const ingestPushing =
      ingestBurstEvents > 0
        ? await ingestBurst(
            producer,
            encoder,
            topics.topics.tradeEvents,
            services,
            ingestBurstEvents,
          )
        : null;
    if (ingestPushing !== null)
      progress(
        `${label}: ingest capacity while pushing to ${fmt(subscribers)} ${fmt(Math.round(ingestPushing))} events/s`,
      );

    // Deliveries.
    const perMarker = new Map<number, number>();
    for (const r of reports)
      for (const [t, n] of r.perMarker) perMarker.set(t, (perMarker.get(t) ?? 0) + n);
    const subscribed = reports.reduce((n, r) => n + r.subscribed, 0);
    const expected = windowMarkers.length * subscribed;
    const delivered = windowMarkers.reduce((n, t) => n + (perMarker.get(t) ?? 0), 0);
    const neverPushed = windowMarkers.filter((t) => !perMarker.has(t)).length;
    const latencies = concat(reports.map((r) => r.latencies));
    const computedToReceived = concat(reports.map((r) => r.computeToReceipt));
    const producedToComputed = latencies.map((v, i) => v - computedToReceived[i]!);
    const freshness = summarize(latencies);
    const workerCpu = reports.reduce((n, r) => n + r.cpuSeconds, 0);
    const delta = (name: string) => sumOf(metrics1, name) - sumOf(metrics0, name);
    const computations = delta("rttm_live_computations_total");
    const lagP99 = maxOf(metrics1, "rttm_process_nodejs_eventloop_lag_p99_seconds");
    const lagMax = maxOf(metrics1, "rttm_process_nodejs_eventloop_lag_max_seconds");
    const rssWithClientsKb = median(rssSamples);
    const heapWithClients = sumOf(metrics1, "rttm_process_nodejs_heap_size_used_bytes");
    const messages = reports.reduce((n, r) => n + r.messagesReceived, 0);
    const bytes = reports.reduce((n, r) => n + r.bytesReceived, 0);
    const frameBytes = messages > 0 ? bytes / messages : 0;
    // Pushes: distinct payloads fanned out in the window (each marker a client received).
    const pushes = windowMarkers.length - neverPushed;
    const perDeliveryUs = (seconds: number) => (delivered > 0 ? (seconds / delivered) * 1e6 : null);
    const cpuPerDeliveryUs = perDeliveryUs(cpu1 - cpu0 - idleCpuSecondsPerSec * wallSeconds);
    const userPerDeliveryUs = perDeliveryUs(user1 - user0 - idleUserSecondsPerSec * wallSeconds);
    const result: LiveResult = {
      subscribers,
      path,
      replicas,
      clientWorkers: workerCount,
      sourceAddresses: sourceAddresses.length,
      sockets,
      subscriptionsPerSocket: perSocket,
      connect: {
        seconds: round(connectSeconds)!,
        perSecond: Math.round(subscribed / connectSeconds),
        failed,
        firstError,
      },
      window: {
        seconds: round(wallSeconds)!,
        markers: windowMarkers.length,
        tradeEventsPerSec: Math.round(tradeEventsPerSec),
        produceErrors,
      },
      freshnessMs: freshness,
      breakdownMs: {
        producedToComputed: summarize(producedToComputed),
        computedToReceived: summarize(computedToReceived),
      },
      deliveries: {
        expected,
        delivered,
        missing: expected - delivered,
        markersNeverPushed: neverPushed,
        missingBecauseNeverPushed: neverPushed * subscribed,
        missingPerClient: expected - delivered - neverPushed * subscribed,
        serverCoalescedDuringWindow:
          delta("rttm_live_coalesced_updates_total") + delta("rttm_live_fanout_coalesced_total"),
        nonIncreasing: reports.reduce((n, r) => n + r.nonIncreasing, 0),
        clientsUpToDateAtEnd: reports.reduce((n, r) => n + r.upToDate, 0),
        socketsClosedDuringRun: reports.reduce((n, r) => n + r.closedAfterSubscribe, 0),
      },
      perPush: {
        cpuUsPerSubscriber: cpuPerDeliveryUs === null ? null : round(cpuPerDeliveryUs, 2),
        userUsPerSubscriber: userPerDeliveryUs === null ? null : round(userPerDeliveryUs, 2),
        frameBytes: Math.round(frameBytes),
        bytesWritten: pushes > 0 ? Math.round((frameBytes * delivered) / pushes) : 0,
        executions: delta("rttm_live_fanout_serialisations_total"),
        fanoutBytesWritten: delta("rttm_live_fanout_bytes_total"),
      },
      ingest: {
        idleEventsPerSec: ingestIdle === null ? null : Math.round(ingestIdle),
        pushingEventsPerSec: ingestPushing === null ? null : Math.round(ingestPushing),
        ratio:
          ingestIdle === null || ingestPushing === null
            ? null
            : round(ingestPushing / ingestIdle, 2),
      },
      server: {
        rssIdleMb: round(rssIdleKb / 1024)!,
        rssWithClientsMb: round(rssWithClientsKb / 1024)!,
        rssPerConnectionKb: round((rssWithClientsKb - rssIdleKb) / sockets, 2)!,
        heapUsedIdleMb: round(heapIdle / 2 ** 20)!,
        heapUsedWithClientsMb: round(heapWithClients / 2 ** 20)!,
        heapPerConnectionKb: round((heapWithClients - heapIdle) / 1024 / sockets, 2)!,
        cpuIdlePctOfCore: round(cpuIdlePct)!,
        cpuPctOfCore: round(((cpu1 - cpu0) / wallSeconds) * 100)!,
        openFds: fds,
        eventLoopLagP99Ms: round(lagP99 * 1000),
        eventLoopLagMaxMs: round(lagMax * 1000),
      },
      clients: {
        cpuPctOfCore: round((workerCpu / wallSeconds) * 100)!,
        loopDelayP99MsWorst: round(Math.max(...reports.map((r) => r.loopDelayP99Ms)))!,
        loopDelayMaxMsWorst: round(Math.max(...reports.map((r) => r.loopDelayMaxMs)))!,
      },
      machineBusyPct: round(machineBusyPct(machine0, machine1))!,
      loadAverage: loadavg().map((l) => round(l, 2)!),
      topProcesses: topProcesses(
        processes0,
        processes1,
        wallSeconds,
        new Map<number, string>([
          ...pids.map((p, i): [number, string] => [p, `rttm service ${i + 1}`]),
          [process.pid, "bench (producer)"],
          ...workers.map((w, i): [number, string] => [w.child.pid!, `client worker ${i + 1}`]),
        ]),
      ),
      hub: {
        subscriptionsActive: sumOf(metrics1, "rttm_subscriptions_active"),
        snapshotsActive: sumOf(metrics1, "rttm_live_snapshots_active"),
        groupsActive: sumOf(metrics1, "rttm_live_fanout_groups"),
        computationsPerSec: round(computations / wallSeconds, 2)!,
        snapshotQueriesPerSec: round(computations / wallSeconds, 2)!,
        databaseTransactionsPerSec: round((xacts1 - xacts0) / wallSeconds, 1)!,
      },
      oldDesign: {
        dlqSocketQueriesPerSec: Math.round((subscribers * 2) / 3),
        metricsSocketQueriesPerSec: Math.round((subscribers * 8) / 2),
        fullDashboardQueriesPerSec: Math.round(subscribers * 9.3),
        pollIntervalMs: "2000–3000 per session",
      },
      targetP99Ms: freshnessTargetMs(subscribers),
      targetMet:
        freshness.p99 !== null && freshness.p99 <= freshnessTargetMs(subscribers) && failed === 0,
    };
    progress(
      `${label}: freshness p50 ${freshness.p50} ms, p99 ${freshness.p99} ms, max ${freshness.max} ms over ${fmt(delivered)}/${fmt(expected)} deliveries; server CPU ${result.server.cpuPctOfCore} %, ${result.perPush.cpuUsPerSubscriber} µs per subscriber per push, loop delay p99 ${result.server.eventLoopLagP99Ms} ms, RSS +${result.server.rssPerConnectionKb} KB/connection`,
    );
    return result;
  } finally {
    for (const worker of workers) {
      const closed = worker.next("closed").catch(() => undefined);
      worker.send({ cmd: "close" });
      await Promise.race([closed, sleep(20_000)]);
      worker.child.kill();
    }
    await traffic.stop();
    await producer.disconnect();
    for (const service of services) await service.stop();
    await dropDatabase(dbName);
    await deleteTopics(topics);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function concat(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

// ---------------------------------------------------------------- part B: dashboard queries

interface QueryCase {
  name: string;
  query: string;
  variables?: () => Record<string, unknown>;
  /** The read model(s) the resolver runs, to capture their SQL for EXPLAIN. */
  sql: (db: pg.Pool, now: Date) => Promise<unknown>;
}

interface QueryResult {
  name: string;
  latencyMs: Summary;
  targetP99Ms: number;
  targetMet: boolean;
  responseBytes: number;
}

interface ExplainResult {
  query: string;
  statements: Array<{
    sql: string;
    params: unknown[];
    planningMs: number;
    executionMs: number;
    jitMs: number | null;
    /**
     * Plan nodes with the most time of their own (excluding children), largest first. selfMs is
     * summed over the node's loops, so for a parallel plan it adds up the workers' time and can
     * exceed the statement's wall-clock execution time.
     */
    topNodes: Array<{
      node: string;
      selfMs: number;
      rows: number;
      loops: number;
      sharedHit: number;
      sharedRead: number;
    }>;
    plan: string;
  }>;
}

const pageFields = "pageInfo { hasNextPage endCursor }";

function queryCases(tradeIds: string[], laterDlqCursor: string): QueryCase[] {
  const pick = () => tradeIds[Math.floor(Math.random() * tradeIds.length)]!;
  return [
    {
      name: "overview",
      query:
        "query BenchOverview { overview { asOf currentTps peakTps avgEndToEndLatencyMs dlqCount invalidTradeCount errorCount windowSeconds cards { title value unit status windowSeconds } } }",
      sql: (db, now) => read.overview(db, { now }),
    },
    {
      name: "pipeline",
      query:
        "query BenchPipeline { pipeline { asOf windowSeconds stages { stage count avgLatencyMs successRate } } }",
      sql: (db, now) => read.pipeline(db, { now }),
    },
    {
      name: "dlqOverview",
      query:
        "query BenchDlqOverview { dlqOverview { asOf windowSeconds total byStage { stage count } lastEventTime } }",
      sql: (db, now) => read.dlqOverview(db, { now }),
    },
    {
      name: "dlqEvents (first page)",
      query: `query BenchDlqEvents { dlqEvents(first: 50) { edges { cursor node { id tradeId serviceName topicName originalTopic reason stage eventTime kafkaTopic kafkaPartition kafkaOffset } } ${pageFields} } }`,
      sql: (db) => read.dlqEvents(db, { first: 50 }),
    },
    {
      name: "dlqEvents (page after 10,000 rows)",
      query: `query BenchDlqEventsLater($after: String) { dlqEvents(first: 50, after: $after) { edges { cursor node { id tradeId serviceName topicName originalTopic reason stage eventTime kafkaTopic kafkaPartition kafkaOffset } } ${pageFields} } }`,
      variables: () => ({ after: laterDlqCursor }),
      sql: (db) => read.dlqEvents(db, { first: 50, after: laterDlqCursor }),
    },
    {
      name: "errorEvents (first page)",
      query: `query BenchErrorEvents { errorEvents(first: 50) { edges { cursor node { id tradeId serviceName errorType errorMessage stage eventTime kafkaTopic kafkaPartition kafkaOffset } } ${pageFields} } }`,
      sql: (db) => read.errorEvents(db, { first: 50 }),
    },
    {
      name: "invalidTrades (first page)",
      query: `query BenchInvalidTrades { invalidTrades(first: 50) { edges { cursor node { id tradeId portfolioId symbol side pricePerStock quantity tradeTimestamp validationErrors eventTime } } ${pageFields} } }`,
      sql: (db) => read.invalidTrades(db, { first: 50 }),
    },
    ...(["MINUTE", "HOUR"] as const).map((granularity) => ({
      name: `telemetry (${granularity}, 24 h)`,
      query: `query BenchTelemetry${granularity} { telemetry(windowSeconds: 86400, granularity: ${granularity}) { throughput { asOf windowSeconds granularity buckets { bucketStart count seconds perSecond } } latency { asOf stages { stage samples avgMs p50Ms p95Ms p99Ms } } } }`,
      sql: (db: pg.Pool, now: Date) =>
        Promise.all([
          read.throughputTrend(db, { now, granularity }),
          read.latencyStats(db, { now }),
        ]),
    })),
    {
      name: "queueLag",
      query:
        "query BenchQueueLag { queueLag { asOf totalLag partitions { topic partition consumerGroup serviceName producedOffset consumedOffset lag snapshotTime ageSeconds } byTopicGroup { topic consumerGroup partitions lag } } }",
      sql: (db, now) => read.queueLag(db, { now }),
    },
    {
      name: "trade(tradeId)",
      query:
        "query BenchTrade($id: String!) { trade(tradeId: $id) { tradeId truncated endToEndMs entries { source id time serviceName stage eventType status errorType message } stages { stage reached reachedAt serviceName latencyFromPreviousMs } } }",
      variables: () => ({ id: pick() }),
      sql: (db) => read.tradeTimeline(db, { tradeId: pick() }),
    },
  ];
}

async function timedRequest(port: number, c: QueryCase): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: c.query, variables: c.variables?.() }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
  if (response.status !== 200 || body.errors !== undefined || !body.data)
    throw new Error(`${c.name}: HTTP ${response.status} ${text.slice(0, 500)}`);
  return { ms, bytes: text.length };
}

/** A pg.Pool look-alike that records each statement the read models send, and runs it. */
function recordingPool(
  pool: pg.Pool,
  captured: Array<{ sql: string; params: unknown[] }>,
): pg.Pool {
  return {
    query: (sql: string, params: unknown[] = []) => {
      captured.push({ sql, params });
      return pool.query(sql, params);
    },
  } as unknown as pg.Pool;
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Total Time": number;
  "Actual Rows": number;
  "Actual Loops": number;
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
  Plans?: PlanNode[];
}

function topNodes(root: PlanNode): ExplainResult["statements"][number]["topNodes"] {
  const nodes: ExplainResult["statements"][number]["topNodes"] = [];
  const walk = (n: PlanNode) => {
    const total = n["Actual Total Time"] * n["Actual Loops"];
    const children = (n.Plans ?? []).reduce(
      (s, c) => s + c["Actual Total Time"] * c["Actual Loops"],
      0,
    );
    const label = [
      n["Node Type"],
      n["Index Name"] ? `using ${n["Index Name"]}` : "",
      n["Relation Name"] ? `on ${n["Relation Name"]}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    nodes.push({
      node: label,
      selfMs: round(Math.max(0, total - children), 2)!,
      rows: n["Actual Rows"],
      loops: n["Actual Loops"],
      sharedHit: n["Shared Hit Blocks"] ?? 0,
      sharedRead: n["Shared Read Blocks"] ?? 0,
    });
    (n.Plans ?? []).forEach(walk);
  };
  walk(root);
  return nodes.sort((a, b) => b.selfMs - a.selfMs).slice(0, 4);
}

async function explain(pool: pg.Pool, c: QueryCase): Promise<ExplainResult> {
  const captured: Array<{ sql: string; params: unknown[] }> = [];
  await c.sql(recordingPool(pool, captured), new Date());
  const statements: ExplainResult["statements"] = [];
  const seen = new Set<string>();
  for (const { sql, params } of captured) {
    if (seen.has(sql)) continue;
    seen.add(sql);
    for (let i = 0; i < 2; i++) await pool.query(sql, params); // warm
    const { rows } = await pool.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
    const json = (
      rows[0] as {
        "QUERY PLAN": Array<{
          Plan: PlanNode;
          "Planning Time": number;
          "Execution Time": number;
          JIT?: { Timing?: { Total?: number } };
        }>;
      }
    )["QUERY PLAN"][0]!;
    const text = await pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    statements.push({
      sql: sql.replace(/\s+/g, " ").trim(),
      params,
      planningMs: round(json["Planning Time"], 2)!,
      executionMs: round(json["Execution Time"], 2)!,
      jitMs: json.JIT?.Timing?.Total === undefined ? null : round(json.JIT.Timing.Total, 2),
      topNodes: topNodes(json.Plan),
      plan: text.rows.map((r: Record<string, string>) => r["QUERY PLAN"]).join("\n"),
    });
  }
  return { query: c.name, statements };
}

async function queryRun(
  seed: SeedInfo,
): Promise<{ results: QueryResult[]; explains: ExplainResult[]; service: { rssMb: number } }> {
  const topics: BenchTopics = await createTopics("query", 1);
  let service: RunningService | undefined;
  const pool = new pg.Pool({ connectionString: seed.url, max: 2 });
  try {
    service = await startService({ DATABASE_URL: seed.url, ...topics.env });
    progress(
      `queries: service pid ${service.pid} ready on port ${service.port} against ${seed.name} (ingest idle: empty topics)`,
    );
    // About 2,000 trades picked uniformly from the seeded ones.
    const percent = Math.min(100, (200_000 / Math.max(1, seed.trades)) * 1.2);
    const { rows: sample } = await pool.query<{ trade_id: string }>(
      `SELECT trade_id::text AS trade_id FROM rttm_trade_progress TABLESAMPLE BERNOULLI (${percent}) LIMIT 2000`,
    );
    const tradeIds = sample.map((r) => r.trade_id);
    if (tradeIds.length === 0) throw new Error("no seeded trades found");
    // A cursor 10,000 rows deep into the DLQ list (20 pages of 500).
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const { body } = await graphqlRequest(
        service.port,
        "query($after: String) { dlqEvents(first: 500, after: $after) { pageInfo { hasNextPage endCursor } } }",
        { after: cursor },
      );
      const info = body.data?.dlqEvents?.pageInfo as
        { hasNextPage: boolean; endCursor: string | null } | undefined;
      if (!info?.endCursor) break;
      cursor = info.endCursor;
      if (!info.hasNextPage) break;
    }
    const cases = queryCases(tradeIds, cursor ?? "");
    progress(
      `queries: ${cases.length} queries, ${warmupRequests} warm-up rounds then ${requests} measured rounds (each round runs every query once, sequentially)`,
    );
    for (let i = 0; i < warmupRequests; i++)
      for (const c of cases) await timedRequest(service.port, c);
    const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    const bytes = new Map<string, number>();
    const started = performance.now();
    for (let i = 0; i < requests; i++) {
      for (const c of cases) {
        const r = await timedRequest(service.port, c);
        samples.get(c.name)!.push(r.ms);
        bytes.set(c.name, r.bytes);
      }
      if ((i + 1) % 50 === 0)
        progress(
          `queries: ${i + 1}/${requests} rounds (${((performance.now() - started) / 1000).toFixed(0)} s)`,
        );
    }
    const results = cases.map((c) => {
      const latencyMs = summarize(samples.get(c.name)!);
      return {
        name: c.name,
        latencyMs,
        targetP99Ms: queryTargetMs,
        targetMet: latencyMs.p99 !== null && latencyMs.p99 <= queryTargetMs,
        responseBytes: bytes.get(c.name) ?? 0,
      };
    });
    const rssMb = round((rssKb(service.pid) ?? 0) / 1024)!;
    const explains: ExplainResult[] = [];
    for (const c of cases) {
      if (results.find((r) => r.name === c.name)!.targetMet) continue;
      progress(
        `queries: ${c.name} misses p99 ≤ ${queryTargetMs} ms; EXPLAIN (ANALYZE, BUFFERS) of its SQL`,
      );
      explains.push(await explain(pool, c));
    }
    return { results, explains, service: { rssMb } };
  } finally {
    await pool.end();
    await service?.stop();
    await deleteTopics(topics);
  }
}

// ---------------------------------------------------------------- part C: dashboard query load

/** The dashboard's query: its three cards in one request, as a dashboard fleet sends it. */
const dashboardQuery =
  "query Dashboard { overview { asOf currentTps peakTps avgEndToEndLatencyMs dlqCount invalidTradeCount errorCount windowSeconds cards { title value unit status windowSeconds } } pipeline { asOf windowSeconds stages { stage count avgLatencyMs successRate } } dlqOverview { asOf windowSeconds total byStage { stage count } lastEventTime } }";

interface HttpLoadResult {
  connections: number;
  seconds: number;
  seededEvents: number;
  tradeEventsPerSec: number;
  requests: number;
  requestsPerSec: number;
  errors: number;
  firstError: string | null;
  latencyMs: Summary;
  /** How the service answered the views (one-off reads of hub snapshots) during the run. */
  reads: { fromSnapshot: number; joined: number; computed: number };
  serverCpuPctOfCore: number;
  loadAverage: number[];
  targets: { requestsPerSec: number; p99Ms: number; met: boolean };
}

/** `connections` keep-alive connections, each sending the dashboard query back to back for `seconds`. */
async function httpLoadRun(): Promise<HttpLoadResult> {
  const connections = Number(args["http-connections"]);
  const seconds = Number(args["http-seconds"]);
  const rate = Number(args["http-trade-rate"]);
  const seed = await seedDatabase({
    events: Number(args["http-seed-events"]),
    name: `rttm_bench_http_${runId}`,
  });
  const topics = await createTopics("http", 3);
  const encoder = await createEncoder(topics.topics);
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const traffic = new Traffic(producer, encoder, topics.topics, rate);
  let service: RunningService | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  try {
    service = await startService({ DATABASE_URL: seed.url, ...topics.env });
    traffic.start();
    await sleep(warmupSeconds * 1000);
    const body = JSON.stringify({ query: dashboardQuery });
    const port = service.port;
    const request = () =>
      new Promise<void>((resolve, reject) => {
        const req = http.request(
          {
            host: "127.0.0.1",
            port,
            path: "/graphql",
            method: "POST",
            agent,
            headers: {
              "content-type": "application/json",
              accept: "application/json",
              "content-length": Buffer.byteLength(body),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString();
              let failed = res.statusCode !== 200;
              try {
                failed ||= (JSON.parse(text) as { errors?: unknown }).errors !== undefined;
              } catch {
                failed = true;
              }
              if (failed) reject(new Error(`HTTP ${res.statusCode} ${text.slice(0, 300)}`));
              else resolve();
            });
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    const latencies: number[] = [];
    let errors = 0;
    let firstError: string | null = null;
    const metrics0 = await scrapeMetrics(port);
    const cpu0 = cpuSeconds(service.pid)!;
    const tradeEvents0 = traffic.tradeEvents;
    progress(
      `http load: ${connections} connections for ${seconds} s, dashboard query, ${rate} trade events/s into ${fmt(seed.events)} seeded`,
    );
    const started = performance.now();
    const until = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < until) {
          const t = performance.now();
          try {
            await request();
            latencies.push(performance.now() - t);
          } catch (err) {
            errors++;
            firstError ??= err instanceof Error ? err.message : String(err);
          }
        }
      }),
    );
    const wall = (performance.now() - started) / 1000;
    const cpu1 = cpuSeconds(service.pid)!;
    const metrics1 = await scrapeMetrics(port);
    const reads = (answer: string) =>
      (metric(metrics1, `rttm_live_reads_total{answer="${answer}"}`) ?? 0) -
      (metric(metrics0, `rttm_live_reads_total{answer="${answer}"}`) ?? 0);
    const latencyMs = summarize(latencies);
    const requestsPerSec = Math.round(latencies.length / wall);
    const result: HttpLoadResult = {
      connections,
      seconds: round(wall)!,
      seededEvents: seed.events,
      tradeEventsPerSec: Math.round((traffic.tradeEvents - tradeEvents0) / wall),
      requests: latencies.length,
      requestsPerSec,
      errors,
      firstError,
      latencyMs,
      reads: {
        fromSnapshot: reads("snapshot"),
        joined: reads("joined"),
        computed: reads("computed"),
      },
      serverCpuPctOfCore: round(((cpu1 - cpu0) / wall) * 100)!,
      loadAverage: loadavg().map((l) => round(l, 2)!),
      targets: {
        requestsPerSec: 2000,
        p99Ms: 50,
        met: requestsPerSec >= 2000 && latencyMs.p99 !== null && latencyMs.p99 <= 50,
      },
    };
    progress(
      `http load: ${fmt(requestsPerSec)} requests/s, p50 ${latencyMs.p50} ms, p99 ${latencyMs.p99} ms, ${errors} errors; server CPU ${result.serverCpuPctOfCore} %`,
    );
    return result;
  } finally {
    agent.destroy();
    await traffic.stop();
    await producer.disconnect();
    await service?.stop();
    await dropDatabase(seed.name);
    await deleteTopics(topics);
  }
}

// ---------------------------------------------------------------- main

const started = performance.now();
const live: LiveResult[] = [];
if (!args["skip-live"]) {
  for (const n of subscriberCounts) {
    live.push(await liveRun({ subscribers: n, path: "shared", replicas: 1 }));
    if (baselineSubscribers.includes(n))
      live.push(await liveRun({ subscribers: n, path: "per-subscriber", replicas: 1 }));
  }
  for (const n of replicaSubscribers)
    live.push(await liveRun({ subscribers: n, path: "shared", replicas: 2 }));
}

let httpLoad: HttpLoadResult | null = null;
if (Number(args["http-seconds"]) > 0) httpLoad = await httpLoadRun();

let seed: SeedInfo | null = null;
let seedReused = false;
let queries: Awaited<ReturnType<typeof queryRun>> | null = null;
let queryError: string | null = null;
if (!args["skip-queries"])
  try {
    if (args["skip-seed"]) {
      const found = await existingSeed(seedEvents);
      if (typeof found === "string")
        throw new Error(`--skip-seed: ${found}; run without --skip-seed to seed it`);
      seed = found;
      seedReused = true;
      progress(
        `queries: reusing ${seed.name}, seeded ${((Date.now() - seed.seededAt) / 60_000).toFixed(0)} min ago`,
      );
    } else {
      seed = await seedDatabase({ events: seedEvents });
    }
    queries = await queryRun(seed);
  } catch (err) {
    // Keep what part A measured.
    queryError = err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err);
    progress(`queries failed: ${queryError}`);
    process.exitCode = 1;
  }

const ageMinutes = seed ? (Date.now() - seed.seededAt) / 60_000 : 0;
const result = {
  date: new Date().toISOString(),
  node: process.version,
  machine: { cores: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30) },
  totalSeconds: Math.round((performance.now() - started) / 1000),
  options: {
    subscribers: subscriberCounts,
    markerMs,
    tradeEventsPerSec: tradeRate,
    measureSeconds,
    warmupSeconds,
    clientsPerWorker,
    connectConcurrency,
    events: seedEvents,
    requests,
    warmupRequests,
    subscription: subscriptionQuery,
  },
  live,
  httpLoad,
  queryError,
  queries:
    queries && seed
      ? {
          seed: {
            ...seed,
            url: undefined,
            reused: seedReused,
            ageMinutesAtEnd: Math.round(ageMinutes),
            windowCoveragePct: round(Math.max(0, 100 - (ageMinutes / 1440) * 100)),
          },
          service: queries.service,
          results: queries.results,
          explains: queries.explains,
        }
      : null,
};
console.log(JSON.stringify(result, null, 2));
await mkdir(args.out!, { recursive: true });
await writeFile(`${args.out}/live-latest.json`, JSON.stringify(result, null, 2) + "\n");
await writeFile(
  `${args.out}/live-${result.date.replace(/[:.]/g, "-")}.json`,
  JSON.stringify(result, null, 2) + "\n",
);

// Summary table.
const lines: string[] = [];
if (live.length > 0) {
  lines.push(
    "",
    `Live fan-out (subscription dlqOverview; a marker every ${markerMs} ms; ${tradeRate} trade events/s; ${measureSeconds} s window)`,
  );
  const widths = [11, 15, 4, 7, 7, 7, 18, 20, 12, 10, 16, 19, 11, 11, 11, 12, 10, 8];
  lines.push(
    pad(
      [
        "subscribers",
        "path",
        "rep",
        "p50 ms",
        "p99 ms",
        "max ms",
        "p99 compute→recv",
        "delivered/expected",
        "never pushed",
        "per-client",
        "server CPU %core",
        "µs/sub/push (user)",
        "loop p99 ms",
        "loop max ms",
        "bytes/push",
        "RSS KB/conn",
        "ingest ×",
        "p99 met",
      ],
      widths,
    ),
  );
  for (const r of live) {
    lines.push(
      pad(
        [
          fmt(r.subscribers),
          r.path,
          String(r.replicas),
          String(r.freshnessMs.p50),
          String(r.freshnessMs.p99),
          String(r.freshnessMs.max),
          String(r.breakdownMs.computedToReceived.p99),
          `${fmt(r.deliveries.delivered)}/${fmt(r.deliveries.expected)}`,
          `${r.deliveries.markersNeverPushed}/${r.window.markers}`,
          fmt(r.deliveries.missingPerClient),
          String(r.server.cpuPctOfCore),
          `${r.perPush.cpuUsPerSubscriber} (${r.perPush.userUsPerSubscriber})`,
          String(r.server.eventLoopLagP99Ms),
          String(r.server.eventLoopLagMaxMs),
          fmt(r.perPush.bytesWritten),
          String(r.server.rssPerConnectionKb),
          String(r.ingest.ratio),
          r.targetMet ? `yes ≤${r.targetP99Ms}` : `NO >${r.targetP99Ms}`,
        ],
        widths,
      ),
    );
  }
  lines.push(
    "(never pushed: markers replaced by a newer one before the hub's next computation; per-client: deliveries a slow client lost to latest-value coalescing; µs/sub/push: server CPU above the idle baseline per delivery; ingest ×: ingest capacity while pushing ÷ without subscribers)",
  );
  // Side by side: the previous per-subscriber path ÷ the shared path, same N, same run.
  for (const shared of live.filter((r) => r.path === "shared" && r.replicas === 1)) {
    const old = live.find(
      (r) =>
        r.path === "per-subscriber" && r.replicas === 1 && r.subscribers === shared.subscribers,
    );
    if (!old) continue;
    const ratio = (a: number | null, b: number | null) =>
      a === null || b === null || b === 0 ? "n/a" : `${(a / b).toFixed(1)}×`;
    lines.push(
      `N=${fmt(shared.subscribers)} per-subscriber ÷ shared: p99 ${ratio(old.freshnessMs.p99, shared.freshnessMs.p99)}, CPU per subscriber per push ${ratio(old.perPush.cpuUsPerSubscriber, shared.perPush.cpuUsPerSubscriber)}, loop delay p99 ${ratio(old.server.eventLoopLagP99Ms, shared.server.eventLoopLagP99Ms)}, RSS per connection ${ratio(old.server.rssPerConnectionKb, shared.server.rssPerConnectionKb)}`,
    );
  }
}
if (httpLoad) {
  lines.push(
    "",
    `Dashboard query load (overview + pipeline + dlqOverview; ${httpLoad.connections} keep-alive connections, ${httpLoad.seconds} s, ${httpLoad.tradeEventsPerSec} trade events/s into ${fmt(httpLoad.seededEvents)} seeded)`,
    `${fmt(httpLoad.requestsPerSec)} requests/s, p50 ${httpLoad.latencyMs.p50} ms, p99 ${httpLoad.latencyMs.p99} ms, max ${httpLoad.latencyMs.max} ms, ${httpLoad.errors} errors; views answered from a snapshot ${fmt(httpLoad.reads.fromSnapshot)}, joined a computation ${fmt(httpLoad.reads.joined)}, computed ${fmt(httpLoad.reads.computed)}; server CPU ${httpLoad.serverCpuPctOfCore} % of a core; target ≥ 2,000 requests/s and p99 ≤ 50 ms: ${httpLoad.targets.met ? "met" : "NOT met"} (load average ${httpLoad.loadAverage.join(" ")})`,
  );
}
if (queries) {
  lines.push(
    "",
    `Dashboard queries at ${fmt(seed!.events)} trade events (${requests} sequential requests each, HTTP round trip)`,
  );
  lines.push(pad(["query", "p50 ms", "p99 ms", "max ms", "p99 ≤ 50"], [36, 8, 8, 8, 9]));
  for (const r of queries.results)
    lines.push(
      pad(
        [
          r.name,
          String(r.latencyMs.p50),
          String(r.latencyMs.p99),
          String(r.latencyMs.max),
          r.targetMet ? "yes" : "NO",
        ],
        [36, 8, 8, 8, 9],
      ),
    );
  for (const e of queries.explains) {
    lines.push("", `EXPLAIN ${e.query}:`);
    for (const s of e.statements) {
      lines.push(
        `  ${s.executionMs} ms execution, ${s.planningMs} ms planning${s.jitMs !== null ? `, JIT ${s.jitMs} ms` : ""}: ${s.sql.slice(0, 140)}…`,
      );
      for (const n of s.topNodes.slice(0, 2))
        lines.push(
          `    ${n.selfMs} ms self, summed over ${n.loops} loop(s)/worker(s): ${n.node} (${fmt(n.rows)} rows per loop, ${fmt(n.sharedHit)} hit / ${fmt(n.sharedRead)} read blocks)`,
        );
    }
  }
}
console.log(lines.join("\n"));
progress(`wrote ${args.out}/live-latest.json (${result.totalSeconds} s in all)`);

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i] ?? 10)).join(" ");
}
