import { databaseUrlFromEnv } from "./databaseUrl.js";
import { EnvReader, type Env } from "./parse.js";

export { ConfigError } from "./parse.js";

export const topicKeys = ["tradeEvents", "errorEvents", "queueMetrics", "dlqEvents", "invalidTrades"] as const;
export type TopicKey = (typeof topicKeys)[number];

/** Env variable and default topic name per topic, as the old service named them. */
export const topicEnv: Record<TopicKey, { variable: string; defaultTopic: string }> = {
  tradeEvents: { variable: "KAFKA_TOPIC_TRADE_EVENTS", defaultTopic: "rttm.trade.events" },
  errorEvents: { variable: "KAFKA_TOPIC_ERROR_EVENTS", defaultTopic: "rttm.error.events" },
  queueMetrics: { variable: "KAFKA_TOPIC_QUEUE_METRICS", defaultTopic: "rttm.queue.metrics" },
  dlqEvents: { variable: "KAFKA_TOPIC_DLQ_EVENTS", defaultTopic: "rttm.dlq.events" },
  invalidTrades: { variable: "KAFKA_TOPIC_INVALID_TRADES", defaultTopic: "invalid-trades-topic" },
};

export interface Config {
  serverPort: number;
  databaseUrl: string;
  kafka: {
    brokers: string[];
    clientId: string;
    groupId: string;
    topics: Record<TopicKey, string>;
    fetchMaxWaitMs: number;
    partitionsConsumedConcurrently: number;
  };
  schemaRegistryUrl: string | undefined;
  pipeline: {
    batchSize: number;
    batchPollMs: number;
    queueCapacity: number;
    /** Concurrent batch writers, each with its own database connection and queue shard. */
    writers: number;
    /** Partitions resume once the queue drains to this many events. */
    queueLowWater: number;
    retryInitialMs: number;
    retryMaxMs: number;
    shutdownTimeoutMs: number;
  };
  queueMetrics: {
    aggregationThreshold: number;
    minIntervalMinutes: number;
  };
  retention: {
    intervalMs: number;
    eventsHours: number;
    queueMetricsHours: number;
    quarantineHours: number;
    secondRollupHours: number;
    minuteRollupHours: number;
  };
}

export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const brokers = read.hostPorts("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
  const topics = Object.fromEntries(
    Object.entries(topicEnv).map(([key, { variable, defaultTopic }]) => [key, read.string(variable, defaultTopic)]),
  ) as Record<TopicKey, string>;
  const batchSize = read.int("RTTM_BATCH_SIZE", 1000, 1, 50_000);
  const queueCapacity = read.int("RTTM_QUEUE_CAPACITY", 10_000, 1, 10_000_000);
  const config: Config = {
    serverPort: read.int("SERVER_PORT", 8087, 1, 65535),
    databaseUrl: databaseUrlFromEnv(env),
    kafka: {
      brokers: brokers.map(({ host, port }) => `${host}:${port}`),
      clientId: read.string("KAFKA_CLIENT_ID", "rttm"),
      groupId: read.string("KAFKA_CONSUMER_GROUP_ID", "rttm-group"),
      topics,
      fetchMaxWaitMs: read.int("RTTM_FETCH_MAX_WAIT_MS", 3000, 0, 60_000),
      partitionsConsumedConcurrently: read.int("RTTM_CONSUMER_CONCURRENCY", 3, 1, 64),
    },
    schemaRegistryUrl: read.url("SCHEMA_REGISTRY_URL", ["http:", "https:"]),
    pipeline: {
      batchSize,
      batchPollMs: read.int("RTTM_BATCH_POLL_MS", 2000, 1, 600_000),
      queueCapacity,
      writers: read.int("RTTM_WRITERS", 2, 1, 32),
      queueLowWater: read.int("RTTM_QUEUE_LOW_WATER", Math.floor(queueCapacity / 2), 0, queueCapacity),
      retryInitialMs: read.int("RTTM_DB_RETRY_INITIAL_MS", 100, 1, 60_000),
      retryMaxMs: read.int("RTTM_DB_RETRY_MAX_MS", 10_000, 1, 600_000),
      shutdownTimeoutMs: read.int("RTTM_SHUTDOWN_TIMEOUT_MS", 25_000, 1000, 600_000),
    },
    queueMetrics: {
      aggregationThreshold: read.number("RTTM_QUEUE_METRICS_AGG_THRESHOLD", 0.1, 0),
      minIntervalMinutes: read.int("RTTM_QUEUE_METRICS_MIN_INTERVAL", 5, 0, 10_080),
    },
    retention: {
      intervalMs: read.int("RTTM_RETENTION_INTERVAL_MS", 600_000, 1000, 86_400_000),
      eventsHours: read.int("RTTM_EVENTS_RETENTION_HOURS", 168, 1, 87_600),
      queueMetricsHours: read.int("RTTM_QUEUE_METRICS_RETENTION_HOURS", 48, 1, 87_600),
      quarantineHours: read.int("RTTM_QUARANTINE_RETENTION_HOURS", 720, 1, 87_600),
      secondRollupHours: read.int("RTTM_SECOND_ROLLUP_RETENTION_HOURS", 48, 1, 87_600),
      minuteRollupHours: read.int("RTTM_MINUTE_ROLLUP_RETENTION_HOURS", 2160, 1, 87_600),
    },
  };
  const distinctTopics = new Set(Object.values(topics));
  if (distinctTopics.size !== topicKeys.length) {
    read.problems.push(`KAFKA_TOPIC_*: each of the five topics needs its own name, got ${Object.values(topics).join(", ")}`);
  }
  if (config.pipeline.retryMaxMs < config.pipeline.retryInitialMs) {
    read.problems.push(`RTTM_DB_RETRY_MAX_MS=${config.pipeline.retryMaxMs} is not allowed: expected at least RTTM_DB_RETRY_INITIAL_MS (${config.pipeline.retryInitialMs})`);
  }
  read.done();
  return config;
}
