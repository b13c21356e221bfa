/**
 * Server cost of the old dashboard's raw WebSockets. One run against the real service process
 * (src/main.ts), with the same trade traffic in both phases:
 *   baseline: traffic, no sockets;  sockets: traffic plus N raw sockets (N/5 dashboards × the five
 *   paths), each reading every frame. Reported: the service's CPU (% of one core) and RSS in both
 *   phases, the difference per socket, frames and bytes delivered, first-frame latency, the hub's
 *   computations per phase (flat in N: one computation per view, not per socket) and the machine's
 *   load (other work on the machine shares the cores).
 *
 * Usage: npm run bench:legacy -- [--sockets 1000] [--measure-seconds 20] [--trade-rate 200]
 * Writes bench-results/legacy-sockets-latest.json and a dated copy.
 */
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Partitioners } from "kafkajs";
import WebSocket from "ws";
import { stages } from "../../src/domain/stages.js";
import { legacySocketPaths } from "../../src/legacy/feeds.js";
import { createEncoder } from "../../test/support/kafka.js";
import * as m from "../../test/support/messages.js";
import { cpuSeconds, machineBusyPct, machineCpu, rssKb } from "./lib/proc.js";
import {
  createDatabase,
  createTopics,
  deleteTopics,
  dropDatabase,
  kafka,
  progress,
  scrapeMetrics,
  startService,
} from "./lib/service.js";
import { round, summarize } from "./lib/stats.js";
import { sleep } from "../../src/pipeline/retry.js";

const { values: args } = parseArgs({
  options: {
    sockets: { type: "string", default: "1000" },
    "measure-seconds": { type: "string", default: "20" },
    "settle-seconds": { type: "string", default: "5" },
    "trade-rate": { type: "string", default: "200" },
    out: { type: "string", default: "bench-results" },
  },
});
const socketCount = Number(args.sockets);
const measureMs = Number(args["measure-seconds"]) * 1000;
const settleMs = Number(args["settle-seconds"]) * 1000;
const tradeRate = Number(args["trade-rate"]);

interface Sample {
  cpu: number;
  at: number;
  machine: ReturnType<typeof machineCpu>;
  computations: number;
}

async function sample(pid: number, port: number): Promise<Sample> {
  const metrics = await scrapeMetrics(port);
  return {
    cpu: cpuSeconds(pid)!,
    at: performance.now(),
    machine: machineCpu(),
    computations: metrics.get("rttm_live_computations_total") ?? 0,
  };
}

/** Measures `measureMs`: CPU % of a core, median RSS, machine busy %, hub computations. */
async function measure(pid: number, port: number) {
  const start = await sample(pid, port);
  const rss: number[] = [];
  while (performance.now() - start.at < measureMs) {
    rss.push(rssKb(pid)!);
    await sleep(1000);
  }
  const end = await sample(pid, port);
  const seconds = (end.at - start.at) / 1000;
  return {
    seconds: round(seconds, 1)!,
    cpuPctOfCore: round(((end.cpu - start.cpu) / seconds) * 100, 1)!,
    rssMb: round(summarize(rss).p50! / 1024, 1)!,
    machineBusyPct: round(machineBusyPct(start.machine, end.machine), 1)!,
    hubComputationsPerSecond: round((end.computations - start.computations) / seconds, 2)!,
    loadavg1m: round(loadavg()[0]!, 2)!,
  };
}

const run = randomUUID().slice(0, 8);
const dbName = `rttm_bench_legacy_${run}`;
const databaseUrl = await createDatabase(dbName);
const topics = await createTopics("legacy", 2);
const encoder = await createEncoder(topics.topics);
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
const service = await startService({
  DATABASE_URL: databaseUrl,
  ...topics.env,
  RTTM_WS_MAX_CONNECTIONS: String(socketCount + 100),
});
progress(`service pid ${service.pid} on port ${service.port}`);

