import type { Pool } from "pg";
import type { IngestRow } from "../ingest/rows.js";
import type { Logger } from "../log.js";
import type { SnapshotRule } from "../metrics/queueSnapshot.js";
import { groupByTable, writeBatch, type BatchCounts } from "../store/writeBatch.js";
import type { BoundedQueue } from "./boundedQueue.js";
import { CommittableOffsets, type PartitionOffset } from "./offsets.js";
import { retryUntilSuccess } from "./retry.js";

export interface WriterOptions {
  batchSize: number;
  batchPollMs: number;
  lowWater: number;
  retryInitialMs: number;
  retryMaxMs: number;
  snapshotRule: SnapshotRule;
}

export interface WriterHooks {
  /** Called when the queue has drained to the low-water mark. */
  onRoom(): void;
  /** Commits offsets to Kafka; returns those it committed. */
  commit(offsets: PartitionOffset[]): Promise<PartitionOffset[]>;
  /** Called after each committed batch with what it wrote. */
  onStored?(counts: BatchCounts, batch: readonly IngestRow[]): void;
}

export interface WriterStatus {
  batches: number;
  rows: Record<string, number>;
  /** Set while the database refuses writes; cleared by the next successful batch. */
  failingSince: Date | null;
  lastError: string | null;
  lastBatchMs: number;
}

/**
 * Drains the queue in batches, writes each batch in one transaction (retrying forever on failure),
 * then commits the Kafka offsets the batch made safe. Offsets are committed in the background so a
 * slow commit never stalls writing; a failed commit is retried with the next batch's offsets.
 */
export class BatchWriter {
  readonly status: WriterStatus = { batches: 0, rows: {}, failingSince: null, lastError: null, lastBatchMs: 0 };
  private readonly offsets = new CommittableOffsets();
  private committing: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly queue: BoundedQueue<IngestRow>,
    private readonly options: WriterOptions,
    private readonly hooks: WriterHooks,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Writes what is queued, commits, and resolves; `abandonAfterMs` bounds the wait on a failing database. */
  async flushAndStop(abandonAfterMs: number): Promise<"flushed" | "abandoned"> {
    this.queue.close();
    const timer = setTimeout(() => this.abort.abort(), abandonAfterMs);
    try {
      await this.loop;
      await this.committing;
      await this.commitNow();
      return this.abort.signal.aborted ? "abandoned" : "flushed";
    } finally {
      clearTimeout(timer);
    }
  }

  private async run(): Promise<void> {
    for (;;) {
      const batch = await this.queue.nextBatch(this.options.batchSize, this.options.batchPollMs);
      if (batch.length === 0) return;
      if (this.queue.size <= this.options.lowWater) this.hooks.onRoom();
      try {
        await this.write(batch);
      } catch (err) {
        this.logger.warn("shutdown deadline passed with a batch unwritten; its offsets stay uncommitted", { rows: batch.length, err });
        return;
      }
    }
  }

  private async write(batch: IngestRow[]): Promise<void> {
    const started = performance.now();
    const counts = await retryUntilSuccess(() => writeBatch(this.pool, groupByTable(batch), this.options.snapshotRule), {
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
          firstRecord: { topic: first.kafkaTopic, partition: first.kafkaPartition, offset: first.kafkaOffset },
          err,
        });
      },
    });
    if (this.status.failingSince) this.logger.info("database writes recovered", { failingSince: this.status.failingSince });
    this.status.failingSince = null;
    this.status.batches++;
    this.status.lastBatchMs = performance.now() - started;
    for (const [table, n] of Object.entries(counts)) this.status.rows[table] = (this.status.rows[table] ?? 0) + n;
    this.offsets.stored(batch.map((r) => r.row));
    this.hooks.onStored?.(counts, batch);
    this.committing = this.committing.then(() => this.commitNow());
  }

  private async commitNow(): Promise<void> {
    if (this.offsets.size === 0) return;
    const offsets = this.offsets.drain();
    try {
      await this.hooks.commit(offsets);
    } catch (err) {
      this.offsets.restore(offsets);
      this.logger.warn("offset commit failed; will retry with the next batch", { offsets, err });
    }
  }
}
