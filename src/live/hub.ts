import { AsyncLocalStorage } from "node:async_hooks";
import { Repeater, type Push } from "@repeaterjs/repeater";
import type { Logger } from "../log.js";
import type { FanOut, FrameSocket } from "./fanout.js";
import { LatestValueBuffer } from "./latestValue.js";
import type { ChangeBus } from "./bus.js";
import { ReadCache } from "./readCache.js";
import { Scheduler } from "./scheduler.js";
import { newHubStats, SnapshotTable, type HubStats, type SnapshotSource } from "./snapshot.js";
import { subscribeSocket, type SocketSerializer } from "./socketAdapter.js";

export type { HubStats, SnapshotSource } from "./snapshot.js";
export type { SocketSerializer } from "./socketAdapter.js";

export interface LiveHubOptions {
  /** Where change notices arrive (this replica's writer, or every replica's through Redis). */
  bus: ChangeBus;
  /** Shortest time between two computations of a snapshot, and the read cache's staleness bound, ms. */
  tickMs: number;
  /**
   * Shared fan-out of serialised payloads straight to sockets: graphql-ws subscribers grouped by
   * (snapshot, operation, variables) and raw sockets by (snapshot, serializer). Created by the
   * composition root (its options are settings); the hub closes it.
   */
  fanout: FanOut;
  logger: Logger;
}

/**
 * The live hub of one replica. Change notices (from this replica's writer or, through Redis, from
 * any replica's) mark snapshots stale; each stale snapshot that has subscribers is recomputed
 * exactly once per minimum interval and the result handed to the subscribers whose last payload
 * differs. Cost therefore grows with the number of distinct snapshots, not with the number of
 * subscribers. The parts: the snapshot table (snapshot.ts), the scheduler that computes
 * subscribed snapshots (scheduler.ts), the read cache for one-off reads (readCache.ts), and the
 * raw-socket adapter over the fan-out (socketAdapter.ts).
 */
export class LiveHub {
  private readonly counts: HubStats = newHubStats();
  readonly fanout: FanOut;
  private readonly snapshots: SnapshotTable;
  private readonly reads: ReadCache;
  private readonly scheduler: Scheduler;
  /** Collects the snapshot keys subscribed inside {@link snapshotsSubscribedBy}. */
  private readonly subscribing = new AsyncLocalStorage<string[]>();
  private readonly unsubscribeBus: () => void;

  constructor({ bus, tickMs, fanout, logger }: LiveHubOptions) {
    this.fanout = fanout;
    this.snapshots = new SnapshotTable(this.counts, tickMs);
    this.reads = new ReadCache(this.snapshots, this.counts, tickMs);
    this.scheduler = new Scheduler(this.snapshots, this.reads, this.counts, tickMs, logger);
    this.unsubscribeBus = bus.subscribe((notice) => this.scheduler.onNotice(notice));
  }

  /**
   * The hub's counts now, and `subscribers`: its subscriptions with each fan-out group counted
   * once per member (what a client sees as its subscription).
   */
  stats(): Readonly<HubStats & { subscribers: number }> {
    const fanout = this.fanout.stats();
    return {
      ...this.counts,
      subscribers: this.counts.subscriptions - fanout.groups + fanout.members,
    };
  }

  /**
   * The snapshot's values from now on, the current one first: a Repeater with a latest-value
   * buffer. The subscription starts with the first `next()` and ends with `return()`.
   */
  subscribe<T>(source: SnapshotSource<T>): AsyncIterableIterator<T> {
    this.subscribing.getStore()?.push(source.key);
    const buffer = new LatestValueBuffer(() => this.counts.coalesced++);
    return new Repeater<T>(async (push, stop) => {
      const subscriber = { push: push as Push<unknown>, stop };
      const snapshot = this.scheduler.attach(source as SnapshotSource<unknown>, subscriber);
      await stop;
      this.scheduler.detach(snapshot, subscriber);
    }, buffer);
  }

  /**
   * Subscribes a raw socket (no graphql-ws) to a snapshot, for the legacy dashboard sockets: each
   * new value is serialised once by `serializer` for every socket subscribed to the same snapshot
   * with the same serializer (by its `name`), and that text is written to each as a text frame.
   * A slow socket gets the newest value once it has flushed, never a backlog. `onEnd` is called if
   * the hub ends the subscription (hub closing, or `serialize` throwing: with the error). Returns
   * the function that unsubscribes the socket (call it when the socket closes).
   */
  subscribeSocket<T>(
    socket: FrameSocket,
    source: SnapshotSource<T>,
    serializer: SocketSerializer<T>,
    onEnd: (err?: unknown) => void = () => {},
  ): () => void {
    return subscribeSocket(
      this.fanout,
      (s: SnapshotSource<T>) => this.subscribe(s),
      socket,
      source,
      serializer,
      onEnd,
    );
  }

  /**
   * Runs `fn` (for example a GraphQL subscribe) and tells which snapshots it subscribed to, so a
   * caller can share one subscription among everyone asking for the same snapshot.
   */
  async snapshotsSubscribedBy<R>(fn: () => R | Promise<R>): Promise<{ result: R; keys: string[] }> {
    const keys: string[] = [];
    const result = await this.subscribing.run(keys, fn);
    return { result, keys };
  }

  /** The source's value for a one-off read (an HTTP query): see {@link ReadCache.read}. */
  read<T>(source: SnapshotSource<T>): Promise<T> {
    return this.reads.read(source);
  }

  close(): void {
    this.fanout.close();
    this.scheduler.close();
    this.unsubscribeBus();
  }
}
