/**
 * The ingest ramp: R replicas (each in its envelope, one consumer group) consume trade events
 * produced at a steady rate for a step; the rate grows by a factor per step until the consumer
 * lag grows during a step (or the producer cannot keep the rate). The highest rate at which the
 * lag did not grow is the sustained rate; each step records every replica's CPU, RSS and
 * throttling, PostgreSQL's CPU and a database profile.
 */
import { loadavg } from "node:os";
import { Partitioners, type Admin } from "kafkajs";
import { createEncoder } from "../../../test/support/kafka.js";
import { machineBusyPct, machineCpu, allProcessCpu } from "../lib/proc.js";
import {
  createDatabase,
  createTopics,
  deleteTopics,
  dropDatabase,
  kafka,
  progress,
} from "../lib/service.js";
import { fmt, round } from "../lib/stats.js";
import { Traffic } from "../lib/traffic.js";
import { postgresCpuPct, profileDatabase, type DatabaseProfile } from "./database.js";
import { sampleReplica, startReplicas, stopReplicas, sumMetric, type Replica } from "./replicas.js";
import { sleep } from "../../../src/pipeline/retry.js";

/** Concurrent producing loops sharing the rate. */
const producerLanes = 4;

export interface RampOptions {
  runId: string;
  replicas: number;
  /** Partitions of every topic (the trade-event topic's decide how many replicas consume). */
  partitions: number;
  startRate: number;
  factor: number;
  stepSeconds: number;
  maxSteps: number;
  /** Change bus for more than one replica. */
  redisUrl: string;
}

export interface RampStep {
  targetEventsPerSec: number;
  producedEventsPerSec: number;
  storedEventsPerSec: number;
  /** Consumer lag of the trade-event topic (events): at the step's start and end, and its trend over the step's last two thirds. */
  lag: { start: number; end: number; slopePerSec: number };
  sustained: boolean;
  /** Why the step is not sustained. */
  reason: string | null;
  replicas: Array<{ cpuPctOfCore: number; rssMb: number; throttledPctOfPeriods: number }>;
  postgresCpuPctOfCore: number;
  machineBusyPct: number;
  loadAverage: number[];
  database: DatabaseProfile;
}

export interface RampResult {
  replicas: number;
  partitions: number;
  stepSeconds: number;
  steps: RampStep[];
  sustainedEventsPerSec: number | null;
  /** The step at the sustained rate. */
  atSustained: RampStep | null;
  /**
   * What ended the ramp: the service (its lag grew), the bench's producer (it could not produce
   * the next rate on this machine: the sustained rate is then a lower bound), or the step limit.
   */
  limitedBy: "service" | "producer" | "max-steps";
}

/**
 * Consumer lag of `groupId` on `topic`: Σ over partitions of end offset − committed offset. The
 * committed offsets are read first: read after the ends, they may already include commits of
 * records produced since, and the difference would understate the lag (even below 0).
 */
export async function consumerLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  const at = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
  return ends.reduce((n, p) => n + Number(p.high) - Math.max(0, at.get(p.partition) ?? 0), 0);
}

/** Least-squares slope of (t, y) pairs, per second. */
function slopePerSec(points: Array<[number, number]>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mt = points.reduce((s, [t]) => s + t, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [t, y]) => s + (t - mt) * (y - my), 0);
  const den = points.reduce((s, [t]) => s + (t - mt) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 1000;
}

export async function ramp(options: RampOptions): Promise<RampResult> {
  const { replicas: count, partitions, stepSeconds } = options;
  const label = `${count} replica${count > 1 ? "s" : ""}`;
  const topics = await createTopics(`cap${count}`, partitions);
  const encoder = await createEncoder(topics.topics);
  const dbName = `rttm_bench_capacity_${options.runId}_${count}`;
  const dbUrl = await createDatabase(dbName);
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  let replicas: Replica[] = [];
  const steps: RampStep[] = [];
  try {
    const env: Record<string, string> = { DATABASE_URL: dbUrl, ...topics.env };
    if (count > 1) env.REDIS_URL = options.redisUrl;
    replicas = await startReplicas(`${options.runId}-${count}`, count, env);
    progress(
      `ramp, ${label}: ${partitions} partitions; pids ${replicas.map((r) => r.service.pid).join(", ")}`,
    );
    let rate = options.startRate;
    for (let step = 0; step < options.maxSteps; step++) {
      const result = await rampStep(
        replicas,
        admin,
        topics.groupId,
        topics.topics.tradeEvents,
        dbName,
        {
          rate,
          stepSeconds,
          // Several lanes, so that one slow send does not hold the rate back.
          start: () =>
            Array.from({ length: producerLanes }, () => {
              const lane = new Traffic(producer, encoder, topics.topics, rate / producerLanes, 0);
              lane.start();
              return lane;
            }),
        },
      );
      steps.push(result);
      progress(
        `ramp, ${label}: ${fmt(rate)} events/s → produced ${fmt(result.producedEventsPerSec)}, stored ${fmt(result.storedEventsPerSec)}, lag ${fmt(result.lag.start)} → ${fmt(result.lag.end)} (${result.lag.slopePerSec}/s): ${result.sustained ? "sustained" : `NOT sustained (${result.reason})`}; CPU ${result.replicas.map((r) => `${r.cpuPctOfCore} %`).join(", ")}, RSS ${result.replicas.map((r) => `${r.rssMb} MB`).join(", ")}, throttled ${result.replicas.map((r) => `${r.throttledPctOfPeriods} %`).join(", ")} of periods, postgres ${result.postgresCpuPctOfCore} % of a core, load ${result.loadAverage.join(" ")}`,
      );
      if (!result.sustained) break;
      rate = Math.round(rate * options.factor);
    }
  } finally {
    await producer.disconnect();
    await admin.disconnect();
    await stopReplicas(replicas);
    await dropDatabase(dbName);
    await deleteTopics(topics);
  }
  const passed = steps.filter((s) => s.sustained);
  const best = passed.at(-1) ?? null;
  const broken = steps.find((s) => !s.sustained);
  return {
    replicas: count,
    partitions,
    stepSeconds,
    steps,
    sustainedEventsPerSec: best?.targetEventsPerSec ?? null,
    atSustained: best,
    limitedBy:
      broken === undefined
        ? "max-steps"
        : broken.producedEventsPerSec < broken.targetEventsPerSec * 0.95 &&
            broken.lag.slopePerSec <= Math.max(20, broken.targetEventsPerSec * 0.03)
          ? "producer"
          : "service",
  };
}

