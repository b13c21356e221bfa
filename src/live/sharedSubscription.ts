import type { ExecutionResult } from "graphql";
import type { FanOut, FrameSocket } from "./fanout.js";
import { nextFrameHead, nextFramePayload } from "./graphqlWsFrames.js";

/** The group of a graphql-ws subscription: its snapshot, operation document and variables. */
export function subscriptionGroupKey(
  snapshotKey: string,
  query: string,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): string {
  return `gql\0${snapshotKey}\0${operationName ?? ""}\0${JSON.stringify(variables ?? null)}\0${query}`;
}

const finished: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * One graphql-ws subscriber's membership in its group, as the async iterator graphql-ws follows.
 * It yields nothing: frames reach the socket from the fan-out. graphql-ws still owns the
 * protocol: `complete` from the client or the socket closing calls `return` (the member leaves
 * the group), and the group ending settles the pending `next` (graphql-ws then sends `complete`,
 * or `error` when the group's source failed). `results` (the operation subscribed for this
 * subscriber) becomes the group's source when the group is new, else is returned unread.
 *
 * Not a Repeater, unlike the value streams (hub.ts, alerts/feed.ts): it never holds a value, and
 * at one per idle subscriber a Repeater's state (record, stop promise, executor frame) was 1.4 KB
 * of heap per connection (scripts/bench/lib/connectionMemory.ts), this object a fraction of it.
 */
export class SharedSubscription implements AsyncGenerator<never, undefined> {
  private leave: (() => void) | null = null;
  private settle: ((err?: unknown) => void) | null = null;
  private ended: { err?: unknown } | null = null;

  constructor(
    private readonly fanout: FanOut,
    private readonly key: string,
    /** Dropped once handed to the group (or returned): a member holds no execution state. */
    private results: AsyncIterable<ExecutionResult> | null,
    private readonly socket: FrameSocket,
    private readonly id: string,
  ) {}

  /** Joins the group at the first call (graphql-ws calls it at once); settles when the group ends. */
  next(): Promise<IteratorResult<never, undefined>> {
    if (this.ended) {
      const { err } = this.ended;
      this.ended = { err: undefined };
      return err === undefined ? Promise.resolve(finished) : Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.settle = (err) => (err === undefined ? resolve(finished) : reject(err));
      const results = this.results;
      if (results === null) return;
      this.results = null;
      this.leave = this.fanout.join(this.key, results[Symbol.asyncIterator](), nextFramePayload, {
        socket: this.socket,
        head: nextFrameHead(this.id),
        end: (err) => this.end(err),
      });
    });
  }

  return(): Promise<IteratorResult<never, undefined>> {
    void this.results?.[Symbol.asyncIterator]().return?.();
    this.results = null;
    this.end();
    return Promise.resolve(finished);
  }

  throw(err: unknown): Promise<IteratorResult<never, undefined>> {
    this.end();
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  /** Leaves the group (once) and settles a pending `next`: done, or rejected with `err`. */
  private end(err?: unknown): void {
    if (this.ended) return;
    this.ended = { err };
    this.leave?.();
    this.leave = null;
    const settle = this.settle;
    this.settle = null;
    if (settle) {
      this.ended = { err: undefined };
      settle(err);
    }
  }
}
