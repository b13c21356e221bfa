/**
 * Capacity inside the platform's envelope (shared/spec/platform.md §4: half a core, 512 MiB per
 * replica): the service as the image runs it (compiled, NODE_ENV=production, the image's
 * NODE_OPTIONS), each replica in its own cgroup, against the real Kafka, PostgreSQL and Redis.
 *
 * 1. Ingest ramp for 1, 2 and 3 replicas (one consumer group, --partitions partitions): trade
 *    events at a steady rate for --step-seconds per step (≥ 60 for reported figures), the rate
 *    growing by --factor until the consumer lag grows; the sustained rate, each replica's CPU,
 *    RSS and throttling there, PostgreSQL's CPU at every step, and a database profile (wait
 *    events and statements sampled from pg_stat_activity, commit and WAL rates) at every step.
 * 2. Live viewers: dashboard clients (overview + pipeline + dlqOverview subscriptions on one
 *    socket) added step by step while ingesting at half the one-replica sustained rate, until the
 *    p99 freshness passes --viewer-target-ms; for 1 replica and for 2 behind the Redis bus.
 * 3. Dashboard HTTP queries per second of one replica at p99 ≤ --http-target-ms, connections
 *    ramped, while ingesting at half the sustained rate into a seeded database.
 *
 * Usage: npm run bench:capacity -- [--step-seconds 60] [--start-rate 2000] [--factor 1.4]
 *        [--replicas 1,2,3] [--partitions 6] [--viewer-counts 10,25,50,100,250,500,1000,2000,4000]
 *        [--http-connections 1,2,4,8,16,32] [--skip-viewers] [--skip-http]
 * BENCH_CAPACITY_STEP_SECONDS overrides the step length (development: e.g. 15). Progress on
 * stderr; results in bench-results/capacity-latest.json (and a dated copy).
 */
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { progress } from "./lib/service.js";
import { fmt, round } from "./lib/stats.js";
import { httpQueryRamp, type HttpQueryResult } from "./capacity/httpQueries.js";
import { ramp, type RampResult } from "./capacity/ramp.js";
import { buildService, platformLimits, stopAllReplicas } from "./capacity/replicas.js";
import { imageNodeOptions } from "./lib/image.js";
import { viewerRamp, type ViewerResult } from "./capacity/viewers.js";

const { values: args } = parseArgs({
  options: {
    "step-seconds": { type: "string", default: process.env.BENCH_CAPACITY_STEP_SECONDS ?? "60" },
    "start-rate": { type: "string", default: "2000" },
    factor: { type: "string", default: "1.4" },
    "max-steps": { type: "string", default: "10" },
    replicas: { type: "string", default: "1,2,3" },
    partitions: { type: "string", default: "6" },
    "viewer-counts": { type: "string", default: "10,25,50,100,250,500,1000,2000,4000" },
    "viewer-seconds": { type: "string", default: "20" },
    "viewer-target-ms": { type: "string", default: "1000" },
    "http-connections": { type: "string", default: "1,2,4,8,16,32" },
    "http-seconds": { type: "string", default: "10" },
    "http-seed-events": { type: "string", default: "400000" },
    "http-target-ms": { type: "string", default: "100" },
    "skip-viewers": { type: "boolean", default: false },
    "skip-http": { type: "boolean", default: false },
    "skip-build": { type: "boolean", default: false },
    out: { type: "string", default: "bench-results" },
  },
});
const list = (s: string) =>
  s
    .split(",")
    .map((x) => Number(x.trim()))
    .filter((n) => n > 0);
const stepSeconds = Number(args["step-seconds"]);
const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const runId = randomUUID().slice(0, 8);
// kafkajs 2.2 schedules a negative timeout on Node ≥ 23 (TimeoutNegativeWarning, harmless).
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name !== "TimeoutNegativeWarning")
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
if (stepSeconds < 60)
  progress(`steps of ${stepSeconds} s: a development run (reported figures use ≥ 60 s)`);

// Interrupted: stop the replicas (they flush and commit) and remove their cgroups before exiting.
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    progress(`${signal}: stopping the replicas and removing their cgroups`);
    void stopAllReplicas().finally(() => process.exit(130));
  });

