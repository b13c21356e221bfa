/**
 * The snapshots one replica's live hub knows: what a snapshot is (its source), the state the hub
 * keeps per snapshot, and which change notices make one stale. The scheduler (subscribed
 * snapshots) and the read cache (one-off reads) share this table.
 */
import type { Push, Stop } from "@repeaterjs/repeater";
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

export interface Subscriber {
  push: Push<unknown>;
  stop: Stop;
}

export interface ActiveSnapshot {
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
   * Average time between two computations under a stream of notices: the tick, or twice what the
   * last push to all subscribers cost the event loop, whichever is longer. Many subscribers
   * therefore get fewer, coalesced pushes instead of a backlog that delays everything else.
   */
  minIntervalMs: number;
  /**
   * Computations that may start now (a token bucket): refilled at one per `minIntervalMs` up to
   * {@link computeBurst}, one spent per computation. A change after a quiet spell is computed at
   * once; a stream of changes is computed once per interval on average.
   */
  credit: number;
  /** When `credit` was last brought up to date. */
  creditAt: number;
}

/**
 * Computations a snapshot may start back to back after a quiet spell. In any span of `t` ms a
 * snapshot is computed at most `computeBurst + t / minIntervalMs` times (plus its refreshes).
 */
export const computeBurst = 2;

export interface HubStats {
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

export function newHubStats(): HubStats {
  return {
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
}

/** Whether `notice` makes the snapshot of `source` stale. */
export function concerns(source: SnapshotSource<unknown>, notice: ChangeNotice): boolean {
  return source.tradeId !== undefined
    ? notice.tradeIdsTruncated === true || notice.tradeIds.includes(source.tradeId)
    : source.tables === "all" || notice.tables.some((t) => source.tables.includes(t));
}

/**
 * The snapshots with subscribers, and (kept for about a tick) those computed for one-off reads,
 * by key; `stats.snapshots` follows its size.
 */
export class SnapshotTable {
  private readonly byKey = new Map<string, ActiveSnapshot>();

  constructor(
    private readonly stats: HubStats,
    private readonly tickMs: number,
  ) {}

  get(key: string): ActiveSnapshot | undefined {
    return this.byKey.get(key);
  }

  /** Whether `snapshot` is still the table's snapshot for its key. */
  holds(snapshot: ActiveSnapshot): boolean {
    return this.byKey.get(snapshot.source.key) === snapshot;
  }

  /** A new snapshot of `source`, in the table (replacing none: call when `get` found nothing). */
  add(source: SnapshotSource<unknown>): ActiveSnapshot {
    const snapshot: ActiveSnapshot = {
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
      credit: computeBurst,
      creditAt: Date.now(),
    };
    this.byKey.set(source.key, snapshot);
    this.stats.snapshots = this.byKey.size;
    return snapshot;
  }

  delete(snapshot: ActiveSnapshot): void {
    if (!this.holds(snapshot)) return;
    this.byKey.delete(snapshot.source.key);
    this.stats.snapshots = this.byKey.size;
  }

  values(): IterableIterator<ActiveSnapshot> {
    return this.byKey.values();
  }
}
