/**
 * What one idle subscribed connection holds in the service process, layer by layer: N sockets
 * opened by a client process (spread over loopback source addresses), measured after GC as RSS
 * and V8 heap per connection, for
 *   plain   — a `ws` socket alone (the upgrade request kept, as graphql-ws keeps it);
 *   init    — plus graphql-ws (connection_init acknowledged, keep-alive pings);
 *   shared  — plus one subscription on the shared fan-out (src/live/sharedSubscription.ts), as
 *             the service serves every hub view: graphql-ws's per-subscription state, the
 *             membership Repeater and the fan-out member; the group's one execution is shared.
 * No database or broker: the schema is one subscription field and the group's source is a
 * Repeater, so the figures are the connection's own, without the service's fixed heap.
 *
 * Usage: node --expose-gc --import tsx scripts/bench/lib/connectionMemory.ts [--connections 5000]
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Repeater } from "@repeaterjs/repeater";
import { buildSchema, parse, type ExecutionResult } from "graphql";
import { createClient } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import WebSocket, { WebSocketServer } from "ws";
import { FanOut } from "../../../src/live/fanout.js";
import { SharedSubscription } from "../../../src/live/sharedSubscription.js";
import { createLogger } from "../../../src/log.js";

type Layer = "plain" | "init" | "shared";
const layers: Layer[] = ["plain", "init", "shared"];

/** Client side (forked): opens `count` connections of `layer` and reports when all are ready. */
function clients(port: number, count: number, layer: Layer): void {
  let ready = 0;
  const done = () => {
    if (++ready === count) process.send!("ready");
  };
  for (let i = 0; i < count; i++) {
    const localAddress = `127.0.0.${1 + (i % 4)}`;
    const impl = class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { localAddress });
      }
    };
    const url = `ws://127.0.0.1:${port}/`;
    if (layer === "plain") {
      new impl(url, "graphql-transport-ws").once("open", done);
    } else if (layer === "init") {
      createClient({
        url,
        webSocketImpl: impl,
        lazy: false,
        retryAttempts: 0,
        on: { connected: done },
      });
    } else {
      let first = true;
      createClient({ url, webSocketImpl: impl, lazy: true, retryAttempts: 0 }).subscribe(
        { query: "subscription { tick }" },
        {
          next: () => {
            if (first) done();
            first = false;
          },
          error: (err) => console.error(err),
          complete: () => undefined,
        },
      );
    }
  }
}

async function settle(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc");
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 100));
  }
  return process.memoryUsage();
}

async function measure(layer: Layer, count: number) {
  const schema = buildSchema("type Query { a: Int } type Subscription { tick: Int }");
  const document = parse("subscription { tick }");
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise((r) => wss.once("listening", r));
  const fanout = new FanOut(createLogger());
  const source = new Repeater<ExecutionResult>(async (push, stop) => {
    void push({ data: { tick: 1 } });
    await stop;
  });
  const unread: AsyncIterable<ExecutionResult> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => ({ value: undefined, done: true }),
      return: async () => ({ value: undefined, done: true }),
    }),
  };
  const server =
    layer === "plain"
      ? null
      : useServer(
          {
            schema,
            onSubscribe: (ctx, id) => ({
              schema,
              document,
              contextValue: undefined,
              rootValue: {
                subscribe: () =>
                  new SharedSubscription(
                    fanout,
                    "tick",
                    fanout.has("tick") ? unread : source,
                    ctx.extra.socket,
                    id,
                  ),
              },
            }),
            subscribe: (args) =>
              (args.rootValue as { subscribe: () => AsyncIterable<ExecutionResult> }).subscribe(),
          },
          wss,
        );
  const port = (wss.address() as { port: number }).port;
  const before = await settle();
  const child = fork(
    fileURLToPath(import.meta.url),
    ["--client", String(port), String(count), layer],
    {
      execArgv: ["--import", "tsx"],
    },
  );
  await new Promise((r) => child.once("message", r));
  await new Promise((r) => setTimeout(r, 500));
  const after = await settle();
  child.kill();
  await server?.dispose();
  wss.close();
  const perConnection = (bytes: number) => Math.round((bytes / 1024 / count) * 10) / 10;
  return {
    layer,
    connections: count,
    rssKbPerConnection: perConnection(after.rss - before.rss),
    heapKbPerConnection: perConnection(after.heapUsed - before.heapUsed),
    externalKbPerConnection: perConnection(
      after.external + after.arrayBuffers - before.external - before.arrayBuffers,
    ),
  };
}

if (process.argv[2] === "--client") {
  clients(Number(process.argv[3]), Number(process.argv[4]), process.argv[5] as Layer);
} else {
  const { values } = parseArgs({
    options: { connections: { type: "string", default: "5000" }, layer: { type: "string" } },
  });
  const count = Number(values.connections);
  if (values.layer) {
    console.log(JSON.stringify(await measure(values.layer as Layer, count)));
    process.exit(0);
  }
  // Each layer in a fresh process, so one layer's freed memory does not flatter the next.
  for (const layer of layers) {
    const child = fork(
      fileURLToPath(import.meta.url),
      ["--layer", layer, "--connections", String(count)],
      {
        execArgv: ["--expose-gc", "--import", "tsx"],
      },
    );
    await new Promise((r) => child.once("exit", r));
  }
}
