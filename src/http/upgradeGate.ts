/**
 * The one gate every WebSocket handshake passes, GraphQL's (websocket.ts) and the old dashboard's
 * raw sockets (src/legacy/sockets.ts) alike: the origin, then identity, then the replica's socket
 * cap. A refused handshake is answered with an HTTP status, logged and counted. One SocketCounter
 * counts the open sockets of both kinds, so one cap (RTTM_WS_MAX_CONNECTIONS) holds for all.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "../log.js";
import { originAllowed } from "./origins.js";

export interface SocketCounts {
  /** Open sockets, GraphQL and legacy. */
  open: number;
  /** Handshakes refused (wrong path, origin, identity, cap). */
  rejected: number;
}

/** The replica's sockets: how many are open, how many handshakes were refused. */
export class SocketCounter implements SocketCounts {
  open = 0;
  rejected = 0;

  /** Counts `socket` as open until it closes. */
  track(socket: { once(event: "close", listener: () => void): unknown }): void {
    this.open++;
    socket.once("close", () => this.open--);
  }

  stats(): SocketCounts {
    return { open: this.open, rejected: this.rejected };
  }
}

export interface UpgradeGateOptions {
  /** Shared by every gate of the replica: one count, one cap. */
  counter: SocketCounter;
  logger: Logger;
  /** How log lines name these sockets, e.g. "websocket". */
  label: string;
  /** Origins whose browsers may connect (RTTM_ALLOWED_ORIGINS); empty admits every origin. @default [] */
  allowedOrigins?: readonly string[];
  /** Open sockets beyond which handshakes get 503 (RTTM_WS_MAX_CONNECTIONS). @default 20000 */
  maxConnections?: number;
  /**
   * Whether a handshake without credentials may proceed; false answers 401. Sockets that
   * authenticate after the handshake (graphql-ws's connection_init) leave it true.
   * @default true
   */
  admitsAnonymous?: boolean;
}

export interface UpgradeGate {
  /** Answers the handshake with `status` and closes it; counted as refused. */
  reject(socket: Duplex, status: number, reason: string): void;
  /**
   * Checks origin, identity and the cap: true when the handshake may be accepted; false when it
   * was refused (answered, logged with `logger`, counted).
   */
  admit(request: IncomingMessage, socket: Duplex, at: { path: string; logger?: Logger }): boolean;
}

export function upgradeGate({
  counter,
  logger: gateLogger,
  label,
  allowedOrigins = [],
  maxConnections = 20_000,
  admitsAnonymous = true,
}: UpgradeGateOptions): UpgradeGate {
  function reject(socket: Duplex, status: number, reason: string): void {
    counter.rejected++;
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  }
  return {
    reject,
    admit(request, socket, { path, logger = gateLogger }) {
      const origin = request.headers.origin;
      if (!originAllowed(origin, allowedOrigins)) {
        logger.warn(`${label} refused: origin not allowed`, { origin, path });
        reject(socket, 403, "Forbidden");
        return false;
      }
      if (!admitsAnonymous) {
        reject(socket, 401, "Unauthorized");
        return false;
      }
      if (counter.open >= maxConnections) {
        logger.warn(`${label} refused: connection cap reached`, {
          open: counter.open,
          cap: maxConnections,
        });
        reject(socket, 503, "Service Unavailable");
        return false;
      }
      return true;
    },
  };
}
