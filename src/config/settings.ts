/**
 * Every setting of the service, declared once: variable name, default, meaning and how it is
 * read (groups with rules of their own in their modules: topics.ts, redis.ts, thresholds.ts,
 * auth.ts, liveFanout.ts, httpIngest.ts, alertmanager.ts). `Config` is the type of what these read (config/index.ts); the README's configuration
 * table is printed from them (`npm run docs:config`, checked in CI).
 */
import { alertmanagerConfig } from "./alertmanager.js";
import { authConfig } from "./auth.js";
import { verifyConfig } from "./verify.js";
import { liveFanoutSettings } from "./liveFanout.js";
import { databaseUrlFromEnv } from "./databaseUrl.js";
import { redisSettings } from "./redis.js";
import { alertThresholds, cardThresholds } from "./thresholds.js";
import { topicSettings } from "./topics.js";
import { httpIngestConfig } from "./httpIngest.js";
import { readTrustedDocuments, type TrustedDocumentsConfig } from "./trustedDocuments.js";
import { int, literal, number, optionalString, string, variable, Variable } from "./variable.js";

const databaseUrl = new Variable(
  [
    {
      names: ["DATABASE_URL"],
      shown: "built from `DB_*`",
      doc: "PostgreSQL URL; overrides the `DB_*` variables",
    },
    {
      names: ["DB_HOST", "DB_PORT", "DB_NAME"],
      shown: "`localhost` / `5432` / `pmsdb`",
      doc: "database location (old service's names)",
    },
    {
      names: ["DB_USERNAME", "DB_PASSWORD"],
      shown: "`postgres` / empty",
      doc: "database credentials",
    },
  ],
  (read) => databaseUrlFromEnv(read.env),
);

const brokers = new Variable<string[]>(
  [
    {
      names: ["KAFKA_BOOTSTRAP_SERVERS"],
      shown: literal("localhost:9092"),
      doc: "comma-separated host:port (the old default `kafka:9092` only worked in one compose network)",
    },
    {
      names: ["KAFKA_BOOTSTRAP"],
      shown: "unset",
      doc: "read when `KAFKA_BOOTSTRAP_SERVERS` is unset (the platform's `rttm-config` ConfigMap sets this name)",
    },
  ],
  (read) => {
    const name =
      read.optionalString("KAFKA_BOOTSTRAP_SERVERS") === undefined &&
      read.optionalString("KAFKA_BOOTSTRAP") !== undefined
        ? "KAFKA_BOOTSTRAP"
        : "KAFKA_BOOTSTRAP_SERVERS";
    return read.hostPorts(name, "localhost:9092").map(({ host, port }) => `${host}:${port}`);
  },
);

const mib = 1024 * 1024;

const queueCapacity = int("RTTM_QUEUE_CAPACITY", {
  fallback: 10_000,
  min: 1,
  max: 10_000_000,
  doc: "most events held in memory",
});

const trustedDocuments = variable(
  "RTTM_TRUSTED_DOCUMENTS",
  literal("off"),
  "`off`, or the path of a trusted-documents manifest (`clients/typescript/src/generated/persisted-documents.json`, shipped as `@pms/rttm-client/persisted-documents.json`; `allow-list:PATH` also accepted): only those operations run, sent by hash, over HTTP and WebSocket; anything else is refused (`PERSISTED_QUERY_ONLY`, `PERSISTED_QUERY_NOT_IN_LIST`). GraphiQL cannot be used then",
  (read): TrustedDocumentsConfig => {
    const value = read.optionalString("RTTM_TRUSTED_DOCUMENTS");
    if (value === undefined || value === "off") return { mode: "off" };
    const manifestPath = value.replace(/^allow-list:/, "");
    try {
      return { mode: "allow-list", manifestPath, documents: readTrustedDocuments(manifestPath) };
    } catch (err) {
      read.problems.push(
        `RTTM_TRUSTED_DOCUMENTS=${JSON.stringify(value)} is not allowed: expected off or the path of a trusted-documents manifest (${err instanceof Error ? err.message : String(err)})`,
      );
      return { mode: "off" };
    }
  },
);

const readinessChecks = ["database", "kafka", "queue"] as const;

