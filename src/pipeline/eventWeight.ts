/**
 * What one queued event weighs in the queue's byte budget: its decoded row in memory, estimated
 * from the Kafka record it came from. Measured on Node 24: a decoded trade event (a ~130-byte
 * record) holds ~900 bytes of heap (object, strings, bigints, Date); strings decoded from the
 * payload take at most two bytes per byte of payload, so very large records are never undercounted.
 */
export const rowOverheadBytes = 640;

export function eventWeight(key: Buffer | null, value: Buffer | null): number {
  return rowOverheadBytes + 2 * ((key?.length ?? 0) + (value?.length ?? 0));
}
