/**
 * Fan-out of shared, serialised payloads straight to sockets. Subscribers that receive the same
 * thing (the same snapshot through the same GraphQL operation and variables, or the same snapshot
 * through the same raw serializer) form one group: each new value is serialised once for the
 * group, and each member's frame is that payload with the member's own prefix (graphql-ws: its
 * subscription id) in front. Writing is spread over event-loop turns in slices of bounded time,
 * so a push to many sockets never holds the loop for long. A member whose socket has not flushed
 * its previous frame is skipped and written the group's newest payload once it has: it holds at
 * most one pending value, and never an older one.
 */
import type { Logger } from "../log.js";

/** What the fan-out needs of a socket (a `ws` WebSocket has it). */
export interface FrameSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Buffer, options: { binary: boolean }): void;
}

const open = 1; // WebSocket.OPEN

/** A socket in a group, with the bytes that precede the shared payload in its frames. */
export interface Member {
  readonly socket: FrameSocket;
  /** Bytes before the payload in this member's frames (graphql-ws: the id), or null: the payload alone. */
  readonly head: Buffer | null;
  /** Called once when the group ends: with its error, or without one when its source completed. */
  readonly end: (err?: unknown) => void;
}

export interface FanOutOptions {
  /**
   * Longest run of socket writes in one event-loop turn, ms; then the rest waits for the next
   * turn (after I/O and timers).
   * @default 4
   */
  sliceMs?: number;
  /**
   * How often members skipped because their socket had not flushed are tried again, ms.
   * @default 25
   */
  retryMs?: number;
}

export interface FanOutStats {
  groups: number;
  members: number;
  /** Values serialised (once per group per value). */
  serialisations: number;
  framesWritten: number;
  bytesWritten: number;
  /** Payloads a slow member never got because a newer one replaced them. */
  coalesced: number;
  /** Write slices run (each at most sliceMs). */
  slices: number;
  /** Groups ended by their source's error. */
  groupErrors: number;
}

interface MemberState extends Member {
  group: Group;
  /** Sequence number of the payload last written to it (0: none). */
  sent: number;
  waiting: boolean;
}

interface Group {
  key: string;
  members: Set<MemberState>;
  /** The newest payload (one frame, or several sent in order) and its sequence number (from 1). */
  payload: Buffer | readonly Buffer[] | null;
  seq: number;
  /** Members still to write in the current round, or null when the round is done. */
  round: Iterator<MemberState> | null;
  /** A newer payload arrived during the round: another round once this one ends. */
  again: boolean;
  source: AsyncIterator<unknown>;
  serialize: (value: unknown) => Buffer | readonly Buffer[];
  ended: boolean;
}

