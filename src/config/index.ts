import { EnvReader, type Env } from "./parse.js";
import { readAll, type ValuesOf } from "./variable.js";
import { settings } from "./settings.js";
import { topicKeys } from "../domain/topics.js";

export { ConfigError, EnvReader, type Env } from "./parse.js";
export type { AuthConfig, JwtSettings } from "./auth.js";
export type { HttpIngestConfig, IngestApiKey } from "./httpIngest.js";
export type { AlertmanagerConfig, AlertmanagerSettings } from "./alertmanager.js";
export type { TrustedDocumentsConfig } from "./trustedDocuments.js";
export type { RedisConfig } from "./redis.js";
export { alertThresholdEnv, type AlertThresholdKey, type StatusThresholds } from "./thresholds.js";
export { topicEnv } from "./topics.js";
export { topicKeys, type TopicKey } from "../domain/topics.js";

/** Every setting, typed by its declaration in settings.ts (which also says what each means). */
export type Config = ValuesOf<typeof settings>;

/** The settings from `env`; one ConfigError names every bad variable, its value and what is allowed. */
export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const config = readAll(settings, read);
  const topics = Object.values(config.kafka.topics);
  if (new Set(topics).size !== topicKeys.length) {
    read.problems.push(
      `KAFKA_TOPIC_*: each of the five topics needs its own name, got ${topics.join(", ")}`,
    );
  }
  if (config.pipeline.retryMaxMs < config.pipeline.retryInitialMs) {
    read.problems.push(
      `RTTM_DB_RETRY_MAX_MS=${config.pipeline.retryMaxMs} is not allowed: expected at least RTTM_DB_RETRY_INITIAL_MS (${config.pipeline.retryInitialMs})`,
    );
  }
  if (config.httpIngest.apiKeys.length > 0 && !config.schemaRegistryUrl) {
    read.problems.push(
      "RTTM_INGEST_API_KEYS is set but SCHEMA_REGISTRY_URL is not: posted events are framed with the schema id registered for their topic",
    );
  }
  read.done();
  return config;
}

export { logLevel, settings, type LogLevel } from "./settings.js";
export {
  Variable,
  int,
  literal,
  number,
  readAll,
  string,
  variable,
  type ValuesOf,
} from "./variable.js";