const started = performance.now();
const loadAtStart = loadavg().map((l) => round(l, 2)!);
if (!args["skip-build"]) buildService();

// 1. Ingest ramp per replica count; each starts at the previous count's sustained rate.
const ramps: RampResult[] = [];
let startRate = Number(args["start-rate"]);
for (const replicas of list(args.replicas!)) {
  const result = await ramp({
    runId,
    replicas,
    partitions: Number(args.partitions),
    startRate,
    factor: Number(args.factor),
    stepSeconds,
    maxSteps: Number(args["max-steps"]),
    redisUrl,
  });
  ramps.push(result);
  progress(
    `ramp, ${replicas} replica(s): sustained ${result.sustainedEventsPerSec === null ? "none of the steps" : `${fmt(result.sustainedEventsPerSec)} events/s`}`,
  );
  if (result.sustainedEventsPerSec !== null) startRate = result.sustainedEventsPerSec;
}

// Where adding a replica stops helping: the first count that gains less than 15 % on the one
// before (else the largest count measured); its profile is the step that broke the ramp.
const scaleOut = ramps.map((r, i) => {
  const before = i > 0 ? ramps[i - 1]!.sustainedEventsPerSec : null;
  const at = r.atSustained;
  const replicaCpu = at ? at.replicas.reduce((n, x) => n + x.cpuPctOfCore, 0) : null;
  return {
    replicas: r.replicas,
    sustainedEventsPerSec: r.sustainedEventsPerSec,
    gainOverPrevious:
      before && r.sustainedEventsPerSec ? round(r.sustainedEventsPerSec / before, 2) : null,
    replicaCpuPctOfCore: at?.replicas.map((x) => x.cpuPctOfCore) ?? null,
    replicaRssMb: at?.replicas.map((x) => x.rssMb) ?? null,
    replicaThrottledPctOfPeriods: at?.replicas.map((x) => x.throttledPctOfPeriods) ?? null,
    postgresCpuPctOfCore: at?.postgresCpuPctOfCore ?? null,
    /** PostgreSQL's part of the CPU that the replicas and PostgreSQL used together. */
    postgresShareOfServiceCpu:
      at && replicaCpu !== null
        ? round(at.postgresCpuPctOfCore / (at.postgresCpuPctOfCore + replicaCpu), 2)
        : null,
    loadAverage: at?.loadAverage ?? null,
  };
});
const stopIndex = scaleOut.findIndex(
  (s) => s.gainOverPrevious !== null && s.gainOverPrevious < 1.15,
);
const limitRamp = ramps[stopIndex >= 0 ? stopIndex : ramps.length - 1];
const databaseAtLimit = limitRamp
  ? {
      replicas: limitRamp.replicas,
      addingReplicasStoppedHelping: stopIndex >= 0,
      brokenStep: limitRamp.steps.find((s) => !s.sustained) ?? null,
      sustainedStep: limitRamp.atSustained,
    }
  : null;

// 2. Live viewers at half the one-replica sustained rate.
const halfRate = Math.round((ramps[0]?.sustainedEventsPerSec ?? Number(args["start-rate"])) / 2);
const viewers: ViewerResult[] = [];
if (!args["skip-viewers"]) {
  const counts = list(args["viewer-counts"]!);
  const one = await viewerRamp({
    runId,
    replicas: 1,
    tradeRate: halfRate,
    counts,
    windowSeconds: Number(args["viewer-seconds"]),
    targetP99Ms: Number(args["viewer-target-ms"]),
    redisUrl,
    clientsPerWorker: 2500,
  });
  viewers.push(one);
  // Two replicas behind Redis: from twice the one-replica answer's step below, upwards.
  const from = Math.max(0, counts.indexOf(one.viewers ?? counts[0]!) - 1);
  viewers.push(
    await viewerRamp({
      runId,
      replicas: 2,
      tradeRate: halfRate,
      counts: counts.slice(from).map((n) => n * 2),
      windowSeconds: Number(args["viewer-seconds"]),
      targetP99Ms: Number(args["viewer-target-ms"]),
      redisUrl,
      clientsPerWorker: 2500,
    }),
  );
}

