/**
 * One feed's sockets. While at least one socket is open the channel holds one live-hub
 * subscription; each value from it is cut into parts, each changed part serialised once, and the
 * same bytes are sent to every socket. A socket whose send buffer is over the limit skips frames
 * and, once it has drained, gets the latest of every part (latest-value semantics, no backlog).
 */
import WebSocket from "ws";
import type { LiveHub } from "../live/hub.js";
import type { LegacyFeed } from "./feeds.js";

export type HubSubscribe = Pick<LiveHub, "subscribe">;

interface Latest {
  json: string;
  frame: Buffer;
}

export class FeedChannel {
  private readonly sockets = new Map<WebSocket, { behind: boolean }>();
  private readonly latest = new Map<string, Latest>();
  private iterator: AsyncIterableIterator<unknown> | null = null;
  /** Values published and frames written (each frame counted once per socket). */
  readonly stats = { values: 0, framesSent: 0, framesSkipped: 0 };

  constructor(
    private readonly feed: LegacyFeed,
    private readonly hub: HubSubscribe,
    private readonly maxBufferedBytes: number,
  ) {}

  get size(): number {
    return this.sockets.size;
  }

  join(socket: WebSocket): void {
    this.sockets.set(socket, { behind: false });
    if (!this.iterator) this.start();
    else this.sendLatest(socket);
  }

  leave(socket: WebSocket): void {
    if (!this.sockets.delete(socket)) return;
    if (this.sockets.size === 0) this.stop();
  }

  stop(): void {
    const iterator = this.iterator;
    this.iterator = null;
    this.latest.clear();
    void iterator?.return?.();
  }

  private start(): void {
    const iterator = this.hub.subscribe(this.feed.source);
    this.iterator = iterator;
    void (async () => {
      for await (const value of iterator) {
        if (this.iterator !== iterator) break;
        this.publish(value);
      }
    })();
  }

  private publish(value: unknown): void {
    this.stats.values++;
    const now = new Date();
    const changed: Buffer[] = [];
    for (const [key, payload] of this.feed.parts(value)) {
      const json = JSON.stringify(payload);
      if (this.latest.get(key)?.json === json) continue;
      const frame = Buffer.from(this.feed.frame(key, json, now));
      this.latest.set(key, { json, frame });
      changed.push(frame);
    }
    if (changed.length === 0) return;
    for (const [socket, state] of this.sockets) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      if (socket.bufferedAmount > this.maxBufferedBytes) {
        state.behind = true;
        this.stats.framesSkipped += changed.length;
        continue;
      }
      if (state.behind) this.sendLatest(socket);
      else this.send(socket, changed);
    }
  }

  private sendLatest(socket: WebSocket): void {
    const state = this.sockets.get(socket);
    if (state) state.behind = false;
    this.send(
      socket,
      [...this.latest.values()].map((l) => l.frame),
    );
  }

  private send(socket: WebSocket, frames: Buffer[]): void {
    for (const frame of frames) socket.send(frame, { binary: false });
    this.stats.framesSent += frames.length;
  }
}
