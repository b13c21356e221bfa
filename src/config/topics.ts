/** The five topic names (KAFKA_TOPIC_*), each its own variable, as the old service named them. */
import { topicDefaults, topicKeys, type TopicKey } from "../domain/topics.js";
import { literal, Variable } from "./variable.js";

const topicVariables: Record<TopicKey, string> = {
  tradeEvents: "KAFKA_TOPIC_TRADE_EVENTS",
  errorEvents: "KAFKA_TOPIC_ERROR_EVENTS",
  queueMetrics: "KAFKA_TOPIC_QUEUE_METRICS",
  dlqEvents: "KAFKA_TOPIC_DLQ_EVENTS",
  invalidTrades: "KAFKA_TOPIC_INVALID_TRADES",
};

/** Env variable, default topic name and message type per topic. */
export const topicEnv: Record<
  TopicKey,
  { variable: string; defaultTopic: string; message: string }
> = Object.fromEntries(
  topicKeys.map((key) => [key, { variable: topicVariables[key], ...topicDefaults[key] }]),
) as Record<TopicKey, { variable: string; defaultTopic: string; message: string }>;

/** The five topic names, each its own variable. */
export const topicSettings = new Variable(
  topicKeys.map((key) => ({
    names: [topicEnv[key].variable],
    shown: literal(topicEnv[key].defaultTopic),
    doc: `\`${topicEnv[key].message}\` topic`,
  })),
  (read) =>
    Object.fromEntries(
      topicKeys.map((key) => [
        key,
        read.string(topicEnv[key].variable, topicEnv[key].defaultTopic),
      ]),
    ) as Record<TopicKey, string>,
);
