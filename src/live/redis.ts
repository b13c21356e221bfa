/**
 * Redis connections for live change notices: one URL or a Sentinel-managed master, reconnecting
 * forever with capped, jittered backoff, and logging outages once (then a summary every 30 s)
 * instead of once per retry.
 */
import { Redis, type RedisOptions } from "ioredis";
import type { RedisConfig } from "../config/index.js";
import { RttmError } from "../domain/errors.js";
import type { Logger } from "../log.js";
import { backoffDelayMs } from "../pipeline/index.js";

export type RedisConnectionConfig = Exclude<RedisConfig, { kind: "none" }>;

export interface RedisClientOptions {
  /**
   * Queue commands issued while disconnected and send them after reconnecting (default false:
   * such commands fail at once). Only for clients that issue a bounded number of commands while
   * down, such as a subscriber's single SUBSCRIBE; a publisher must not queue (memory would grow
   * with the outage).
   */
  offlineQueue?: boolean;
  /**
   * Let ioredis resubscribe a subscriber's channels after reconnecting (default false). It does so,
   * Sentinel failovers included, but leaves that SUBSCRIBE's promise unhandled (redis/ioredis#2187,
   * unfixed in 5.11.1): if it fails (connection drops again, command timeout) the process gets an
   * unhandled rejection, which ends it. Subscribers should SUBSCRIBE on "ready" themselves.
   */
  autoResubscribe?: boolean;
}

export type RedisHealth = "up" | "down";

/**
 * A command's failure as RTTM's error: a reply that did not come within REDIS_TIMEOUT is an
 * RttmError REDIS_TIMEOUT (retriable; a dead or half-open connection), so callers decide by code.
 * ioredis rejects such a command with a plain `Error("Command timed out")` (ioredis 5.11.1,
 * built/Command.js: no class, no code), so its message is recognised here, once.
 */
export function redisCommandFailure(err: unknown): unknown {
  return err instanceof Error && err.message === "Command timed out"
    ? new RttmError("REDIS_TIMEOUT", "Redis did not answer within REDIS_TIMEOUT", {
        retriable: true,
        cause: err,
      })
    : err;
}

const reconnectBaseMs = 100;
/** Sentinel failover takes seconds; a higher cap would only add latency after it. */
export const reconnectCapMs = 1_000;
/** While a connection stays down, one summary line per this interval. */
export const outageLogIntervalMs = 30_000;

/** Delay before reconnect attempt `attempt` (1-based): exponential from 100 ms, capped at 1 s, with "equal jitter". */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  return backoffDelayMs(Math.max(attempt, 1) - 1, reconnectBaseMs, reconnectCapMs, random, "equal");
}

/**
 * A client for `config`, connecting at once and reconnecting forever. `purpose` names it in logs
 * and in CLIENT LIST (`rttm-<purpose>`).
 *
 * - Offline queue off by default: commands while disconnected are rejected at once (see
 *   {@link RedisClientOptions.offlineQueue}).
 * - `maxRetriesPerRequest`: 0 without an offline queue, so commands in flight when the connection
 *   drops are rejected at once instead of waiting, unbounded in time, to be resent; `null` with an
 *   offline queue, so its (few) queued commands wait for the connection however long it takes.
 * - `commandTimeout` from the config bounds every reply; Sentinel lookups use the same bound.
 */
