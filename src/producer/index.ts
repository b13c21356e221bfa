/**
 * The producers' HTTP ingest behind the HTTP layer: accepted events are Confluent-framed with the
 * topic's registered schema id and appended to the topic pms-rttm-client's Kafka mode uses. The
 * consumer then stores them like any other record: no second write path.
 */
import type { Config } from "../config/index.js";
import { frameValue, type SchemaCheck } from "../ingest/index.js";
import type { Logger } from "../log.js";
import { createBatchingProducer, type ProducerStats } from "./batchingProducer.js";
import type { EventKind, PostedEvent } from "./events.js";
import { registrySchemaIds } from "./schemaIds.js";

export {
  eventKinds,
  EventRejected,
  ingestPaths,
  type EventKind,
  type IngestPath,
  type PostedEvent,
} from "./events.js";
export { ProduceUnavailable } from "./errors.js";

export interface EventAppender {
  /** Resolves once Kafka acknowledged every event (acks=all); rejects with ProduceUnavailable. */
  append(kind: EventKind, events: readonly PostedEvent[]): Promise<void>;
  /** The topic name of a kind (metrics label). */
  topicOf(kind: EventKind): string;
  readonly stats: ProducerStats;
  close(): Promise<void>;
}

export function createEventAppender(
  config: Config,
  schemaCheck: SchemaCheck,
  logger: Logger,
): EventAppender {
  const settings = config.httpIngest;
  if (!config.schemaRegistryUrl) throw new Error("HTTP ingest needs SCHEMA_REGISTRY_URL");
  const schemaIds = registrySchemaIds(
    config.schemaRegistryUrl,
    schemaCheck,
    settings.produceTimeoutMs,
  );
  const producer = createBatchingProducer({
    brokers: config.kafka.brokers,
    clientId: `${config.kafka.clientId}-http-ingest`,
    lingerMs: settings.lingerMs,
    sendMaxEvents: settings.sendMaxEvents,
    maxPendingEvents: settings.maxPendingEvents,
    sendTimeoutMs: settings.produceTimeoutMs,
    logger,
  });
  const topicOf = (kind: EventKind) => config.kafka.topics[kind.topicKey];
  return {
    topicOf,
    stats: producer.stats,
    async append(kind, events) {
      const topic = topicOf(kind);
      const schemaId = await schemaIds.idFor(kind.topicKey, topic, kind.typeName);
      await producer.append(
        topic,
        events.map((e) => ({ key: e.key, value: frameValue(schemaId, e.value) })),
      );
    },
    close: () => producer.close(),
  };
}
