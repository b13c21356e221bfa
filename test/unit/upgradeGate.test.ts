import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import WebSocket, { WebSocketServer } from "ws";
import { SocketCounter, upgradeGate, type UpgradeGateOptions } from "../../src/http/upgradeGate.js";
import { createLogger, setLogLevel } from "../../src/log.js";

setLogLevel("silent");
const logger = createLogger();
const servers: Array<() => Promise<void>> = [];
after(async () => {
  for (const close of servers) await close();
});

/** A real server whose upgrades pass `gate` (as websocket.ts and legacy/sockets.ts use it). */
async function serve(options: Omit<UpgradeGateOptions, "logger" | "label">) {
  const gate = upgradeGate({ ...options, logger, label: "test socket" });
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer();
  server.on("upgrade", (request, socket, head) => {
    if (gate.admit(request, socket, { path: request.url ?? "/" }))
      wss.handleUpgrade(request, socket, head, (ws) => options.counter.track(ws));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
}

/** The handshake's outcome: "open" or the HTTP status it was refused with. */
function handshake(
  url: string,
  origin?: string,
): Promise<{ status: number | "open"; socket: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, origin ? { origin } : {});
    socket.once("open", () => resolve({ status: "open", socket }));
    socket.once("unexpected-response", (_req, res) => resolve({ status: res.statusCode!, socket }));
    socket.once("error", reject);
  });
}

test("origin, identity, then the cap: refused handshakes get 403, 401, 503 and are counted", async () => {
  const counter = new SocketCounter();
  const open = await serve({ counter, allowedOrigins: ["https://ok.example"], maxConnections: 2 });
  const closed = await serve({ counter, admitsAnonymous: false });

  assert.equal((await handshake(open, "https://evil.example")).status, 403);
  assert.equal((await handshake(closed)).status, 401);
  const first = await handshake(open, "https://ok.example");
  const second = await handshake(open); // no Origin: not a browser, admitted
  assert.deepEqual([first.status, second.status], ["open", "open"]);
  assert.equal((await handshake(open, "https://ok.example")).status, 503);
  assert.deepEqual(counter.stats(), { open: 2, rejected: 3 });

  // Both gates share the counter: a socket closing frees a place for either.
  await new Promise((resolve) => {
    first.socket.once("close", resolve);
    first.socket.close();
  });
  while (counter.open !== 1) await new Promise((resolve) => setImmediate(resolve));
  assert.equal((await handshake(open)).status, "open");
  assert.deepEqual(counter.stats(), { open: 2, rejected: 3 });
});
