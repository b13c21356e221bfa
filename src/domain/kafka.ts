/** Where a record sits in Kafka; stored with every row under a unique constraint. */
export interface KafkaCoordinates {
  kafkaTopic: string;
  kafkaPartition: number;
  kafkaOffset: bigint;
}

/** An offset to commit for one partition. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read, as Kafka expects a commit. */
  offset: string;
}