// 3. Dashboard HTTP queries per replica.
let httpQueries: HttpQueryResult | null = null;
if (!args["skip-http"])
  httpQueries = await httpQueryRamp({
    runId,
    tradeRate: halfRate,
    seedEvents: Number(args["http-seed-events"]),
    connections: list(args["http-connections"]!),
    seconds: Number(args["http-seconds"]),
    targetP99Ms: Number(args["http-target-ms"]),
  });

const result = {
  date: new Date().toISOString(),
  node: process.version,
  machine: {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? null,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    /** Shared with other work: the load averages at the start and the end of the run. */
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadavg().map((l) => round(l, 2)!),
  },
  envelope: {
    cpu: `${platformLimits.cpuQuotaUs}/${platformLimits.cpuPeriodUs} µs (${platformLimits.cpuQuotaUs / platformLimits.cpuPeriodUs} core)`,
    memoryMiB: platformLimits.memoryBytes / 2 ** 20,
    nodeOptions: imageNodeOptions(),
  },
  options: {
    stepSeconds,
    developmentRun: stepSeconds < 60,
    factor: Number(args.factor),
    partitions: Number(args.partitions),
    halfSustainedRate: halfRate,
  },
  totalSeconds: Math.round((performance.now() - started) / 1000),
  scaleOut,
  databaseAtLimit,
  ramps,
  viewers,
  httpQueries,
};
await mkdir(args.out!, { recursive: true });
const json = JSON.stringify(result, null, 2) + "\n";
await writeFile(`${args.out}/capacity-latest.json`, json);
await writeFile(`${args.out}/capacity-${result.date.replace(/[:.]/g, "-")}.json`, json);

const lines = [
  "",
  `Capacity in the envelope (${result.envelope.cpu}, ${result.envelope.memoryMiB} MiB, NODE_OPTIONS ${result.envelope.nodeOptions}); steps of ${stepSeconds} s; load average ${loadAtStart.join(" ")} → ${result.machine.loadAverageAtEnd.join(" ")}`,
  "replicas  sustained ev/s  gain  CPU % of a core (each)  RSS MB (each)  postgres % of a core  postgres share",
  ...scaleOut.map(
    (s) =>
      `${String(s.replicas).padEnd(9)} ${String(s.sustainedEventsPerSec ?? "none").padEnd(15)} ${String(s.gainOverPrevious ?? "").padEnd(5)} ${String(s.replicaCpuPctOfCore?.join(", ") ?? "").padEnd(23)} ${String(s.replicaRssMb?.join(", ") ?? "").padEnd(14)} ${String(s.postgresCpuPctOfCore ?? "").padEnd(21)} ${s.postgresShareOfServiceCpu ?? ""}`,
  ),
];
if (databaseAtLimit?.brokenStep) {
  const d = databaseAtLimit.brokenStep.database;
  lines.push(
    `Database at ${databaseAtLimit.replicas} replica(s), ${fmt(databaseAtLimit.brokenStep.targetEventsPerSec)} events/s (${databaseAtLimit.brokenStep.reason}): ${d.activeBackends} active backends; waits ${d.waits.map((w) => `${w.event} ${Math.round(w.share * 100)} %`).join(", ")}; ${fmt(d.perSecond.commits)} commits/s, ${fmt(d.perSecond.walSyncs)} WAL syncs/s`,
  );
}
for (const v of viewers)
  lines.push(
    `Viewers, ${v.replicas} replica(s) at ${fmt(v.tradeEventsPerSec)} events/s: ${v.viewers === null ? "no step passed" : `${fmt(v.viewers)} dashboards (${fmt(v.viewersPerReplica!)} per replica)`} with p99 freshness ≤ ${v.targetP99Ms} ms`,
  );
if (httpQueries)
  lines.push(
    `Dashboard HTTP queries, 1 replica at ${fmt(httpQueries.tradeEventsPerSec)} events/s: ${httpQueries.requestsPerSec === null ? "no step passed" : `${fmt(httpQueries.requestsPerSec)} requests/s`} at p99 ≤ ${httpQueries.targetP99Ms} ms`,
  );
console.log(lines.join("\n"));
progress(`wrote ${args.out}/capacity-latest.json (${result.totalSeconds} s in all)`);
