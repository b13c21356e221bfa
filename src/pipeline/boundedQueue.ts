/**
 * A FIFO of at most `capacity` items. The consumer pushes while `hasRoom()`; the writer takes
 * batches of up to `maxBatch` as soon as that many are queued or the oldest item has waited
 * `maxWaitMs`, whichever comes first.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private enqueuedAt: number[] = [];
  private wake: (() => void) | null = null;
  private roomWaiters: Array<() => void> = [];
  private closed = false;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  hasRoom(): boolean {
    return this.size < this.capacity;
  }

  push(item: T): void {
    if (!this.hasRoom()) throw new Error(`queue is full (capacity ${this.capacity})`);
    this.items.push(item);
    this.enqueuedAt.push(Date.now());
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
  async nextBatch(maxBatch: number, maxWaitMs: number): Promise<T[]> {
    for (;;) {
      if (this.size >= maxBatch || (this.size > 0 && this.closed)) return this.take(maxBatch);
      if (this.closed) return [];
      let timer: NodeJS.Timeout | undefined;
      if (this.size > 0) {
        const waited = Date.now() - this.enqueuedAt[this.head]!;
        if (waited >= maxWaitMs) return this.take(maxBatch);
        timer = setTimeout(() => this.signal(), maxWaitMs - waited);
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      clearTimeout(timer);
    }
  }

  private take(maxBatch: number): T[] {
    const end = Math.min(this.items.length, this.head + maxBatch);
    const batch = this.items.slice(this.head, end);
    this.head = end;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    waiters.forEach((notify) => notify());
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.enqueuedAt = this.enqueuedAt.slice(this.head);
      this.head = 0;
    }
    return batch;
  }
}
