import { readFileSync } from "node:fs";
import { authConfig, type AuthConfig } from "./auth.js";
import { databaseUrlFromEnv } from "./databaseUrl.js";
import { EnvReader, type Env } from "./parse.js";

export { ConfigError } from "./parse.js";
export type { AuthConfig, JwtSettings } from "./auth.js";

export const topicKeys = [
  "tradeEvents",
  "errorEvents",
  "queueMetrics",
  "dlqEvents",
  "invalidTrades",
] as const;
export type TopicKey = (typeof topicKeys)[number];

/** Env variable and default topic name per topic, as the old service named them. */
export const topicEnv: Record<TopicKey, { variable: string; defaultTopic: string }> = {
  tradeEvents: { variable: "KAFKA_TOPIC_TRADE_EVENTS", defaultTopic: "rttm.trade.events" },
  errorEvents: { variable: "KAFKA_TOPIC_ERROR_EVENTS", defaultTopic: "rttm.error.events" },
  queueMetrics: { variable: "KAFKA_TOPIC_QUEUE_METRICS", defaultTopic: "rttm.queue.metrics" },
  dlqEvents: { variable: "KAFKA_TOPIC_DLQ_EVENTS", defaultTopic: "rttm.dlq.events" },
  invalidTrades: { variable: "KAFKA_TOPIC_INVALID_TRADES", defaultTopic: "invalid-trades-topic" },
};

/** Warning and critical thresholds of one overview card: above warning → warning, above critical → critical. */
export interface StatusThresholds {
  warning: number;
  critical: number;
}

/** Threshold pairs of the alert rules, each from RTTM_ALERT_<NAME>_WARNING / _CRITICAL. */
export const alertThresholdEnv = {
  latencyMs: "LATENCY",
  errorRate: "ERROR_RATE",
  dlq: "DLQ",
  queueDepth: "QUEUE_DEPTH",
  tps: "TPS",
} as const;
export type AlertThresholdKey = keyof typeof alertThresholdEnv;

export type RedisConfig =
  | { kind: "none" }
  | { kind: "url"; url: string; commandTimeoutMs: number }
  | {
      kind: "sentinel";
      masterName: string;
      sentinels: Array<{ host: string; port: number }>;
      password: string | undefined;
      sentinelPassword: string | undefined;
      commandTimeoutMs: number;
    };

/** RTTM_TRUSTED_DOCUMENTS: off, or an allow-list of operations (hash → document text) from a manifest file. */
export type TrustedDocumentsConfig =
  | { mode: "off" }
  | { mode: "allow-list"; manifestPath: string; documents: ReadonlyMap<string, string> };

export interface Config {
  serverPort: number;
  production: boolean;
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
  redis: RedisConfig;
  live: {
    /** Snapshots are recomputed at most once per tick, and only when a change notice arrived. */
    tickMs: number;
  };
  /** The old dashboard's raw WebSockets (src/legacy). */
  legacy: {
    /** Accept raw dashboard sockets without credentials (the page cannot send any on a WebSocket). */
    wsAnonymous: boolean;
    /** Protocol-level ping period of raw sockets (under the load balancer's 300 s idle timeout). */
    wsPingIntervalMs: number;
  };
  cards: {
    tps: StatusThresholds;
    latencyMs: StatusThresholds;
    dlq: StatusThresholds;
    invalidTrades: StatusThresholds;
    errors: StatusThresholds;
  };
  http: {
    /** Interface to listen on; unset = all. */
    host: string | undefined;
    /** Connections for dashboard queries, separate from the writers'. */
    readPoolSize: number;
    allowedOrigins: string[];
    maxDocumentBytes: number;
    maxDepth: number;
    maxCost: number;
    wsMaxConnections: number;
    wsMaxMessageBytes: number;
    wsInitTimeoutMs: number;
    /** Readiness turns DOWN when the queue has been full this long. */
    queueSaturatedMs: number;
    readinessChecks: Array<"database" | "kafka" | "queue">;
    trustedDocuments: TrustedDocumentsConfig;
  };
  /** Identity (RTTM_AUTH_*): off, or the platform's JWTs verified on HTTP and WebSocket. */
  auth: AuthConfig;
  /** Alert rules (src/alerts): the old RTTM_ALERT_* names and defaults, plus hysteresis. */
  alerts: {
    evalIntervalMs: number;
    /** How often open alerts of silent scopes are checked for auto-resolution. */
    autoResolveIntervalMs: number;
    /** An open alert whose scope has had no data this long is auto-resolved (NO_DATA). */
    silentAfterMs: number;
    /** A value counts as clear below warning × (1 − clearMarginPercent / 100). */
    clearMarginPercent: number;
    /** Consecutive clear evaluations before an alert resolves by itself. */
    clearEvaluations: number;
    thresholds: Record<AlertThresholdKey, StatusThresholds>;
  };
  retention: {
    intervalMs: number;
    eventsHours: number;
    queueMetricsHours: number;
    quarantineHours: number;
    alertsHours: number;
    secondRollupHours: number;
    minuteRollupHours: number;
  };
}

