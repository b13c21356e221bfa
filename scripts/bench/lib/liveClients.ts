/**
 * Client worker of bench:live: opens `count` graphql-ws clients (graphql-ws createClient over
 * `ws`, one socket and one subscription each) with bounded concurrency, and records every delivery
 * (the payload's lastEventTime, asOf and the receipt time). Driven by its parent over IPC.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { Float64List } from "./stats.js";

export type WorkerCommand =
  | {
      cmd: "connect";
      url: string;
      count: number;
      concurrency: number;
      query: string;
      timeoutMs: number;
      /** Loopback source addresses to spread the sockets over (~28,000 ports each per destination). */
      localAddresses: string[];
      /** Subscriptions (subscribers, each its own id) per socket. */
      subscriptionsPerSocket: number;
      /**
       * Further subscriptions each socket holds beside the measured ones (e.g. a dashboard's
       * overview and pipeline): their payloads are received and counted, not measured.
       */
      companions?: string[];
    }
  | { cmd: "markStart" }
  | { cmd: "report"; fromMs: number; toMs: number; lastMarkerMs: number }
  | { cmd: "close" };

export type WorkerMessage =
  | { type: "progress"; connected: number; subscribed: number; failed: number; closed: number }
  | {
      type: "ready";
      connected: number;
      subscribed: number;
      failed: number;
      firstError: string | null;
    }
  | { type: "report"; report: WorkerReport }
  | { type: "closed" };

export interface WorkerReport {
  clients: number;
  subscribed: number;
  failed: number;
  /** Sockets that closed after subscribing (should be 0). */
  closedAfterSubscribe: number;
  firstError: string | null;
  /** Per delivery of a marker in [fromMs, toMs]: receipt − lastEventTime (ms). */
  latencies: Float64Array;
  /** Per such delivery: receipt − asOf (the hub computed the snapshot at asOf). */
  computeToReceipt: Float64Array;
  /** Per such delivery: the marker's time (its lastEventTime, ms). */
  markers: Float64Array;
  /** Marker time (ms) → clients that received it. */
  perMarker: Array<[number, number]>;
  /** Deliveries whose lastEventTime was not newer than the client's previous one. */
  nonIncreasing: number;
  /** Clients whose newest lastEventTime ≥ lastMarkerMs. */
  upToDate: number;
  /** Event-loop delay of this worker since markStart (ms). */
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Bytes of WebSocket messages received since markStart (payload bytes, frame headers excluded). */
  bytesReceived: number;
  /** Messages received since markStart. */
  messagesReceived: number;
  /** CPU of this worker since markStart, seconds (user + system). */
  cpuSeconds: number;
  wallSeconds: number;
}

const send = (message: WorkerMessage) => process.send!(message);

const clients: Client[] = [];
let lastSeen = new Float64Array(0);
let subscribedFlags = new Uint8Array(0);
const marker = new Float64List(1 << 16);
const receipt = new Float64List(1 << 16);
const asOf = new Float64List(1 << 16);
let nonIncreasing = 0;
let connected = 0;
let subscribed = 0;
let failed = 0;
let closedAfterSubscribe = 0;
let firstError: string | null = null;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
let windowCpu = process.cpuUsage();
let bytesReceived = 0;
let messagesReceived = 0;

/** A `ws` WebSocket bound to `localAddress` that counts the bytes of the messages it receives. */
function countingWebSocket(localAddress: string) {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { localAddress });
      this.on("message", (data: Buffer) => {
        bytesReceived += data.length;
        messagesReceived++;
      });
    }
  };
}
let windowStarted = performance.now();

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (Array.isArray(err)) return JSON.stringify(err).slice(0, 300);
  if (err && typeof err === "object" && "code" in err)
    return `socket closed ${(err as { code: number; reason?: string }).code} ${(err as { reason?: string }).reason ?? ""}`;
  return String(err).slice(0, 300);
}

