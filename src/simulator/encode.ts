/** SimEvents to Confluent-framed protobuf values. */
import { create, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import type { TopicKey } from "../domain/topics.js";
import { RttmDlqEventSchema } from "../ingest/proto/rttm/rttm_dlq_event_pb.js";
import { RttmErrorEventSchema } from "../ingest/proto/rttm/rttm_error_event_pb.js";
import { RttmQueueMetricSchema } from "../ingest/proto/rttm/rttm_queue_metric_pb.js";
import { RttmTradeEventSchema } from "../ingest/proto/rttm/rttm_trade_event_pb.js";
import { InvalidTradeEventProtoSchema } from "../ingest/proto/validation/invalid_trade_event_pb.js";
import { frameValue } from "../ingest/index.js";
import type { SimMessage } from "./lifecycle.js";

function encode<S extends DescMessage>(
  schemaId: number,
  schema: S,
  init: MessageInitShape<S>,
): Buffer {
  return frameValue(schemaId, toBinary(schema, create(schema, init)));
}

export function encodeEvent(schemaIds: Record<TopicKey, number>, event: SimMessage): Buffer {
  switch (event.topic) {
    case "tradeEvents":
      return encode(schemaIds.tradeEvents, RttmTradeEventSchema, event.init);
    case "errorEvents":
      return encode(schemaIds.errorEvents, RttmErrorEventSchema, event.init);
    case "queueMetrics":
      return encode(schemaIds.queueMetrics, RttmQueueMetricSchema, event.init);
    case "dlqEvents":
      return encode(schemaIds.dlqEvents, RttmDlqEventSchema, event.init);
    case "invalidTrades":
      return encode(schemaIds.invalidTrades, InvalidTradeEventProtoSchema, event.init);
  }
}
