import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config/index.js";
import { EnvReader } from "../../src/config/parse.js";
import { logLevel, settings } from "../../src/config/settings.js";
import { docRows } from "../../src/config/variable.js";

/** The variable names loadConfig reads from `env`. */
function namesRead(env: Record<string, string>): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get(target, name) {
      if (typeof name === "string") read.add(name);
      return target[name as string];
    },
  });
  loadConfig(recording);
  return read;
}

test("every variable the configuration reads is documented once, and every documented one is read", () => {
  const documented = docRows(settings).flatMap((row) => row.names);
  assert.equal(new Set(documented).size, documented.length, "a variable documented twice");
  const read = new Set([
    ...namesRead({}),
    // Sentinel settings are read only when Sentinels are configured.
    ...namesRead({ REDIS_SENTINEL_NODES: "sentinel:26379" }),
  ]);
  assert.deepEqual([...read].sort(), [...documented].sort());
});

test("LOG_LEVEL: a known level, else info (the logger never refuses to start)", () => {
  assert.equal(logLevel.read(new EnvReader({ LOG_LEVEL: "warn" })), "warn");
  assert.equal(logLevel.read(new EnvReader({ LOG_LEVEL: "loud" })), "info");
  assert.equal(logLevel.read(new EnvReader({})), "info");
});

test("a setting that depends on another reads it once: RTTM_QUEUE_LOW_WATER is bounded by the capacity", () => {
  assert.equal(loadConfig({ RTTM_QUEUE_CAPACITY: "100" }).pipeline.queueLowWater, 50);
  assert.throws(
    () => loadConfig({ RTTM_QUEUE_CAPACITY: "100", RTTM_QUEUE_LOW_WATER: "101" }),
    /RTTM_QUEUE_LOW_WATER="101" is not allowed: expected a whole number from 0 to 100/,
  );
  // A bad capacity is reported once, not again by the low-water mark that reads it.
  assert.throws(
    () => loadConfig({ RTTM_QUEUE_CAPACITY: "0" }),
    (err: unknown) => err instanceof ConfigError && err.problems.length === 1,
  );
});

test("the declarations document each variable with its default", () => {
  const rows = new Map(docRows(settings).map((row) => [row.names.join(" / "), row]));
  assert.equal(rows.get("SERVER_PORT")?.shown, "`8087`");
  assert.equal(rows.get("RTTM_CARD_TPS_WARNING / RTTM_CARD_TPS_CRITICAL")?.shown, "`50` / `100`");
  assert.equal(rows.get("KAFKA_TOPIC_INVALID_TRADES")?.shown, "`invalid-trades-topic`");
});
