/**
 * Live benchmark, in three parts, against the real service process (src/main.ts); each part is
 * its own module under scripts/bench/live/ (fanout.ts, queries.ts, httpLoad.ts), this file runs
 * them and reports:
 *
 * (A) Fan-out freshness, for each N in --subscribers: N graphql-ws clients (spread over client
 *     worker processes) all subscribe to `dlqOverview { asOf total lastEventTime }` while a trade
 *     stream flows (--trade-rate events/s) and a DLQ "marker" whose event_time is its produce time is
 *     produced on average every --marker-ms (gaps uniform in 0.5–1.5 ×, so markers fall at every
 *     phase of the hub's tick). Freshness of a delivery = receipt time − lastEventTime (one clock).
 *     Reported: p50/p99/max over a steady-state window, split at the payload's asOf (when the hub
 *     computed the snapshot) and at the marker row's created_at into produce → stored → computed
 *     (notice, the hub's credit, the computation's start) → received (query, fan-out, client); deliveries vs markers × N with coalescing explained; server RSS per connection and
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
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { liveRun, subscriptionQuery, type LiveResult } from "./live/fanout.js";
import { httpLoadRun, type HttpLoadResult } from "./live/httpLoad.js";
import { queryRun } from "./live/queries.js";
import { progress } from "./lib/service.js";
import { fmt, round } from "./lib/stats.js";
import { existingSeed, seedDatabase, type SeedInfo } from "./seed.js";

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
const counts = (list: string) =>
  list
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
const baselineSubscribers = counts(args["baseline-subscribers"]!);
const replicaSubscribers = counts(args["replica-subscribers"]!);
const ingestBurstEvents = Number(args["ingest-burst"]);
const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
// kafkajs 2.2 schedules a negative timeout on Node ≥ 23 (TimeoutNegativeWarning, harmless).
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name !== "TimeoutNegativeWarning")
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
const runId = randomUUID().slice(0, 8);

const started = performance.now();
const fanOutOptions = {
  runId,
  tradeRate,
  markerMs,
  warmupSeconds,
  measureSeconds,
  clientsPerWorker,
  connectConcurrency,
  ingestBurstEvents,
  sourceAddresses: Number(args["source-addresses"]),
  maxSocketsPerReplica: Number(args["max-sockets-per-replica"]),
  redisUrl,
};
const live: LiveResult[] = [];
if (!args["skip-live"]) {
  for (const n of subscriberCounts) {
    live.push(await liveRun({ subscribers: n, path: "shared", replicas: 1 }, fanOutOptions));
    if (baselineSubscribers.includes(n))
      live.push(
        await liveRun({ subscribers: n, path: "per-subscriber", replicas: 1 }, fanOutOptions),
      );
  }
  for (const n of replicaSubscribers)
    live.push(await liveRun({ subscribers: n, path: "shared", replicas: 2 }, fanOutOptions));
}

let httpLoad: HttpLoadResult | null = null;
if (Number(args["http-seconds"]) > 0)
  httpLoad = await httpLoadRun({
    runId,
    connections: Number(args["http-connections"]),
    seconds: Number(args["http-seconds"]),
    tradeRate: Number(args["http-trade-rate"]),
    seedEvents: Number(args["http-seed-events"]),
    warmupSeconds,
  });

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
    queries = await queryRun(seed, { requests, warmupRequests });
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
  for (const r of live) {
    const b = r.breakdownMs;
    lines.push(
      `N=${fmt(r.subscribers)} ${r.path}${r.replicas > 1 ? ` ×${r.replicas}` : ""} freshness p50/p99 ms: produce→stored ${b.producedToStored.p50}/${b.producedToStored.p99}, stored→computed ${b.storedToComputed.p50}/${b.storedToComputed.p99}, computed→received ${b.computedToReceived.p50}/${b.computedToReceived.p99}, end to end ${r.freshnessMs.p50}/${r.freshnessMs.p99}`,
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
