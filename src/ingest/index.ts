/** Ingest's public face: the service (Kafka consumer → queue → writers) and the wire format the simulator also speaks. */
export { kafkaLogCreator } from "./kafkaLog.js";
export { createIngestService, type IngestService } from "./service.js";
export { frameValue } from "./wireFormat.js";
