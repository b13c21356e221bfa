/**
 * Change notices through Redis pub/sub, so that every replica's live hub hears every replica's
 * writer. Publishing is fire-and-forget and never blocks or throws; what cannot be sent while
 * Redis is down is coalesced into one bounded notice and sent on reconnection, and a subscriber
 * that was disconnected (and so may have missed notices) hands its listeners a "resync" notice
 * that marks everything stale.
 */
import { createHash } from "node:crypto";
import { isRttmError } from "../domain/errors.js";
import type { Logger } from "../log.js";
import { defaultChangeChannel, newBusStats, NoticeListeners, type ChangeBus } from "./bus.js";
import {
  boundNotice,
  NoticeBuilder,
  parseNotice,
  resyncNotice,
  type ChangeNotice,
} from "./notice.js";
import {
  closeRedisClient,
  createRedisClient,
  redisAddress,
  redisCommandFailure,
  redisStatus,
  type RedisConnectionConfig,
} from "./redis.js";

/** PUBLISHes awaiting their reply beyond which new ones are refused (coalesced) rather than queued. */
const maxInFlight = 64;
/** Digests of recently sent payloads, to recognise their echo on the subscriber connection. */
const maxSentDigests = 4_096;
/** Both connections are PINGed this often; no reply within the command timeout → reconnect. */
const watchdogMs = 5_000;

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
  const listeners = new NoticeListeners(busLogger);
  const stats = newBusStats();
  // Payloads this bus sent, by digest, until their echo arrives (or they age out of the bound).
  const sent = new Map<string, number>();
  const digest = (payload: string) => createHash("sha1").update(payload).digest("base64");
  // What could not be sent, merged into one bounded notice (sent as `coalescedOrigin`).
  const coalesced = new NoticeBuilder();
  let coalescedOrigin = "";
  const coalesce = (notice: ChangeNotice) => {
    coalesced.notice(notice);
    coalescedOrigin = notice.origin;
  };
  let inFlight = 0;
  let closed = false;
  let subscribed = false;
  let everSubscribed = false;
  let malformedLoggedAt = 0;
  let malformedSuppressed = 0;

  const send = (notice: ChangeNotice): void => {
    if (closed || redisStatus(pub) !== "up" || inFlight >= maxInFlight) {
      stats.publishFailures++;
      if (!closed) coalesce(notice);
      return;
    }
    if (!coalesced.empty) {
      // Redis is back: what could not be sent travels with this notice.
      coalesce(notice);
      notice = coalesced.take(coalescedOrigin);
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
      (failure: unknown) => {
        const err = redisCommandFailure(failure);
        inFlight--;
        stats.publishFailures++;
        if (closed) return;
        coalesce(notice);
        busLogger.debug("change notice not published; coalesced for after reconnection", { err });
        // A reply that does not come means a dead or half-open connection: drop it, reconnect.
        if (isRttmError(err, "REDIS_TIMEOUT") && pub.status === "ready") pub.disconnect(true);
      },
    );
  };

  pub.on("ready", () => {
    if (!coalesced.empty && !closed) {
      const notice = coalesced.take(coalescedOrigin);
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
    stats: () => ({ ...stats }),
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
