import type { KafkaCoordinates } from "../domain/kafka.js";

/**
 * A batch's rows of one table, each Kafka record once, sorted by its coordinates. After a
 * rebalance kafkajs can fetch a record again while its first copy is still queued, so one batch
 * may hold it twice; and two replicas can hold the same records in different orders. Inserting
 * each record once, in one global order, means a record is counted once, and two transactions
 * inserting the same records take their index locks in the same order: they wait for each other
 * instead of deadlocking.
 */
export function uniqueInKeyOrder<Row extends KafkaCoordinates>(rows: readonly Row[]): Row[] {
  const byKey = new Map<string, Row>();
  for (const row of rows) {
    const key = `${row.kafkaTopic}\u0000${row.kafkaPartition}\u0000${row.kafkaOffset}`;
    if (!byKey.has(key)) byKey.set(key, row);
  }
  return [...byKey.values()].sort(
    (a, b) =>
      (a.kafkaTopic < b.kafkaTopic ? -1 : a.kafkaTopic > b.kafkaTopic ? 1 : 0) ||
      a.kafkaPartition - b.kafkaPartition ||
      (a.kafkaOffset < b.kafkaOffset ? -1 : a.kafkaOffset > b.kafkaOffset ? 1 : 0),
  );
}
