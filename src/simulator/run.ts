/**
 * The simulator's producer loop: starts trades at the configured rate (Poisson arrivals), produces
 * each event when its time comes, a queue snapshot every interval, and progress lines. On abort
 * (or after the configured duration) it stops starting trades, lets in-flight trades finish (at
 * most `drainMs`), flushes the producer and returns the totals.
 */
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { registerTopicSchemas, kafkaLogCreator } from "../ingest/index.js";
import { topicKeys, type TopicKey } from "../config/index.js";
import type { Logger } from "../log.js";
import { sleep } from "../pipeline/index.js";
import type { SimulatorConfig } from "./config.js";
import { encodeEvent } from "./encode.js";
import {
  createQueueMetricModel,
  createTradeGenerator,
  type SimEvent,
  type TradeOutcome,
} from "./lifecycle.js";
import { createRandom } from "./random.js";

export interface SimulatorTotals {
  trades: number;
  outcomes: Record<TradeOutcome, number>;
  events: Record<TopicKey, number>;
  seconds: number;
  tradesPerSecond: number;
}

const tickMs = 50;

export function emptyTotals(): SimulatorTotals {
  return {
    trades: 0,
    outcomes: { committed: 0, failed: 0, dlq: 0, invalid: 0 },
    events: Object.fromEntries(topicKeys.map((k) => [k, 0])) as Record<TopicKey, number>,
    seconds: 0,
    tradesPerSecond: 0,
  };
}

/** `totals` is updated as the run goes, so a caller that must exit early can still report it. */
export async function runSimulator(
  config: SimulatorConfig,
  logger: Logger,
  signal?: AbortSignal,
  drainMs = 5000,
  totals: SimulatorTotals = emptyTotals(),
): Promise<SimulatorTotals> {
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
  });

  if (config.createTopics) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = Object.values(config.topics).filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: config.topicPartitions })),
        });
        logger.info("created topics", { topics: missing, partitions: config.topicPartitions });
      }
    } finally {
      await admin.disconnect();
    }
  }

  let schemaIds: Record<TopicKey, number>;
  if (config.schemaRegistryUrl) {
    schemaIds = await registerTopicSchemas(config.schemaRegistryUrl, config.topics);
    logger.info("registered schemas", { registry: config.schemaRegistryUrl, schemaIds });
  } else {
    schemaIds = config.fallbackSchemaIds;
    logger.warn(
      "SCHEMA_REGISTRY_URL is not set: framing with the configured schema ids (SIM_SCHEMA_IDS), nothing registered",
      { schemaIds },
    );
  }

  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();

  const random = createRandom(config.seed);
  const trades = createTradeGenerator(random, config.lifecycle);
  const queues = createQueueMetricModel(random);
  logger.info("simulating", {
    brokers: config.brokers,
    topics: config.topics,
    tradesPerSecond: config.tradesPerSecond,
    fractions: {
      failure: config.lifecycle.failureFraction,
      dlq: config.lifecycle.dlqFraction,
      invalid: config.lifecycle.invalidFraction,
    },
    queueMetricIntervalMs: config.queueMetricIntervalMs,
    durationSeconds: config.durationSeconds || "until SIGINT/SIGTERM",
    seed: config.seed,
  });

  const startedAt = Date.now();
  const stopAt = config.durationSeconds > 0 ? startedAt + config.durationSeconds * 1000 : Infinity;
  let nextTradeAt = startedAt;
  let nextMetricAt = startedAt;
  let nextProgressAt = startedAt + config.progressIntervalMs;
  let progressTrades = 0;
  let progressEvents = 0;
  let lastProgressAt = startedAt;
  let tradeEventsSinceSnapshot = 0;
  let pending: SimEvent[] = [];
  let stoppingSince: number | undefined;

  try {
    for (;;) {
      const now = Date.now();
      if (stoppingSince === undefined && (signal?.aborted || now >= stopAt)) {
        stoppingSince = now;
        logger.info("stopping: no new trades, letting in-flight trades finish", {
          inFlightEvents: pending.length,
        });
      }
      if (stoppingSince === undefined) {
        while (nextTradeAt <= now) {
          const trade = trades.trade(Math.round(nextTradeAt));
          pending.push(...trade.events);
          totals.trades++;
          totals.outcomes[trade.outcome]++;
          progressTrades++;
          nextTradeAt += (-Math.log(1 - random.next()) / config.tradesPerSecond) * 1000;
        }
        if (now >= nextMetricAt) {
          pending.push(...queues.snapshot(now, tradeEventsSinceSnapshot));
          tradeEventsSinceSnapshot = 0;
          nextMetricAt += config.queueMetricIntervalMs;
        }
      }
      const draining = stoppingSince !== undefined;
      const flushAll = draining && now - stoppingSince! >= drainMs;
      const due = flushAll ? pending : pending.filter((e) => e.atMs <= now);
      if (due.length > 0) {
        pending = flushAll ? [] : pending.filter((e) => e.atMs > now);
        due.sort((a, b) => a.atMs - b.atMs);
        const byTopic = new Map<
          string,
          Array<{ key: string | null; value: Buffer; timestamp: string }>
        >();
        for (const event of due) {
          const topic = config.topics[event.topic];
          let list = byTopic.get(topic);
          if (!list) byTopic.set(topic, (list = []));
          // A drained event may be slightly in the future; its record timestamp is when it is sent.
          list.push({
            key: event.key,
            value: encodeEvent(schemaIds, event),
            timestamp: String(Math.min(event.atMs, Date.now())),
          });
          totals.events[event.topic]++;
          if (event.topic === "tradeEvents") tradeEventsSinceSnapshot++;
        }
        await producer.sendBatch({
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        progressEvents += due.length;
      }
      if (now >= nextProgressAt) {
        const seconds = (now - lastProgressAt) / 1000;
        logger.info("progress", {
          trades: totals.trades,
          events: totals.events,
          tradesPerSecond: Math.round((progressTrades / seconds) * 10) / 10,
          eventsPerSecond: Math.round((progressEvents / seconds) * 10) / 10,
          inFlightEvents: pending.length,
        });
        progressTrades = 0;
        progressEvents = 0;
        lastProgressAt = now;
        nextProgressAt = now + config.progressIntervalMs;
      }
      if (draining && pending.length === 0) break;
      await sleep(Math.max(1, tickMs - (Date.now() - now)));
    }
  } finally {
    await producer.disconnect();
  }
  totals.seconds = Math.round((Date.now() - startedAt) / 100) / 10;
  const generatingSeconds = ((stoppingSince ?? Date.now()) - startedAt) / 1000;
  totals.tradesPerSecond =
    generatingSeconds > 0 ? Math.round((totals.trades / generatingSeconds) * 10) / 10 : 0;
  return totals;
}
