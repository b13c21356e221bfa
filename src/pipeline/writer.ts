import type { Pool } from "pg";
import type { PartitionOffset } from "../domain/kafka.js";
import type { IngestRow } from "../domain/rows.js";
import type { Logger } from "../log.js";
import type { SnapshotRule } from "../arithmetic/index.js";
import { groupByTable, writeBatch, type BatchCounts } from "../store/index.js";
import type { BoundedQueue } from "./boundedQueue.js";
import { OffsetLedger } from "./offsets.js";
import { retryUntilSuccess } from "./retry.js";
import type { ShardedQueue } from "./shardedQueue.js";

const commitRetryMs = 1000;

export interface WriterOptions {
  batchSize: number;
  /** Most bytes (as weighed by the queue) per batch; one larger event still forms a batch. */
  batchMaxBytes: number;
  batchPollMs: number;
  /** Paused partitions resume once every shard holds at most this fraction of both its limits. */
  lowWaterFraction: number;
  retryInitialMs: number;
  retryMaxMs: number;
  snapshotRule: SnapshotRule;
}

export interface WriterHooks {
  /** Called when the queue has drained to the low-water mark. */
  onRoom(): void;
  /** Commits offsets to Kafka; returns those it committed. */
  commit(offsets: PartitionOffset[]): Promise<PartitionOffset[]>;
  /** Called after each committed batch with what it wrote and how long the write took. */
  onStored?(counts: BatchCounts, batch: readonly IngestRow[], durationMs: number): void;
}

/** What the writers report to /metrics. */
export interface WriterStats {
  /** Rows written since start, per table (quarantine = rejected records), and latencies derived. */
  rows: Readonly<Record<string, number>>;
  /** Records that were already stored when a batch brought them again: not written again. */
  redelivered: number;
  /** Batch writes are failing and being retried. */
  failing: boolean;
}

export interface WriterStatus {
  batches: number;
  rows: Record<string, number>;
  redelivered: number;
  /** Set while the database refuses writes; cleared by the next successful batch. */
  failingSince: Date | null;
  lastError: string | null;
  lastBatchMs: number;
  /** Shard loops running; fewer than `writers` before shutdown means a shard is not drained. */
  writersRunning: number;
  writers: number;
}

/**
 * One writer per queue shard, each on its own connection: drains its shard in batches and writes
 * each batch in one transaction, retrying forever on failure. After every stored batch the
 * offsets the ledger allows are committed to Kafka in the background (a failed commit is retried
 * with the next one), so a slow commit never stalls writing.
 */
export class WriterPool {
  readonly status: WriterStatus = {
    batches: 0,
    rows: {},
    redelivered: 0,
    failingSince: null,
    lastError: null,
    lastBatchMs: 0,
    writersRunning: 0,
    writers: 0,
  };
  private committing: Promise<void> = Promise.resolve();
  private commitRetry: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly abort = new AbortController();
  private loops: Array<Promise<void>> = [];

