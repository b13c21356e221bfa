/**
 * The five topics RTTM consumes, as the old service named them: a key for each, its default topic
 * name and the protobuf message it carries. Which variable renames a topic is configuration
 * (src/config/topics.ts); how a topic's records become rows is ingest's (src/ingest/topics.ts).
 */
export const topicKeys = [
  "tradeEvents",
  "errorEvents",
  "queueMetrics",
  "dlqEvents",
  "invalidTrades",
] as const;
export type TopicKey = (typeof topicKeys)[number];

/** Default topic name and message type per topic. */
export const topicDefaults: Record<TopicKey, { defaultTopic: string; message: string }> = {
  tradeEvents: { defaultTopic: "rttm.trade.events", message: "RttmTradeEvent" },
  errorEvents: { defaultTopic: "rttm.error.events", message: "RttmErrorEvent" },
  queueMetrics: { defaultTopic: "rttm.queue.metrics", message: "RttmQueueMetric" },
  dlqEvents: { defaultTopic: "rttm.dlq.events", message: "RttmDlqEvent" },
  invalidTrades: { defaultTopic: "invalid-trades-topic", message: "InvalidTradeEventProto" },
};
