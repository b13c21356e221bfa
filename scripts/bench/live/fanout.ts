/**
 * Part A of bench:live, fan-out freshness: N graphql-ws clients (spread over client worker
 * processes) all subscribe to `dlqOverview { asOf total lastEventTime }` while a trade stream
 * flows and DLQ markers whose event_time is their produce time arrive (gaps uniform in 0.5–1.5 ×
 * the marker interval, so markers fall at every phase of the hub's interval). Freshness of a
 * delivery = receipt time − lastEventTime (one clock), split into produce → stored (the row's
 * created_at) → computed (the payload's asOf) → received. Beside it: deliveries vs markers × N with
 * coalescing explained, server RSS per connection and CPU, the hub's computations vs the queries
 * the old per-session polling design would issue, ingest capacity while pushing.
 */
import { loadavg } from "node:os";
import { Partitioners, type Producer } from "kafkajs";
import pg from "pg";
import { stages } from "../../../src/domain/stages.js";
import { createEncoder, type Encoder } from "../../../test/support/kafka.js";
import * as m from "../../../test/support/messages.js";
import { ClientWorker, closeWorkers } from "../lib/clientWorker.js";
import type { WorkerReport } from "../lib/liveClients.js";
import {
  allProcessCpu,
  cpuSeconds,
  cpuSplitSeconds,
  machineBusyPct,
  machineCpu,
  openFds,
  rssKb,
  topProcesses,
} from "../lib/proc.js";
import {
  adminUrl,
  createDatabase,
  createTopics,
  deleteTopics,
  dropDatabase,
  kafka,
  progress,
  scrapeMetrics,
  startService,
  type RunningService,
} from "../lib/service.js";
import { fmt, round, summarize, type Summary } from "../lib/stats.js";
import { Traffic } from "../lib/traffic.js";
import { sleep } from "../../../src/pipeline/retry.js";

export const subscriptionQuery =
  "subscription BenchDlq { dlqOverview { asOf total lastEventTime } }";

/** Issue 12: p99 ≤ 250 ms up to 10,000 subscribers, ≤ 500 ms for 25,000. */
export const freshnessTargetMs = (subscribers: number) => (subscribers <= 10_000 ? 250 : 500);

export interface FanOutBenchOptions {
  /** Names this run's databases. */
  runId: string;
  tradeRate: number;
  markerMs: number;
  warmupSeconds: number;
  measureSeconds: number;
  clientsPerWorker: number;
  connectConcurrency: number;
  /** Trade events of the ingest-capacity burst (0: skip). */
  ingestBurstEvents: number;
  /** Loopback source addresses the clients bind to (127.0.0.1 …): ~28,000 ports each. */
  sourceAddresses: number;
  /**
   * Sockets one replica is given at most: a process may hold 20,000 descriptors on this machine
   * (hard limit), so more subscribers than this share sockets (several subscriptions each).
   */
  maxSocketsPerReplica: number;
  /** The change bus of runs with more than one replica. */
  redisUrl: string;
}

export interface LiveResult {
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
  /**
   * Per delivery: produce → stored (the marker row's created_at: its transaction's start; the
   * commit and the in-process change notice follow within that write), stored → computed (the
   * payload's asOf: notice, waiting for the hub's credit, the computation's start), computed →
   * received (query, fan-out, the client's socket). producedToComputed is the first two together.
   */
  breakdownMs: {
    producedToStored: Summary;
    storedToComputed: Summary;
    producedToComputed: Summary;
    computedToReceived: Summary;
  };
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

export function metric(values: Map<string, number>, name: string): number | null {
  return values.get(name) ?? null;
}

export async function databaseXacts(name: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl });
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
export interface LiveShape {
  subscribers: number;
  /** "shared": the fan-out groups (today); "per-subscriber": the previous path (lib/perSubscriberService.ts). */
  path: "shared" | "per-subscriber";
  /** 2: two service processes sharing the database, the consumer group and the Redis change bus. */
  replicas: number;
}

export const shapeLabel = (s: LiveShape) =>
  `live N=${fmt(s.subscribers)} ${s.path}${s.replicas > 1 ? ` ×${s.replicas} replicas` : ""}`;

export const sumOf = (all: Array<Map<string, number>>, name: string) =>
  all.reduce((n, m) => n + (metric(m, name) ?? 0), 0);
export const maxOf = (all: Array<Map<string, number>>, name: string) =>
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

export async function liveRun(shape: LiveShape, options: FanOutBenchOptions): Promise<LiveResult> {
  const { subscribers, path, replicas } = shape;
  const {
    runId,
    tradeRate,
    markerMs,
    warmupSeconds,
    measureSeconds,
    clientsPerWorker,
    connectConcurrency,
    ingestBurstEvents,
    redisUrl,
  } = options;
  const sourceAddresses = Array.from(
    { length: Math.max(1, options.sourceAddresses) },
    (_, i) => `127.0.0.${i + 1}`,
  );
  const label = shapeLabel(shape);
  const perSocket = Math.ceil(subscribers / replicas / options.maxSocketsPerReplica);
  const sockets = Math.ceil(subscribers / perSocket);
  progress(`${label}: fresh topics, consumer group and database`);
  const topics = await createTopics(`live${subscribers}`, 3);
  const encoder = await createEncoder(topics.topics);
  const dbName = `rttm_bench_live_${runId}_${subscribers}_${path.replace("-", "_")}_${replicas}`;
  const dbUrl = await createDatabase(dbName);
  const services: RunningService[] = [];
  const workers: ClientWorker[] = [];
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const traffic = new Traffic(producer, encoder, topics.topics, tradeRate, markerMs);
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
    for (let w = 0; w < workerCount; w++) workers.push(new ClientWorker());
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

    const storedAt = await markerStoreTimes(dbUrl, t0, t1);
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
    const deliveredMarkers = concat(reports.map((r) => r.markers));
    const producedToStored: number[] = [];
    const storedToComputed: number[] = [];
    deliveredMarkers.forEach((t, i) => {
      const stored = storedAt.get(t);
      if (stored === undefined) return;
      producedToStored.push(stored - t);
      storedToComputed.push(t + producedToComputed[i]! - stored);
    });
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
        producedToStored: summarize(producedToStored),
        storedToComputed: summarize(storedToComputed),
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
    await closeWorkers(workers);
    await traffic.stop();
    await producer.disconnect();
    for (const service of services) await service.stop();
    await dropDatabase(dbName);
    await deleteTopics(topics);
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function concat(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
/** When each DLQ marker produced in [fromMs, toMs) was stored: event_time (ms) → created_at (ms). */
async function markerStoreTimes(
  dbUrl: string,
  fromMs: number,
  toMs: number,
): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: number; stored: number }>(
      `SELECT (extract(epoch FROM event_time) * 1000)::float8 AS t,
              (extract(epoch FROM created_at) * 1000)::float8 AS stored
         FROM rttm_dlq_events
        WHERE event_time >= to_timestamp($1 / 1000.0) AND event_time < to_timestamp($2 / 1000.0)`,
      [fromMs, toMs],
    );
    return new Map(rows.map((r) => [Math.round(r.t), Math.round(r.stored)]));
  } finally {
    await client.end();
  }
}
