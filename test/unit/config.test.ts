import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, EnvReader, int, loadConfig, number } from "../../src/config/index.js";

test("defaults match the old service's contract", () => {
  const config = loadConfig({});
  assert.equal(config.serverPort, 8087);
  assert.equal(config.kafka.groupId, "rttm-group");
  assert.deepEqual(config.kafka.topics, {
    tradeEvents: "rttm.trade.events",
    errorEvents: "rttm.error.events",
    queueMetrics: "rttm.queue.metrics",
    dlqEvents: "rttm.dlq.events",
    invalidTrades: "invalid-trades-topic",
  });
  assert.equal(config.pipeline.queueCapacity, 10_000);
  assert.equal(config.pipeline.batchPollMs, 100);
  assert.deepEqual(config.redis, { kind: "none" });
  assert.deepEqual(config.cards.tps, { warning: 50, critical: 100 });
  assert.equal(config.databaseUrl, "postgresql://postgres@localhost:5432/pmsdb");
});

test("DB_* variables build the URL; DATABASE_URL overrides them", () => {
  assert.equal(
    loadConfig({
      DB_HOST: "db",
      DB_PORT: "6432",
      DB_NAME: "x",
      DB_USERNAME: "u",
      DB_PASSWORD: "p@ss",
    }).databaseUrl,
    "postgresql://u:p%40ss@db:6432/x",
  );
  assert.equal(
    loadConfig({ DATABASE_URL: "postgresql://a@b/c", DB_HOST: "ignored" }).databaseUrl,
    "postgresql://a@b/c",
  );
});

test("every bad variable is named with its value and what is allowed, in one error", () => {
  let error: unknown;
  try {
    loadConfig({
      SERVER_PORT: "80a",
      RTTM_QUEUE_CAPACITY: "0",
      KAFKA_BOOTSTRAP_SERVERS: "kafka",
      SCHEMA_REGISTRY_URL: "ftp://x",
    });
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof ConfigError);
  assert.equal(error.problems.length, 4);
  assert.match(
    error.message,
    /SERVER_PORT="80a" is not allowed: expected a whole number from 0 to 65535/,
  );
  assert.match(
    error.message,
    /RTTM_QUEUE_CAPACITY="0" is not allowed: expected a whole number from 1 to 10000000/,
  );
  assert.match(
    error.message,
    /KAFKA_BOOTSTRAP_SERVERS="kafka" is not allowed: expected comma-separated host:port pairs/,
  );
  assert.match(
    error.message,
    /SCHEMA_REGISTRY_URL="ftp:\/\/x" is not allowed: expected a URL with protocol http: or https:/,
  );
});

test("two topics with the same name are refused", () => {
  assert.throws(
    () => loadConfig({ KAFKA_TOPIC_DLQ_EVENTS: "rttm.trade.events" }),
    /each of the five topics needs its own name/,
  );
});

test("Redis: a plain URL, or Sentinel nodes with the old service's variables", () => {
  assert.deepEqual(loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" }).redis, {
    kind: "url",
    url: "redis://127.0.0.1:6379",
    commandTimeoutMs: 2000,
  });
  assert.deepEqual(
    loadConfig({
      REDIS_SENTINEL_NODES: "s1:26379,s2:26380",
      REDIS_SENTINEL_MASTER: "pms",
      REDIS_PASSWORD: "pw",
      REDIS_TIMEOUT: "500ms",
    }).redis,
    {
      kind: "sentinel",
      masterName: "pms",
      sentinels: [
        { host: "s1", port: 26379 },
        { host: "s2", port: 26380 },
      ],
      password: "pw",
      sentinelPassword: undefined,
      commandTimeoutMs: 500,
    },
  );
  assert.throws(
    () => loadConfig({ REDIS_SENTINEL_NODES: "s1" }),
    /REDIS_SENTINEL_NODES="s1" is not allowed/,
  );
  assert.throws(
    () => loadConfig({ REDIS_TIMEOUT: "soon" }),
    /REDIS_TIMEOUT="soon" is not allowed: expected a duration/,
  );
  assert.throws(
    () => loadConfig({ REDIS_URL: "redis://x", REDIS_SENTINEL_NODES: "s1:1" }),
    /both set/,
  );
  assert.throws(
    () => loadConfig({ RTTM_READINESS_CHECKS: "database,disk" }),
    /RTTM_READINESS_CHECKS="database,disk" is not allowed/,
  );
});

test("int() and number() take one options object: bounds checked, min 0 unless given, the README row from it", () => {
  const workers = int("X_WORKERS", { fallback: 2, max: 32, doc: "workers" });
  const ratio = number("X_RATIO", { fallback: 0.5, min: 0.1, max: 1, doc: "ratio" });
  assert.deepEqual(workers.rows, [{ names: ["X_WORKERS"], shown: "`2`", doc: "workers" }]);
  const read = (env: Record<string, string>) => {
    const reader = new EnvReader(env);
    return { values: [workers.read(reader), ratio.read(reader)], problems: reader.problems };
  };
  assert.deepEqual(read({}).values, [2, 0.5]);
  assert.deepEqual(read({ X_WORKERS: "0", X_RATIO: "1" }), { values: [0, 1], problems: [] });
  const bad = read({ X_WORKERS: "-1", X_RATIO: "0.05" });
  assert.deepEqual(bad.values, [2, 0.5], "a refused value falls back, and is reported");
  assert.deepEqual(bad.problems, [
    'X_WORKERS="-1" is not allowed: expected a whole number from 0 to 32',
    'X_RATIO="0.05" is not allowed: expected a number from 0.1 to 1',
  ]);
});
