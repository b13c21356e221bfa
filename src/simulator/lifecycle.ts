/**
 * The pure part of the traffic simulator: what happens to one trade, and the queue snapshots, as
 * timed telemetry events. No Kafka, no clock: given a seed and start times, the output is fixed.
 *
 * A trade is RECEIVED, then VALIDATED, ENRICHED and COMMITTED after log-normal per-stage latencies
 * (with occasional slow tails), unless it is one of the configured fractions:
 *  - invalid: fails validation (an invalid-trade event after RECEIVED; sometimes a non-UUID id from a
 *    legacy source, and then without a RECEIVED event, since trade events need a UUID),
 *  - failed: stops before a stage and emits an error event about that stage,
 *  - dlq: stops before a stage and goes to a dead-letter queue with a reason.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { RttmDlqEventSchema } from "../ingest/proto/rttm/rttm_dlq_event_pb.js";
import type { RttmErrorEventSchema } from "../ingest/proto/rttm/rttm_error_event_pb.js";
import type { RttmQueueMetricSchema } from "../ingest/proto/rttm/rttm_queue_metric_pb.js";
import type { RttmTradeEventSchema } from "../ingest/proto/rttm/rttm_trade_event_pb.js";
import type { InvalidTradeEventProtoSchema } from "../ingest/proto/validation/invalid_trade_event_pb.js";
import { stages, type Stage } from "../domain/stages.js";
import type { Random } from "./random.js";

export type SimMessage =
  | { topic: "tradeEvents"; init: MessageInitShape<typeof RttmTradeEventSchema> }
  | { topic: "errorEvents"; init: MessageInitShape<typeof RttmErrorEventSchema> }
  | { topic: "queueMetrics"; init: MessageInitShape<typeof RttmQueueMetricSchema> }
  | { topic: "dlqEvents"; init: MessageInitShape<typeof RttmDlqEventSchema> }
  | { topic: "invalidTrades"; init: MessageInitShape<typeof InvalidTradeEventProtoSchema> };

/** One event to produce at `atMs` (also its event time), keyed by trade id where there is one. */
export type SimEvent = SimMessage & { atMs: number; key: string | null };

export type TradeOutcome = "committed" | "failed" | "dlq" | "invalid";

export interface SimulatedTrade {
  tradeId: string;
  outcome: TradeOutcome;
  events: SimEvent[];
}

export interface LifecycleOptions {
  failureFraction: number;
  dlqFraction: number;
  invalidFraction: number;
  /** Median latency (ms) of each stage after RECEIVED, from the previous stage. */
  medianLatencyMs: Record<Exclude<Stage, "RECEIVED">, number>;
  /** Log-space sigma of the latencies. */
  latencySigma: number;
  /** Chance that one stage hop is slow (×5–×20). */
  slowTailFraction: number;
}

export const defaultLifecycleOptions: LifecycleOptions = {
  failureFraction: 0.02,
  dlqFraction: 0.01,
  invalidFraction: 0.02,
  medianLatencyMs: { VALIDATED: 40, ENRICHED: 120, COMMITTED: 80 },
  latencySigma: 0.45,
  slowTailFraction: 0.01,
};

const services: Record<Stage, string> = {
  RECEIVED: "trade-gateway",
  VALIDATED: "trade-validator",
  ENRICHED: "trade-enricher",
  COMMITTED: "trade-committer",
};
const queues: Record<Stage, { source: string; target: string }> = {
  RECEIVED: { source: "orders.inbound", target: "trades.received" },
  VALIDATED: { source: "trades.received", target: "trades.validated" },
  ENRICHED: { source: "trades.validated", target: "trades.enriched" },
  COMMITTED: { source: "trades.enriched", target: "trades.committed" },
};
const symbols = [
  "AAPL",
  "MSFT",
  "GOOGL",
  "AMZN",
  "NVDA",
  "META",
  "TSLA",
  "JPM",
  "V",
  "ASML",
  "SAP",
  "NESN",
] as const;
const errorsByStage: Record<
  Exclude<Stage, "RECEIVED">,
  Array<{ type: string; message: string }>
