import { FixedBuffer, Repeater, type Push, type Stop } from "@repeaterjs/repeater";
import type { Pool } from "pg";
import { alertsChangeTable } from "../domain/changes.js";
import { resyncOrigin, type ChangeBus } from "../live/index.js";
import type { Logger } from "../log.js";
import { eventsAfter, lastEventId } from "../store/read/index.js";
import type { AlertEventWithAlert } from "../domain/alerts.js";

export interface FeedOptions {
  /** Read anyway this often while anyone listens (notices are hints and can be lost). */
  pollMs: number;
  /** Events read per query. */
  batchSize: number;
  /** Undelivered events one subscriber may hold; beyond it the subscription ends with an error. */
  maxBuffered: number;
}

export const defaultFeedOptions: FeedOptions = {
  pollMs: 10_000,
  batchSize: 500,
  maxBuffered: 1_000,
};

interface Subscriber {
  /** Last event id delivered (or to start after); null until the feed knows the newest id. */
  cursor: bigint | null;
  /** Hands the subscriber its next event (or ends it when it is too far behind). */
  deliver(event: AlertEventWithAlert): void;
  /** Ends the subscription (feed closing). */
  end(): void;
}

/**
 * Every alert lifecycle change (RAISED, ESCALATED, ACKNOWLEDGED, RESOLVED), in order, for the
 * alertEvents subscription. One feed per replica reads rttm_alert_events after the highest id it
 * has seen, whenever a change notice for "alerts" arrives (from any replica's evaluator or
 * mutations, through the change bus) and every pollMs while anyone listens, and hands each event
 * to every subscriber: one query per change for all subscribers. Event ids grow in commit order
 * (see src/alerts/store.ts), so reading "after the last id" never skips an event. A subscriber may resume
 * with afterEventId; one that falls maxBuffered events behind is ended with an error rather than
 * buffered without bound.
 */
export interface AlertFeedStats {
  /** Reads of new alert events. */
  reads: number;
  /** Alert events handed to subscribers. */
  delivered: number;
  /** Reads that failed (retried at the next notice or poll). */
  readFailures: number;
}

export class AlertFeed {
  private readonly counts: AlertFeedStats = { reads: 0, delivered: 0, readFailures: 0 };
  private readonly subscribers = new Set<Subscriber>();
  private head: bigint | null = null;
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly unsubscribeBus: () => void;

  constructor(
    private readonly db: Pool,
    bus: ChangeBus,
    private readonly logger: Logger,
    private readonly options: FeedOptions = defaultFeedOptions,
  ) {
    this.unsubscribeBus = bus.subscribe((notice) => {
      if (notice.tables.includes(alertsChangeTable) || notice.origin === resyncOrigin) this.wake();
    });
  }

  /** The feed's counts now. */
  stats(): AlertFeedStats {
    return { ...this.counts };
  }

  /**
   * Events after `afterEventId`, or from now on when null: a Repeater with a FixedBuffer of
   * `maxBuffered`. The subscriber is registered at once (its position is fixed now, not at its
   * first `next()`); events arriving before its first `next()` wait in a queue of the same bound.
   */
  subscribe(afterEventId: bigint | null = null): AsyncIterableIterator<AlertEventWithAlert> {
    const max = this.options.maxBuffered;
    const buffer = new FixedBuffer(max);
    let push: Push<AlertEventWithAlert> | null = null;
    let stop: Stop | null = null;
    let beforeStart: AlertEventWithAlert[] = [];
    let failure: Error | null = null;
    let ended = false;
    const leave = () => {
      if (!this.subscribers.delete(subscriber)) return;
      if (this.subscribers.size === 0) this.idle();
    };
    const subscriber: Subscriber = {
      cursor: afterEventId ?? this.head,
      deliver: (event) => {
        if (push ? buffer.full : beforeStart.length >= max) {
          // Ends it now, dropping what it did not take: the client resumes with afterEventId.
          failure = new Error(
            `alertEvents: the subscriber fell more than ${max} events behind; subscribe again with afterEventId set to the last event id received`,
          );
          leave();
          beforeStart = [];
          if (push) void push(Promise.reject(failure));
        } else if (push) void push(event);
        else beforeStart.push(event);
      },
      end: () => {
        ended = true;
        leave();
        stop?.();
      },
    };
    this.subscribers.add(subscriber);
    if (!this.timer) {
      this.timer = setInterval(() => this.wake(), this.options.pollMs);
      this.timer.unref();
    }
    this.wake();
    return new Repeater<AlertEventWithAlert>(async (repeaterPush, repeaterStop) => {
      if (failure) throw failure;
      if (ended) return repeaterStop();
      push = repeaterPush;
      stop = repeaterStop;
      for (const event of beforeStart) void push(event);
      beforeStart = [];
      await stop;
      leave();
    }, buffer);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  close(): void {
    this.unsubscribeBus();
    for (const subscriber of [...this.subscribers]) subscriber.end();
    this.idle();
  }

  /** Reads now, or once more after the read in progress. */
  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.read().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private idle(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Nobody listens, so the newest id is no longer followed: learn it afresh for the next subscriber.
    this.head = null;
  }

  private async read(): Promise<void> {
    try {
      if (this.subscribers.size === 0) return;
      if (this.head === null) {
        this.head = await lastEventId(this.db);
        this.counts.reads++;
      }
      for (const s of this.subscribers) s.cursor ??= this.head;
      for (;;) {
        const listening = [...this.subscribers];
        if (listening.length === 0) return;
        const from = listening.reduce((min, s) => (s.cursor! < min ? s.cursor! : min), this.head);
        const events = await eventsAfter(this.db, from, this.options.batchSize);
        this.counts.reads++;
        for (const event of events) {
          const id = BigInt(event.id);
          for (const s of this.subscribers) {
            if (s.cursor !== null && s.cursor < id) {
              s.cursor = id;
              s.deliver(event);
              this.counts.delivered++;
            }
          }
          if (id > this.head!) this.head = id;
        }
        if (events.length < this.options.batchSize) return;
      }
    } catch (err) {
      this.counts.readFailures++;
      this.logger.warn("alert events not read; trying again at the next notice or poll", { err });
    }
  }
}
