import { AsyncLocalStorage } from "node:async_hooks";
import { Repeater, type Push, type Stop } from "@repeaterjs/repeater";
import type { Logger } from "../log.js";
import { FanOut, type FrameSocket } from "./fanout.js";
import { LatestValueBuffer } from "./latestValue.js";
import type { ChangeBus } from "./bus.js";
import type { ChangeNotice } from "./notice.js";

/**
 * A snapshot the hub serves: computed once per tick for all of its subscribers. `tables` says
 * which change notices make it stale; `refreshMs` recomputes it anyway (time windows move).
 */
export interface SnapshotSource<T> {
  key: string;
  tables: readonly string[] | "all";
  refreshMs?: number;
  /** For per-trade snapshots: a notice naming this trade makes it stale. */
  tradeId?: string;
  /**
   * Keys that change on every computation without the data changing (default: asOf). They are
   * left out when deciding whether the payload changed, so subscribers hear only real changes.
   */
  volatileKeys?: readonly string[];
  compute(): Promise<T>;
}

interface Subscriber {
  push: Push<unknown>;
  stop: Stop;
}

interface ActiveSnapshot {
  source: SnapshotSource<unknown>;
  subscribers: Set<Subscriber>;
  stale: boolean;
  lastJson: string | null;
  lastValue: unknown;
  lastComputedAt: number;
  computing: boolean;
  /** The newest computation's value (pushed or not, its asOf is current) for one-off reads. */
  fresh: { value: unknown; startedAt: number; computedAt: number } | null;
  /** The computation in flight, for one-off reads to share. */
  inFlight: { promise: Promise<unknown>; startedAt: number } | null;
  /** When the last notice that concerns this snapshot arrived (0: none yet). */
  noticedAt: number;
  /** The computation scheduled for when the minimum interval has passed. */
  due: NodeJS.Timeout | null;
  /**
   * Shortest time between two computations: the tick, or twice what the last push to all
   * subscribers cost the event loop, whichever is longer. Many subscribers therefore get fewer,
   * coalesced pushes instead of a backlog that delays everything else.
   */
  minIntervalMs: number;
}

/**
 * Turns a snapshot value into the text a raw socket receives: one frame, or several sent in
 * order. `name` identifies the serializer: sockets share one serialisation per value only when
 * they follow the same snapshot with the same name.
 */
export interface SocketSerializer<T> {
  name: string;
  serialize(value: T): string | readonly string[];
}

export interface HubStats {
  /** Subscriptions to the hub's snapshots (a fan-out group holds one for all of its members). */
  subscriptions: number;
  snapshots: number;
  computations: number;
  computeFailures: number;
  deliveries: number;
  /** Updates replaced by a newer one before a slow subscriber took them. */
  coalesced: number;
  /** One-off reads (HTTP queries) answered from a fresh snapshot. */
  readsFromSnapshot: number;
  /** One-off reads that joined a computation already in flight. */
  readsJoined: number;
  /** One-off reads that started a computation. */
  readsComputed: number;
}

/**
 * The live hub of one replica. Change notices (from this replica's writer or, through Redis, from
 * any replica's) mark snapshots stale; each tick recomputes every stale snapshot that has
 * subscribers exactly once and hands the result to the subscribers whose last payload differs.
 * Cost therefore grows with the number of distinct snapshots, not with the number of subscribers.
 */
export class LiveHub {
  private readonly counts: HubStats = {
    subscriptions: 0,
    snapshots: 0,
    computations: 0,
    computeFailures: 0,
    deliveries: 0,
    coalesced: 0,
    readsFromSnapshot: 0,
    readsJoined: 0,
    readsComputed: 0,
  };
  /**
   * Shared fan-out of serialised payloads straight to sockets: graphql-ws subscribers grouped by
   * (snapshot, operation, variables) and raw sockets by (snapshot, serializer).
   */
  readonly fanout: FanOut;
  /** Snapshots with subscribers, and (kept for about a tick) snapshots computed for one-off reads. */
  private readonly active = new Map<string, ActiveSnapshot>();
  /** Collects the snapshot keys subscribed inside {@link snapshotsSubscribedBy}. */
  private readonly subscribing = new AsyncLocalStorage<string[]>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribeBus: () => void;