// Whole trades (4 stages) at tradeRate events/s, in 100 ms batches, plus one DLQ event a second.
let stopTraffic = false;
let produced = 0;
const traffic = (async () => {
  let tick = 0;
  while (!stopTraffic) {
    const started = Date.now();
    const messages = [];
    for (let i = 0; i < Math.max(1, Math.round(tradeRate / 40)); i++) {
      const id = m.newTradeId();
      for (const [k, stage] of stages.entries())
        messages.push({
          key: id,
          value: encoder.encode(
            "tradeEvents",
            m.RttmTradeEventSchema,
            m.tradeEvent(id, stage, started + k * 50),
          ),
        });
    }
    await producer.send({ topic: topics.topics.tradeEvents, messages });
    if (tick++ % 10 === 0)
      await producer.send({
        topic: topics.topics.dlqEvents,
        messages: [
          {
            value: encoder.encode(
              "dlqEvents",
              m.RttmDlqEventSchema,
              m.dlqEvent(m.newTradeId(), started),
            ),
          },
        ],
      });
    produced += messages.length;
    await sleep(Math.max(0, 100 - (Date.now() - started)));
  }
})();

const sockets: WebSocket[] = [];
try {
  await sleep(settleMs);
  progress(`baseline: traffic, no sockets, ${measureMs / 1000} s`);
  const baseline = await measure(service.pid, service.port);
  progress(`baseline: ${JSON.stringify(baseline)}`);

  progress(`opening ${socketCount} raw sockets`);
  let frames = 0;
  let bytes = 0;
  const firstFrameMs: number[] = [];
  const openStarted = performance.now();
  for (let i = 0; i < socketCount; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, socketCount - i) }, (_, j) => {
        const path = legacySocketPaths[(i + j) % legacySocketPaths.length]!;
        const ws = new WebSocket(`ws://127.0.0.1:${service.port}/ws/rttm/${path}`);
        sockets.push(ws);
        const opened = performance.now();
        let first = true;
        ws.on("message", (data: Buffer) => {
          if (first) firstFrameMs.push(performance.now() - opened);
          first = false;
          frames++;
          bytes += data.length;
        });
        return new Promise<void>((resolve, reject) => {
          ws.once("open", () => resolve());
          ws.once("error", reject);
        });
      }),
    );
  }
  const openSeconds = (performance.now() - openStarted) / 1000;
  await sleep(settleMs);
  const metrics = await scrapeMetrics(service.port);
  const open = [...metrics.entries()]
    .filter(([k]) => k.startsWith("rttm_legacy_open_sockets"))
    .reduce((n, [, v]) => n + v, 0);
  if (open !== socketCount)
    throw new Error(`service reports ${open} open legacy sockets, expected ${socketCount}`);
  progress(`sockets: traffic and ${socketCount} sockets, ${measureMs / 1000} s`);
  const framesBefore = frames;
  const bytesBefore = bytes;
  const withSockets = await measure(service.pid, service.port);
  const deliveredFrames = frames - framesBefore;
  const deliveredBytes = bytes - bytesBefore;
  const first = summarize(firstFrameMs);
  const result = {
    at: new Date().toISOString(),
    command: `npm run bench:legacy -- --sockets ${socketCount} --measure-seconds ${measureMs / 1000} --trade-rate ${tradeRate}`,
    machine: { cores: availableParallelism() },
    sockets: socketCount,
    tradeEventsPerSecond: tradeRate,
    producedEvents: produced,
    openSeconds: round(openSeconds, 2),
    firstFrameMs: { p50: round(first.p50, 1), p99: round(first.p99, 1), max: round(first.max, 1) },
    baseline,
    withSockets,
    perSocket: {
      cpuPctOfCore: round((withSockets.cpuPctOfCore - baseline.cpuPctOfCore) / socketCount, 4),
      rssKb: round(((withSockets.rssMb - baseline.rssMb) * 1024) / socketCount, 1),
    },
    delivered: {
      framesPerSecond: round(deliveredFrames / withSockets.seconds, 1),
      kbPerSecond: round(deliveredBytes / 1024 / withSockets.seconds, 1),
      framesPerSocketPerSecond: round(deliveredFrames / withSockets.seconds / socketCount, 2),
    },
  };
  console.log(JSON.stringify(result, null, 2));
  await mkdir(args.out!, { recursive: true });
  const text = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(`${args.out}/legacy-sockets-latest.json`, text);
  await writeFile(`${args.out}/legacy-sockets-${result.at.replace(/[:.]/g, "-")}.json`, text);
} finally {
  for (const ws of sockets) ws.terminate();
  stopTraffic = true;
  await traffic.catch(() => undefined);
  await producer.disconnect();
  await service.stop();
  await deleteTopics(topics);
  await dropDatabase(dbName);
}