export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const brokers = read.hostPorts("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
  const topics = Object.fromEntries(
    Object.entries(topicEnv).map(([key, { variable, defaultTopic }]) => [
      key,
      read.string(variable, defaultTopic),
    ]),
  ) as Record<TopicKey, string>;
  const batchSize = read.int("RTTM_BATCH_SIZE", 1000, 1, 50_000);
  const queueCapacity = read.int("RTTM_QUEUE_CAPACITY", 10_000, 1, 10_000_000);
  const thresholds = (name: string, warning: number, critical: number): StatusThresholds => ({
    warning: read.number(`RTTM_CARD_${name}_WARNING`, warning, 0),
    critical: read.number(`RTTM_CARD_${name}_CRITICAL`, critical, 0),
  });
  const alertThresholds = (
    key: AlertThresholdKey,
    warning: number,
    critical: number,
  ): StatusThresholds => {
    const name = `RTTM_ALERT_${alertThresholdEnv[key]}`;
    const pair = {
      warning: read.number(`${name}_WARNING`, warning, 0),
      critical: read.number(`${name}_CRITICAL`, critical, 0),
    };
    if (pair.warning > pair.critical)
      read.problems.push(
        `${name}_WARNING=${pair.warning} is not allowed: expected at most ${name}_CRITICAL (${pair.critical})`,
      );
    return pair;
  };
  const config: Config = {
    serverPort: read.int("SERVER_PORT", 8087, 0, 65535), // 0: any free port (tests)
    production:
      read.oneOf("NODE_ENV", "development", ["development", "production", "test"]) === "production",
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
      // The old 2000 ms was a fixed delay between drains; here it bounds how long the first event of a
      // partial batch waits, so dashboards stay fresh at low rates.
      batchPollMs: read.int("RTTM_BATCH_POLL_MS", 100, 1, 600_000),
      queueCapacity,
      writers: read.int("RTTM_WRITERS", 2, 1, 32),
      queueLowWater: read.int(
        "RTTM_QUEUE_LOW_WATER",
        Math.floor(queueCapacity / 2),
        0,
        queueCapacity,
      ),
      retryInitialMs: read.int("RTTM_DB_RETRY_INITIAL_MS", 100, 1, 60_000),
      retryMaxMs: read.int("RTTM_DB_RETRY_MAX_MS", 10_000, 1, 600_000),
      shutdownTimeoutMs: read.int("RTTM_SHUTDOWN_TIMEOUT_MS", 25_000, 1000, 600_000),
    },
    queueMetrics: {
      aggregationThreshold: read.number("RTTM_QUEUE_METRICS_AGG_THRESHOLD", 0.1, 0),
      minIntervalMinutes: read.int("RTTM_QUEUE_METRICS_MIN_INTERVAL", 5, 0, 10_080),
    },
    redis: redisConfig(read),
    live: { tickMs: read.int("RTTM_LIVE_TICK_MS", 250, 10, 60_000) },
    legacy: {
      wsAnonymous: read.oneOf("RTTM_LEGACY_WS_ANONYMOUS", "true", ["true", "false"]) === "true",
      wsPingIntervalMs: read.int("RTTM_LEGACY_WS_PING_MS", 30_000, 100, 240_000),
    },
    cards: {
      // The old service's hard-coded card rules, now configurable.
      tps: thresholds("TPS", 50, 100),
      latencyMs: thresholds("LATENCY_MS", 30_000, 60_000),
      dlq: thresholds("DLQ", 30, 100),
      invalidTrades: thresholds("INVALID_TRADES", 1000, 5000),
      errors: thresholds("ERRORS", 30, 100),
    },
    http: {
      host: read.optionalString("SERVER_HOST"),
      readPoolSize: read.int("RTTM_DB_READ_POOL_SIZE", 8, 1, 200),
      allowedOrigins: read.list("RTTM_ALLOWED_ORIGINS", []),
      maxDocumentBytes: read.int("RTTM_GRAPHQL_MAX_DOCUMENT_BYTES", 16_384, 256, 10_000_000),
      maxDepth: read.int("RTTM_GRAPHQL_MAX_DEPTH", 8, 2, 100),
      maxCost: read.int("RTTM_GRAPHQL_MAX_COST", 5_000, 10, 10_000_000),
      wsMaxConnections: read.int("RTTM_WS_MAX_CONNECTIONS", 20_000, 1, 1_000_000),
      wsMaxMessageBytes: read.int("RTTM_WS_MAX_MESSAGE_BYTES", 65_536, 256, 100_000_000),
      wsInitTimeoutMs: read.int("RTTM_WS_INIT_TIMEOUT_MS", 5_000, 100, 600_000),
      queueSaturatedMs: read.int("RTTM_READINESS_QUEUE_SATURATED_MS", 60_000, 1000, 3_600_000),
      readinessChecks: read.listOf("RTTM_READINESS_CHECKS", ["database", "kafka", "queue"], [
        "database",
        "kafka",
        "queue",
      ] as const),
      trustedDocuments: trustedDocumentsConfig(read),
    },
    auth: authConfig(read),
    alerts: {
      evalIntervalMs: read.int("RTTM_ALERT_EVAL_INTERVAL", 60_000, 1000, 86_400_000),
      autoResolveIntervalMs: read.int(
        "RTTM_ALERT_AUTO_RESOLVE_INTERVAL",
        300_000,
        1000,
        86_400_000,
      ),
      silentAfterMs: read.int("RTTM_ALERT_SILENT_AFTER_MS", 900_000, 1000, 604_800_000),
      clearMarginPercent: read.number("RTTM_ALERT_CLEAR_MARGIN_PERCENT", 10, 0, 99),
      clearEvaluations: read.int("RTTM_ALERT_CLEAR_EVALUATIONS", 2, 1, 1000),
      // The old service's application.yml values (its "dev" defaults, which it ran with).
      thresholds: {
        latencyMs: alertThresholds("latencyMs", 50, 200),
        errorRate: alertThresholds("errorRate", 1, 2),
        dlq: alertThresholds("dlq", 1, 2),
        queueDepth: alertThresholds("queueDepth", 10, 50),
        tps: alertThresholds("tps", 10, 50),
      },
    },
    retention: {
      intervalMs: read.int("RTTM_RETENTION_INTERVAL_MS", 600_000, 1000, 86_400_000),
      eventsHours: read.int("RTTM_EVENTS_RETENTION_HOURS", 168, 1, 87_600),
      queueMetricsHours: read.int("RTTM_QUEUE_METRICS_RETENTION_HOURS", 48, 1, 87_600),
      quarantineHours: read.int("RTTM_QUARANTINE_RETENTION_HOURS", 720, 1, 87_600),
      alertsHours: read.int("RTTM_ALERTS_RETENTION_HOURS", 2160, 1, 87_600),
      secondRollupHours: read.int("RTTM_SECOND_ROLLUP_RETENTION_HOURS", 48, 1, 87_600),
      minuteRollupHours: read.int("RTTM_MINUTE_ROLLUP_RETENTION_HOURS", 2160, 1, 87_600),
    },
  };
  const distinctTopics = new Set(Object.values(topics));
  if (distinctTopics.size !== topicKeys.length) {
    read.problems.push(
      `KAFKA_TOPIC_*: each of the five topics needs its own name, got ${Object.values(topics).join(", ")}`,
    );
  }
  if (config.pipeline.retryMaxMs < config.pipeline.retryInitialMs) {
    read.problems.push(
      `RTTM_DB_RETRY_MAX_MS=${config.pipeline.retryMaxMs} is not allowed: expected at least RTTM_DB_RETRY_INITIAL_MS (${config.pipeline.retryInitialMs})`,
    );
  }
  read.done();
  return config;
}

