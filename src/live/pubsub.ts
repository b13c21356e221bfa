/**
 * Change notices: the ingest writer says which tables (and trades) a stored batch touched, and
 * every replica's live hub marks the snapshots that depend on them stale. In one process an
 * EventEmitter carries them; across replicas, Redis pub/sub.
 *
 * Notices are hints, not data: losing one delays a dashboard until the next notice or refresh,
 * it never corrupts anything. So publishing is fire-and-forget and never blocks or throws; what
 * the Redis bus cannot send while Redis is down is coalesced into one bounded notice and sent on
 * reconnection, and a subscriber that was disconnected (and so may have missed notices) hands its
 * listeners a "resync" notice that marks everything stale.
 */
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import { changeTables } from "../domain/changes.js";
import type { Logger } from "../log.js";
import { log as rootLogger } from "../log.js";
import {
  closeRedisClient,
  createRedisClient,
  redisAddress,
  redisStatus,
  type RedisConnectionConfig,
} from "./redis.js";

export const maxTradeIdsPerNotice = 5_000;
export const defaultChangeChannel = "rttm:changes";
/** `origin` of the notice a subscriber hands its listeners after a gap in its subscription. */
export const resyncOrigin = "rttm:resync";

export interface ChangeNotice {
  /** Replica id of the writer (unique per replica). */
  origin: string;
  /** Epoch ms when the change was stored. */
  at: number;
  /** Which tables changed, e.g. "tradeEvents", "dlqEvents". */
  tables: string[];
  /** Trades touched; at most {@link maxTradeIdsPerNotice}. */
  tradeIds: string[];
  /** True when more trades changed than `tradeIds` lists (or which is unknown): treat every trade as changed. */
  tradeIdsTruncated?: boolean;
}

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
  readonly stats: BusStats;
}

type Listener = (notice: ChangeNotice) => void;

/** A copy of `notice` within the limits: distinct table names, at most 5000 distinct trade ids (more → `tradeIdsTruncated`). */
export function boundNotice(notice: ChangeNotice): ChangeNotice {
  const tradeIds = new Set<string>();
  let truncated = notice.tradeIdsTruncated === true;
  for (const id of notice.tradeIds) {
    if (tradeIds.size >= maxTradeIdsPerNotice) {
      if (!tradeIds.has(id)) {
        truncated = true;
        break;
      }
      continue;
    }
    tradeIds.add(id);
  }
  const bounded: ChangeNotice = {
    origin: notice.origin,
    at: notice.at,
    tables: [...new Set(notice.tables)],
    tradeIds: [...tradeIds],
  };
  if (truncated) bounded.tradeIdsTruncated = true;
  return bounded;
}

/** The notice in a channel message, or null when it is not one. */
export function parseNotice(message: string): ChangeNotice | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const strings = (x: unknown): x is string[] =>
    Array.isArray(x) && x.every((s) => typeof s === "string");
  if (typeof v.origin !== "string" || v.origin === "") return null;
  if (typeof v.at !== "number" || !Number.isFinite(v.at)) return null;
  if (!strings(v.tables) || !strings(v.tradeIds)) return null;
  if (v.tradeIdsTruncated !== undefined && typeof v.tradeIdsTruncated !== "boolean") return null;
  return boundNotice({
    origin: v.origin,
    at: v.at,
    tables: v.tables,
    tradeIds: v.tradeIds,
    tradeIdsTruncated: v.tradeIdsTruncated,
  });
}

function resyncNotice(): ChangeNotice {
  return {
    origin: resyncOrigin,
    at: Date.now(),
    tables: [...changeTables],
    tradeIds: [],
    tradeIdsTruncated: true,
  };
}

function newStats(): BusStats {
  return { published: 0, publishFailures: 0, received: 0, malformed: 0, resyncs: 0 };
}

/** Hands a notice to every listener subscribed now, on a microtask (never inside publish), isolating their failures. */
class Listeners {
  private readonly set = new Set<Listener>();
  constructor(private readonly logger: Logger) {}

