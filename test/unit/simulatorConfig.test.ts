import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config/index.js";
import { docRows } from "../../src/config/variable.js";
import { loadSimulatorConfig, simulatorSettings } from "../../src/simulator/config.js";

test("the simulator reads exactly the variables it documents, sharing the service's Kafka ones", () => {
  const read = new Set<string>();
  loadSimulatorConfig(
    new Proxy({} as Record<string, string>, {
      get(target, name) {
        if (typeof name === "string") read.add(name);
        return target[name as string];
      },
    }),
  );
  const documented = docRows(simulatorSettings).flatMap((row) => row.names);
  assert.deepEqual([...read].sort(), [...documented].sort());
  const env = { KAFKA_BOOTSTRAP_SERVERS: "k1:9092,k2:9093", KAFKA_TOPIC_DLQ_EVENTS: "dlq" };
  const service = loadConfig(env).kafka;
  const simulator = loadSimulatorConfig(env);
  assert.deepEqual(simulator.brokers, service.brokers);
  assert.deepEqual(simulator.topics, service.topics);
});

test("defaults, and the fractions refused when they add up to more than 1", () => {
  const config = loadSimulatorConfig({ SIM_SEED: "7" });
  assert.equal(config.tradesPerSecond, 20);
  assert.equal(config.lifecycle.dlqFraction, 0.01);
  assert.deepEqual(config.fallbackSchemaIds.invalidTrades, 5);
  assert.equal(config.seed, 7);
  assert.throws(
    () => loadSimulatorConfig({ SIM_FAILURE_FRACTION: "0.6", SIM_DLQ_FRACTION: "0.5" }),
    (err: unknown) =>
      err instanceof ConfigError &&
      /SIM_FAILURE_FRACTION \+ SIM_DLQ_FRACTION \+ SIM_INVALID_FRACTION = 1.12 is not allowed/.test(
        err.message,
      ),
  );
  assert.throws(() => loadSimulatorConfig({ SIM_SCHEMA_IDS: "1,2" }), /SIM_SCHEMA_IDS="1,2"/);
});