> = {
  VALIDATED: [
    { type: "TECHNICAL", message: "reference data service timed out after 2000 ms" },
    { type: "BUSINESS", message: "portfolio is locked for trading" },
  ],
  ENRICHED: [
    { type: "TECHNICAL", message: "price feed timeout" },
    { type: "TECHNICAL", message: "FX rate lookup failed: no quote for currency pair" },
    { type: "BUSINESS", message: "instrument not found in security master" },
  ],
  COMMITTED: [
    {
      type: "TECHNICAL",
      message: "deadlock detected while writing position; transaction rolled back",
    },
    { type: "TECHNICAL", message: "position store connection reset" },
  ],
};
const dlqReasons: Record<Exclude<Stage, "RECEIVED">, string[]> = {
  VALIDATED: [
    "schema mismatch: field 'quantity' has wrong type",
    "unparseable payload: unexpected end of JSON input",
  ],
  ENRICHED: [
    "max retries (5) exceeded calling pricing service",
    "poison message: enrichment threw NullPointerException",
  ],
  COMMITTED: ["max retries (5) exceeded writing position", "duplicate trade id rejected by ledger"],
};
const validationErrors = [
  "side must be BUY or SELL",
  "quantity must be positive",
  "pricePerStock must be positive",
  "portfolioId is not a UUID",
  "symbol is not a known instrument",
  "trade timestamp is in the future",
];

export interface TradeGenerator {
  /** The next trade, starting (RECEIVED) at `startMs`; its events are in time order. */
  trade(startMs: number): SimulatedTrade;
}

export function createTradeGenerator(
  random: Random,
  options: LifecycleOptions = defaultLifecycleOptions,
  partitions = 6,
): TradeGenerator {
  const offsets = new Map<string, bigint>();
  const nextOffset = (queue: string, partition: number) => {
    const key = `${queue}/${partition}`;
    const value = (offsets.get(key) ?? 0n) + 1n;
    offsets.set(key, value);
    return value;
  };
  const hop = (stage: Exclude<Stage, "RECEIVED">) => {
    let ms = random.logNormal(options.medianLatencyMs[stage], options.latencySigma);
    if (random.next() < options.slowTailFraction) ms *= 5 + random.next() * 15;
    return Math.max(1, Math.round(ms));
  };
  const outcome = (): TradeOutcome => {
    const u = random.next();
    if (u < options.invalidFraction) return "invalid";
    if (u < options.invalidFraction + options.failureFraction) return "failed";
    if (u < options.invalidFraction + options.failureFraction + options.dlqFraction) return "dlq";
    return "committed";
  };

  return {
    trade(start) {
      const startMs = Math.round(start);
      const tradeId = random.uuid();
      const kind = outcome();
      const partition = random.int(partitions);
      const events: SimEvent[] = [];
      const stageEvent = (stage: Stage, atMs: number) => {
        const q = queues[stage];
        events.push({
          topic: "tradeEvents",
          key: tradeId,
          atMs,
          init: {
            tradeId,
            serviceName: services[stage],
            eventType: `TRADE_${stage}`,
            eventStage: stage,
            eventStatus: "SUCCESS",
            sourceQueue: q.source,
            targetQueue: q.target,
            topicName: q.source,
            consumerGroup: `${services[stage]}-group`,
            partitionId: partition,
            offsetValue: nextOffset(q.source, partition),
            eventTime: BigInt(atMs),
            message: `trade ${tradeId} ${stage.toLowerCase()}`,
          },
        });
      };

      if (kind === "invalid") {
        // A legacy source sends its own ids now and then; those never become trade events.
        const legacyId = random.next() < 0.3;
        const id = legacyId
          ? `TRD-${new Date(startMs).getUTCFullYear()}-${String(random.int(1_000_000)).padStart(6, "0")}`
          : tradeId;
        let atMs = startMs;
        if (!legacyId) {
          stageEvent("RECEIVED", startMs);
          atMs += hop("VALIDATED");
        }
        const errors = [random.pick(validationErrors)];
        if (random.next() < 0.3)
          errors.push(random.pick(validationErrors.filter((e) => e !== errors[0])));
        const badSide = errors.includes("side must be BUY or SELL");
        const badQuantity = errors.includes("quantity must be positive");
        const badPrice = errors.includes("pricePerStock must be positive");
        events.push({
          topic: "invalidTrades",
          key: id,
          atMs,
          init: {
            tradeId: id,
            portfolioId: errors.includes("portfolioId is not a UUID")
              ? `PF-${random.int(10_000)}`
              : random.uuid(),
            symbol: errors.includes("symbol is not a known instrument")
              ? random.pick(["XXXX", "AAPL.OLD", ""])
              : random.pick(symbols),
            side: badSide ? random.pick(["HOLD", "buy", ""]) : random.pick(["BUY", "SELL"]),
            pricePerStock: badPrice
              ? -Math.round(random.next() * 10_000) / 100
              : Math.round((10 + random.next() * 990) * 100) / 100,
            quantity: badQuantity ? -BigInt(random.int(500)) : BigInt(1 + random.int(5000)),
            timestamp: timestampFromMs(
              errors.includes("trade timestamp is in the future")
                ? atMs + 86_400_000
                : atMs - random.int(500),
            ),
            validationErrors: errors.join("; "),
          },
        });
        return { tradeId: id, outcome: kind, events };
      }

      // The stage the trade does not reach, for failed and DLQ trades.
      const stopAt: Stage | undefined =
        kind === "committed" ? undefined : stages[1 + random.int(3)];
      let atMs = startMs;
      for (const stage of stages) {
        if (stage !== "RECEIVED") atMs += hop(stage);
        if (stage === stopAt) {
          const s = stage as Exclude<Stage, "RECEIVED">;
          if (kind === "failed") {
            const error = random.pick(errorsByStage[s]);
            events.push({
              topic: "errorEvents",
              key: tradeId,
              atMs,
              init: {
                tradeId,
                serviceName: services[stage],
                errorType: error.type,
                errorMessage: error.message,
                eventStage: stage,
                eventTime: BigInt(atMs),
              },
            });
          } else {
            events.push({
              topic: "dlqEvents",
              key: tradeId,
              atMs,
              init: {
                tradeId,
                serviceName: services[stage],
                topicName: `${queues[stage].source}.dlq`,
                originalTopic: queues[stage].source,
                reason: random.pick(dlqReasons[s]),
                eventStage: stage,
                eventTime: BigInt(atMs),
              },
            });
          }
          break;
        }
        stageEvent(stage, atMs);
      }
      return { tradeId, outcome: kind, events };
    },
  };
}

