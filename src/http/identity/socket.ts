/**
 * Identity on graphql-ws: browsers cannot set headers on a WebSocket handshake (and the gateway lets
 * every /ws/** handshake through), so the token travels in the connection_init payload:
 * `{ "authorization": "Bearer <token>" }`. A missing or bad token closes the socket with 4401, a
 * refused token type with 4403, before the connection is acknowledged (graphql-ws itself refuses
 * every subscribe before that). An accepted socket is closed with 4401 when its token expires, so
 * a client reconnects with a fresh one.
 */
import type { WebSocket } from "ws";
import type { Logger } from "../../log.js";
import { isAuthError, unauthenticated, type AuthError } from "./errors.js";
import type { Identity, Verifier } from "./verifier.js";

/** What graphql-ws hands to onConnect (its `extra` from graphql-ws/use/ws, plus what we store). */
export interface SocketConnectContext {
  connectionParams?: Readonly<Record<string, unknown>> | undefined;
  extra: { socket: WebSocket; identity?: Identity };
}

/** setTimeout's limit (about 24.8 days); a later expiry is re-armed when this fires. */
const maxTimerMs = 2 ** 31 - 1;

/** `authorization` in any letter case, also under `headers` (what some GraphQL consoles send). */
export function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): unknown {
  if (!params) return undefined;
  const find = (record: Record<string, unknown>) =>
    Object.entries(record).find(([key]) => key.toLowerCase() === "authorization")?.[1];
  const headers = params.headers;
  return (
    find(params) ??
    (headers && typeof headers === "object" ? find(headers as Record<string, unknown>) : undefined)
  );
}

/** The graphql-ws close code of a refusal: 4401 Unauthorized, 4403 Forbidden. */
export const refusalCloseCode = (error: AuthError): 4401 | 4403 =>
  error.code === "UNAUTHENTICATED" ? 4401 : 4403;

/** A WebSocket close reason is at most 123 bytes. */
const closeReason = (text: string) => Buffer.from(text).subarray(0, 123).toString();

/** graphql-ws's onConnect: false refuses (the socket is already closed with 4401/4403). */
export function authenticateSocket(verifier: Verifier, logger: Logger) {
  return async (ctx: SocketConnectContext): Promise<boolean> => {
    const { socket } = ctx.extra;
    let identity: Identity;
    try {
      identity = await verifier.verify(authorizationOf(ctx.connectionParams));
    } catch (err) {
      if (!isAuthError(err)) throw err;
      const closeCode = refusalCloseCode(err);
      logger.info("websocket refused", { closeCode, reason: err.message });
      socket.close(closeCode, closeReason(`${err.code}: ${err.message}`));
      return false;
    }
    ctx.extra.identity = identity;
    closeAtExpiry(socket, identity.expiresAt, logger);
    return true;
  };
}

function closeAtExpiry(socket: WebSocket, expiresAt: Date, logger: Logger): void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = expiresAt.getTime() - Date.now();
    timer = setTimeout(
      () => {
        if (left > maxTimerMs) return arm();
        logger.info("websocket closed: token expired", { expiredAt: expiresAt.toISOString() });
        const expired = unauthenticated("token expired");
        socket.close(refusalCloseCode(expired), closeReason(`${expired.code}: ${expired.message}`));
      },
      Math.max(0, Math.min(left, maxTimerMs)),
    );
    timer.unref();
  };
  arm();
  socket.once("close", () => clearTimeout(timer));
}