/** The settings, in the order the README lists them. */
export const settings = {
  databaseUrl,
  kafka: {
    brokers,
    groupId: string(
      "KAFKA_CONSUMER_GROUP_ID",
      "rttm-group",
      "the one consumer group for all five topics (the old service ignored it)",
    ),
    clientId: string("KAFKA_CLIENT_ID", "rttm", "Kafka client id"),
    topics: topicSettings,
    fetchMaxWaitMs: int("RTTM_FETCH_MAX_WAIT_MS", {
      fallback: 3000,
      min: 0,
      max: 60_000,
      doc: "Kafka fetch long-poll",
    }),
    fetchMaxBytes: int("RTTM_FETCH_MAX_BYTES", {
      fallback: 4 * mib,
      min: 1024,
      max: 1024 * mib,
      doc: "most bytes of one Kafka fetch response (one per broker is in memory at a time; a single larger record still comes through)",
    }),
    fetchMaxBytesPerPartition: int("RTTM_FETCH_MAX_BYTES_PER_PARTITION", {
      fallback: 256 * 1024,
      min: 1024,
      max: 1024 * mib,
      doc: "most bytes of one partition in a fetch response",
    }),
    partitionsConsumedConcurrently: int("RTTM_CONSUMER_CONCURRENCY", {
      fallback: 3,
      min: 1,
      max: 64,
      doc: "partitions handed to the queue concurrently",
    }),
  },
  schemaRegistryUrl: variable(
    "SCHEMA_REGISTRY_URL",
    "unset",
    "Confluent-compatible registry; when set, each schema id is checked (cached)",
    (read) => read.url("SCHEMA_REGISTRY_URL", ["http:", "https:"]),
  ),
  pipeline: {
    batchSize: int("RTTM_BATCH_SIZE", {
      fallback: 1000,
      min: 1,
      max: 50_000,
      doc: "most rows per database transaction (old default 100 was tied to its 2-s poll loop)",
    }),
    // The old 2000 ms was a fixed delay between drains; here it bounds how long the first event of
    // a partial batch waits, so dashboards stay fresh at low rates.
    batchPollMs: int("RTTM_BATCH_POLL_MS", {
      fallback: 100,
      min: 1,
      max: 600_000,
      doc: "longest an event waits in the queue for its batch to fill (the old 2000 ms was a fixed delay between drains)",
    }),
    queueCapacity,
    queueMaxBytes: int("RTTM_QUEUE_MAX_BYTES", {
      fallback: 32 * mib,
      min: 64 * 1024,
      max: 64 * 1024 * mib,
      doc: "most bytes of events held in memory (each weighs 640 B + twice its Kafka record); the partitions pause at this as at the capacity",
    }),
    batchMaxBytes: int("RTTM_BATCH_MAX_BYTES", {
      fallback: 4 * mib,
      min: 1024,
      max: 1024 * mib,
      doc: "most bytes of events (as the queue weighs them) in one database transaction; a single larger event is written alone",
    }),
    writers: int("RTTM_WRITERS", {
      fallback: 2,
      min: 1,
      max: 32,
      doc: "concurrent batch writers, each with its own connection and share of the queue (rows that update the same derived state go to the same writer)",
    }),
    queueLowWater: variable(
      "RTTM_QUEUE_LOW_WATER",
      "capacity / 2",
      "paused partitions resume at or below this many queued events (and the same fraction of `RTTM_QUEUE_MAX_BYTES`)",
      (read) => {
        const capacity = queueCapacity.read(read);
        return read.int("RTTM_QUEUE_LOW_WATER", {
          fallback: Math.floor(capacity / 2),
          min: 0,
          max: capacity,
        });
      },
    ),
    retryInitialMs: int("RTTM_DB_RETRY_INITIAL_MS", {
      fallback: 100,
      min: 1,
      max: 60_000,
      doc: "first delay before a failed batch write is retried (retried forever, doubling)",
    }),
    retryMaxMs: int("RTTM_DB_RETRY_MAX_MS", {
      fallback: 10_000,
      min: 1,
      max: 600_000,
      doc: "longest delay between retries of a failed batch write; at least `RTTM_DB_RETRY_INITIAL_MS`",
    }),
    shutdownTimeoutMs: int("RTTM_SHUTDOWN_TIMEOUT_MS", {
      fallback: 25_000,
      min: 1000,
      max: 600_000,
      doc: "bound on a graceful stop",
    }),
  },
  queueMetrics: {
    aggregationThreshold: number("RTTM_QUEUE_METRICS_AGG_THRESHOLD", {
      fallback: 0.1,
      min: 0,
      doc: "relative lag change that stores a queue snapshot in history",
    }),
    minIntervalMinutes: int("RTTM_QUEUE_METRICS_MIN_INTERVAL", {
      fallback: 5,
      min: 0,
      max: 10_080,
      doc: "minutes after which an unchanged snapshot is stored anyway",
    }),
  },
  retention: {
    intervalMs: int("RTTM_RETENTION_INTERVAL_MS", {
      fallback: 600_000,
      min: 1000,
      max: 86_400_000,
      doc: "how often retention runs (one replica at a time, advisory lock)",
    }),
    eventsHours: int("RTTM_EVENTS_RETENTION_HOURS", {
      fallback: 168,
      min: 1,
      max: 87_600,
      doc: "trade, error, DLQ, invalid-trade events, stage latencies, trade progress",
    }),
    queueMetricsHours: int("RTTM_QUEUE_METRICS_RETENTION_HOURS", {
      fallback: 48,
      min: 1,
      max: 87_600,
      doc: "queue-snapshot history (old service's setting)",
    }),
    quarantineHours: int("RTTM_QUARANTINE_RETENTION_HOURS", {
      fallback: 720,
      min: 1,
      max: 87_600,
      doc: "quarantined records",
    }),
    alertsHours: int("RTTM_ALERTS_RETENTION_HOURS", {
      fallback: 2160,
      min: 1,
      max: 87_600,
      doc: "resolved alerts and their history (open alerts are kept)",
    }),
    secondRollupHours: int("RTTM_SECOND_ROLLUP_RETENTION_HOURS", {
      fallback: 48,
      min: 1,
      max: 87_600,
      doc: "per-second counts",
    }),
    minuteRollupHours: int("RTTM_MINUTE_ROLLUP_RETENTION_HOURS", {
      fallback: 2160,
      min: 1,
      max: 87_600,
      doc: "per-minute counts and latency histograms",
    }),
  },
  serverPort: int("SERVER_PORT", {
    fallback: 8087,
    min: 0,
    max: 65535,
    doc: "HTTP and WebSocket port (0: any free port)",
  }),
  production: variable(
    "NODE_ENV",
    literal("development"),
    "`production` masks unexpected errors and disables GraphiQL; also `test`",
    (read) =>
      read.oneOf("NODE_ENV", "development", ["development", "production", "test"]) === "production",
  ),
  redis: redisSettings,
  live: {
    tickMs: int("RTTM_LIVE_TICK_MS", {
      fallback: 250,
      min: 10,
      max: 60_000,
      doc: "live snapshots are recomputed at most once per tick, and only when a change notice arrived",
    }),
    fanout: liveFanoutSettings,
  },
  /** The old dashboard's raw WebSockets (src/legacy). */
  legacy: {
    wsAnonymous: variable(
      "RTTM_LEGACY_WS_ANONYMOUS",
      literal("true"),
      "accept the old dashboard's raw WebSockets (`/ws/rttm/*`) without credentials (the page cannot send any on a WebSocket)",
      (read) => read.oneOf("RTTM_LEGACY_WS_ANONYMOUS", "true", ["true", "false"]) === "true",
    ),
    wsPingIntervalMs: int("RTTM_LEGACY_WS_PING_MS", {
      fallback: 30_000,
      min: 100,
      max: 240_000,
      doc: "protocol-level ping period of raw sockets (under the load balancer's 300 s idle timeout)",
    }),
  },
  cards: cardThresholds,
  http: {
    host: optionalString("SERVER_HOST", "all interfaces", "interface to listen on"),
    readPoolSize: int("RTTM_DB_READ_POOL_SIZE", {
      fallback: 8,
      min: 1,
      max: 200,
      doc: "connections for dashboard queries (separate from the writers')",
    }),
    allowedOrigins: variable(
      "RTTM_ALLOWED_ORIGINS",
      "any",
      "comma-separated browser origins allowed over HTTP and WebSocket",
      (read) => read.list("RTTM_ALLOWED_ORIGINS", []),
    ),
    maxDocumentBytes: int("RTTM_GRAPHQL_MAX_DOCUMENT_BYTES", {
      fallback: 16_384,
      min: 256,
      max: 10_000_000,
      doc: "longest GraphQL document accepted, over HTTP and WebSocket",
    }),
    maxDepth: int("RTTM_GRAPHQL_MAX_DEPTH", {
      fallback: 8,
      min: 2,
      max: 100,
      doc: "deepest GraphQL selection accepted",
    }),
    maxCost: int("RTTM_GRAPHQL_MAX_COST", {
      fallback: 5_000,
      min: 10,
      max: 10_000_000,
      doc: "highest GraphQL query cost accepted",
    }),
    wsMaxConnections: int("RTTM_WS_MAX_CONNECTIONS", {
      fallback: 20_000,
      min: 1,
      max: 1_000_000,
      doc: "WebSocket connections per replica",
    }),
    wsMaxMessageBytes: int("RTTM_WS_MAX_MESSAGE_BYTES", {
      fallback: 65_536,
      min: 256,
      max: 100_000_000,
      doc: "largest WebSocket message accepted",
    }),
    wsInitTimeoutMs: int("RTTM_WS_INIT_TIMEOUT_MS", {
      fallback: 5_000,
      min: 100,
      max: 600_000,
      doc: "how long a WebSocket may take to send `connection_init`",
    }),
    queueSaturatedMs: int("RTTM_READINESS_QUEUE_SATURATED_MS", {
      fallback: 60_000,
      min: 1000,
      max: 3_600_000,
      doc: "how long a full queue may last before readiness turns DOWN",
    }),
    readinessChecks: variable(
      "RTTM_READINESS_CHECKS",
      literal(readinessChecks),
      "which dependencies readiness requires",
      (read) => read.listOf("RTTM_READINESS_CHECKS", [...readinessChecks], readinessChecks),
    ),
    trustedDocuments,
  },
  auth: authConfig,
  verify: verifyConfig,
  httpIngest: httpIngestConfig,
  alertmanager: alertmanagerConfig,
  alerts: {
    evalIntervalMs: int("RTTM_ALERT_EVAL_INTERVAL", {
      fallback: 60_000,
      min: 1000,
      max: 86_400_000,
      doc: "ms between evaluations (the first at start-up)",
    }),
    autoResolveIntervalMs: int("RTTM_ALERT_AUTO_RESOLVE_INTERVAL", {
      fallback: 300_000,
      min: 1000,
      max: 86_400_000,
      doc: "ms between auto-resolve runs for silent scopes",
    }),
    silentAfterMs: int("RTTM_ALERT_SILENT_AFTER_MS", {
      fallback: 900_000,
      min: 1000,
      max: 604_800_000,
      doc: "how long a scope must have had no data before its alert auto-resolves (NO_DATA; the old fixed 15 minutes)",
    }),
    clearMarginPercent: number("RTTM_ALERT_CLEAR_MARGIN_PERCENT", {
      fallback: 10,
      min: 0,
      max: 99,
      doc: "clear level = warning less this percentage",
    }),
    clearEvaluations: int("RTTM_ALERT_CLEAR_EVALUATIONS", {
      fallback: 2,
      min: 1,
      max: 1000,
      doc: "clear evaluations in a row that resolve an alert",
    }),
    thresholds: alertThresholds,
  },
};

export const logLevels = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

/** Read by the logger itself (src/log.ts), before and apart from Config: an unknown value means info. */
export const logLevel = variable(
  "LOG_LEVEL",
  literal("info"),
  "`debug`, `info`, `warn`, `error`, `silent`; logs are JSON lines on stderr (an unknown value means `info`)",
  (read): LogLevel => {
    const value = read.optionalString("LOG_LEVEL");
    return logLevels.includes(value as LogLevel) ? (value as LogLevel) : "info";
  },
);
