import type { Pool } from "pg";
import { alertsChangeTable } from "../domain/changes.js";
import { resyncOrigin, type ChangeBus } from "../live/pubsub.js";
import type { Logger } from "../log.js";
import { eventsAfter, lastEventId } from "./store.js";
import type { AlertEventWithAlert } from "./types.js";

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

/** Delivers every value in order; holds at most `max` undelivered, then fails instead of growing. */
class EventStream<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiting: {
    resolve: (r: IteratorResult<T>) => void;
    reject: (err: Error) => void;
  } | null = null;
  private failure: Error | null = null;
  private done = false;

  constructor(
    private readonly max: number,
    private readonly onClose: () => void,
  ) {}

  push(value: T): void {
    if (this.done) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
    } else if (this.buffer.length >= this.max) {
      this.fail(
        new Error(
          `alertEvents: the subscriber fell more than ${this.max} events behind; subscribe again with afterEventId set to the last event id received`,
        ),
      );
    } else {
      this.buffer.push(value);
    }
  }

  fail(err: Error): void {
    if (this.done) return;
    this.buffer.length = 0;
    this.failure = err;
    if (this.waiting) {
      const { reject } = this.waiting;
      this.waiting = null;
      this.failure = null;
      reject(err);
    }
    this.close();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0)
      return Promise.resolve({ value: this.buffer.shift()!, done: false });
    if (this.failure) {
      const err = this.failure;
      this.failure = null;
      return Promise.reject(err);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err: unknown): Promise<IteratorResult<T>> {
    this.close();
    return Promise.reject(err);
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.waiting?.resolve({ value: undefined, done: true });
    this.waiting = null;
    this.onClose();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

interface Subscriber {
  /** Last event id delivered (or to start after); null until the feed knows the newest id. */
  cursor: bigint | null;
  stream: EventStream<AlertEventWithAlert>;
}

/**
 * Every alert lifecycle change (RAISED, ESCALATED, ACKNOWLEDGED, RESOLVED), in order, for the
 * alertEvents subscription. One feed per replica reads rttm_alert_events after the highest id it
 * has seen, whenever a change notice for "alerts" arrives (from any replica's evaluator or
 * mutations, through the change bus) and every pollMs while anyone listens, and hands each event
 * to every subscriber: one query per change for all subscribers. Event ids grow in commit order
 * (see store.ts), so reading "after the last id" never skips an event. A subscriber may resume
 * with afterEventId; one that falls maxBuffered events behind is ended with an error rather than
 * buffered without bound.
 */
export class AlertFeed {
  readonly stats = { reads: 0, delivered: 0, readFailures: 0 };
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

  /** Events after `afterEventId`, or from now on when null. */
  subscribe(afterEventId: bigint | null = null): AsyncIterableIterator<AlertEventWithAlert> {
    const subscriber: Subscriber = {
      cursor: afterEventId ?? this.head,
      stream: new EventStream(this.options.maxBuffered, () => {
        this.subscribers.delete(subscriber);
        if (this.subscribers.size === 0) this.idle();
      }),
    };
    this.subscribers.add(subscriber);
    if (!this.timer) {
      this.timer = setInterval(() => this.wake(), this.options.pollMs);
      this.timer.unref();
    }
    this.wake();
    return subscriber.stream;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  close(): void {
    this.unsubscribeBus();
    for (const subscriber of [...this.subscribers]) subscriber.stream.close();
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
        this.stats.reads++;
      }
      for (const s of this.subscribers) s.cursor ??= this.head;
      for (;;) {
        const listening = [...this.subscribers];
        if (listening.length === 0) return;
        const from = listening.reduce((min, s) => (s.cursor! < min ? s.cursor! : min), this.head);
        const events = await eventsAfter(this.db, from, this.options.batchSize);
        this.stats.reads++;
        for (const event of events) {
          const id = BigInt(event.id);
          for (const s of this.subscribers) {
            if (s.cursor !== null && s.cursor < id) {
              s.cursor = id;
              s.stream.push(event);
              this.stats.delivered++;
            }
          }
          if (id > this.head!) this.head = id;
        }
        if (events.length < this.options.batchSize) return;
      }
    } catch (err) {
      this.stats.readFailures++;
      this.logger.warn("alert events not read; trying again at the next notice or poll", { err });
    }
  }
}
