/** A graphql-ws conversation over a bare `ws` socket, message by message, to see exactly when the server closes. */
import WebSocket from "ws";

export interface WsConversation {
  socket: WebSocket;
  messages: Array<{ type: string; id?: string; payload?: unknown }>;
  /** Resolves on the first message of this type (or rejects when the socket closes first). */
  next(type: string, timeoutMs?: number): Promise<{ type: string; payload?: unknown }>;
  closed: Promise<{ code: number; reason: string; at: number }>;
  send(message: Record<string, unknown>): void;
  /** The 101 response's headers. */
  upgradeHeaders: Promise<Record<string, string | string[] | undefined>>;
}

export function graphqlWs(
  port: number,
  path = "/ws/rttm/graphql",
  headers: Record<string, string> = {},
): WsConversation {
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, "graphql-transport-ws", {
    headers,
  });
  const messages: WsConversation["messages"] = [];
  const waiters = new Set<() => void>();
  socket.on("message", (data) => {
    messages.push(JSON.parse(data.toString()));
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    socket.once("close", (code, reason) => {
      resolve({ code, reason: reason.toString(), at: Date.now() });
      for (const wake of waiters) wake();
    }),
  );
  const upgradeHeaders = new Promise<Record<string, string | string[] | undefined>>(
    (resolve, reject) => {
      socket.once("upgrade", (response) => resolve(response.headers));
      socket.once("error", reject);
    },
  );
  const opened = new Promise<void>((resolve) => socket.once("open", () => resolve()));
  return {
    socket,
    messages,
    closed,
    upgradeHeaders,
    send(message) {
      void opened.then(() => socket.send(JSON.stringify(message)));
    },
    async next(type, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find((m) => m.type === type);
        if (found) return found;
        if (socket.readyState === WebSocket.CLOSED)
          throw new Error(`socket closed before ${type}: ${JSON.stringify(await closed)}`);
        if (Date.now() > deadline) throw new Error(`no ${type} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 200);
        });
      }
    },
  };
}
