/** The simulator's environment: the service's Kafka and topic variables plus SIM_*. */
import { topicEnv, topicKeys, type TopicKey } from "../config/index.js";
import { EnvReader, type Env } from "../config/parse.js";
import { defaultLifecycleOptions, type LifecycleOptions } from "./lifecycle.js";

export interface SimulatorConfig {
  brokers: string[];
  clientId: string;
  topics: Record<TopicKey, string>;
  /** Set: register the .proto schemas there and frame with its ids. */
  schemaRegistryUrl: string | undefined;
  /** Schema ids used without a registry, per topic (SIM_SCHEMA_IDS). */
  fallbackSchemaIds: Record<TopicKey, number>;
  tradesPerSecond: number;
  lifecycle: LifecycleOptions;
  queueMetricIntervalMs: number;
  progressIntervalMs: number;
  createTopics: boolean;
  topicPartitions: number;
  /** 0: until SIGINT/SIGTERM. */
  durationSeconds: number;
  seed: number;
}

export function loadSimulatorConfig(env: Env = process.env): SimulatorConfig {
  const read = new EnvReader(env);
  const brokers = read
    .hostPorts("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092")
    .map(({ host, port }) => `${host}:${port}`);
  const topics = Object.fromEntries(
    topicKeys.map((key) => [key, read.string(topicEnv[key].variable, topicEnv[key].defaultTopic)]),
  ) as Record<TopicKey, string>;
  const fraction = (name: string, fallback: number) => read.number(name, fallback, 0, 1);
  const lifecycle: LifecycleOptions = {
    ...defaultLifecycleOptions,
    failureFraction: fraction("SIM_FAILURE_FRACTION", defaultLifecycleOptions.failureFraction),
    dlqFraction: fraction("SIM_DLQ_FRACTION", defaultLifecycleOptions.dlqFraction),
    invalidFraction: fraction("SIM_INVALID_FRACTION", defaultLifecycleOptions.invalidFraction),
  };
  const sum = lifecycle.failureFraction + lifecycle.dlqFraction + lifecycle.invalidFraction;
  if (sum > 1)
    read.problems.push(
      `SIM_FAILURE_FRACTION + SIM_DLQ_FRACTION + SIM_INVALID_FRACTION = ${sum} is not allowed: expected at most 1`,
    );

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
  const config: SimulatorConfig = {
    brokers,
    clientId: read.string("SIM_CLIENT_ID", "rttm-simulator"),
    topics,
    schemaRegistryUrl: read.url("SCHEMA_REGISTRY_URL", ["http:", "https:"]),
    fallbackSchemaIds: Object.fromEntries(
      topicKeys.map((key, i) => [key, ids[i] ?? i + 1]),
    ) as Record<TopicKey, number>,
    tradesPerSecond: read.number("SIM_TRADES_PER_SECOND", 20, 0.01, 100_000),
    lifecycle,
    queueMetricIntervalMs: read.int("SIM_QUEUE_METRIC_INTERVAL_MS", 5000, 100, 3_600_000),
    progressIntervalMs: read.int("SIM_PROGRESS_INTERVAL_MS", 5000, 100, 3_600_000),
    createTopics: read.oneOf("SIM_CREATE_TOPICS", "true", ["true", "false"]) === "true",
    topicPartitions: read.int("SIM_TOPIC_PARTITIONS", 3, 1, 1000),
    durationSeconds: read.number("SIM_DURATION_SECONDS", 0, 0),
    seed: read.int("SIM_SEED", Math.floor(Math.random() * 2 ** 31), 0, 2 ** 32 - 1),
  };
  read.done();
  return config;
}
