import { RecordRejected } from "./validate.js";

/**
 * Confluent's wire format for protobuf values: magic byte 0, the schema id as a big-endian int32,
 * the message-index path (a zig-zag varint count, then that many zig-zag varints; a lone 0 byte
 * means "the first message of the schema"), then the protobuf payload.
 */
export interface FramedValue {
  schemaId: number;
  messageIndexes: number[];
  payload: Uint8Array;
}

const maxIndexCount = 64;

function readZigZagVarint(bytes: Uint8Array, start: number): { value: number; next: number } {
  let result = 0;
  let shift = 0;
  for (let i = start; i < bytes.length && shift < 35; i++) {
    const byte = bytes[i]!;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value: (result >>> 1) ^ -(result & 1), next: i + 1 };
    shift += 7;
  }
  throw new RecordRejected("RECORD_BAD_FRAMING", "message-index varint is truncated or too long");
}

export function parseFramedValue(value: Uint8Array | null): FramedValue {
  if (value === null || value.length === 0)
    throw new RecordRejected("RECORD_BAD_FRAMING", "empty value (tombstone or null)");
  if (value[0] !== 0) {
    throw new RecordRejected(
      "RECORD_BAD_FRAMING",
      `bad magic byte 0x${value[0]!.toString(16).padStart(2, "0")}, expected 0x00 (Confluent wire format)`,
    );
  }
  if (value.length < 6)
    throw new RecordRejected(
      "RECORD_BAD_FRAMING",
      `value of ${value.length} bytes is too short for the Confluent header`,
    );
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const schemaId = view.getInt32(1, false);
  const count = readZigZagVarint(value, 5);
  if (count.value < 0 || count.value > maxIndexCount) {
    throw new RecordRejected(
      "RECORD_BAD_FRAMING",
      `message-index count ${count.value} is out of range`,
    );
  }
  const messageIndexes: number[] = [];
  let position = count.next;
  for (let i = 0; i < count.value; i++) {
    const index = readZigZagVarint(value, position);
    messageIndexes.push(index.value);
    position = index.next;
  }
  return {
    schemaId,
    messageIndexes: messageIndexes.length === 0 ? [0] : messageIndexes,
    payload: value.subarray(position),
  };
}

/** The header a producer writes before a payload of the schema's first message. */
export function frameValue(schemaId: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(6);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}
