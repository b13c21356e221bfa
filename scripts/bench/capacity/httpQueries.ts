/**
 * Dashboard HTTP queries per replica: one replica in its envelope answers the dashboard query
 * (overview + pipeline + dlqOverview) from keep-alive connections, more of them step by step,
 * while trade events are ingested into a seeded database. The highest requests/s of a step whose
 * p99 stays within the target is the answer.
 */
import http from "node:http";
import { loadavg } from "node:os";
import { Partitioners } from "kafkajs";
import { createEncoder } from "../../../test/support/kafka.js";
import { createTopics, deleteTopics, dropDatabase, kafka, progress } from "../lib/service.js";
import { fmt, round, summarize, type Summary } from "../lib/stats.js";
import { Traffic } from "../lib/traffic.js";
import { dashboardLoad } from "../live/httpLoad.js";
import { seedDatabase } from "../seed.js";
import { sampleReplica, startReplicas, stopReplicas, type Replica } from "./replicas.js";
import { sleep } from "../../../src/pipeline/retry.js";

export interface HttpQueryOptions {
  runId: string;
  tradeRate: number;
  seedEvents: number;
  connections: number[];
  seconds: number;
  targetP99Ms: number;
}

export interface HttpQueryStep {
  connections: number;
  requestsPerSec: number;
  latencyMs: Summary;
  errors: number;
  firstError: string | null;
  cpuPctOfCore: number;
  rssMb: number;
  throttledPctOfPeriods: number;
  loadAverage: number[];
  passed: boolean;
}

export interface HttpQueryResult {
  tradeEventsPerSec: number;
  seededEvents: number;
  targetP99Ms: number;
  steps: HttpQueryStep[];
  /** Requests/s of the best passing step. */
  requestsPerSec: number | null;
}

export async function httpQueryRamp(options: HttpQueryOptions): Promise<HttpQueryResult> {
  const seed = await seedDatabase({
    events: options.seedEvents,
    name: `rttm_bench_capacity_${options.runId}_http`,
  });
  const topics = await createTopics("caphttp", 6);
  const encoder = await createEncoder(topics.topics);
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const traffic = new Traffic(producer, encoder, topics.topics, options.tradeRate, 0);
  let replicas: Replica[] = [];
  const steps: HttpQueryStep[] = [];
  try {
    replicas = await startReplicas(`${options.runId}-http`, 1, {
      DATABASE_URL: seed.url,
      ...topics.env,
    });
    const replica = replicas[0]!;
    traffic.start();
    await sleep(5000);
    for (const connections of options.connections) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
      try {
        await dashboardLoad(replica.service.port, agent, connections, 2); // warm-up
        const a = await sampleReplica(replica);
        const load = await dashboardLoad(replica.service.port, agent, connections, options.seconds);
        const b = await sampleReplica(replica);
        const latencyMs = summarize(load.latencies);
        const requestsPerSec = Math.round(load.latencies.length / load.wallSeconds);
        const passed =
          load.errors === 0 && latencyMs.p99 !== null && latencyMs.p99 <= options.targetP99Ms;
        const step: HttpQueryStep = {
          connections,
          requestsPerSec,
          latencyMs,
          errors: load.errors,
          firstError: load.firstError,
          cpuPctOfCore: round(((b.cpuSeconds - a.cpuSeconds) / load.wallSeconds) * 100)!,
          rssMb: round(b.rssKb / 1024)!,
          throttledPctOfPeriods: round(
            ((b.throttled - a.throttled) / ((load.wallSeconds * 1e6) / 100_000)) * 100,
          )!,
          loadAverage: loadavg().map((l) => round(l, 2)!),
          passed,
        };
        steps.push(step);
        progress(
          `http queries: ${connections} connections: ${fmt(requestsPerSec)} requests/s, p50 ${latencyMs.p50} ms, p99 ${latencyMs.p99} ms, ${load.errors} errors, CPU ${step.cpuPctOfCore} %: ${passed ? "passed" : "NOT passed"}`,
        );
      } finally {
        agent.destroy();
      }
    }
  } finally {
    await traffic.stop();
    await producer.disconnect();
    await stopReplicas(replicas);
    await dropDatabase(seed.name);
    await deleteTopics(topics);
  }
  const passing = steps.filter((s) => s.passed);
  return {
    tradeEventsPerSec: options.tradeRate,
    seededEvents: seed.events,
    targetP99Ms: options.targetP99Ms,
    steps,
    requestsPerSec: passing.length > 0 ? Math.max(...passing.map((s) => s.requestsPerSec)) : null,
  };
}
