/**
 * What identity costs: the latency one HTTP GraphQL request and one graphql-ws connect (handshake to
 * connection_ack) add with RTTM_AUTH_MODE=jwt, against the same service with it off, in the same
 * run. Both services run in this process on one database, alternately hit request by request (so
 * both see the same machine load); tokens are RS256, signed by a JWKS server on loopback (keys
 * cached after the first request, as in steady state).
 *
 *   npm run bench:auth [-- --requests 3000 --connects 400]
 *
 * Writes bench-results/auth-latest.json and a dated copy.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { startApp, type App } from "../../src/app.js";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/log.js";
import { authEnv, TestAuthServer } from "../../test/support/authServer.js";
import { percentileSorted, round } from "./lib/stats.js";
import {
  brokers,
  createDatabase,
  createTopics,
  deleteTopics,
  dropDatabase,
  progress,
  registryUrl,
} from "./lib/service.js";

const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "3000" },
    connects: { type: "string", default: "400" },
    out: { type: "string", default: "bench-results" },
  },
});
const requests = Number(args.requests);
const connects = Number(args.connects);
const query = JSON.stringify({ query: "query Rules { alertRules { name } }" });

async function httpOnce(port: number, authorization: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/api/rttm/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: query,
  });
  await response.text();
  if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  return performance.now() - started;
}

/** Opening a socket to connection_ack, then closing it. */
function connectOnce(port: number, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/rttm/graphql`, "graphql-transport-ws");
    socket.once("open", () =>
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization } })),
    );
    socket.once("message", (data) => {
      const took = performance.now() - started;
      const type = (JSON.parse(data.toString()) as { type: string }).type;
      socket.close();
      if (type === "connection_ack") resolve(took);
      else reject(new Error(`expected connection_ack, got ${type}`));
    });
    socket.once("close", (code) => reject(new Error(`closed with ${code} before ack`)));
    socket.once("error", reject);
  });
}

/** Alternates the two services call by call (which one goes first alternates too). */
async function alternate(
  count: number,
  call: (app: App) => Promise<number>,
  off: App,
  on: App,
): Promise<{ off: Summary; on: Summary }> {
  const times = { off: [] as number[], on: [] as number[] };
  for (let i = 0; i < count; i++) {
    const order = i % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const);
    for (const mode of order) times[mode].push(await call(mode === "off" ? off : on));
  }
  return { off: summarize(times.off), on: summarize(times.on) };
}

/** Median and p99 in ms, to the microsecond (the differences are fractions of a millisecond). */
interface Summary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function summarize(values: number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => round(percentileSorted(sorted, p), 3)!;
  return { count: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: at(100) };
}

const added = (r: { off: Summary; on: Summary }) => ({
  p50: round(r.on.p50 - r.off.p50, 3),
  p99: round(r.on.p99 - r.off.p99, 3),
});

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const database = `rttm_bench_auth_${Date.now()}`;
  const databaseUrl = await createDatabase(database);
  const topics = { off: await createTopics("auth-off", 1), on: await createTopics("auth-on", 1) };
  const auth = await TestAuthServer.start();
  const logger = createLogger({ service: "rttm-bench" });
  const start = (extra: Record<string, string>) =>
    startApp(
      loadConfig({
        DATABASE_URL: databaseUrl,
        KAFKA_BOOTSTRAP_SERVERS: brokers.join(","),
        SCHEMA_REGISTRY_URL: registryUrl,
        SERVER_PORT: "0",
        SERVER_HOST: "127.0.0.1",
        RTTM_ALERT_EVAL_INTERVAL: "3600000",
        ...extra,
      }),
      logger,
    );
  const off = await start(topics.off.env);
  const on = await start({ ...topics.on.env, ...authEnv(auth) });
  try {
    const authorization = `Bearer ${await auth.token({ expiresIn: 7200 })}`;
    progress("warming up");
    await alternate(200, (app) => httpOnce(app.port, authorization), off, on);
    await alternate(50, (app) => connectOnce(app.port, authorization), off, on);
    progress(`${requests} HTTP requests per mode`);
    const http = await alternate(requests, (app) => httpOnce(app.port, authorization), off, on);
    progress(`${connects} WebSocket connects per mode`);
    const websocket = await alternate(
      connects,
      (app) => connectOnce(app.port, authorization),
      off,
      on,
    );
    const result = {
      at: new Date().toISOString(),
      command: `npm run bench:auth -- --requests ${requests} --connects ${connects}`,
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadBefore, loadAfter: loadavg() },
      unit: "ms",
      http: { ...http, addedByAuth: added(http) },
      websocketConnect: { ...websocket, addedByAuth: added(websocket) },
      jwksFetches: auth.fetches,
    };
    await mkdir(args.out, { recursive: true });
    const text = JSON.stringify(result, null, 2);
    await writeFile(`${args.out}/auth-latest.json`, text);
    await writeFile(`${args.out}/auth-${result.at.replace(/[:.]/g, "-")}.json`, text);
    const row = (name: string, r: { off: Summary; on: Summary }) =>
      `${name.padEnd(22)} off p50 ${r.off.p50} p99 ${r.off.p99} | on p50 ${r.on.p50} p99 ${r.on.p99} | added p50 ${added(r).p50} p99 ${added(r).p99}`;
    console.log(row("HTTP request (ms)", http));
    console.log(row("WebSocket connect (ms)", websocket));
    console.log(
      `load average before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${result.machine.loadAfter.map((l) => l.toFixed(2)).join(" ")}; ${args.out}/auth-latest.json`,
    );
  } finally {
    await on.stop();
    await off.stop();
    await auth.stop();
    await deleteTopics(topics.off);
    await deleteTopics(topics.on);
    await dropDatabase(database);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
