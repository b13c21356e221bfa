/**
 * Raw dashboard WebSockets on /ws/rttm/{metrics,pipeline,telemetry,dlq,alerts}: a handshake that
 * does not ask for the graphql-transport-ws subprotocol is the old page's (contract §2.1: no
 * subprotocol, no messages from the client, no reconnect). graphql-ws clients keep these paths.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import WebSocket, { WebSocketServer } from "ws";
import { upgradeGate, type SocketCounter } from "../http/index.js";
import type { Logger } from "../log.js";
import type { LiveHub, SocketSerializer } from "../live/index.js";
import { legacySocketPaths, type LegacyFeed, type LegacySocketPath } from "./feeds.js";
import type { LegacyMetrics } from "./metrics.js";

export interface LegacySocketOptions {
  allowedOrigins: readonly string[];
  /** Shared with the GraphQL sockets: one cap for every socket of the replica. */
  maxConnections: number;
  /** The page cannot send a token on a WebSocket; false refuses its sockets with 401. */
  allowAnonymous: boolean;
  /** Protocol-level ping period; a socket that has not answered the previous ping is dropped. */
  pingIntervalMs: number;
}

export type HubSubscribe = Pick<LiveHub, "subscribeSocket">;

/** A feed's frames: every part of the value, each serialised once for all sockets by the hub's fan-out. */
export function feedSerializer<T>(feed: LegacyFeed<T>): SocketSerializer<T> {
  return {
    name: `legacy-${feed.path}-v1`,
    serialize: (value) => {
      const now = new Date();
      return feed
        .parts(value)
        .map(([key, payload]) => feed.frame(key, JSON.stringify(payload), now));
    },
  };
}

const pathPattern = new RegExp(`^/ws/rttm/(${legacySocketPaths.join("|")})$`);
export const graphqlWsProtocol = "graphql-transport-ws";

/** The legacy path of a raw (non-graphql-ws) handshake, or null when the handshake is not one. */
export function legacySocketPath(request: IncomingMessage): LegacySocketPath | null {
  const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
  const match = pathPattern.exec(pathname);
  if (!match) return null;
  const offered = (request.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
  return offered.includes(graphqlWsProtocol) ? null : (match[1] as LegacySocketPath);
}

export function createLegacySockets(deps: {
  feeds: LegacyFeed[];
  hub: HubSubscribe;
  options: LegacySocketOptions;
  counter: SocketCounter;
  metrics: LegacyMetrics;
  logger: Logger;
}) {
  const { options, counter, metrics, logger } = deps;
  const gate = upgradeGate({
    counter,
    logger,
    label: "legacy socket",
    allowedOrigins: options.allowedOrigins,
    maxConnections: options.maxConnections,
    admitsAnonymous: options.allowAnonymous,
  });
  const feeds = new Map(
    deps.feeds.map((feed) => [feed.path, { feed, serializer: feedSerializer(feed) }]),
  );
  // The client never sends: a small limit stops anyone from using these sockets to push data in.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  const alive = new Map<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const [socket, answered] of alive) {
      if (!answered) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, options.pingIntervalMs);
  heartbeat.unref();

  function accept(socket: WebSocket, path: LegacySocketPath): void {
    const { feed, serializer } = feeds.get(path)!;
    counter.track(socket);
    metrics.openSockets.inc({ path });
    metrics.socketsOpened.inc({ path });
    alive.set(socket, true);
    socket.on("pong", () => alive.has(socket) && alive.set(socket, true));
    socket.on("error", (err) => logger.debug("legacy socket error", { path, err }));
    // The hub serialises each new value once for every socket of the path and writes it to each.
    const unsubscribe = deps.hub.subscribeSocket(socket, feed.source, serializer, (err) => {
      if (err) logger.error("legacy feed failed", { path, err });
      socket.close(err ? 1011 : 1012, err ? "internal error" : "service restart");
    });
    socket.once("close", () => {
      metrics.openSockets.dec({ path });
      alive.delete(socket);
      unsubscribe();
    });
  }

  return {
    /** Takes a raw dashboard handshake and returns true; returns false for any other upgrade. */
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
      const path = legacySocketPath(request);
      if (path === null) return false;
      if (gate.admit(request, socket, { path }))
        wss.handleUpgrade(request, socket, head, (ws) => accept(ws, path));
      return true;
    },
    /** Closes every raw socket with 1012 (service restart) and waits for the closing handshakes. */
    async close(timeoutMs = 2000): Promise<void> {
      clearInterval(heartbeat);
      const sockets = [...alive.keys()];
      const closed = sockets.map(
        (s) =>
          new Promise<void>((resolve) =>
            s.readyState === WebSocket.CLOSED ? resolve() : s.once("close", () => resolve()),
          ),
      );
      for (const socket of sockets) socket.close(1012, "service restart");
      const timer = setTimeout(() => sockets.forEach((s) => s.terminate()), timeoutMs);
      await Promise.all(closed);
      clearTimeout(timer);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

export type LegacySockets = ReturnType<typeof createLegacySockets>;