  constructor(
    bus: ChangeBus,
    private readonly tickMs: number,
    private readonly logger: Logger,
  ) {
    this.fanout = new FanOut(logger);
    this.unsubscribeBus = bus.subscribe((notice) => this.onNotice(notice));
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
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
      const active = this.activate(source);
      const subscriber: Subscriber = { push: push as Push<unknown>, stop };
      active.subscribers.add(subscriber);
      this.counts.subscriptions++;
      // A new subscriber gets the current snapshot at once when there is one.
      if (active.lastJson !== null) void push(active.lastValue as T);
      else void this.compute(active);
      await stop;
      active.subscribers.delete(subscriber);
      this.counts.subscriptions--;
      if (active.subscribers.size === 0 && this.active.get(source.key) === active) {
        this.active.delete(source.key);
        this.counts.snapshots = this.active.size;
      }
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
    return this.fanout.join(
      `raw\0${source.key}\0${serializer.name}`,
      this.subscribe(source),
      (value) => {
        const text = serializer.serialize(value);
        return typeof text === "string" ? Buffer.from(text) : text.map((t) => Buffer.from(t));
      },
      { socket, head: null, end: onEnd },
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

  /**
   * The source's value for a one-off read (an HTTP query). Staleness bound: the answer comes from
   * a computation that started after the last change notice concerning it arrived and that
   * finished at most one tick ago; otherwise it is computed now, once for every concurrent reader
   * (a reader joins a computation in flight when no such notice arrived since it started). The
   * value's own asOf says when it was computed. Snapshots computed only for reads are kept for
   * about a tick, then forgotten.
   */
  async read<T>(source: SnapshotSource<T>): Promise<T> {
    const snapshot = this.active.get(source.key);
    const now = Date.now();
    if (snapshot) {
      const { fresh, inFlight } = snapshot;
      if (fresh && fresh.startedAt >= snapshot.noticedAt && now - fresh.computedAt <= this.tickMs) {
        this.counts.readsFromSnapshot++;
        return fresh.value as T;
      }
      if (inFlight && inFlight.startedAt >= snapshot.noticedAt) {
        this.counts.readsJoined++;
        return inFlight.promise as Promise<T>;
      }
    }
    this.counts.readsComputed++;
    const target = snapshot ?? this.readOnlySnapshot(source as SnapshotSource<unknown>);
    return this.computeForRead(target) as Promise<T>;
  }

  private activate(source: SnapshotSource<unknown>): ActiveSnapshot {
    let snapshot = this.active.get(source.key);
    if (!snapshot) {
      snapshot = this.newSnapshot(source);
      this.active.set(source.key, snapshot);
      this.counts.snapshots = this.active.size;
    }
    return snapshot;
  }

  private newSnapshot(source: SnapshotSource<unknown>): ActiveSnapshot {
    return {
      source,
      subscribers: new Set(),
      stale: true,
      lastJson: null,
      lastValue: undefined,
      lastComputedAt: 0,
      computing: false,
      fresh: null,
      inFlight: null,
      noticedAt: 0,
      due: null,
      minIntervalMs: this.tickMs,
    };
  }

  /** A snapshot without subscribers, kept in the map (for notices and readers) until it ages out. */
  private readOnlySnapshot(source: SnapshotSource<unknown>): ActiveSnapshot {
    const snapshot = this.newSnapshot(source);
    this.active.set(source.key, snapshot);
    this.counts.snapshots = this.active.size;
    return snapshot;
  }

  /** One computation for readers: recorded as the snapshot's fresh value, pushed to nobody. */
  private computeForRead(snapshot: ActiveSnapshot): Promise<unknown> {
    const startedAt = Date.now();
    const promise = snapshot.source.compute().then(
      (value) => {
        this.counts.computations++;
        if (!snapshot.fresh || snapshot.fresh.startedAt <= startedAt)
          snapshot.fresh = { value, startedAt, computedAt: Date.now() };
        return value;
      },
      (err: unknown) => {
        this.counts.computeFailures++;
        throw err;
      },
    );
    const inFlight = { promise, startedAt };
    snapshot.inFlight = inFlight;
    const clear = () => {
      if (snapshot.inFlight === inFlight) snapshot.inFlight = null;
    };
    promise.then(clear, clear);
    return promise;
  }

  close(): void {
    this.fanout.close();
    clearInterval(this.timer);
    this.unsubscribeBus();
    for (const snapshot of this.active.values())
      for (const subscriber of snapshot.subscribers) subscriber.stop();
  }

  private onNotice(notice: ChangeNotice): void {
    for (const snapshot of this.active.values()) {
      const { source } = snapshot;
      const affected =
        source.tradeId !== undefined
          ? notice.tradeIdsTruncated === true || notice.tradeIds.includes(source.tradeId)
          : source.tables === "all" || notice.tables.some((t) => source.tables.includes(t));
      if (!affected) continue;
      snapshot.noticedAt = Date.now();
      snapshot.stale = true;
      if (snapshot.subscribers.size === 0) continue; // kept for readers only: computed on demand
      this.computeWhenDue(snapshot);
    }
  }

  /**
   * Computes a stale snapshot now when its minimum interval has passed, else exactly when it
   * passes (not at the next tick, which would add up to a tick of delay).
   */
  private computeWhenDue(snapshot: ActiveSnapshot): void {
    const wait = snapshot.lastComputedAt + snapshot.minIntervalMs - Date.now();
    if (wait <= 0) {
      void this.compute(snapshot);
      return;
    }
    if (snapshot.due) return;
    snapshot.due = setTimeout(() => {
      snapshot.due = null;
      const current = this.active.get(snapshot.source.key) === snapshot;
      if (current && snapshot.stale && snapshot.subscribers.size > 0) void this.compute(snapshot);
    }, wait);
    snapshot.due.unref();
  }

  private tick(): void {
    const now = Date.now();
    for (const [key, snapshot] of this.active) {
      if (snapshot.subscribers.size === 0) {
        // Kept for one-off readers only: forgotten once it could no longer answer them.
        const computedAt = snapshot.fresh?.computedAt ?? 0;
        if (snapshot.inFlight === null && now - computedAt > this.tickMs) {
          this.active.delete(key);
          this.counts.snapshots = this.active.size;
        }
        continue;
      }
      const since = now - snapshot.lastComputedAt;
      const due =
        snapshot.source.refreshMs !== undefined &&
        since >= Math.max(snapshot.source.refreshMs, snapshot.minIntervalMs);
      if ((snapshot.stale && since >= snapshot.minIntervalMs) || due) void this.compute(snapshot);
    }
  }

  private async compute(snapshot: ActiveSnapshot): Promise<void> {
    if (snapshot.computing) return;
    snapshot.computing = true;
    snapshot.stale = false;
    if (snapshot.due) clearTimeout(snapshot.due);
    snapshot.due = null;
    const startedAt = Date.now();
    const computation = snapshot.source.compute();
    const inFlight = { promise: computation, startedAt };
    snapshot.inFlight = inFlight;
    try {
      const value = await computation;
      this.counts.computations++;
      snapshot.lastComputedAt = Date.now();
      if (!snapshot.fresh || snapshot.fresh.startedAt <= startedAt)
        snapshot.fresh = { value, startedAt, computedAt: snapshot.lastComputedAt };
      const volatile = new Set(snapshot.source.volatileKeys ?? ["asOf"]);
      const json = JSON.stringify(value, (k, v) =>
        volatile.has(k) ? undefined : typeof v === "bigint" ? v.toString() : v,
      );
      if (json === snapshot.lastJson) return;
      snapshot.lastJson = json;
      snapshot.lastValue = value;
      const pushStarted = performance.now();
      for (const subscriber of snapshot.subscribers) {
        void subscriber.push(value);
        this.counts.deliveries++;
      }
      // Subscribers execute and send in the microtasks the offers released; setImmediate runs after them.
      setImmediate(() => {
        snapshot.minIntervalMs = Math.max(this.tickMs, 2 * (performance.now() - pushStarted));
      });
    } catch (err) {
      this.counts.computeFailures++;
      snapshot.stale = true; // try again next tick
      this.logger.warn("live snapshot computation failed; retrying next tick", {
        snapshot: snapshot.source.key,
        err,
      });
    } finally {
      snapshot.computing = false;
      if (snapshot.inFlight === inFlight) snapshot.inFlight = null;
      // A notice arrived while computing: compute again once the interval allows.
      if (snapshot.stale && snapshot.subscribers.size > 0 && snapshot.noticedAt >= startedAt)
        this.computeWhenDue(snapshot);
    }
  }
}