async function rampStep(
  replicas: Replica[],
  admin: Admin,
  groupId: string,
  topic: string,
  dbName: string,
  step: { rate: number; stepSeconds: number; start: () => Traffic[] },
): Promise<RampStep> {
  const { rate, stepSeconds } = step;
  const stored = () => sumMetric(replicas, 'rttm_stored_rows_total{table="tradeEvents"}');
  const lagNow = () => consumerLag(admin, groupId, topic);
  const lagStart = await lagNow();
  const profile = await profileDatabase(dbName);
  const samples0 = await Promise.all(replicas.map(sampleReplica));
  const processes0 = allProcessCpu();
  const machine0 = machineCpu();
  const stored0 = await stored();
  const lanes = step.start();
  const t0 = performance.now();
  const lags: Array<[number, number]> = [];
  const rss: number[][] = replicas.map(() => []);
  try {
    while (performance.now() - t0 < stepSeconds * 1000) {
      await sleep(Math.min(5000, stepSeconds * 200));
      const t = performance.now() - t0;
      lags.push([t, await lagNow()]);
      const now = await Promise.all(replicas.map(sampleReplica));
      now.forEach((s, i) => rss[i]!.push(s.rssKb));
    }
  } finally {
    await Promise.all(lanes.map((lane) => lane.stop()));
  }
  const wall = (performance.now() - t0) / 1000;
  const produced = lanes.reduce((n, lane) => n + lane.tradeEvents, 0) / wall;
  const storedRate = ((await stored()) - stored0) / wall;
  const samples1 = await Promise.all(replicas.map(sampleReplica));
  const processes1 = allProcessCpu();
  const machine1 = machineCpu();
  const database = await profile.stop();
  const lagEnd = lags.at(-1)?.[1] ?? (await lagNow());
  const slope = slopePerSec(lags.filter(([t]) => t >= (stepSeconds * 1000) / 3));
  const reasons: string[] = [];
  if (produced < rate * 0.95)
    reasons.push(`the producer reached ${Math.round(produced)} events/s only`);
  if (storedRate < produced * 0.95)
    reasons.push(`stored ${Math.round(storedRate)} events/s of ${Math.round(produced)} produced`);
  if (slope > Math.max(20, rate * 0.03)) reasons.push(`lag grew ${Math.round(slope)} events/s`);
  if (lagEnd > rate * 5) reasons.push(`lag ${lagEnd} events at the end (> 5 s of production)`);
  return {
    targetEventsPerSec: rate,
    producedEventsPerSec: Math.round(produced),
    storedEventsPerSec: Math.round(storedRate),
    lag: { start: lagStart, end: lagEnd, slopePerSec: Math.round(slope) },
    sustained: reasons.length === 0,
    reason: reasons.length > 0 ? reasons.join("; ") : null,
    replicas: replicas.map((_, i) => {
      const a = samples0[i]!;
      const b = samples1[i]!;
      const periods = Math.max(1, (wall * 1e6) / 100_000);
      return {
        cpuPctOfCore: round(((b.cpuSeconds - a.cpuSeconds) / wall) * 100)!,
        rssMb: round(Math.max(...rss[i]!, b.rssKb) / 1024)!,
        throttledPctOfPeriods: round(((b.throttled - a.throttled) / periods) * 100)!,
      };
    }),
    postgresCpuPctOfCore: postgresCpuPct(processes0, processes1, wall),
    machineBusyPct: round(machineBusyPct(machine0, machine1))!,
    loadAverage: loadavg().map((l) => round(l, 2)!),
    database,
  };
}
