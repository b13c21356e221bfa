/** A plain WebSocket as the old dashboard opens it: no subprotocol, never sends, reads JSON text frames. */
import WebSocket from "ws";

export interface RawFrame {
  at: number;
  text: string;
  json: any;
}

export function rawSocket(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  options: WebSocket.ClientOptions = {},
) {
  const openedAt = Date.now();
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers, ...options });
  const frames: RawFrame[] = [];
  const problems: string[] = [];
  let pings = 0;
  let wake: (() => void) | null = null;
  socket.on("message", (data, isBinary) => {
    if (isBinary) problems.push("binary frame");
    const text = data.toString();
    try {
      frames.push({ at: Date.now(), text, json: JSON.parse(text) });
    } catch {
      problems.push(`not JSON: ${text.slice(0, 80)}`);
    }
    wake?.();
  });
  socket.on("ping", () => pings++);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const unexpected = new Promise<number>((resolve) =>
    socket.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)),
  );
  socket.on("error", () => undefined);
  return {
    socket,
    openedAt,
    frames,
    problems,
    closed,
    /** The HTTP status of a refused handshake. */
    refusedWith: unexpected,
    get pings() {
      return pings;
    },
    opened: () =>
      new Promise<void>((resolve, reject) => {
        if (socket.readyState === WebSocket.OPEN) return resolve();
        socket.once("open", () => resolve());
        socket.once("error", reject);
      }),
    /** The first frame (from `fromIndex` on) matching `predicate`. */
    async waitFor(
      predicate: (frame: any) => boolean,
      timeoutMs = 15_000,
      fromIndex = 0,
    ): Promise<RawFrame> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = frames.slice(fromIndex).find((f) => predicate(f.json));
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(
            `${path}: no matching frame within ${timeoutMs} ms; last: ${frames.at(-1)?.text.slice(0, 300)}`,
          );
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(left, 200));
        });
      }
    },
    close: () => socket.close(),
  };
}

export type RawSocket = ReturnType<typeof rawSocket>;
