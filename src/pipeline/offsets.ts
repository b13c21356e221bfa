import type { KafkaCoordinates, PartitionOffset } from "../domain/kafka.js";

/**
 * Which offsets may be committed. Records of one partition are spread over several writers, so a
 * later record can be stored before an earlier one. Per partition the ledger counts records that
 * are queued but not yet stored; the committable offset is the lowest such offset (everything
 * below it is stored), or the highest stored offset + 1 when nothing is pending.
 */
interface PartitionState {
  topic: string;
  partition: number;
  /** offset → how many queued copies (a rebalance can fetch a record twice). */
  pending: Map<bigint, number>;
  highestStored: bigint;
  committed: bigint;
}

export class OffsetLedger {
  private readonly partitions = new Map<string, PartitionState>();

  private state(c: KafkaCoordinates): PartitionState {
    const key = `${c.kafkaTopic}\u0000${c.kafkaPartition}`;
    let state = this.partitions.get(key);
    if (!state) {
      state = {
        topic: c.kafkaTopic,
        partition: c.kafkaPartition,
        pending: new Map(),
        highestStored: -1n,
        committed: -1n,
      };
      this.partitions.set(key, state);
    }
    return state;
  }

  queued(c: KafkaCoordinates): void {
    const { pending } = this.state(c);
    pending.set(c.kafkaOffset, (pending.get(c.kafkaOffset) ?? 0) + 1);
  }

  stored(records: Iterable<KafkaCoordinates>): void {
    for (const c of records) {
      const state = this.state(c);
      const left = (state.pending.get(c.kafkaOffset) ?? 1) - 1;
      if (left > 0) state.pending.set(c.kafkaOffset, left);
      else state.pending.delete(c.kafkaOffset);
      if (c.kafkaOffset > state.highestStored) state.highestStored = c.kafkaOffset;
    }
  }

  /** Offsets that moved forward since the last call, to commit now. */
  committable(): PartitionOffset[] {
    const result: PartitionOffset[] = [];
    for (const state of this.partitions.values()) {
      let next = state.highestStored + 1n;
      for (const offset of state.pending.keys()) if (offset < next) next = offset;
      if (next > state.committed && next > 0n) {
        state.committed = next;
        result.push({ topic: state.topic, partition: state.partition, offset: next.toString() });
      }
    }
    return result;
  }

  /** A commit failed: offer these offsets again next time. */
  commitFailed(offsets: PartitionOffset[]): void {
    for (const o of offsets) {
      const state = this.state({
        kafkaTopic: o.topic,
        kafkaPartition: o.partition,
        kafkaOffset: 0n,
      });
      if (state.committed === BigInt(o.offset)) state.committed = BigInt(o.offset) - 1n;
    }
  }

  get pendingCount(): number {
    let n = 0;
    for (const state of this.partitions.values()) n += state.pending.size;
    return n;
  }
}