  add(listener: Listener): () => void {
    // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
    const entry: Listener = (notice) => listener(notice);
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

/** One replica without Redis: notices go straight to this process's listeners. */
export function inProcessBus(
  logger: Logger = rootLogger.child({ component: "changeBus" }),
): ChangeBus {
  // An EventEmitter would call listeners synchronously inside publish; Listeners defers them.
  const events = new EventEmitter();
  const listeners = new Listeners(logger);
  events.on("notice", (notice: ChangeNotice) => listeners.deliver(notice));
  const stats = newStats();
  let closed = false;
  return {
    stats,
    get healthy() {
      return !closed;
    },
    publish(notice) {
      if (closed) {
        stats.publishFailures++;
        return;
      }
      try {
        events.emit("notice", boundNotice(notice));
        stats.published++;
        stats.received++;
      } catch (err) {
        stats.publishFailures++;
        logger.error("change notice not published", { err });
      }
    },
    subscribe: (listener) => listeners.add(listener),
    async close() {
      closed = true;
      listeners.clear();
      events.removeAllListeners();
    },
  };
}

/** PUBLISHes awaiting their reply beyond which new ones are refused (coalesced) rather than queued. */
const maxInFlight = 64;
/** Digests of recently sent payloads, to recognise their echo on the subscriber connection. */
const maxSentDigests = 4_096;
/** Both connections are PINGed this often; no reply within the command timeout → reconnect. */
const watchdogMs = 5_000;

/** Notices that could not be sent, merged into one, with at most 5000 trade ids. */
class Coalesced {
  private tables = new Set<string>();
  private tradeIds = new Set<string>();
  private truncated = false;
  private origin: string | null = null;

  get empty(): boolean {
    return this.origin === null;
  }

  add(notice: ChangeNotice): void {
    this.origin = notice.origin;
    for (const t of notice.tables) this.tables.add(t);
    if (notice.tradeIdsTruncated) this.truncated = true;
    for (const id of notice.tradeIds) {
      if (this.truncated) break;
      if (this.tradeIds.size >= maxTradeIdsPerNotice && !this.tradeIds.has(id))
        this.truncated = true;
      else this.tradeIds.add(id);
    }
    if (this.truncated) this.tradeIds.clear(); // every trade counts as changed anyway
  }

  take(): ChangeNotice | null {
    if (this.origin === null) return null;
    const notice: ChangeNotice = {
      origin: this.origin,
      at: Date.now(),
      tables: [...this.tables],
      tradeIds: [...this.tradeIds],
    };
    if (this.truncated) notice.tradeIdsTruncated = true;
    this.tables = new Set();
    this.tradeIds = new Set();
    this.truncated = false;
    this.origin = null;
    return notice;
  }
}

/**
 * Notices through Redis pub/sub on `channel`, with a publisher and a subscriber connection.
 *
 * - publish hands the notice to this process's listeners at once (live updates keep working on
 *   this replica while Redis is down) and PUBLISHes it for the other replicas; the echo of this
 *   bus's own messages (recognised by payload digest, so replicas sharing an origin by mistake
 *   still hear each other) is dropped, so listeners see each notice once.
 * - No offline queue on the publisher: while Redis is down (or 64 PUBLISHes await replies) a
 *   notice is merged into one coalesced notice (union of tables, at most 5000 trade ids, else
 *   "truncated") that is published once the connection is ready again. Memory stays bounded
 *   however long the outage; what other replicas learn afterwards is a superset of what they
 *   missed.
 * - The subscriber SUBSCRIBEs after every (re)connection, to whichever master Sentinel names, and
 *   once the reply proves the subscription live again hands listeners a resync notice, since
 *   messages published during the gap are gone.
 * - A watchdog PINGs both connections; no reply within the command timeout means a half-open
 *   socket, which is dropped so that the client reconnects (and, with Sentinel, finds the master).
 */
export function redisBus(
  config: RedisConnectionConfig,
  logger: Logger,
  channel: string = defaultChangeChannel,
): ChangeBus {
  const busLogger = logger.child({ component: "changeBus", channel });
  const pub = createRedisClient(config, logger, "changes-publisher");
  const sub = createRedisClient(config, logger, "changes-subscriber");
  const listeners = new Listeners(busLogger);
  const stats = newStats();
  // Payloads this bus sent, by digest, until their echo arrives (or they age out of the bound).
  const sent = new Map<string, number>();
  const digest = (payload: string) => createHash("sha1").update(payload).digest("base64");
  const coalesced = new Coalesced();
  let inFlight = 0;
  let closed = false;
  let subscribed = false;
  let everSubscribed = false;
  let malformedLoggedAt = 0;
  let malformedSuppressed = 0;

  const send = (notice: ChangeNotice): void => {
    if (closed || redisStatus(pub) !== "up" || inFlight >= maxInFlight) {
      stats.publishFailures++;
      if (!closed) coalesced.add(notice);
      return;
    }
    if (!coalesced.empty) {
      // Redis is back: what could not be sent travels with this notice.
      coalesced.add(notice);
      notice = coalesced.take()!;
    }
    let payload: string;
    try {
      payload = JSON.stringify(notice);
    } catch (err) {
      stats.publishFailures++;
      busLogger.error("change notice not serialisable; dropped", { err });
      return;
    }
    const key = digest(payload);
    sent.set(key, (sent.get(key) ?? 0) + 1);
    if (sent.size > maxSentDigests) sent.delete(sent.keys().next().value!);
    inFlight++;
    pub.publish(channel, payload).then(
      () => {
        inFlight--;
        stats.published++;
      },
      (err: Error) => {
        inFlight--;
        stats.publishFailures++;
        if (closed) return;
        coalesced.add(notice);
        busLogger.debug("change notice not published; coalesced for after reconnection", { err });
        // A reply that does not come means a dead or half-open connection: drop it, reconnect.
        if (err.message === "Command timed out" && pub.status === "ready") pub.disconnect(true);
      },
    );
  };

  pub.on("ready", () => {
    if (!coalesced.empty && !closed) {
      const notice = coalesced.take()!;
      busLogger.info("publishing the change notice coalesced while Redis was unavailable", {
        tables: notice.tables,
        tradeIds: notice.tradeIds.length,
        truncated: notice.tradeIdsTruncated === true,
      });
      send(notice);
    }
  });

  sub.on("message", (messageChannel: string, message: string) => {
    if (messageChannel !== channel || closed) return;
    const notice = parseNotice(message);
    if (!notice) {
      stats.malformed++;
      const now = Date.now();
      if (now - malformedLoggedAt >= 30_000) {
        busLogger.warn("malformed change notice ignored", {
          sample: message.slice(0, 200),
          suppressedSinceLast: malformedSuppressed,
        });
        malformedLoggedAt = now;
        malformedSuppressed = 0;
      } else {
        malformedSuppressed++;
      }
      return;
    }
    const key = digest(message);
    const echoes = sent.get(key);
    if (echoes !== undefined) {
      // Our own notice, already delivered locally when published.
      if (echoes > 1) sent.set(key, echoes - 1);
      else sent.delete(key);
      return;
    }
    stats.received++;
    listeners.deliver(notice);
  });

  // SUBSCRIBE on every "ready" (the first connection and each reconnection, to whichever master
  // Sentinel names). ioredis' own autoResubscribe is off: it resubscribes too, but leaves the
  // promise of that SUBSCRIBE unhandled (redis/ioredis#2187, not in 5.11), so a reconnection that
  // fails at that moment would be an unhandled rejection, which ends the process.
  sub.on("ready", () => {
    if (closed) return;
    const stream = sub.stream;
    sub.subscribe(channel).then(
      () => {
        if (closed || sub.stream !== stream || redisStatus(sub) !== "up") return;
        subscribed = true;
        if (everSubscribed) {
          stats.resyncs++;
          busLogger.info("change subscription restored; resyncing live snapshots", {
            address: redisAddress(sub),
          });
          listeners.deliver(resyncNotice());
        }
        everSubscribed = true;
      },
      (err: Error) => {
        if (closed) return;
        busLogger.warn("SUBSCRIBE failed; reconnecting to subscribe again", { err });
        // Timed out on a live socket: treat it as dead. Otherwise the connection already dropped
        // and the next "ready" subscribes again.
        if (sub.stream === stream && sub.status === "ready") sub.disconnect(true);
      },
    );
  });
  sub.on("close", () => {
    subscribed = false;
  });

  const watchdog = setInterval(() => {
    for (const client of [pub, sub]) {
      if (client.status !== "ready") continue;
      const stream = client.stream;
      client.ping().catch((err: Error) => {
        if (closed || client.status !== "ready" || client.stream !== stream) return;
        busLogger.warn("redis did not answer PING; reconnecting", {
          err,
          address: redisAddress(client),
        });
        client.disconnect(true);
      });
    }
  }, watchdogMs);
  watchdog.unref();

  return {
    stats,
    get healthy() {
      return !closed && subscribed && redisStatus(pub) === "up" && redisStatus(sub) === "up";
    },
    publish(notice) {
      try {
        const bounded = boundNotice(notice);
        if (closed) {
          stats.publishFailures++;
          return;
        }
        listeners.deliver(bounded);
        send(bounded);
      } catch (err) {
        stats.publishFailures++;
        busLogger.error("change notice not published", { err });
      }
    },
    subscribe: (listener) => listeners.add(listener),
    async close() {
      if (closed) return;
      closed = true;
      subscribed = false;
      clearInterval(watchdog);
      listeners.clear();
      await Promise.all([closeRedisClient(pub), closeRedisClient(sub)]);
    },
  };
}
