/**
 * The simulator's environment: the service's Kafka, topic and registry settings (declared once in
 * src/config/settings.ts) plus SIM_*, declared here the same way; the README's simulator table is
 * printed from these declarations (`npm run docs:config`).
 */
import {
  EnvReader,
  settings,
  int,
  literal,
  number,
  readAll,
  string,
  variable,
  Variable,
  type Env,
  type ValuesOf,
} from "../config/index.js";
import { topicKeys, type TopicKey } from "../domain/topics.js";
import { defaultLifecycleOptions, type LifecycleOptions } from "./lifecycle.js";

const fractions = [
  ["SIM_FAILURE_FRACTION", "failureFraction"],
  ["SIM_DLQ_FRACTION", "dlqFraction"],
  ["SIM_INVALID_FRACTION", "invalidFraction"],
] as const;

/** The trade lifecycle: what share of trades fail at a stage, go to a DLQ, fail validation. */
const lifecycle = new Variable<LifecycleOptions>(
  [
    {
      names: fractions.map(([name]) => name),
      shown: fractions.map(([, key]) => literal(defaultLifecycleOptions[key])).join(" / "),
      doc: "share of trades that fail at a stage / go to a DLQ / fail validation (sum ≤ 1)",
    },
  ],
  (read) => {
    const options: LifecycleOptions = { ...defaultLifecycleOptions };
    for (const [name, key] of fractions)
      options[key] = read.number(name, { fallback: defaultLifecycleOptions[key], min: 0, max: 1 });
    const sum = options.failureFraction + options.dlqFraction + options.invalidFraction;
    if (sum > 1)
      read.problems.push(
        `SIM_FAILURE_FRACTION + SIM_DLQ_FRACTION + SIM_INVALID_FRACTION = ${sum} is not allowed: expected at most 1`,
      );
    return options;
  },
);

/** Schema ids used without a registry, per topic. */
const fallbackSchemaIds = variable(
  "SIM_SCHEMA_IDS",
  literal("1,2,3,4,5"),
  "schema ids without a registry, in the order trade events, error events, queue metrics, DLQ events, invalid trades",
  (read) => {
    const idList = read.list("SIM_SCHEMA_IDS", ["1", "2", "3", "4", "5"]);
    const ids = idList.map(Number);
    if (
      ids.length !== topicKeys.length ||
      ids.some((id) => !Number.isInteger(id) || id < 0 || id > 2 ** 31 - 1)
    ) {
      read.problems.push(
        `SIM_SCHEMA_IDS=${JSON.stringify(idList.join(","))} is not allowed: expected ${topicKeys.length} comma-separated schema ids, in the order ${topicKeys.join(", ")}`,
      );
    }
    return Object.fromEntries(topicKeys.map((key, i) => [key, ids[i] ?? i + 1])) as Record<
      TopicKey,
      number
    >;
  },
);

export const simulatorSettings = {
  brokers: settings.kafka.brokers,
  clientId: string("SIM_CLIENT_ID", "rttm-simulator", "Kafka client id of the simulator"),
  topics: settings.kafka.topics,
  /** Set: register the .proto schemas there and frame with its ids. */
  schemaRegistryUrl: settings.schemaRegistryUrl,
  fallbackSchemaIds,
  tradesPerSecond: number("SIM_TRADES_PER_SECOND", {
    fallback: 20,
    min: 0.01,
    max: 100_000,
    doc: "mean trade arrival rate (Poisson)",
  }),
  lifecycle,
  queueMetricIntervalMs: int("SIM_QUEUE_METRIC_INTERVAL_MS", {
    fallback: 5000,
    min: 100,
    max: 3_600_000,
    doc: "queue snapshot period",
  }),
  progressIntervalMs: int("SIM_PROGRESS_INTERVAL_MS", {
    fallback: 5000,
    min: 100,
    max: 3_600_000,
    doc: "progress log period",
  }),
  createTopics: variable(
    "SIM_CREATE_TOPICS",
    literal("true"),
    "create missing topics",
    (read) => read.oneOf("SIM_CREATE_TOPICS", "true", ["true", "false"]) === "true",
  ),
  topicPartitions: int("SIM_TOPIC_PARTITIONS", {
    fallback: 3,
    min: 1,
    max: 1000,
    doc: "partitions of the topics it creates",
  }),
  durationSeconds: variable(
    "SIM_DURATION_SECONDS",
    `${literal(0)} (until stopped)`,
    "stop by itself after this long",
    (read) => read.number("SIM_DURATION_SECONDS", { fallback: 0, min: 0 }),
  ),
  seed: variable("SIM_SEED", "random", "seed of the generator (same seed, same trades)", (read) =>
    read.int("SIM_SEED", {
      fallback: Math.floor(Math.random() * 2 ** 31),
      min: 0,
      max: 2 ** 32 - 1,
    }),
  ),
};

export type SimulatorConfig = ValuesOf<typeof simulatorSettings>;

export function loadSimulatorConfig(env: Env = process.env): SimulatorConfig {
  const read = new EnvReader(env);
  const config = readAll(simulatorSettings, read);
  read.done();
  return config;
}