  constructor(
    private readonly pool: Pool,
    private readonly queue: ShardedQueue,
    readonly ledger: OffsetLedger,
    private readonly options: WriterOptions,
    private readonly hooks: WriterHooks,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.loops.length > 0) return;
    this.status.writers = this.queue.shards.length;
    this.loops = this.queue.shards.map(async (shard, index) => {
      this.status.writersRunning++;
      try {
        await this.run(shard);
      } catch (err) {
        // Not expected (run() handles every failure of a batch); readiness shows the shard down.
        this.logger.error("shard writer stopped by an unexpected error", { shard: index, err });
      } finally {
        this.status.writersRunning--;
      }
    });
  }

  /** The writers' counts now. */
  stats(): WriterStats {
    return {
      rows: { ...this.status.rows },
      redelivered: this.status.redelivered,
      failing: this.status.failingSince !== null,
    };
  }

  /** Writes what is queued, commits, and resolves; `abandonAfterMs` bounds the wait on a failing database. */
  async flushAndStop(abandonAfterMs: number): Promise<"flushed" | "abandoned"> {
    this.queue.close();
    const timer = setTimeout(() => this.abort.abort(), abandonAfterMs);
    try {
      await Promise.all(this.loops);
      await this.committing;
      await this.commitNow();
      return this.abort.signal.aborted ? "abandoned" : "flushed";
    } finally {
      this.stopped = true;
      if (this.commitRetry) clearTimeout(this.commitRetry);
      clearTimeout(timer);
    }
  }

  private drainedToLowWater(): boolean {
    return this.queue.shards.every((shard) => shard.isBelow(this.options.lowWaterFraction));
  }

  private async run(shard: BoundedQueue<IngestRow>): Promise<void> {
    for (;;) {
      const { batchSize, batchPollMs, batchMaxBytes } = this.options;
      const batch = await shard.nextBatch(batchSize, batchPollMs, batchMaxBytes);
      if (batch.length === 0) return;
      if (this.drainedToLowWater()) this.hooks.onRoom();
      try {
        await this.write(batch);
      } catch (err) {
        // write() retries until the batch is stored; it only gives up when shutdown aborts it.
        if (!this.abort.signal.aborted) throw err;
        this.logger.warn(
          "shutdown deadline passed with a batch unwritten; its offsets stay uncommitted",
          { rows: batch.length, err },
        );
        return;
      }
    }
  }

  private async write(batch: IngestRow[]): Promise<void> {
    const started = performance.now();
    const counts = await retryUntilSuccess(
      () => writeBatch(this.pool, groupByTable(batch), this.options.snapshotRule),
      {
        initialMs: this.options.retryInitialMs,
        maxMs: this.options.retryMaxMs,
        signal: this.abort.signal,
        onFailure: (err, attempt, delayMs) => {
          this.status.failingSince ??= new Date();
          this.status.lastError = (err as Error).message;
          const first = batch[0]!.row;
          this.logger.error("batch write failed; retrying", {
            attempt,
            retryInMs: delayMs,
            rows: batch.length,
            firstRecord: {
              topic: first.kafkaTopic,
              partition: first.kafkaPartition,
              offset: first.kafkaOffset,
            },
            err,
          });
        },
      },
    );
    if (this.status.failingSince)
      this.logger.info("database writes recovered", { failingSince: this.status.failingSince });
    this.status.failingSince = null;
    this.status.batches++;
    this.status.lastBatchMs = performance.now() - started;
    const { redelivered, ...rows } = counts;
    for (const [table, n] of Object.entries(rows))
      this.status.rows[table] = (this.status.rows[table] ?? 0) + n;
    this.status.redelivered += redelivered;
    this.ledger.stored(batch.map((r) => r.row));
    this.committing = this.committing.then(() => this.commitNow());
    try {
      this.hooks.onStored?.(counts, batch, this.status.lastBatchMs);
    } catch (err) {
      // The batch is stored and its offsets go to Kafka; a listener's bug must not stop the shard.
      this.logger.error("a stored-batch listener failed; the batch is stored", {
        rows: batch.length,
        err,
      });
    }
  }

  private async commitNow(): Promise<void> {
    const offsets = this.ledger.committable();
    if (offsets.length === 0) return;
    try {
      await this.hooks.commit(offsets);
    } catch (err) {
      this.ledger.commitFailed(offsets);
      this.logger.warn("offset commit failed; will retry", { offsets, err });
      this.retryCommitSoon();
    }
  }

  /**
   * A failed commit (e.g. during a rebalance) is retried with the next stored batch, and after a
   * pause in case no batch comes: the last records of a burst must not stay uncommitted.
   */
  private retryCommitSoon(): void {
    if (this.commitRetry || this.stopped) return;
    this.commitRetry = setTimeout(() => {
      this.commitRetry = null;
      this.committing = this.committing.then(() => this.commitNow());
    }, commitRetryMs);
    this.commitRetry.unref();
  }
}
