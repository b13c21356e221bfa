import { Kafka, logLevel as KafkaLogLevel, type Consumer, type EachBatchPayload } from "kafkajs";
import type { Config } from "../config/index.js";
import type { Logger } from "../log.js";
import {
  eventWeight,
  sleep,
  type BoundedQueue,
  type OffsetLedger,
  type ShardedQueue,
} from "../pipeline/index.js";
import type { PartitionOffset } from "../domain/kafka.js";
import { kafkaLogCreator } from "./kafkaLog.js";
import { decodeRecord, type RawRecord } from "./decode.js";
import type { IngestRow } from "../domain/rows.js";
import type { SchemaCheck } from "./schemaCheck.js";
import { topicDescriptions, type TopicDescription } from "./topics.js";

/** How long a fetched batch waits for queue room before the consumer pauses instead. */
const roomWaitMs = 2000;

export interface ConsumerStatus {
  joined: boolean;
  paused: boolean;
  /** When the queue last filled up and partitions were paused; null while consuming. */
  pausedSince: Date | null;
  assigned: Record<string, number[]>;
  consumed: Record<string, number>;
  /** Per topic and partition: records behind the partition's end at the last fetch (high watermark − next offset). */
  lag: Record<string, Record<number, number>>;
}

/** What the consumer reports to /metrics. */
export interface ConsumerStats {
  /** Kafka records handed to the queue since start, per topic. */
  consumed: Readonly<Record<string, number>>;
  /** Partitions paused for backpressure (all assigned ones while paused, else 0). */
  pausedPartitions: number;
  /** Records behind the end of each partition at its last fetch, per topic and partition. */
  lag: Readonly<Record<string, Readonly<Record<number, number>>>>;
}

export interface IngestConsumer {
  start(): Promise<void>;
  /** Stops fetching (backpressure or shutdown); records already fetched stay unresolved and are fetched again. */
  pause(): void;
  resume(): void;
  commit(offsets: PartitionOffset[]): Promise<PartitionOffset[]>;
  /** Stops handing records to the queue; in-flight batches finish first. */
  stopFeeding(): Promise<void>;
  disconnect(): Promise<void>;
  readonly status: ConsumerStatus;
  stats(): ConsumerStats;
}

/**
 * One consumer group over all five topics. Each fetched record is decoded (or quarantined) and put
 * on the bounded queue; its offset is resolved only once it is queued. When the queue is full (in
 * events or in bytes) every partition is paused; the writer resumes them once the queue has
 * drained below its low-water mark (in both).
 */
export interface IngestConsumerOptions {
  /** The Kafka settings (KAFKA_*, RTTM_FETCH_*): brokers, topics, group and fetch sizes. */
  kafka: Config["kafka"];
  /** Where decoded records wait for the writers. */
  queue: ShardedQueue;
  /** Which offsets may be committed: each fetched record is tracked until it is stored. */
  ledger: OffsetLedger;
  /** Schema-id check of each record (the Schema Registry, or trust in the topic's type). */
  schemas: SchemaCheck;
  logger: Logger;
  /** Called when kafkajs gave up for good and will not restart the consumer. @default () => {} */
  onFatal?: (err: Error) => void;
}

