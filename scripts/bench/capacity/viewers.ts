/**
 * Live viewers per replica: dashboard clients (one graphql-ws socket each, holding the
 * dashboard's overview and pipeline subscriptions and its dlqOverview, which carries the marker
 * that freshness is measured on) are added step by step while trade events are ingested at a given
 * rate and a DLQ marker is produced every 250 ms on average. A step passes when the p99 freshness
 * (marker produce → receipt) is within the target and every client subscribed; the largest
 * passing count is the answer. Behind 2 replicas the clients are split evenly, and the replicas
 * share the Redis change bus.
 */
import { loadavg } from "node:os";
import { Partitioners } from "kafkajs";
import { createEncoder } from "../../../test/support/kafka.js";
import { ClientWorker, closeWorkers } from "../lib/clientWorker.js";
import type { WorkerMessage, WorkerReport } from "../lib/liveClients.js";
import {
  createDatabase,
  createTopics,
  deleteTopics,
  dropDatabase,
  kafka,
  progress,
} from "../lib/service.js";
import { fmt, round, summarize, type Summary } from "../lib/stats.js";
import { Traffic } from "../lib/traffic.js";
import { concat, subscriptionQuery } from "../live/fanout.js";
import { sampleReplica, startReplicas, stopReplicas, type Replica } from "./replicas.js";
import { sleep } from "../../../src/pipeline/retry.js";

/** The dashboard's own subscriptions beside the measured dlqOverview. */
export const dashboardCompanions = [
  "subscription DashboardOverview { overview { asOf currentTps peakTps avgEndToEndLatencyMs dlqCount invalidTradeCount errorCount windowSeconds cards { title value unit status windowSeconds } } }",
  "subscription DashboardPipeline { pipeline { asOf windowSeconds stages { stage count avgLatencyMs successRate } } }",
];

export interface ViewerOptions {
  runId: string;
  replicas: number;
  tradeRate: number;
  /** Dashboard clients in all, per step (increasing). */
  counts: number[];
  windowSeconds: number;
  targetP99Ms: number;
  redisUrl: string;
  clientsPerWorker: number;
}

export interface ViewerStep {
  viewers: number;
  viewersPerReplica: number;
  subscribed: number;
  failed: number;
  firstError: string | null;
  freshnessMs: Summary;
  /** Marker deliveries received ÷ (markers × viewers); the rest were coalesced into newer values. */
  deliveredShare: number;
  replicas: Array<{ cpuPctOfCore: number; rssMb: number; throttledPctOfPeriods: number }>;
  tradeEventsPerSec: number;
  loadAverage: number[];
  passed: boolean;
}

export interface ViewerResult {
  replicas: number;
  tradeEventsPerSec: number;
  targetP99Ms: number;
  steps: ViewerStep[];
  /** The most viewers in a passing step (all replicas together), and per replica. */
  viewers: number | null;
  viewersPerReplica: number | null;
}

