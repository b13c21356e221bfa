/**
 * Part C of bench:live, dashboard query load: keep-alive connections sending the dashboard query
 * (overview + pipeline + dlqOverview in one request) back to back while trade events are ingested
 * into a seeded database; requests/s, latency percentiles, and how the hub answered the views.
 */
import http from "node:http";
import { loadavg } from "node:os";
import { Partitioners } from "kafkajs";
import { createEncoder } from "../../../test/support/kafka.js";
import { cpuSeconds } from "../lib/proc.js";
import {
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
import { seedDatabase } from "../seed.js";
import { metric } from "./fanout.js";
import { sleep } from "../../../src/pipeline/retry.js";

/** The dashboard's query: its three cards in one request, as a dashboard fleet sends it. */
export const dashboardQuery =
  "query Dashboard { overview { asOf currentTps peakTps avgEndToEndLatencyMs dlqCount invalidTradeCount errorCount windowSeconds cards { title value unit status windowSeconds } } pipeline { asOf windowSeconds stages { stage count avgLatencyMs successRate } } dlqOverview { asOf windowSeconds total byStage { stage count } lastEventTime } }";

export interface HttpLoadResult {
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

export interface HttpLoadOptions {
  runId: string;
  connections: number;
  seconds: number;
  /** Trade events per second ingested meanwhile. */
  tradeRate: number;
  seedEvents: number;
  warmupSeconds: number;
}

/** `connections` keep-alive connections, each sending the dashboard query back to back for `seconds`. */
export async function httpLoadRun(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const { connections, seconds, tradeRate: rate, warmupSeconds } = options;
  const seed = await seedDatabase({
    events: options.seedEvents,
    name: `rttm_bench_http_${options.runId}`,
  });
  const topics = await createTopics("http", 3);
  const encoder = await createEncoder(topics.topics);
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const traffic = new Traffic(producer, encoder, topics.topics, rate, 0);
  let service: RunningService | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  try {
    service = await startService({ DATABASE_URL: seed.url, ...topics.env });
    traffic.start();
    await sleep(warmupSeconds * 1000);
    const port = service.port;
    const metrics0 = await scrapeMetrics(port);
    const cpu0 = cpuSeconds(service.pid)!;
    const tradeEvents0 = traffic.tradeEvents;
    progress(
      `http load: ${connections} connections for ${seconds} s, dashboard query, ${rate} trade events/s into ${fmt(seed.events)} seeded`,
    );
    const {
      latencies,
      errors,
      firstError,
      wallSeconds: wall,
    } = await dashboardLoad(port, agent, connections, seconds);
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
/**
 * `connections` keep-alive connections (of `agent`) to the service on `port`, each sending the
 * dashboard query back to back for `seconds`: each answer's latency (ms), the errors (an HTTP
 * status other than 200, or GraphQL errors) and the wall time.
 */
export async function dashboardLoad(
  port: number,
  agent: http.Agent,
  connections: number,
  seconds: number,
): Promise<{
  latencies: number[];
  errors: number;
  firstError: string | null;
  wallSeconds: number;
}> {
  const body = JSON.stringify({ query: dashboardQuery });
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
  return { latencies, errors, firstError, wallSeconds: (performance.now() - started) / 1000 };
}
