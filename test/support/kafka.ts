/** Producing test traffic to the real broker, in the Confluent wire format through the real registry. */
import { create, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import { topicEnv, topicKeys, type TopicKey } from "../../src/config/index.js";
import { frameValue } from "../../src/ingest/wireFormat.js";
import { registerTopicSchemas } from "../../src/ingest/schemaRegistration.js";
import { kafkaBrokers, schemaRegistryUrl, uniqueName } from "./infra.js";

export const kafka = new Kafka({
  clientId: "rttm-test",
  brokers: kafkaBrokers,
  logLevel: logLevel.NOTHING,
});

/** The service's settings that name its five topics (KAFKA_TOPIC_*) and its consumer group. */
export function topicSettings(
  topics: Record<TopicKey, string>,
  groupId: string,
): Record<string, string> {
  return {
    ...Object.fromEntries(topicKeys.map((k) => [topicEnv[k].variable, topics[k]])),
    KAFKA_CONSUMER_GROUP_ID: groupId,
  };
}

/** Fresh topic names for one test (env variable → name) and a fresh consumer group. */
export function uniqueTopics(): { topics: Record<TopicKey, string>; env: Record<string, string> } {
  const suffix = uniqueName("t");
  const topics = Object.fromEntries(topicKeys.map((k) => [k, `test.${k}.${suffix}`])) as Record<
    TopicKey,
    string
  >;
  return { topics, env: topicSettings(topics, uniqueName("rttm-test-group")) };
}

export async function createTopics(
  topics: Record<TopicKey, string>,
  numPartitions = 2,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: Object.values(topics).map((topic) => ({ topic, numPartitions })),
    });
  } finally {
    await admin.disconnect();
  }
}

export async function connectProducer(): Promise<Producer> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  return producer;
}

export interface Encoder {
  schemaIds: Record<TopicKey, number>;
  encode<S extends DescMessage>(topic: TopicKey, schema: S, init: MessageInitShape<S>): Buffer;
}

/** Registers the five schemas under `<topic>-value` subjects and frames payloads with their ids. */
export async function createEncoder(topics: Record<TopicKey, string>): Promise<Encoder> {
  const schemaIds = await registerTopicSchemas(schemaRegistryUrl, topics);
  return {
    schemaIds,
    encode: (topic, schema, init) =>
      frameValue(schemaIds[topic], toBinary(schema, create(schema, init))),
  };
}

/** Fresh topics (created), a fresh consumer group, and an encoder registered for them. */
export async function freshTopics(
  partitions = 2,
): Promise<{ topics: Record<TopicKey, string>; env: Record<string, string>; encoder: Encoder }> {
  const { topics, env } = uniqueTopics();
  await createTopics(topics, partitions);
  return { topics, env, encoder: await createEncoder(topics) };
}