async function connectAll(command: Extract<WorkerCommand, { cmd: "connect" }>): Promise<void> {
  lastSeen = new Float64Array(command.count);
  subscribedFlags = new Uint8Array(command.count);
  const impls = command.localAddresses.map(countingWebSocket);
  let next = 0;
  const ticker = setInterval(
    () => send({ type: "progress", connected, subscribed, failed, closed: closedAfterSubscribe }),
    1000,
  );
  const perSocket = Math.max(1, command.subscriptionsPerSocket);
  const sockets = Math.ceil(command.count / perSocket);
  /** Opens socket `s` and its subscriptions (subscribers s × perSocket …, each its own id). */
  const openSocket = (s: number) =>
    new Promise<void>((resolve) => {
      const first = s * perSocket;
      const last = Math.min(command.count, first + perSocket);
      let pending = last - first;
      const settled = new Uint8Array(last - first);
      const settle = (i: number, ok: boolean, err?: unknown) => {
        if (settled[i - first]) return;
        settled[i - first] = 1;
        if (ok) subscribed++;
        else {
          failed++;
          firstError ??= describe(err);
        }
        if (--pending === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        for (let i = first; i < last; i++)
          settle(i, false, new Error(`no first payload within ${command.timeoutMs} ms`));
      }, command.timeoutMs);
      const client = createClient({
        url: command.url,
        webSocketImpl: impls[s % impls.length]!,
        lazy: true,
        retryAttempts: 0,
        on: {
          connected: () => connected++,
          closed: (event) => {
            for (let i = first; i < last; i++) {
              if (subscribedFlags[i]) closedAfterSubscribe++;
              settle(i, false, event);
            }
          },
        },
      });
      clients[s] = client;
      for (const query of command.companions ?? [])
        client.subscribe(
          { query },
          {
            next: (value) => {
              if (value.errors) firstError ??= describe(value.errors);
            },
            error: (err) => {
              firstError ??= describe(err);
            },
            complete: () => undefined,
          },
        );
      for (let i = first; i < last; i++)
        client.subscribe<{
          dlqOverview: { asOf: string; total: number; lastEventTime: string | null };
        }>(
          { query: command.query },
          {
            next: (value) => {
              const now = Date.now();
              const data = value.data?.dlqOverview;
              if (!data) {
                settle(i, false, value.errors ?? new Error("payload without data"));
                return;
              }
              if (!subscribedFlags[i]) {
                subscribedFlags[i] = 1;
                settle(i, true);
              }
              if (data.lastEventTime === null) return;
              const t = Date.parse(data.lastEventTime);
              if (t <= lastSeen[i]!) nonIncreasing++;
              lastSeen[i] = Math.max(lastSeen[i]!, t);
              marker.push(t);
              receipt.push(now);
              asOf.push(Date.parse(data.asOf));
            },
            error: (err) => {
              firstError ??= describe(err);
              settle(i, false, err);
            },
            complete: () => undefined,
          },
        );
    });
  await Promise.all(
    Array.from({ length: Math.min(command.concurrency, sockets) }, async () => {
      for (let s = next++; s < sockets; s = next++) await openSocket(s);
    }),
  );
  clearInterval(ticker);
  send({ type: "ready", connected, subscribed, failed, firstError });
}

function report(command: Extract<WorkerCommand, { cmd: "report" }>): WorkerReport {
  const latencies = new Float64List(marker.length + 1);
  const computeToReceipt = new Float64List(marker.length + 1);
  const markers = new Float64List(marker.length + 1);
  const perMarker = new Map<number, number>();
  for (let k = 0; k < marker.length; k++) {
    const t = marker.get(k);
    if (t < command.fromMs || t >= command.toMs) continue;
    latencies.push(receipt.get(k) - t);
    computeToReceipt.push(receipt.get(k) - asOf.get(k));
    markers.push(t);
    perMarker.set(t, (perMarker.get(t) ?? 0) + 1);
  }
  let upToDate = 0;
  for (let i = 0; i < lastSeen.length; i++) if (lastSeen[i]! >= command.lastMarkerMs) upToDate++;
  const cpu = process.cpuUsage(windowCpu);
  return {
    clients: lastSeen.length,
    subscribed,
    failed,
    closedAfterSubscribe,
    firstError,
    latencies: latencies.toArray().slice(),
    computeToReceipt: computeToReceipt.toArray().slice(),
    markers: markers.toArray().slice(),
    perMarker: [...perMarker.entries()],
    nonIncreasing,
    upToDate,
    loopDelayP50Ms: loopDelay.percentile(50) / 1e6,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
    bytesReceived,
    messagesReceived,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    wallSeconds: (performance.now() - windowStarted) / 1000,
  };
}

process.on("message", (command: WorkerCommand) => {
  switch (command.cmd) {
    case "connect":
      void connectAll(command);
      break;
    case "markStart":
      loopDelay.reset();
      loopDelay.enable();
      windowCpu = process.cpuUsage();
      bytesReceived = 0;
      messagesReceived = 0;
      windowStarted = performance.now();
      break;
    case "report":
      loopDelay.disable();
      send({ type: "report", report: report(command) });
      break;
    case "close":
      void Promise.allSettled(clients.map(async (c) => c.dispose())).then(() => {
        send({ type: "closed" });
        setTimeout(() => process.exit(0), 100);
      });
      break;
  }
});
process.on("disconnect", () => process.exit(0));
