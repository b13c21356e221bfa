/** Ingest's public face: the service (Kafka consumer → queue → writers) and the wire format the simulator also speaks. */
export { kafkaLogCreator } from "./kafkaLog.js";
export {
  createIngestService,
  type IngestService,
  type IngestStats,
  type StoredListener,
} from "./service.js";
export { frameValue } from "./wireFormat.js";

export { registrySchemaCheck, type SchemaCheck } from "./schemaCheck.js";
export { registerTopicSchema, registerTopicSchemas } from "./schemaRegistration.js";
export { topicDescriptions, type TopicDescription } from "./topics.js";
export { RecordRejected } from "./validate.js";
