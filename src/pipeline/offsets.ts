/**
 * Which offsets may be committed. Records of a partition enter the queue in offset order and the
 * writer stores batches in queue order, so once a batch is committed in PostgreSQL every record
 * up to its highest offset per partition is stored: that offset + 1 is safe to commit.
 */
export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read, as Kafka expects a commit. */
  offset: string;
}

export class CommittableOffsets {
  private readonly next = new Map<string, PartitionOffset>();

  /** Records that the given coordinates are stored. */
  stored(records: Iterable<{ kafkaTopic: string; kafkaPartition: number; kafkaOffset: bigint }>): void {
    for (const r of records) {
      const key = `${r.kafkaTopic}\u0000${r.kafkaPartition}`;
      const offset = (r.kafkaOffset + 1n).toString();
      const current = this.next.get(key);
      if (!current || BigInt(current.offset) < BigInt(offset)) this.next.set(key, { topic: r.kafkaTopic, partition: r.kafkaPartition, offset });
    }
  }

  /** Takes everything not yet handed out. */
  drain(): PartitionOffset[] {
    const offsets = [...this.next.values()];
    this.next.clear();
    return offsets;
  }

  /** Puts back offsets whose commit failed, unless newer ones arrived meanwhile. */
  restore(offsets: PartitionOffset[]): void {
    for (const o of offsets) this.stored([{ kafkaTopic: o.topic, kafkaPartition: o.partition, kafkaOffset: BigInt(o.offset) - 1n }]);
  }

  get size(): number {
    return this.next.size;
  }
}
