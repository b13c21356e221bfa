import type { Config } from "../config/index.js";
import type { Logger } from "../log.js";
import { OffsetLedger, ShardedQueue, WriterPool, type WriterStats } from "../pipeline/index.js";
import { createPool, preparePartitions, startRetention, type BatchCounts } from "../store/index.js";
import { startVerifySchedule, type VerifySchedule } from "../store/verify/index.js";
import type { Pool } from "pg";
import { createIngestConsumer, type ConsumerStats, type ConsumerStatus } from "./consumer.js";
import type { IngestRow } from "../domain/rows.js";
import { registrySchemaCheck, trustTopicTypes, type SchemaCheck } from "./schemaCheck.js";

/** What ingest reports to /metrics: the consumer's, the queue's, the ledger's and the writers' counts. */
export interface IngestStats {
  consumer: ConsumerStats;
  writer: WriterStats;
  /** Events waiting in the bounded queue. */
  queueDepth: number;
  queueCapacity: number;
  /** Records fetched but not yet stored, so their offsets are not committed. */
  commitLag: number;
  /** Schema ids checked against the Schema Registry, and records decoded unchecked during its outages. */
  schemaIds: { verified: number; unverified: number };
  /** Keys of each derived table that differed in the latest self-check (empty before one). */
  verifyDrift: Array<{ table: string; differing: number }>;
}

export interface IngestService {
  start(): Promise<void>;
  /** Stop fetching, flush the queue, commit, leave the group. Resolves within the configured bound. */
  stop(): Promise<"flushed" | "abandoned">;
  readonly queue: ShardedQueue;
  readonly writer: WriterPool;
  readonly consumerStatus: ConsumerStatus;
  readonly ledger: OffsetLedger;
  readonly pool: Pool;
  /** Schema ids checked against the Schema Registry, and records decoded unchecked during its outages. */
  readonly schemaStats: SchemaCheck["stats"];
  /** The latest self-check of the derived tables (RTTM_VERIFY_INTERVAL). */
  readonly verify: Pick<VerifySchedule, "latest">;
  onStored(listener: StoredListener): void;
  stats(): IngestStats;
}

export type StoredListener = (
  counts: BatchCounts,
  batch: readonly IngestRow[],
  durationMs: number,
) => void;

/** ingest → pipeline → store, wired from the configuration. */
/** `onFatal` is called when the consumer gave up for good (kafkajs will not restart it). */
export function createIngestService(
  config: Config,
  logger: Logger,
  onFatal: (err: Error) => void = () => {},
): IngestService {
  // One connection per writer, one for retention, two for the self-check (its lock and its reads).
  const verifyConnections = config.verify.intervalMs === null ? 0 : 2;
  const pool = createPool(config.databaseUrl, config.pipeline.writers + 1 + verifyConnections);
  const queue = new ShardedQueue(
    { capacity: config.pipeline.queueCapacity, maxBytes: config.pipeline.queueMaxBytes },
    config.pipeline.writers,
  );
  const schemas = config.schemaRegistryUrl
    ? registrySchemaCheck(config.schemaRegistryUrl, logger)
    : trustTopicTypes;
  const ledger = new OffsetLedger();
  const consumer = createIngestConsumer({
    kafka: config.kafka,
    queue,
    ledger,
    schemas,
    logger,
    onFatal,
  });
  const listeners: StoredListener[] = [];
  const writer = new WriterPool(
    pool,
    queue,
    ledger,
    {
      batchSize: config.pipeline.batchSize,
      batchMaxBytes: config.pipeline.batchMaxBytes,
      batchPollMs: config.pipeline.batchPollMs,
      lowWaterFraction: config.pipeline.queueLowWater / config.pipeline.queueCapacity,
      retryInitialMs: config.pipeline.retryInitialMs,
      retryMaxMs: config.pipeline.retryMaxMs,
      snapshotRule: {
        threshold: config.queueMetrics.aggregationThreshold,
        minIntervalMinutes: config.queueMetrics.minIntervalMinutes,
      },
    },
    {
      onRoom: () => consumer.resume(),
      commit: (offsets) => consumer.commit(offsets),
      onStored: (counts, batch, durationMs) =>
        listeners.forEach((l) => l(counts, batch, durationMs)),
    },
    logger.child({ component: "writer" }),
  );
  let stopRetention = () => {};
  let verify: VerifySchedule = { latest: () => null, stop: () => {} };

  return {
    queue,
    writer,
    ledger,
    pool,
    consumerStatus: consumer.status,
    schemaStats: schemas.stats,
    verify: { latest: () => verify.latest() },
    onStored: (listener) => listeners.push(listener),
    stats: () => ({
      consumer: consumer.stats(),
      writer: writer.stats(),
      queueDepth: queue.size,
      queueCapacity: queue.capacity,
      commitLag: ledger.pendingCount,
      schemaIds: { ...schemas.stats },
      verifyDrift: (verify.latest()?.tables ?? []).map(({ table, differing }) => ({
        table,
        differing,
      })),
    }),
    async start() {
      writer.start();
      // Day partitions before the first rows: a day created while rows of that day are being
      // written fails those batches once (they are retried), and moves rows it need not move.
      await preparePartitions(pool, config.retention).catch((err) =>
        logger.warn("could not prepare day partitions; retention will retry", { err }),
      );
      stopRetention = startRetention(
        pool,
        config.retention,
        logger.child({ component: "retention" }),
      );
      verify = startVerifySchedule(
        pool,
        config.verify.intervalMs,
        logger.child({ component: "verify" }),
      );
      await consumer.start();
    },
    async stop() {
      const deadline = Date.now() + config.pipeline.shutdownTimeoutMs;
      stopRetention();
      verify.stop();
      await consumer.stopFeeding();
      // Leave a few seconds of the bound for leaving the group.
      const outcome = await writer.flushAndStop(Math.max(1000, deadline - Date.now() - 3000));
      await consumer
        .disconnect()
        .catch((err) => logger.warn("leaving the consumer group failed", { err }));
      await pool.end().catch(() => undefined);
      return outcome;
    },
  };
}