export function createRedisClient(
  config: RedisConnectionConfig,
  logger: Logger,
  purpose: string,
  options: RedisClientOptions = {},
): Redis {
  const offlineQueue = options.offlineQueue ?? false;
  const common: RedisOptions = {
    connectionName: `rttm-${purpose}`,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: Math.max(config.commandTimeoutMs, 5_000),
    keepAlive: 10_000,
    retryStrategy: (attempt) => reconnectDelayMs(attempt),
    enableOfflineQueue: offlineQueue,
    maxRetriesPerRequest: offlineQueue ? null : 0,
    enableReadyCheck: true,
    autoResubscribe: options.autoResubscribe ?? false,
    lazyConnect: false,
  };
  const where =
    config.kind === "url"
      ? { redis: config.url } // the logger hides its password
      : {
          sentinels: config.sentinels.map((s) => `${s.host}:${s.port}`),
          master: config.masterName,
        };
  const client =
    config.kind === "url"
      ? new Redis(config.url, common)
      : new Redis({
          ...common,
          sentinels: config.sentinels.map(({ host, port }) => ({ host, port })),
          name: config.masterName,
          role: "master",
          password: config.password,
          sentinelPassword: config.sentinelPassword,
          sentinelCommandTimeout: config.commandTimeoutMs,
          // When no sentinel answers: try them all again after the same backoff, forever.
          sentinelRetryStrategy: (attempt) => reconnectDelayMs(attempt),
          // ioredis' failover detector (+switch-master on every sentinel) reconnects ~1 s after a
          // SENTINEL FAILOVER instead of ~11 s (measured on Redis 7.0), but its sentinel clients have
          // no error listener: while a sentinel is down ioredis prints unstructured "[ioredis]
          // Unhandled error event" lines to stderr. Without it: a crashed master drops our sockets at
          // once; a master demoted by sentinels gets CLIENT KILL (normal and pubsub) when they
          // reconfigure it; the ready check refuses a non-master; half-open sockets are caught by
          // command timeouts and the bus's PING watchdog.
          failoverDetector: false,
        });
  watchConnection(client, logger.child({ component: "redis", purpose, ...where }));
  return client;
}

/** "up" when the client is connected and ready for commands. */
export function redisStatus(client: Redis): RedisHealth {
  return client.status === "ready" ? "up" : "down";
}

/** QUIT (letting replies in flight arrive) within `timeoutMs`, then drop the socket whatever happened. */
export async function closeRedisClient(client: Redis, timeoutMs = 1_000): Promise<void> {
  if (client.status === "end") return;
  if (client.status === "ready") {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.quit().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }
  client.disconnect(false);
}

/** Where the client is connected now (for Sentinel: the master it resolved), when it is. */
export function redisAddress(client: Redis): string | undefined {
  const stream = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  return stream?.remoteAddress ? `${stream.remoteAddress}:${stream.remotePort}` : undefined;
}

/**
 * Structured logs for one client: ready at info; the first failure of an outage at warn, then
 * at most one warn line per {@link outageLogIntervalMs} with the number of errors suppressed;
 * recovery at info with the outage's length. Per-attempt detail goes to debug.
 */
function watchConnection(client: Redis, logger: Logger): void {
  let everReady = false;
  let downSince: number | null = null;
  let lastWarnAt = 0;
  let suppressed = 0;
  let attempts = 0;
  let lastAddress: string | undefined;

  const problem = (msg: string, err: unknown) => {
    const now = Date.now();
    if (downSince === null) {
      downSince = now;
      lastWarnAt = now;
      suppressed = 0;
      logger.warn(msg, { err, lastAddress, everReady });
      return;
    }
    if (now - lastWarnAt >= outageLogIntervalMs) {
      logger.warn("redis still unavailable; reconnecting", {
        err,
        downMs: now - downSince,
        attempts,
        suppressedErrors: suppressed,
      });
      lastWarnAt = now;
      suppressed = 0;
      return;
    }
    suppressed++;
    logger.debug(msg, { err });
  };

  client.on("connect", () =>
    logger.debug("redis connected; checking readiness", { address: redisAddress(client) }),
  );
  client.on("ready", () => {
    const address = redisAddress(client);
    if (downSince !== null) {
      logger.info("redis connection restored", {
        address,
        downMs: Date.now() - downSince,
        attempts,
        suppressedErrors: suppressed,
      });
    } else {
      logger.info("redis ready", { address });
    }
    everReady = true;
    lastAddress = address;
    downSince = null;
    attempts = 0;
    suppressed = 0;
  });
  // Without an error listener ioredis prints every connection error to the console.
  client.on("error", (err: Error) => problem("redis connection error; reconnecting", err));
  // A sentinel that cannot be reached or does not know the master: another one may still answer.
  client.on("sentinelError", (err: Error) => logger.debug("redis sentinel lookup failed", { err }));
  client.on("close", () => {
    if (client.status === "end") return;
    if (downSince === null && everReady) problem("redis connection lost; reconnecting", undefined);
  });
  client.on("reconnecting", (delayMs: number) => {
    attempts++;
    logger.debug("redis reconnecting", { delayMs, attempts });
  });
  client.on("end", () => logger.info("redis connection closed"));
}
