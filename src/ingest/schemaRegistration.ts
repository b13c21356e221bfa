/**
 * Registers the platform's .proto files (schema/proto) with a Confluent-compatible Schema Registry
 * under TopicNameStrategy subjects (`<topic>-value`), as the platform's producers do, and returns
 * the schema id per topic. Used by the HTTP ingest producer (when a subject does not exist yet, as
 * the library's auto-registration would), the simulator, test producers and the benchmark.
 *
 * The files are read at run time from `schema/proto` two levels above this module: the repository's
 * schema/proto from src/ingest, and dist/schema/proto from the compiled dist/src/ingest, where
 * the Dockerfile's runtime stage puts them.
 */
import { SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { TopicKey } from "../domain/topics.js";

const protoDir = fileURLToPath(new URL("../../schema/proto/", import.meta.url));

export const protoFiles: Record<TopicKey, string> = {
  tradeEvents: "rttm/rttm_trade_event.proto",
  errorEvents: "rttm/rttm_error_event.proto",
  queueMetrics: "rttm/rttm_queue_metric.proto",
  dlqEvents: "rttm/rttm_dlq_event.proto",
  invalidTrades: "validation/invalid_trade_event.proto",
};

const timestampProto = `syntax = "proto3";
package google.protobuf;
option java_package = "com.google.protobuf";
message Timestamp {
  int64 seconds = 1;
  int32 nanos = 2;
}
`;
const timestampImport = "google/protobuf/timestamp.proto";

export async function registerTopicSchemas(
  registryUrl: string,
  topics: Record<TopicKey, string>,
): Promise<Record<TopicKey, number>> {
  const ids = {} as Record<TopicKey, number>;
  for (const key of Object.keys(protoFiles) as TopicKey[]) {
    ids[key] = await registerTopicSchema(registryUrl, key, topics[key]);
  }
  return ids;
}

/** Registers the .proto of `key` under `<topic>-value` (the registry answers the existing id for a known schema). */
export async function registerTopicSchema(
  registryUrl: string,
  key: TopicKey,
  topic: string,
): Promise<number> {
  const registry = new SchemaRegistry({ host: registryUrl, clientId: "rttm-tools" });
  const schema = await readProto(protoFiles[key]);
  const references = [];
  if (schema.includes(`import "${timestampImport}"`)) {
    await registry.register(
      { type: SchemaType.PROTOBUF, schema: timestampProto },
      { subject: timestampImport },
    );
    const version = await latestVersion(registryUrl, timestampImport);
    references.push({ name: timestampImport, subject: timestampImport, version });
  }
  const { id } = await registry.register(
    { type: SchemaType.PROTOBUF, schema, references },
    { subject: `${topic}-value` },
  );
  return id;
}

async function readProto(file: string): Promise<string> {
  try {
    return await readFile(protoDir + file, "utf8");
  } catch (err) {
    throw new Error(
      `schema registration: cannot read ${protoDir + file} (the .proto files come from the repository's schema/proto; the image carries them in dist/schema/proto)`,
      { cause: err },
    );
  }
}

async function latestVersion(registryUrl: string, subject: string): Promise<number> {
  const response = await fetch(
    `${registryUrl}/subjects/${encodeURIComponent(subject)}/versions/latest`,
  );
  if (!response.ok)
    throw new Error(`registry: latest version of ${subject}: HTTP ${response.status}`);
  return ((await response.json()) as { version: number }).version;
}
