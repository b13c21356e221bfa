/**
 * A stand-in for the old dashboard page, served from its own loopback origin: it does what
 * pms-frontend's RTTM page does on load (contract §1.1, §2.1): four GETs with the Bearer header
 * (so the browser sends CORS preflights), five plain WebSockets without subprotocol, every frame
 * JSON.parse'd. What it received is left in window.__dashboard for the test to read.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

function pageHtml(rttmBase: string, token: string): string {
  const script = `
    const base = ${JSON.stringify(rttmBase)};
    const token = ${JSON.stringify(token)};
    const state = { rest: {}, sockets: {}, errors: [] };
    window.__dashboard = state;
    for (const path of ["metrics", "pipeline", "dlq", "telemetry-snapshot"]) {
      fetch(base + "/api/rttm/" + path, { headers: { Authorization: "Bearer " + token } })
        .then(async (r) => (state.rest[path] = { status: r.status, body: await r.json() }))
        .catch((e) => state.errors.push(path + ": " + e));
    }
    for (const path of ["metrics", "pipeline", "telemetry", "dlq", "alerts"]) {
      const frames = (state.sockets[path] = { frames: [], closed: null, protocol: null });
      const ws = new WebSocket(base.replace(/^http/, "ws") + "/ws/rttm/" + path);
      ws.onopen = () => (frames.protocol = ws.protocol);
      ws.onmessage = (e) => {
        if (typeof e.data !== "string") return state.errors.push(path + ": binary frame");
        try { frames.frames.push(JSON.parse(e.data)); } catch (err) { state.errors.push(path + ": " + err); }
      };
      ws.onclose = (e) => (frames.closed = { code: e.code, wasClean: e.wasClean });
    }`;
  return `<!doctype html><html><head><title>RTTM</title></head><body><script>${script}</script></body></html>`;
}

export async function serveDashboardPage(
  rttmBase: () => string,
  token: string,
): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(pageHtml(rttmBase(), token));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
