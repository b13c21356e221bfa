import { fromBinary } from "@bufbuild/protobuf";
import type { IngestRow } from "../domain/rows.js";
import type { SchemaCheck } from "./schemaCheck.js";
import type { RecordContext, TopicDescription } from "./topics.js";
import { RecordRejected, rejectionKinds } from "./validate.js";
import { parseFramedValue } from "./wireFormat.js";

export interface RawRecord extends RecordContext {
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * Turns one Kafka record into the row for its table, or into a quarantine row that keeps the raw
 * bytes and says why. Never throws for bad input.
 */
export async function decodeRecord(
  record: RawRecord,
  topic: TopicDescription,
  schemas: SchemaCheck,
): Promise<IngestRow> {
  try {
    const framed = parseFramedValue(record.value);
    await schemas.check(framed.schemaId, framed.messageIndexes, topic.schema.typeName);
    let message;
    try {
      message = fromBinary(topic.schema, framed.payload);
    } catch (err) {
      throw new RecordRejected(
        "RECORD_UNDECODABLE",
        `payload is not a valid ${topic.schema.typeName}: ${(err as Error).message}`,
      );
    }
    return topic.toRow(message, record);
  } catch (err) {
    if (!(err instanceof RecordRejected)) throw err;
    return quarantine(record, rejectionKinds[err.code], err.message);
  }
}

export function quarantine(record: RawRecord, errorKind: string, reason: string): IngestRow {
  return {
    table: "quarantine",
    row: {
      kafkaTopic: record.kafkaTopic,
      kafkaPartition: record.kafkaPartition,
      kafkaOffset: record.kafkaOffset,
      kafkaTimestamp: record.kafkaTimestamp,
      messageKey: record.key ? new Uint8Array(record.key) : null,
      rawValue: record.value ? new Uint8Array(record.value) : null,
      errorKind,
      reason,
    },
  };
}
