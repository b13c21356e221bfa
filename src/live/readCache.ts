/**
 * One-off reads (HTTP queries) of hub snapshots: answered from the newest computation when it is
 * fresh enough, else from one computation shared by every concurrent reader.
 */
import type { HubStats, SnapshotSource, SnapshotTable, ActiveSnapshot } from "./snapshot.js";

export class ReadCache {
  constructor(
    private readonly snapshots: SnapshotTable,
    private readonly stats: HubStats,
    private readonly tickMs: number,
  ) {}

  /**
   * The source's value for a one-off read. Staleness bound: the answer comes from a computation
   * that started after the last change notice concerning it arrived and that finished at most
   * one tick ago; otherwise it is computed now, once for every concurrent reader (a reader joins
   * a computation in flight when no such notice arrived since it started). The value's own asOf
   * says when it was computed. Snapshots computed only for reads are kept for about a tick, then
   * forgotten ({@link expire}).
   */
  async read<T>(source: SnapshotSource<T>): Promise<T> {
    const snapshot = this.snapshots.get(source.key);
    const now = Date.now();
    if (snapshot) {
      const { fresh, inFlight } = snapshot;
      if (fresh && fresh.startedAt >= snapshot.noticedAt && now - fresh.computedAt <= this.tickMs) {
        this.stats.readsFromSnapshot++;
        return fresh.value as T;
      }
      if (inFlight && inFlight.startedAt >= snapshot.noticedAt) {
        this.stats.readsJoined++;
        return inFlight.promise as Promise<T>;
      }
    }
    this.stats.readsComputed++;
    // A snapshot without subscribers stays in the table (for notices and readers) until it ages out.
    const target = snapshot ?? this.snapshots.add(source as SnapshotSource<unknown>);
    return this.computeForRead(target) as Promise<T>;
  }

  /** Forgets a snapshot kept for readers only once it could no longer answer them. */
  expire(snapshot: ActiveSnapshot, now: number): void {
    const computedAt = snapshot.fresh?.computedAt ?? 0;
    if (snapshot.inFlight === null && now - computedAt > this.tickMs)
      this.snapshots.delete(snapshot);
  }

  /** One computation for readers: recorded as the snapshot's fresh value, pushed to nobody. */
  private computeForRead(snapshot: ActiveSnapshot): Promise<unknown> {
    const startedAt = Date.now();
    const promise = snapshot.source.compute().then(
      (value) => {
        this.stats.computations++;
        if (!snapshot.fresh || snapshot.fresh.startedAt <= startedAt)
          snapshot.fresh = { value, startedAt, computedAt: Date.now() };
        return value;
      },
      (err: unknown) => {
        this.stats.computeFailures++;
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
}