export class FanOut {
  private readonly counts: FanOutStats = {
    groups: 0,
    members: 0,
    serialisations: 0,
    framesWritten: 0,
    bytesWritten: 0,
    coalesced: 0,
    slices: 0,
    groupErrors: 0,
  };
  private readonly groups = new Map<string, Group>();
  /** Groups with a round in progress, in the order their values arrived. */
  private readonly pending = new Set<Group>();
  private readonly waiting = new Set<MemberState>();
  private drainScheduled = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly sliceMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly logger: Logger,
    options: FanOutOptions = {},
  ) {
    this.sliceMs = options.sliceMs ?? 4;
    this.retryMs = options.retryMs ?? 25;
  }

  /** The fan-out's counts now. */
  stats(): Readonly<FanOutStats> {
    return { ...this.counts };
  }

  /**
   * Adds `member` to the group `key`. A new group starts reading `source` (each value is
   * serialised once with `serialize`); an existing one ignores the given source, which is
   * returned unread. The member gets the group's newest payload at once when there is one.
   * Returns the function that removes it; the last member leaving ends the group's source.
   */
  join<T>(
    key: string,
    source: AsyncIterator<T>,
    serialize: (value: T) => Buffer | readonly Buffer[],
    member: Member,
  ): () => void {
    let group = this.groups.get(key);
    if (group) {
      void source.return?.();
    } else {
      group = {
        key,
        members: new Set(),
        payload: null,
        seq: 0,
        round: null,
        again: false,
        source,
        serialize: serialize as (value: unknown) => Buffer | readonly Buffer[],
        ended: false,
      };
      this.groups.set(key, group);
      this.counts.groups = this.groups.size;
      void this.read(group);
    }
    const state: MemberState = { ...member, group, sent: 0, waiting: false };
    group.members.add(state);
    this.counts.members++;
    if (group.payload) this.write(state);
    return () => this.leave(state);
  }

  /** Whether a group exists for `key` (a new member would share it). */
  has(key: string): boolean {
    return this.groups.has(key);
  }

  close(): void {
    for (const group of [...this.groups.values()]) this.end(group);
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
  }

  private leave(state: MemberState): void {
    const { group } = state;
    if (!group.members.delete(state)) return;
    this.counts.members--;
    this.waiting.delete(state);
    if (group.members.size === 0 && !group.ended) {
      group.ended = true;
      this.drop(group);
      void group.source.return?.();
    }
  }

  private drop(group: Group): void {
    if (this.groups.get(group.key) === group) this.groups.delete(group.key);
    this.pending.delete(group);
    this.counts.groups = this.groups.size;
  }

  /** Ends the group and every member (with the source's error, if any). */
  private end(group: Group, err?: unknown): void {
    if (!group.ended) {
      group.ended = true;
      void group.source.return?.();
    }
    this.drop(group);
    for (const state of [...group.members]) {
      this.leave(state);
      try {
        state.end(err);
      } catch (endErr) {
        this.logger.error("live member did not end cleanly", { err: endErr, group: group.key });
      }
    }
  }

  private async read(group: Group): Promise<void> {
    try {
      for (;;) {
        const next = await group.source.next();
        if (group.ended) return;
        if (next.done) return this.end(group);
        const payload = group.serialize(next.value);
        this.counts.serialisations++;
        this.publish(group, payload);
      }
    } catch (err) {
      if (group.ended) return;
      this.counts.groupErrors++;
      this.logger.warn("live group ended by an error; its members get it", {
        group: group.key.slice(0, 200),
        members: group.members.size,
        err,
      });
      this.end(group, err);
    }
  }

  /**
   * A new payload for the group: a round over its members. A round in progress goes on (the
   * members it has not reached get the new payload) and one more round follows for those it
   * already wrote; restarting it would starve the members at its end whenever values come faster
   * than a round takes.
   */
  private publish(group: Group, payload: Buffer | readonly Buffer[]): void {
    group.payload = payload;
    group.seq++;
    if (group.round) {
      group.again = true;
      return;
    }
    group.round = group.members.values();
    this.pending.add(group);
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => this.drain());
  }

  /** Writes rounds for at most sliceMs, then yields the event loop. */
  private drain(): void {
    this.drainScheduled = false;
    this.counts.slices++;
    const deadline = performance.now() + this.sliceMs;
    let count = 0;
    for (const group of this.pending) {
      for (;;) {
        const next = group.round?.next();
        if (!next || next.done) {
          if (group.again) {
            group.again = false;
            group.round = group.members.values();
            continue;
          }
          group.round = null;
          this.pending.delete(group);
          break;
        }
        this.write(next.value);
        // Reading the clock every 32 writes keeps its cost out of the per-member cost.
        if (++count % 32 === 0 && performance.now() >= deadline) return this.scheduleDrain();
      }
    }
  }

  private write(state: MemberState): void {
    const { group, socket } = state;
    const payload = group.payload;
    if (payload === null || state.sent === group.seq || socket.readyState !== open) return;
    if (socket.bufferedAmount > 0) {
      // Not flushed yet: try again later with whatever is newest then (a value already pending
      // for it is replaced, never queued behind).
      if (state.waiting) this.counts.coalesced++;
      state.waiting = true;
      this.waiting.add(state);
      this.startRetries();
      return;
    }
    if (Buffer.isBuffer(payload)) this.send(state, payload);
    else for (const part of payload) this.send(state, part);
    state.sent = group.seq;
    state.waiting = false;
  }

  private send({ socket, head }: MemberState, payload: Buffer): void {
    const frame =
      head === null ? payload : Buffer.concat([head, payload], head.length + payload.length);
    socket.send(frame, { binary: false });
    this.counts.framesWritten++;
    this.counts.bytesWritten += frame.length;
  }

  private startRetries(): void {
    if (this.retryTimer) return;
    this.retryTimer = setInterval(() => {
      for (const state of this.waiting) {
        if (state.socket.readyState !== open) this.waiting.delete(state);
        else if (state.socket.bufferedAmount === 0) {
          this.waiting.delete(state);
          this.write(state);
        }
      }
      if (this.waiting.size === 0 && this.retryTimer) {
        clearInterval(this.retryTimer);
        this.retryTimer = null;
      }
    }, this.retryMs);
    this.retryTimer.unref();
  }
}
