/**
 * What each ingest path accepts: the topic it appends to, the message its body must be, and the
 * Kafka key pms-rttm-client's Kafka mode gives that message (trade and DLQ events by trade id,
 * error events by service name, queue metrics by `serviceName-topicName`). A body is checked with
 * the consumer's own rules (src/ingest/topics.ts), so an event accepted here is never quarantined
 * for its content; the bytes appended are the ones posted.
 */
import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { TopicKey } from "../config/index.js";
import { RttmError } from "../domain/errors.js";
import type { RttmDlqEvent } from "../ingest/proto/rttm/rttm_dlq_event_pb.js";
import type { RttmErrorEvent } from "../ingest/proto/rttm/rttm_error_event_pb.js";
import type { RttmQueueMetric } from "../ingest/proto/rttm/rttm_queue_metric_pb.js";
import type { RttmTradeEvent } from "../ingest/proto/rttm/rttm_trade_event_pb.js";
import { topicDescriptions, RecordRejected, type TopicDescription } from "../ingest/index.js";

/** The four paths under /api/rttm/ and the topic each appends to (no path for invalid trades, as in the library). */
export const ingestPaths = {
  "trade-events": "tradeEvents",
  "dlq-events": "dlqEvents",
  "queue-metrics": "queueMetrics",
  "error-events": "errorEvents",
} as const satisfies Record<string, TopicKey>;
export type IngestPath = keyof typeof ingestPaths;
type PostedTopic = (typeof ingestPaths)[IngestPath];

const keyOf: { [K in PostedTopic]: (m: never) => string } = {
  tradeEvents: (m: RttmTradeEvent) => m.tradeId,
  dlqEvents: (m: RttmDlqEvent) => m.tradeId,
  errorEvents: (m: RttmErrorEvent) => m.serviceName,
  queueMetrics: (m: RttmQueueMetric) => `${m.serviceName}-${m.topicName}`,
};

/** A body that is not an acceptable event: `field` names what failed (absent when nothing decoded). */
export class EventRejected extends RttmError<"EVENT_INVALID"> {
  override name = "EventRejected";
  /** Position in a batch (0 for a single event). */
  declare readonly index: number;
  constructor(message: string, field: string | undefined, index: number) {
    super("EVENT_INVALID", message, { field, index });
  }
}

export interface PostedEvent {
  key: string;
  value: Uint8Array;
}

/** Context the consumer's checks need besides the message; only validation is run here. */
const checkContext = {
  kafkaTopic: "",
  kafkaPartition: 0,
  kafkaOffset: 0n,
  kafkaTimestamp: new Date(0),
};

export interface EventKind {
  topicKey: PostedTopic;
  /** The protobuf message name, as the registry's schema must declare it. */
  typeName: string;
  /** Decodes and validates one event; throws EventRejected. */
  accept(payload: Uint8Array, index: number): PostedEvent;
}

function kindOf(topicKey: PostedTopic): EventKind {
  const description = topicDescriptions.find((d) => d.key === topicKey) as TopicDescription;
  const schema: DescMessage = description.schema;
  return {
    topicKey,
    typeName: schema.typeName,
    accept(payload, index) {
      let message: MessageShape<DescMessage>;
      try {
        message = fromBinary(schema, payload);
      } catch (err) {
        throw new EventRejected(
          `body is not a valid ${schema.typeName}: ${(err as Error).message}`,
          undefined,
          index,
        );
      }
      try {
        description.toRow(message, checkContext);
      } catch (err) {
        if (!(err instanceof RecordRejected)) throw err;
        throw new EventRejected(err.message, err.field, index);
      }
      return { key: (keyOf[topicKey] as (m: unknown) => string)(message), value: payload };
    },
  };
}

/** Path segment → what it accepts. */
export const eventKinds: ReadonlyMap<string, EventKind> = new Map(
  Object.entries(ingestPaths).map(([path, key]) => [path, kindOf(key)]),
);
