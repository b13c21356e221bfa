/** What a queue may hold: at most `capacity` items and about `maxBytes` bytes of them. */
export interface QueueLimits {
  capacity: number;
  /** An item is admitted while the queue holds less than this, so it can exceed it by one item. */
  maxBytes: number;
}

/**
 * A FIFO bounded twice: in items and in bytes (each item's weight is given when it is pushed).
 * The consumer pushes while `hasRoom()`; the writer takes batches of up to `maxItems` items and
 * `maxBytes` bytes (a single larger item still forms a batch) as soon as that much is queued, the
 * oldest item has waited `maxWaitMs`, or the items queued were declared complete with
 * {@link flush} (nothing more is on its way), whichever comes first.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private weights: number[] = [];
  private enqueuedAt: number[] = [];
  private head = 0;
  private queuedBytes = 0;
  private wake: (() => void) | null = null;
  private roomWaiters: Array<() => void> = [];
  private closed = false;
  /** Items pushed so far, and how many of them were pushed before the last {@link flush}. */
  private pushed = 0;
  private flushedUpTo = 0;

  readonly limits: QueueLimits;

  /** A number bounds the items only. */
  constructor(limits: QueueLimits | number) {
    this.limits =
      typeof limits === "number"
        ? { capacity: limits, maxBytes: Number.POSITIVE_INFINITY }
        : limits;
  }

  get capacity(): number {
    return this.limits.capacity;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  hasRoom(): boolean {
    return this.size < this.limits.capacity && this.queuedBytes < this.limits.maxBytes;
  }

  /** At or below `fraction` of both limits. */
  isBelow(fraction: number): boolean {
    return (
      this.size <= this.limits.capacity * fraction &&
      this.queuedBytes <= this.limits.maxBytes * fraction
    );
  }

  push(item: T, bytes = 0): void {
    if (!this.hasRoom())
      throw new Error(
        `queue is full (${this.size}/${this.limits.capacity} items, ${this.queuedBytes}/${this.limits.maxBytes} bytes)`,
      );
    this.items.push(item);
    this.weights.push(bytes);
    this.enqueuedAt.push(Date.now());
    this.queuedBytes += bytes;
    this.pushed++;
    this.signal();
  }

  /**
   * Nothing more is on its way for now (the consumer handed over everything it fetched): the
   * items queued so far are taken without waiting for the batch to fill or for `maxWaitMs`.
   */
  flush(): void {
    if (this.flushedUpTo === this.pushed) return;
    this.flushedUpTo = this.pushed;
    this.signal();
  }

  /** Resolves true as soon as there is room, or false after `timeoutMs` without room. */
  async waitForRoom(timeoutMs: number): Promise<boolean> {
    if (this.hasRoom()) return true;
    let timer: NodeJS.Timeout | undefined;
    let notify: () => void = () => {};
    const room = new Promise<boolean>((resolve) => {
      notify = () => resolve(true);
      timer = setTimeout(() => resolve(false), timeoutMs);
      this.roomWaiters.push(notify);
    });
    const result = await room;
    clearTimeout(timer);
    this.roomWaiters = this.roomWaiters.filter((w) => w !== notify);
    return result || this.hasRoom();
  }

  /** Stop waiting for more: the next batches are handed out at once until the queue is empty. */
  close(): void {
    this.closed = true;
    this.signal();
  }

  /** Waiters re-check their condition (after push, close, or when asked to re-evaluate). */
  signal(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Resolves with the next batch; an empty batch only once the queue is closed and empty. */
  async nextBatch(
    maxItems: number,
    maxWaitMs: number,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<T[]> {
    for (;;) {
      const full = this.size >= maxItems || this.queuedBytes >= maxBytes;
      // Items still queued that were pushed before the last flush: nothing to wait for.
      const flushed = this.pushed - this.size < this.flushedUpTo;
      if (full || (this.size > 0 && (this.closed || flushed))) return this.take(maxItems, maxBytes);
      if (this.closed) return [];
      let timer: NodeJS.Timeout | undefined;
      if (this.size > 0) {
        const waited = Date.now() - this.enqueuedAt[this.head]!;
        if (waited >= maxWaitMs) return this.take(maxItems, maxBytes);
        timer = setTimeout(() => this.signal(), maxWaitMs - waited);
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      clearTimeout(timer);
    }
  }

  private take(maxItems: number, maxBytes: number): T[] {
    const last = Math.min(this.items.length, this.head + maxItems);
    let end = this.head + 1;
    let bytes = this.weights[this.head]!;
    while (end < last && bytes + this.weights[end]! <= maxBytes) bytes += this.weights[end++]!;
    const batch = this.items.slice(this.head, end);
    this.head = end;
    this.queuedBytes -= bytes;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    waiters.forEach((notify) => notify());
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.weights = this.weights.slice(this.head);
      this.enqueuedAt = this.enqueuedAt.slice(this.head);
      this.head = 0;
    }
    return batch;
  }
}
