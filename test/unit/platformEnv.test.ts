import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config/index.js";
import { correlationIdOf } from "../../src/http/correlation.js";

/** The variables as the platform's Helm chart renders them (pms-global-config, rttm-config). */
const platform = {
  REDIS_HOST: "redis",
  REDIS_PORT: "6379",
  REDIS_SENTINEL_HOST: "redis-sentinel",
  REDIS_SENTINEL_PORT: "26379",
  REDIS_SENTINEL_MASTER: "pms-redis",
  REDIS_TIMEOUT: "2000",
  KAFKA_BOOTSTRAP: "kafka:9092",
};

test("the platform's env as deployed: Sentinel from REDIS_SENTINEL_HOST/PORT, Kafka from KAFKA_BOOTSTRAP", () => {
  const config = loadConfig(platform);
  assert.deepEqual(config.kafka.brokers, ["kafka:9092"]);
  assert.deepEqual(config.redis, {
    kind: "sentinel",
    masterName: "pms-redis",
    sentinels: [{ host: "redis-sentinel", port: 26379 }],
    password: undefined,
    sentinelPassword: undefined,
    commandTimeoutMs: 2000,
  });
  assert.equal(loadConfig({ ...platform, REDIS_TIMEOUT: "2s" }).redis.kind, "sentinel");
});

test("the old names win: REDIS_SENTINEL_NODES over HOST/PORT, KAFKA_BOOTSTRAP_SERVERS over KAFKA_BOOTSTRAP", () => {
  const config = loadConfig({
    ...platform,
    REDIS_SENTINEL_NODES: "s1:26379,s2:26380",
    KAFKA_BOOTSTRAP_SERVERS: "k1:9092,k2:9092",
  });
  assert.deepEqual(config.kafka.brokers, ["k1:9092", "k2:9092"]);
  assert.deepEqual(config.redis.kind === "sentinel" && config.redis.sentinels, [
    { host: "s1", port: 26379 },
    { host: "s2", port: 26380 },
  ]);
  const hostOnly = loadConfig({ REDIS_SENTINEL_HOST: "redis-sentinel" }).redis;
  assert.deepEqual(hostOnly.kind === "sentinel" && hostOnly.sentinels, [
    { host: "redis-sentinel", port: 26379 },
  ]);
  assert.deepEqual(loadConfig({ REDIS_SENTINEL_PORT: "26379" }).redis, { kind: "none" });
});

test("bad platform values are named", () => {
  for (const [env, message] of [
    [
      { REDIS_SENTINEL_HOST: "redis-sentinel:26379" },
      /REDIS_SENTINEL_HOST="redis-sentinel:26379" is not allowed/,
    ],
    [
      { REDIS_SENTINEL_HOST: "redis-sentinel", REDIS_SENTINEL_PORT: "0" },
      /REDIS_SENTINEL_PORT="0"/,
    ],
    [{ KAFKA_BOOTSTRAP: "kafka" }, /KAFKA_BOOTSTRAP="kafka" is not allowed/],
    [{ REDIS_SENTINEL_HOST: "redis-sentinel", REDIS_URL: "redis://r:6379" }, /use one/],
  ] as const) {
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
    );
  }
});

test("X-Correlation-Id: a sane value is kept, anything else replaced by a UUID", () => {
  assert.equal(correlationIdOf("3f1c2a-gw-42"), "3f1c2a-gw-42");
  assert.equal(correlationIdOf(["first", "second"]), "first");
  for (const bad of [undefined, "", "a b", "x".repeat(129), "<script>", "new\nline"])
    assert.match(
      correlationIdOf(bad),
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
});