/** "off" (default), or the path of a manifest (JSON object: sha256 hash → document), optionally written "allow-list:PATH". */
function trustedDocumentsConfig(read: EnvReader): TrustedDocumentsConfig {
  const value = read.optionalString("RTTM_TRUSTED_DOCUMENTS");
  if (value === undefined || value === "off") return { mode: "off" };
  const manifestPath = value.replace(/^allow-list:/, "");
  try {
    const manifest: unknown = JSON.parse(readFileSync(manifestPath, "utf8"));
    const entries =
      manifest && typeof manifest === "object" && !Array.isArray(manifest)
        ? Object.entries(manifest)
        : [];
    if (entries.length === 0 || !entries.every(([, document]) => typeof document === "string"))
      throw new Error("not a JSON object of hash → document text");
    // Codegen writes "sha256:<hex>"; clients send the bare hex (persistedQuery.sha256Hash).
    return {
      mode: "allow-list",
      manifestPath,
      documents: new Map(
        entries.map(([hash, document]) => [hash.replace(/^sha256:/, ""), document as string]),
      ),
    };
  } catch (err) {
    read.problems.push(
      `RTTM_TRUSTED_DOCUMENTS=${JSON.stringify(value)} is not allowed: expected off or the path of a trusted-documents manifest (${err instanceof Error ? err.message : String(err)})`,
    );
    return { mode: "off" };
  }
}

function redisConfig(read: EnvReader): RedisConfig {
  const commandTimeoutMs = read.durationMs("REDIS_TIMEOUT", 2000);
  const url = read.url("REDIS_URL", ["redis:", "rediss:"]);
  const sentinels = read.hostPorts("REDIS_SENTINEL_NODES", "", true);
  if (url && sentinels.length > 0)
    read.problems.push("REDIS_URL and REDIS_SENTINEL_NODES are both set: use one");
  if (url) return { kind: "url", url, commandTimeoutMs };
  if (sentinels.length === 0) return { kind: "none" };
  return {
    kind: "sentinel",
    masterName: read.string("REDIS_SENTINEL_MASTER", "mymaster"),
    sentinels,
    password: read.optionalString("REDIS_PASSWORD"),
    sentinelPassword: read.optionalString("REDIS_SENTINEL_PASSWORD"),
    commandTimeoutMs,
  };
}