/** One consumer's view of one partition: produced and consumed offsets, with a lag that drifts. */
interface QueueSeries {
  service: string;
  group: string;
  topic: string;
  partition: number;
  produced: bigint;
  lag: number;
}

export interface QueueMetricModel {
  /** Advances every series by `newMessages` spread over its partitions and returns one snapshot each. */
  snapshot(atMs: number, newMessages: number): SimEvent[];
}

export function createQueueMetricModel(random: Random, partitions = 3): QueueMetricModel {
  const consumers = [
    { service: "trade-validator", topic: "trades.received" },
    { service: "trade-enricher", topic: "trades.validated" },
    { service: "trade-committer", topic: "trades.enriched" },
  ];
  const series: QueueSeries[] = consumers.flatMap(({ service, topic }) =>
    Array.from({ length: partitions }, (_, partition) => ({
      service,
      group: `${service}-group`,
      topic,
      partition,
      produced: BigInt(10_000 + random.int(50_000)),
      lag: random.int(5),
    })),
  );
  return {
    snapshot(atMs, newMessages) {
      return series.map((s) => {
        s.produced += BigInt(Math.round((newMessages / partitions) * (0.8 + random.next() * 0.4)));
        // A mean-reverting random walk, with an occasional burst (a slow consumer).
        s.lag = Math.max(
          0,
          s.lag * 0.8 + random.normal() * 3 + (random.next() < 0.05 ? 20 + random.int(60) : 0),
        );
        const lag = BigInt(Math.round(s.lag));
        return {
          topic: "queueMetrics",
          key: `${s.topic}/${s.partition}/${s.group}`,
          atMs,
          init: {
            serviceName: s.service,
            topicName: s.topic,
            partitionId: s.partition,
            producedOffset: s.produced,
            consumedOffset: s.produced - lag,
            consumerGroup: s.group,
            snapshotTime: BigInt(atMs),
          },
        } satisfies SimEvent;
      });
    },
  };
}
