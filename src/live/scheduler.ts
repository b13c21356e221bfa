/**
 * When the hub computes the snapshots that have subscribers: change notices mark them stale
 * (invalidation), each is computed at most once per minimum interval, and each computation's
 * value goes to the subscribers when its payload changed.
 */
import type { Logger } from "../log.js";
import type { ChangeNotice } from "./notice.js";
import type { ReadCache } from "./readCache.js";
import {
  computeBurst,
  concerns,
  type ActiveSnapshot,
  type HubStats,
  type SnapshotSource,
  type SnapshotTable,
  type Subscriber,
} from "./snapshot.js";

export class Scheduler {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly snapshots: SnapshotTable,
    private readonly reads: ReadCache,
    private readonly stats: HubStats,
    private readonly tickMs: number,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  /** Adds a subscriber to the source's snapshot; it gets the current value at once when there is one. */
  attach(source: SnapshotSource<unknown>, subscriber: Subscriber): ActiveSnapshot {
    const snapshot = this.snapshots.get(source.key) ?? this.snapshots.add(source);
    snapshot.subscribers.add(subscriber);
    this.stats.subscriptions++;
    if (snapshot.lastJson !== null) void subscriber.push(snapshot.lastValue);
    else void this.compute(snapshot);
    return snapshot;
  }

  /** Removes the subscriber; a snapshot left without subscribers is dropped. */
  detach(snapshot: ActiveSnapshot, subscriber: Subscriber): void {
    snapshot.subscribers.delete(subscriber);
    this.stats.subscriptions--;
    if (snapshot.subscribers.size === 0) this.snapshots.delete(snapshot);
  }

  onNotice(notice: ChangeNotice): void {
    for (const snapshot of this.snapshots.values()) {
      if (!concerns(snapshot.source, notice)) continue;
      snapshot.noticedAt = Date.now();
      snapshot.stale = true;
      if (snapshot.subscribers.size === 0) continue; // kept for readers only: computed on demand
      this.computeWhenDue(snapshot);
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const snapshot of this.snapshots.values())
      for (const subscriber of snapshot.subscribers) subscriber.stop();
  }

  /**
   * Computes a stale snapshot now when it has a computation's credit, else exactly when the credit
   * has grown back (not at the next tick, which would add up to a tick of delay).
   */
  private computeWhenDue(snapshot: ActiveSnapshot): void {
    const credit = creditNow(snapshot, Date.now());
    if (credit >= 1) {
      void this.compute(snapshot);
      return;
    }
    const wait = Math.ceil((1 - credit) * snapshot.minIntervalMs);
    if (snapshot.due) return;
    snapshot.due = setTimeout(() => {
      snapshot.due = null;
      const current = this.snapshots.holds(snapshot);
      if (current && snapshot.stale && snapshot.subscribers.size > 0) void this.compute(snapshot);
    }, wait);
    snapshot.due.unref();
  }

  private tick(): void {
    const now = Date.now();
    for (const snapshot of this.snapshots.values()) {
      if (snapshot.subscribers.size === 0) {
        this.reads.expire(snapshot, now);
        continue;
      }
      const since = now - snapshot.lastComputedAt;
      const due =
        snapshot.source.refreshMs !== undefined &&
        since >= Math.max(snapshot.source.refreshMs, snapshot.minIntervalMs);
      if ((snapshot.stale && creditNow(snapshot, now) >= 1) || due) void this.compute(snapshot);
    }
  }

  private async compute(snapshot: ActiveSnapshot): Promise<void> {
    if (snapshot.computing) return;
    snapshot.computing = true;
    snapshot.stale = false;
    snapshot.credit = creditNow(snapshot, Date.now()) - 1;
    if (snapshot.due) clearTimeout(snapshot.due);
    snapshot.due = null;
    const startedAt = Date.now();
    const computation = snapshot.source.compute();
    const inFlight = { promise: computation, startedAt };
    snapshot.inFlight = inFlight;
    try {
      const value = await computation;
      this.stats.computations++;
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
      if (snapshot.inFlight === inFlight) snapshot.inFlight = null;
      // A notice arrived while computing: compute again once the interval allows.
      if (snapshot.stale && snapshot.subscribers.size > 0 && snapshot.noticedAt >= startedAt)
        this.computeWhenDue(snapshot);
    }
  }
}

/** The snapshot's computation credit now (brought up to date): see {@link ActiveSnapshot.credit}. */
function creditNow(snapshot: ActiveSnapshot, now: number): number {
  const refill = (now - snapshot.creditAt) / snapshot.minIntervalMs;
  snapshot.credit = Math.min(computeBurst, snapshot.credit + refill);
  snapshot.creditAt = now;
  return snapshot.credit;
}
