/**
 * Every setting of the service, declared once: variable name, default, meaning and how it is
 * read. `Config` is the type of what these read (config/index.ts); the README's configuration
 * table is printed from them (`npm run docs:config`, checked in CI).
 */
import { authConfig } from "./auth.js";
import { verifyConfig } from "./verify.js";
import { databaseUrlFromEnv } from "./databaseUrl.js";
import type { EnvReader } from "./parse.js";
import { readTrustedDocuments, type TrustedDocumentsConfig } from "./trustedDocuments.js";
import {
  durationMs,
  int,
  literal,
  number,
  oneOf,
  optionalString,
  string,
  variable,
  Variable,
} from "./variable.js";

export const topicKeys = [
  "tradeEvents",
  "errorEvents",
  "queueMetrics",
  "dlqEvents",
  "invalidTrades",
] as const;
export type TopicKey = (typeof topicKeys)[number];

/** Env variable, default topic name and message type per topic, as the old service named them. */
export const topicEnv: Record<
  TopicKey,
  { variable: string; defaultTopic: string; message: string }
> = {
  tradeEvents: {
    variable: "KAFKA_TOPIC_TRADE_EVENTS",
    defaultTopic: "rttm.trade.events",
    message: "RttmTradeEvent",
  },
  errorEvents: {
    variable: "KAFKA_TOPIC_ERROR_EVENTS",
    defaultTopic: "rttm.error.events",
    message: "RttmErrorEvent",
  },
  queueMetrics: {
    variable: "KAFKA_TOPIC_QUEUE_METRICS",
    defaultTopic: "rttm.queue.metrics",
    message: "RttmQueueMetric",
  },
  dlqEvents: {
    variable: "KAFKA_TOPIC_DLQ_EVENTS",
    defaultTopic: "rttm.dlq.events",
    message: "RttmDlqEvent",
  },
  invalidTrades: {
    variable: "KAFKA_TOPIC_INVALID_TRADES",
    defaultTopic: "invalid-trades-topic",
    message: "InvalidTradeEventProto",
  },
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
  verifyDrift: "VERIFY_DRIFT",
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

/** The five topic names, each its own variable. */
const topics = new Variable(
  topicKeys.map((key) => ({
    names: [topicEnv[key].variable],
    shown: literal(topicEnv[key].defaultTopic),
    doc: `\`${topicEnv[key].message}\` topic`,
  })),
  (read) =>
    Object.fromEntries(
      topicKeys.map((key) => [
        key,
        read.string(topicEnv[key].variable, topicEnv[key].defaultTopic),
      ]),
    ) as Record<TopicKey, string>,
);

/** RTTM_<prefix>_WARNING and _CRITICAL as one pair; `checkOrder` refuses warning > critical. */
function thresholdPair(
  prefix: string,
  warning: number,
  critical: number,
  doc: string,
  checkOrder: boolean,
): Variable<StatusThresholds> {
  const names = [`${prefix}_WARNING`, `${prefix}_CRITICAL`] as const;
  return new Variable(
    [{ names, shown: `${literal(warning)} / ${literal(critical)}`, doc }],
    (read) => {
      const pair = {
        warning: read.number(names[0], warning, 0),
        critical: read.number(names[1], critical, 0),
      };
      if (checkOrder && pair.warning > pair.critical)
        read.problems.push(
          `${names[0]}=${pair.warning} is not allowed: expected at most ${names[1]} (${pair.critical})`,
        );
      return pair;
    },
  );
}

const card = (name: string, warning: number, critical: number, what: string) =>
  thresholdPair(
    `RTTM_CARD_${name}`,
    warning,
    critical,
    `status thresholds of the overview card ${what} (the old hard-coded rule)`,
    false,
  );

const alertThresholds = (key: AlertThresholdKey, warning: number, critical: number, what: string) =>
  thresholdPair(
    `RTTM_ALERT_${alertThresholdEnv[key]}`,
    warning,
    critical,
    `alert thresholds of ${what} (see [Alerts](#alerts-srcalerts)); warning ≤ critical`,
    true,
  );

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

/**
 * REDIS_SENTINEL_NODES, else REDIS_SENTINEL_HOST:REDIS_SENTINEL_PORT: the platform's global ConfigMap
 * sets only the latter two (redis-sentinel:26379).
 */
function sentinelNodes(read: EnvReader): Array<{ host: string; port: number }> {
  const nodes = read.hostPorts("REDIS_SENTINEL_NODES", "", true);
  const host = read.optionalString("REDIS_SENTINEL_HOST");
  const port = read.int("REDIS_SENTINEL_PORT", 26379, 1, 65535);
  if (nodes.length > 0 || read.optionalString("REDIS_SENTINEL_NODES") !== undefined || !host)
    return nodes;
  if (!/^[A-Za-z0-9.-]+$/.test(host)) {
    read.problems.push(
      `REDIS_SENTINEL_HOST=${JSON.stringify(host)} is not allowed: expected a host name or address (no port; that is REDIS_SENTINEL_PORT)`,
    );
    return [];
  }
  return [{ host, port }];
}

const queueCapacity = int(
  "RTTM_QUEUE_CAPACITY",
  10_000,
  1,
  10_000_000,
  "most events held in memory",
);

const redis = new Variable<RedisConfig>(
  [
    {
      names: ["REDIS_URL"],
      shown: "unset",
      doc: "a single Redis node for the change bus (`redis://` or `rediss://`)",
    },
    {
      names: ["REDIS_SENTINEL_NODES"],
      shown: "unset",
      doc: "`host:port,…` of Sentinels (old service's variable; the old default named in-cluster hosts, so RTTM uses in-process pub/sub when neither is set)",
    },
    {
      names: ["REDIS_SENTINEL_HOST", "REDIS_SENTINEL_PORT"],
      shown: "unset / `26379`",
      doc: "one Sentinel, read when `REDIS_SENTINEL_NODES` is unset (the platform's global ConfigMap sets these: `redis-sentinel` / `26379`)",
    },
    { names: ["REDIS_SENTINEL_MASTER"], shown: literal("mymaster"), doc: "Sentinel master name" },
    {
      names: ["REDIS_PASSWORD", "REDIS_SENTINEL_PASSWORD"],
      shown: "unset",
      doc: "passwords of the data nodes / the Sentinels",
    },
    {
      names: ["REDIS_TIMEOUT"],
      shown: literal("2s"),
      doc: "Redis command timeout (`500ms`, `2s`, …)",
    },
  ],
  (read) => {
    const commandTimeoutMs = read.durationMs("REDIS_TIMEOUT", 2000);
    const url = read.url("REDIS_URL", ["redis:", "rediss:"]);
    const sentinels = sentinelNodes(read);
    if (url && sentinels.length > 0)
      read.problems.push(
        "REDIS_URL and REDIS_SENTINEL_NODES (or REDIS_SENTINEL_HOST) are both set: use one",
      );
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
  },
);

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
    topics,
    fetchMaxWaitMs: int("RTTM_FETCH_MAX_WAIT_MS", 3000, 0, 60_000, "Kafka fetch long-poll"),
    fetchMaxBytes: int(
      "RTTM_FETCH_MAX_BYTES",
      4 * mib,
      1024,
      1024 * mib,
      "most bytes of one Kafka fetch response (one per broker is in memory at a time; a single larger record still comes through)",
    ),
    fetchMaxBytesPerPartition: int(
      "RTTM_FETCH_MAX_BYTES_PER_PARTITION",
      256 * 1024,
      1024,
      1024 * mib,
      "most bytes of one partition in a fetch response",
    ),
    partitionsConsumedConcurrently: int(
      "RTTM_CONSUMER_CONCURRENCY",
      3,
      1,
      64,
      "partitions handed to the queue concurrently",
    ),
  },
  schemaRegistryUrl: variable(
    "SCHEMA_REGISTRY_URL",
    "unset",
    "Confluent-compatible registry; when set, each schema id is checked (cached)",
    (read) => read.url("SCHEMA_REGISTRY_URL", ["http:", "https:"]),
  ),
  pipeline: {
    batchSize: int(
      "RTTM_BATCH_SIZE",
      1000,
      1,
      50_000,
      "most rows per database transaction (old default 100 was tied to its 2-s poll loop)",
    ),
    // The old 2000 ms was a fixed delay between drains; here it bounds how long the first event of
    // a partial batch waits, so dashboards stay fresh at low rates.
    batchPollMs: int(
      "RTTM_BATCH_POLL_MS",
      100,
      1,
      600_000,
      "longest an event waits in the queue for its batch to fill (the old 2000 ms was a fixed delay between drains)",
    ),
    queueCapacity,
    queueMaxBytes: int(
      "RTTM_QUEUE_MAX_BYTES",
      32 * mib,
      64 * 1024,
      64 * 1024 * mib,
      "most bytes of events held in memory (each weighs 640 B + twice its Kafka record); the partitions pause at this as at the capacity",
    ),
    batchMaxBytes: int(
      "RTTM_BATCH_MAX_BYTES",
      4 * mib,
      1024,
      1024 * mib,
      "most bytes of events (as the queue weighs them) in one database transaction; a single larger event is written alone",
    ),
    writers: int(
      "RTTM_WRITERS",
      2,
      1,
      32,
      "concurrent batch writers, each with its own connection and share of the queue (rows that update the same derived state go to the same writer)",
    ),
    queueLowWater: variable(
      "RTTM_QUEUE_LOW_WATER",
      "capacity / 2",
      "paused partitions resume at or below this many queued events (and the same fraction of `RTTM_QUEUE_MAX_BYTES`)",
      (read) => {
        const capacity = queueCapacity.read(read);
        return read.int("RTTM_QUEUE_LOW_WATER", Math.floor(capacity / 2), 0, capacity);
      },
    ),
    retryInitialMs: int(
      "RTTM_DB_RETRY_INITIAL_MS",
      100,
      1,
      60_000,
      "first delay before a failed batch write is retried (retried forever, doubling)",
    ),
    retryMaxMs: int(
      "RTTM_DB_RETRY_MAX_MS",
      10_000,
      1,
      600_000,
      "longest delay between retries of a failed batch write; at least `RTTM_DB_RETRY_INITIAL_MS`",
    ),
    shutdownTimeoutMs: int(
      "RTTM_SHUTDOWN_TIMEOUT_MS",
      25_000,
      1000,
      600_000,
      "bound on a graceful stop",
    ),
  },
  queueMetrics: {
    aggregationThreshold: number(
      "RTTM_QUEUE_METRICS_AGG_THRESHOLD",
      0.1,
      "relative lag change that stores a queue snapshot in history",
      0,
    ),
    minIntervalMinutes: int(
      "RTTM_QUEUE_METRICS_MIN_INTERVAL",
      5,
      0,
      10_080,
      "minutes after which an unchanged snapshot is stored anyway",
    ),
  },
  retention: {
    intervalMs: int(
      "RTTM_RETENTION_INTERVAL_MS",
      600_000,
      1000,
      86_400_000,
      "how often retention runs (one replica at a time, advisory lock)",
    ),
    eventsHours: int(
      "RTTM_EVENTS_RETENTION_HOURS",
      168,
      1,
      87_600,
      "trade, error, DLQ, invalid-trade events, stage latencies, trade progress",
    ),
    queueMetricsHours: int(
      "RTTM_QUEUE_METRICS_RETENTION_HOURS",
      48,
      1,
      87_600,
      "queue-snapshot history (old service's setting)",
    ),
    quarantineHours: int("RTTM_QUARANTINE_RETENTION_HOURS", 720, 1, 87_600, "quarantined records"),
    alertsHours: int(
      "RTTM_ALERTS_RETENTION_HOURS",
      2160,
      1,
      87_600,
      "resolved alerts and their history (open alerts are kept)",
    ),
    secondRollupHours: int(
      "RTTM_SECOND_ROLLUP_RETENTION_HOURS",
      48,
      1,
      87_600,
      "per-second counts",
    ),
    minuteRollupHours: int(
      "RTTM_MINUTE_ROLLUP_RETENTION_HOURS",
      2160,
      1,
      87_600,
      "per-minute counts and latency histograms",
    ),
  },
  serverPort: int("SERVER_PORT", 8087, 0, 65535, "HTTP and WebSocket port (0: any free port)"),
  production: variable(
    "NODE_ENV",
    literal("development"),
    "`production` masks unexpected errors and disables GraphiQL; also `test`",
    (read) =>
      read.oneOf("NODE_ENV", "development", ["development", "production", "test"]) === "production",
  ),
  redis,
  live: {
    tickMs: int(
      "RTTM_LIVE_TICK_MS",
      250,
      10,
      60_000,
      "live snapshots are recomputed at most once per tick, and only when a change notice arrived",
    ),
  },
  /** The old dashboard's raw WebSockets (src/legacy). */
  legacy: {
    wsAnonymous: variable(
      "RTTM_LEGACY_WS_ANONYMOUS",
      literal("true"),
      "accept the old dashboard's raw WebSockets (`/ws/rttm/*`) without credentials (the page cannot send any on a WebSocket)",
      (read) => read.oneOf("RTTM_LEGACY_WS_ANONYMOUS", "true", ["true", "false"]) === "true",
    ),
    wsPingIntervalMs: int(
      "RTTM_LEGACY_WS_PING_MS",
      30_000,
      100,
      240_000,
      "protocol-level ping period of raw sockets (under the load balancer's 300 s idle timeout)",
    ),
  },
  cards: {
    tps: card("TPS", 50, 100, "TPS"),
    latencyMs: card("LATENCY_MS", 30_000, 60_000, "latency, in ms"),
    dlq: card("DLQ", 30, 100, "DLQ"),
    invalidTrades: card("INVALID_TRADES", 1000, 5000, "invalid trades"),
    errors: card("ERRORS", 30, 100, "errors"),
  },
  http: {
    host: optionalString("SERVER_HOST", "all interfaces", "interface to listen on"),
    readPoolSize: int(
      "RTTM_DB_READ_POOL_SIZE",
      8,
      1,
      200,
      "connections for dashboard queries (separate from the writers')",
    ),
    allowedOrigins: variable(
      "RTTM_ALLOWED_ORIGINS",
      "any",
      "comma-separated browser origins allowed over HTTP and WebSocket",
      (read) => read.list("RTTM_ALLOWED_ORIGINS", []),
    ),
    maxDocumentBytes: int(
      "RTTM_GRAPHQL_MAX_DOCUMENT_BYTES",
      16_384,
      256,
      10_000_000,
      "longest GraphQL document accepted, over HTTP and WebSocket",
    ),
    maxDepth: int("RTTM_GRAPHQL_MAX_DEPTH", 8, 2, 100, "deepest GraphQL selection accepted"),
    maxCost: int(
      "RTTM_GRAPHQL_MAX_COST",
      5_000,
      10,
      10_000_000,
      "highest GraphQL query cost accepted",
    ),
    wsMaxConnections: int(
      "RTTM_WS_MAX_CONNECTIONS",
      20_000,
      1,
      1_000_000,
      "WebSocket connections per replica",
    ),
    wsMaxMessageBytes: int(
      "RTTM_WS_MAX_MESSAGE_BYTES",
      65_536,
      256,
      100_000_000,
      "largest WebSocket message accepted",
    ),
    wsInitTimeoutMs: int(
      "RTTM_WS_INIT_TIMEOUT_MS",
      5_000,
      100,
      600_000,
      "how long a WebSocket may take to send `connection_init`",
    ),
    queueSaturatedMs: int(
      "RTTM_READINESS_QUEUE_SATURATED_MS",
      60_000,
      1000,
      3_600_000,
      "how long a full queue may last before readiness turns DOWN",
    ),
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
  alerts: {
    evalIntervalMs: int(
      "RTTM_ALERT_EVAL_INTERVAL",
      60_000,
      1000,
      86_400_000,
      "ms between evaluations (the first at start-up)",
    ),
    autoResolveIntervalMs: int(
      "RTTM_ALERT_AUTO_RESOLVE_INTERVAL",
      300_000,
      1000,
      86_400_000,
      "ms between auto-resolve runs for silent scopes",
    ),
    silentAfterMs: int(
      "RTTM_ALERT_SILENT_AFTER_MS",
      900_000,
      1000,
      604_800_000,
      "how long a scope must have had no data before its alert auto-resolves (NO_DATA; the old fixed 15 minutes)",
    ),
    clearMarginPercent: number(
      "RTTM_ALERT_CLEAR_MARGIN_PERCENT",
      10,
      "clear level = warning less this percentage",
      0,
      99,
    ),
    clearEvaluations: int(
      "RTTM_ALERT_CLEAR_EVALUATIONS",
      2,
      1,
      1000,
      "clear evaluations in a row that resolve an alert",
    ),
    // The old service's application.yml values (its "dev" defaults, which it ran with).
    thresholds: {
      latencyMs: alertThresholds(
        "latencyMs",
        50,
        200,
        "rules `LATENCY_P95` and `LATENCY_P99`, in ms",
      ),
      errorRate: alertThresholds(
        "errorRate",
        1,
        2,
        "rule `ERROR_RATE`: error events in the window",
      ),
      dlq: alertThresholds("dlq", 1, 2, "rule `DLQ_COUNT`: DLQ events in the window"),
      queueDepth: alertThresholds("queueDepth", 10, 50, "rule `QUEUE_LAG`: messages behind"),
      tps: alertThresholds("tps", 10, 50, "rule `TPS`: peak RECEIVED events in one second"),
      verifyDrift: alertThresholds(
        "verifyDrift",
        1,
        100,
        "rule `DERIVED_DRIFT`: derived-table keys that differed from the stored events in the latest self-check",
      ),
    },
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
