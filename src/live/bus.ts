/**
 * What a change bus is: publish change notices fire-and-forget, subscribe listeners to them.
 * Implementations: {@link inProcessBus} (one replica) and {@link redisBus} (every replica).
 */
import type { Logger } from "../log.js";
import type { ChangeNotice } from "./notice.js";

export const defaultChangeChannel = "rttm:changes";

export interface BusStats {
  /** Notices handed to the transport successfully (for Redis: PUBLISH acknowledged). */
  published: number;
  /** Publishes that failed or were refused (Redis down, timed out, bus closed, too many in flight). */
  publishFailures: number;
  /** Notices delivered to this bus's listeners from other publishers (in process: every publish). */
  received: number;
  /** Messages on the channel that were not valid notices (ignored). */
  malformed: number;
  /** Resync notices handed to listeners after the subscription was restored. */
  resyncs: number;
}

export interface ChangeBus {
  /** Fire and forget; never throws. */
  publish(notice: ChangeNotice): void;
  /** Returns the function that unsubscribes. Listeners' exceptions are logged, never propagated. */
  subscribe(listener: (notice: ChangeNotice) => void): () => void;
  close(): Promise<void>;
  /** For Redis: both connections ready and the channel subscribed. */
  readonly healthy: boolean;
  /** The bus's counts now. */
  stats(): BusStats;
}

export type NoticeListener = (notice: ChangeNotice) => void;

export function newBusStats(): BusStats {
  return { published: 0, publishFailures: 0, received: 0, malformed: 0, resyncs: 0 };
}

/** Hands a notice to every listener subscribed now, on a microtask (never inside publish), isolating their failures. */
export class NoticeListeners {
  private readonly set = new Set<NoticeListener>();
  constructor(private readonly logger: Logger) {}

  add(listener: NoticeListener): () => void {
    // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
    const entry: NoticeListener = (notice) => listener(notice);
    this.set.add(entry);
    return () => void this.set.delete(entry);
  }

  deliver(notice: ChangeNotice): void {
    const targets = [...this.set];
    if (targets.length === 0) return;
    queueMicrotask(() => {
      for (const listener of targets) {
        try {
          listener(notice);
        } catch (err) {
          this.logger.error("change notice listener failed", { err, origin: notice.origin });
        }
      }
    });
  }

  clear(): void {
    this.set.clear();
  }
}
