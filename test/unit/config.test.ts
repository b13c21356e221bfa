import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config/index.js";

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
