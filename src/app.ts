import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { Config } from "./config/index.js";
import { registerDeliveryMetrics, startAlerts } from "./alerts/index.js";
import { Health, createMetrics, SocketCounter } from "./http/index.js";
import { createIngestService, registrySchemaCheck } from "./ingest/index.js";
import { createEventAppender } from "./producer/index.js";
import {
  FanOut,
  LiveHub,
  noticeForBatch,
  inProcessBus,
  redisBus,
  snapshotSources,
} from "./live/index.js";
import type { Logger } from "./log.js";
import { schema } from "./graphql/schema/index.js";
import { createLegacyApi } from "./legacy/index.js";
import { createHttpServer } from "./server.js";
import { createPool } from "./store/index.js";

export interface AppOptions {
  /** Called when the Kafka consumer gave up for good (kafkajs will not restart it). @default () => {} */
  onFatal?: (err: Error) => void;
  /**
   * Subscriptions share one execution per group (src/live/fanout.ts); false composes the service
   * as before the fan-out, for bench:live's side-by-side measurement only.
   * @default true
   */
  sharedFanOut?: boolean;
}

/**
 * The whole service in one process: ingest → pipeline → store, change notices → live hub, and the
 * HTTP/WebSocket API over the same database.
 */
export async function startApp(
  config: Config,
  logger: Logger,
  { onFatal = () => {}, sharedFanOut = true }: AppOptions = {},
) {
  const replica = `${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
  const ingest = createIngestService(config, logger, onFatal);
  // Dashboards read through their own connections so a burst of queries never delays the writers.
  const readPool = createPool(config.databaseUrl, config.http.readPoolSize);
  const bus =
    config.redis.kind === "none"
      ? inProcessBus(logger.child({ component: "changeBus" }))
      : redisBus(config.redis, logger.child({ component: "changeBus" }));
  ingest.onStored((_counts, batch) => bus.publish(noticeForBatch(batch, replica)));
  const liveLogger = logger.child({ component: "live" });
  const fanout = new FanOut(liveLogger, config.live.fanout);
  const hub = new LiveHub({ bus, tickMs: config.live.tickMs, fanout, logger: liveLogger });
  const sources = snapshotSources(readPool, config, ingest, bus, replica);
  // Every replica runs an evaluator; one at a time evaluates (advisory lock), the others stand by.
  const alerts = startAlerts({ config, readPool, bus, replica, logger });
  const health = new Health(readPool, ingest, bus, config);
  const sockets = new SocketCounter();
  const metrics = createMetrics({ ingest, hub, fanout, bus, alertFeed: alerts.feed, sockets });
  // Producers' HTTP ingest (RTTM_INGEST_API_KEYS): posted events go to the topics the consumer reads.
  const appender =
    config.httpIngest.apiKeys.length > 0 && config.schemaRegistryUrl
      ? createEventAppender(
          config,
          registrySchemaCheck(config.schemaRegistryUrl, logger.child({ component: "http-ingest" })),
          logger.child({ component: "http-ingest" }),
        )
      : undefined;
  if (alerts.delivery) registerDeliveryMetrics(metrics.registry, alerts.delivery.stats);
  const http = createHttpServer({
    config,
    schema,
    context: () => ({
      db: readPool,
      hub,
      sources,
      bus,
      replica,
      alerts,
      now: () => new Date(),
    }),
    health,
    metrics,
    sockets,
    appender,
    sharedFanOut,
    logger: logger.child({ component: "http" }),
    legacy: (authenticate) =>
      createLegacyApi({
        authenticate,
        db: readPool,
        config,
        hub,
        sockets,
        registry: metrics.registry,
        logger,
      }),
  });
  const port = await http.listen(config.serverPort, config.http.host);
  await ingest.start();
  logger.info("rttm started", {
    port,
    replica,
    topics: config.kafka.topics,
    groupId: config.kafka.groupId,
    redis: config.redis.kind,
  });

  return {
    port,
    replica,
    ingest,
    hub,
    bus,
    alerts,
    /** Close sockets (clients reconnect elsewhere), flush and commit, then release everything. */
    async stop(): Promise<"flushed" | "abandoned"> {
      await http.close();
      await appender?.close();
      hub.close();
      await alerts.stop();
      const outcome = await ingest.stop();
      await bus.close();
      await readPool.end().catch(() => undefined);
      return outcome;
    },
  };
}

export type App = Awaited<ReturnType<typeof startApp>>;