export async function viewerRamp(options: ViewerOptions): Promise<ViewerResult> {
  const { replicas: count, windowSeconds } = options;
  const label = `viewers, ${count} replica${count > 1 ? "s" : ""}`;
  const topics = await createTopics(`capv${count}`, 6);
  const encoder = await createEncoder(topics.topics);
  const dbName = `rttm_bench_capacity_${options.runId}_viewers${count}`;
  const dbUrl = await createDatabase(dbName);
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const traffic = new Traffic(producer, encoder, topics.topics, options.tradeRate, 250);
  const workers: ClientWorker[] = [];
  let replicas: Replica[] = [];
  const steps: ViewerStep[] = [];
  try {
    const env: Record<string, string> = {
      DATABASE_URL: dbUrl,
      ...topics.env,
      RTTM_WS_MAX_CONNECTIONS: "30000",
    };
    if (count > 1) env.REDIS_URL = options.redisUrl;
    replicas = await startReplicas(`${options.runId}-v${count}`, count, env);
    traffic.start();
    await sleep(5000);
    let connected = 0;
    for (const viewers of options.counts) {
      // New clients in new workers, taking turns over the replicas.
      const add = viewers - connected;
      const perWorker = Math.min(options.clientsPerWorker, Math.ceil(add / count));
      const batch: Array<Promise<Extract<WorkerMessage, { type: "ready" }>>> = [];
      for (let left = add, w = 0; left > 0; w++) {
        const n = Math.min(perWorker, left);
        left -= n;
        const worker = new ClientWorker();
        const replica = replicas[(workers.length + w) % count]!;
        batch.push(worker.next("ready"));
        worker.send({
          cmd: "connect",
          url: `ws://127.0.0.1:${replica.service.port}/graphql`,
          count: n,
          concurrency: 16,
          query: subscriptionQuery,
          timeoutMs: 60_000,
          localAddresses: ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"],
          subscriptionsPerSocket: 1,
          companions: dashboardCompanions,
        });
        workers.push(worker);
      }
      const readies = await Promise.all(batch);
      connected = viewers;
      progress(`${label}: ${fmt(viewers)} dashboards connected; measuring for ${windowSeconds} s`);
      await sleep(3000);
      for (const worker of workers) worker.send({ cmd: "markStart" });
      const samples0 = await Promise.all(replicas.map(sampleReplica));
      const produced0 = traffic.tradeEvents;
      const t0 = Date.now();
      await sleep(windowSeconds * 1000);
      const t1 = Date.now();
      const wall = (t1 - t0) / 1000;
      const samples1 = await Promise.all(replicas.map(sampleReplica));
      const markers = traffic.markers.filter((t) => t >= t0 && t < t1);
      await sleep(3000); // the window's last markers arrive
      const reports: WorkerReport[] = [];
      for (const worker of workers) {
        const answer = worker.next("report");
        worker.send({ cmd: "report", fromMs: t0, toMs: t1, lastMarkerMs: markers.at(-1) ?? t1 });
        reports.push((await answer).report);
      }
      const freshness = summarize(concat(reports.map((r) => r.latencies)));
      const subscribed = reports.reduce((n, r) => n + r.subscribed, 0);
      const failed = reports.reduce((n, r) => n + r.failed + r.closedAfterSubscribe, 0);
      const firstError =
        reports.find((r) => r.firstError)?.firstError ??
        readies.find((r) => r.firstError)?.firstError ??
        null;
      const delivered = reports.reduce((n, r) => n + r.latencies.length, 0);
      const passed =
        failed === 0 &&
        subscribed === viewers &&
        freshness.p99 !== null &&
        freshness.p99 <= options.targetP99Ms;
      const result: ViewerStep = {
        viewers,
        viewersPerReplica: Math.round(viewers / count),
        subscribed,
        failed,
        firstError,
        freshnessMs: freshness,
        deliveredShare: round(delivered / Math.max(1, markers.length * viewers), 3)!,
        replicas: replicas.map((_, i) => {
          const a = samples0[i]!;
          const b = samples1[i]!;
          return {
            cpuPctOfCore: round(((b.cpuSeconds - a.cpuSeconds) / wall) * 100)!,
            rssMb: round(b.rssKb / 1024)!,
            throttledPctOfPeriods: round(
              ((b.throttled - a.throttled) / ((wall * 1e6) / 100_000)) * 100,
            )!,
          };
        }),
        tradeEventsPerSec: Math.round((traffic.tradeEvents - produced0) / wall),
        loadAverage: loadavg().map((l) => round(l, 2)!),
        passed,
      };
      steps.push(result);
      progress(
        `${label}: ${fmt(viewers)} dashboards: freshness p50 ${freshness.p50} ms, p99 ${freshness.p99} ms, ${subscribed} subscribed, ${failed} failed; CPU ${result.replicas.map((r) => `${r.cpuPctOfCore} %`).join(", ")}, RSS ${result.replicas.map((r) => `${r.rssMb} MB`).join(", ")}: ${passed ? "passed" : "NOT passed"}${firstError ? ` (${firstError})` : ""}`,
      );
      if (!passed) break;
    }
  } finally {
    await closeWorkers(workers);
    await traffic.stop();
    await producer.disconnect();
    await stopReplicas(replicas);
    await dropDatabase(dbName);
    await deleteTopics(topics);
  }
  const best = steps.filter((s) => s.passed).at(-1) ?? null;
  return {
    replicas: count,
    tradeEventsPerSec: options.tradeRate,
    targetP99Ms: options.targetP99Ms,
    steps,
    viewers: best?.viewers ?? null,
    viewersPerReplica: best?.viewersPerReplica ?? null,
  };
}
