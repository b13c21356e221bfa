import type { Logger } from "../log.js";
import { Repeater, type Push, type Stop } from "@repeaterjs/repeater";
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
  /**
   * Shortest time between two computations: the tick, or twice what the last push to all
   * subscribers cost the event loop, whichever is longer. Many subscribers therefore get fewer,
   * coalesced pushes instead of a backlog that delays everything else.
   */
  minIntervalMs: number;
}

export interface HubStats {
  subscriptions: number;
  snapshots: number;
  computations: number;
  computeFailures: number;
  deliveries: number;
  /** Updates replaced by a newer one before a slow subscriber took them. */
  coalesced: number;
}

/**
 * The live hub of one replica. Change notices (from this replica's writer or, through Redis, from
 * any replica's) mark snapshots stale; each tick recomputes every stale snapshot that has
 * subscribers exactly once and hands the result to the subscribers whose last payload differs.
 * Cost therefore grows with the number of distinct snapshots, not with the number of subscribers.
 */
export class LiveHub {
  readonly stats: HubStats = {
    subscriptions: 0,
    snapshots: 0,
    computations: 0,
    computeFailures: 0,
    deliveries: 0,
    coalesced: 0,
  };
  private readonly active = new Map<string, ActiveSnapshot>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribeBus: () => void;

  constructor(
    bus: ChangeBus,
    private readonly tickMs: number,
    private readonly logger: Logger,
  ) {
    this.unsubscribeBus = bus.subscribe((notice) => this.onNotice(notice));
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  /**
   * The snapshot's values from now on, the current one first: a Repeater with a latest-value
   * buffer. The subscription starts with the first `next()` and ends with `return()`.
   */
  subscribe<T>(source: SnapshotSource<T>): AsyncIterableIterator<T> {
    const buffer = new LatestValueBuffer(() => this.stats.coalesced++);
    return new Repeater<T>(async (push, stop) => {
      const active = this.activate(source);
      const subscriber: Subscriber = { push: push as Push<unknown>, stop };
      active.subscribers.add(subscriber);
      this.stats.subscriptions++;
      // A new subscriber gets the current snapshot at once when there is one.
      if (active.lastJson !== null) void push(active.lastValue as T);
      else void this.compute(active);
      await stop;
      active.subscribers.delete(subscriber);
      this.stats.subscriptions--;
      if (active.subscribers.size === 0 && this.active.get(source.key) === active) {
        this.active.delete(source.key);
        this.stats.snapshots = this.active.size;
      }
    }, buffer);
  }

  private activate(source: SnapshotSource<unknown>): ActiveSnapshot {
    let snapshot = this.active.get(source.key);
    if (!snapshot) {
      snapshot = {
        source,
        subscribers: new Set(),
        stale: true,
        lastJson: null,
        lastValue: undefined,
        lastComputedAt: 0,
        computing: false,
        minIntervalMs: this.tickMs,
      };
      this.active.set(source.key, snapshot);
      this.stats.snapshots = this.active.size;
    }
    return snapshot;
  }

  close(): void {
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
      snapshot.stale = true;
      // Not computed within its minimum interval: compute now rather than wait for the next tick.
      if (Date.now() - snapshot.lastComputedAt >= snapshot.minIntervalMs)
        void this.compute(snapshot);
    }
  }

  private tick(): void {
    const now = Date.now();
    for (const snapshot of this.active.values()) {
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
    try {
      const value = await snapshot.source.compute();
      this.stats.computations++;
      snapshot.lastComputedAt = Date.now();
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
        this.stats.deliveries++;
      }
      // Subscribers execute and send in the microtasks the offers released; setImmediate runs after them.
      setImmediate(() => {
        snapshot.minIntervalMs = Math.max(this.tickMs, 2 * (performance.now() - pushStarted));
      });
    } catch (err) {
      this.stats.computeFailures++;
      snapshot.stale = true; // try again next tick
      this.logger.warn("live snapshot computation failed; retrying next tick", {
        snapshot: snapshot.source.key,
        err,
      });
    } finally {
      snapshot.computing = false;
    }
  }
}
