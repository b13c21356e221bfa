/**
 * Appends posted events to Kafka: one idempotent kafkajs producer, acks=all, shared by every
 * request. A request's messages are appended whole; requests that arrive while a send is in
 * flight (or within `lingerMs`) share the next send, one `sendBatch` for all their topics. So
 * throughput comes from batching, and each request is answered only once the broker acknowledged
 * every one of its messages.
 *
 * One send at a time: kafkajs' idempotent producer takes each partition's sequence number when a
 * send starts and advances it when the send succeeds, so two concurrent sends to one partition
 * would carry the same sequence. After a failed or timed-out send the producer is replaced (a new
 * producer id): its sequence state is no longer known, and reusing it could make the broker take a
 * later batch for a duplicate of one it had already written.
 */
import {
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Message,
  type Producer,
} from "kafkajs";
import type { Logger } from "../log.js";
import { kafkaLogCreator } from "../ingest/index.js";
import { ProduceUnavailable, withDeadline } from "./errors.js";

export interface ProduceMessage {
  key: string;
  value: Buffer;
}

export interface BatchingProducerOptions {
  brokers: string[];
  clientId: string;
  /**
   * How long the first waiting request waits for others before a send starts.
   * @default 0
   */
  lingerMs?: number;
  /**
   * A send starts at once when this many events wait; a request is never split.
   * @default 5000
   */
  sendMaxEvents?: number;
  /**
   * Events waiting (in flight included) beyond which `append` refuses at once.
   * @default 50000
   */
  maxPendingEvents?: number;
  /**
   * A send (connection included) that takes longer fails, and its requests with it.
   * @default 5000
   */
  sendTimeoutMs?: number;
  logger: Logger;
}

export interface ProducerStats {
  sends: number;
  sendFailures: number;
  /** Messages the broker acknowledged. */
  acknowledged: number;
}

export interface BatchingProducer {
  /** Resolves once Kafka acknowledged every message (acks=all); rejects with ProduceUnavailable. */
  append(topic: string, messages: ProduceMessage[]): Promise<void>;
  readonly stats: ProducerStats;
  /** Waits for the send in flight, then disconnects; later appends are refused. */
  close(): Promise<void>;
}

interface Waiting {
  topic: string;
  messages: ProduceMessage[];
  resolve(): void;
  reject(err: Error): void;
}

export function createBatchingProducer({
  brokers,
  clientId,
  lingerMs = 0,
  sendMaxEvents = 5_000,
  maxPendingEvents = 50_000,
  sendTimeoutMs = 5_000,
  logger,
}: BatchingProducerOptions): BatchingProducer {
  const kafka = new Kafka({
    clientId,
    brokers,
    logLevel: KafkaLogLevel.WARN,
    logCreator: kafkaLogCreator(logger.child({ component: "kafka-producer" })),
    connectionTimeout: Math.min(sendTimeoutMs, 3_000),
  });
  const stats: ProducerStats = { sends: 0, sendFailures: 0, acknowledged: 0 };
  let producer: Promise<Producer> | undefined;
  let queue: Waiting[] = [];
  let queuedEvents = 0;
  let inFlightEvents = 0;
  let sending: Promise<void> | undefined;
  let lingerTimer: NodeJS.Timeout | undefined;
  let closed = false;

  function connected(): Promise<Producer> {
    producer ??= (async () => {
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // murmur2 of the key, as the Java client partitions: a key lands on the partition the
        // library's Kafka mode would choose for it.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await p.connect();
      return p;
    })();
    return producer;
  }

  /** Drops the producer after a failure; the next send connects a new one. */
  function replaceProducer(): void {
    const old = producer;
    producer = undefined;
    void old?.then((p) => p.disconnect()).catch(() => undefined);
  }

  function schedule(): void {
    if (sending || queue.length === 0) return;
    if (queuedEvents >= sendMaxEvents || lingerMs === 0) {
      clearTimeout(lingerTimer);
      lingerTimer = undefined;
      // Let the requests whose bodies were read in this turn of the event loop join the send.
      sending = new Promise<void>((resolve) => setImmediate(resolve)).then(sendQueued);
      return;
    }
    lingerTimer ??= setTimeout(() => {
      lingerTimer = undefined;
      if (!sending) sending = sendQueued();
    }, lingerMs);
  }

  async function sendQueued(): Promise<void> {
    const batch: Waiting[] = [];
    let events = 0;
    while (
      queue.length > 0 &&
      (batch.length === 0 || events + queue[0]!.messages.length <= sendMaxEvents)
    ) {
      const next = queue.shift()!;
      batch.push(next);
      events += next.messages.length;
    }
    queuedEvents -= events;
    inFlightEvents = events;
    const byTopic = new Map<string, Message[]>();
    for (const w of batch) {
      const list = byTopic.get(w.topic) ?? byTopic.set(w.topic, []).get(w.topic)!;
      for (const m of w.messages) list.push({ key: m.key, value: m.value });
    }
    const started = Date.now();
    try {
      await withDeadline(
        connected().then((p) =>
          p.sendBatch({
            acks: -1,
            timeout: sendTimeoutMs,
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          }),
        ),
        sendTimeoutMs,
        () => new Error(`no acknowledgement within ${sendTimeoutMs} ms`),
      );
      stats.sends++;
      stats.acknowledged += events;
      for (const w of batch) w.resolve();
    } catch (err) {
      stats.sendFailures++;
      replaceProducer();
      logger.warn("kafka send failed; its requests are answered 503", {
        events,
        requests: batch.length,
        topics: [...byTopic.keys()],
        elapsedMs: Date.now() - started,
        err,
      });
      const refusal = new ProduceUnavailable(
        "kafka",
        `Kafka did not acknowledge the events: ${(err as Error).message}`,
        { cause: err },
      );
      for (const w of batch) w.reject(refusal);
    } finally {
      inFlightEvents = 0;
      sending = undefined;
      schedule();
    }
  }

  return {
    stats,
    append(topic, messages) {
      if (closed)
        return Promise.reject(new ProduceUnavailable("kafka", "the service is shutting down"));
      if (queuedEvents + inFlightEvents + messages.length > maxPendingEvents) {
        return Promise.reject(
          new ProduceUnavailable(
            "backlog",
            `${queuedEvents + inFlightEvents} events already wait for Kafka (at most ${maxPendingEvents})`,
          ),
        );
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ topic, messages, resolve, reject });
        queuedEvents += messages.length;
        schedule();
      });
    },
    async close() {
      closed = true;
      clearTimeout(lingerTimer);
      if (queue.length > 0 && !sending) sending = sendQueued();
      while (sending) await sending;
      const current = producer;
      producer = undefined;
      await current?.then((p) => p.disconnect()).catch(() => undefined);
      queue = [];
    },
  };
}