export function createIngestConsumer({
  kafka: settings,
  queue,
  ledger,
  schemas,
  logger,
  onFatal = () => {},
}: IngestConsumerOptions): IngestConsumer {
  const byTopic = new Map<string, TopicDescription>(
    topicDescriptions.map((d) => [settings.topics[d.key], d]),
  );
  const topics = [...byTopic.keys()];
  const kafka = new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: KafkaLogLevel.WARN,
    logCreator: kafkaLogCreator(logger.child({ component: "kafka" })),
    retry: { initialRetryTime: 300, retries: 10 },
  });
  const consumer: Consumer = kafka.consumer({
    groupId: settings.groupId,
    maxWaitTimeInMs: settings.fetchMaxWaitMs,
    // One fetch response per broker is in memory at a time (kafkajs fetches again once its
    // batches are handled), so these two bound what Kafka buffers in this process.
    maxBytes: settings.fetchMaxBytes,
    maxBytesPerPartition: settings.fetchMaxBytesPerPartition,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    rebalanceTimeout: 60_000,
  });
  const status: ConsumerStatus = {
    joined: false,
    paused: false,
    pausedSince: null,
    assigned: {},
    consumed: {},
    lag: {},
  };
  let feeding = true;
  let inFlight = 0;
  let idle: (() => void) | null = null;

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    status.joined = true;
    status.assigned = event.payload.memberAssignment;
    logger.info("joined consumer group", {
      groupId: settings.groupId,
      assignment: event.payload.memberAssignment,
    });
  });
  consumer.on(consumer.events.CRASH, (event) => {
    status.joined = false;
    logger.error("kafka consumer crashed", {
      err: event.payload.error,
      restart: event.payload.restart,
    });
    if (!event.payload.restart) onFatal(event.payload.error);
  });
  consumer.on(consumer.events.STOP, () => (status.joined = false));

  async function eachBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const description = byTopic.get(batch.topic)!;
    // Shards this fetch fed: once it is handed over, their writers need not wait for more.
    const fed = new Set<BoundedQueue<IngestRow>>();
    inFlight++;
    try {
      for (const message of batch.messages) {
        if (!feeding || !isRunning() || isStale()) break;
        const record: RawRecord = {
          kafkaTopic: batch.topic,
          kafkaPartition: batch.partition,
          kafkaOffset: BigInt(message.offset),
          kafkaTimestamp: new Date(Number(message.timestamp)),
          key: message.key,
          value: message.value,
        };
        const row = await decodeRecord(record, description, schemas);
        // A full queue normally drains within milliseconds: wait for room briefly (flow control).
        // Only when the writer is stuck (database down or slow) pause every partition; the record
        // stays unresolved and is fetched again after the resume.
        const shard = queue.shardOf(row);
        if (!shard.hasRoom() && !(await waitForRoomWithHeartbeat(shard, heartbeat))) {
          if (feeding) pause();
          break;
        }
        if (!feeding) break;
        ledger.queued(row.row);
        shard.push(row, eventWeight(message.key, message.value));
        fed.add(shard);
        resolveOffset(message.offset);
        status.consumed[batch.topic] = (status.consumed[batch.topic] ?? 0) + 1;
        (status.lag[batch.topic] ??= {})[batch.partition] =
          Number(batch.highWatermark) - Number(message.offset) - 1;
      }
      await heartbeat();
    } finally {
      for (const shard of fed) shard.flush();
      inFlight--;
      if (inFlight === 0) idle?.();
    }
  }

  async function waitForRoomWithHeartbeat(
    shard: BoundedQueue<IngestRow>,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const deadline = Date.now() + roomWaitMs;
    while (Date.now() < deadline) {
      if (await shard.waitForRoom(Math.min(1000, deadline - Date.now()))) return true;
      await heartbeat();
    }
    return shard.hasRoom();
  }

  function pause(): void {
    if (status.paused) return;
    status.paused = true;
    status.pausedSince = new Date();
    consumer.pause(topics.map((topic) => ({ topic })));
    logger.info("queue full: paused all partitions", {
      queued: queue.size,
      queuedBytes: queue.bytes,
      capacity: queue.capacity,
      maxBytes: queue.limits.maxBytes,
    });
  }

  function resume(): void {
    if (!status.paused || !feeding) return;
    status.paused = false;
    status.pausedSince = null;
    consumer.resume(topics.map((topic) => ({ topic })));
    logger.info("queue drained: resumed all partitions", {
      queued: queue.size,
      queuedBytes: queue.bytes,
    });
  }

  return {
    status,
    stats() {
      const assigned = Object.values(status.assigned).reduce((n, p) => n + p.length, 0);
      const lag = Object.fromEntries(Object.entries(status.lag).map(([t, p]) => [t, { ...p }]));
      return {
        consumed: { ...status.consumed },
        pausedPartitions: status.paused ? assigned : 0,
        lag,
      };
    },
    pause,
    resume,
    async start() {
      await consumer.connect();
      // A topic that does not exist yet (fresh broker, producers not started) is waited for, not fatal.
      for (let attempt = 1; ; attempt++) {
        try {
          await consumer.subscribe({ topics, fromBeginning: true });
          break;
        } catch (err) {
          if (!(err as { retriable?: boolean }).retriable || !feeding) throw err;
          const level = attempt === 1 || attempt % 30 === 0 ? logger.warn : logger.debug;
          level("topics not available yet; retrying", {
            topics,
            attempt,
            err: (err as Error).message,
          });
          await sleep(1000);
        }
      }
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
        eachBatch,
      });
    },
    async commit(offsets) {
      const owned = offsets.filter((o) => status.assigned[o.topic]?.includes(o.partition));
      if (owned.length > 0) await consumer.commitOffsets(owned);
      return owned;
    },
    async stopFeeding() {
      feeding = false;
      try {
        consumer.pause(topics.map((topic) => ({ topic })));
      } catch {
        // Not running yet (still connecting): there is nothing to pause.
      }
      status.paused = true;
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
    },
    async disconnect() {
      await consumer.disconnect();
    },
  };
}
