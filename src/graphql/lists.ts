import type { ObjectRef } from "@pothos/core";
import type * as read from "../store/read/index.js";
import { builder } from "./builder.js";
import { StageEnum } from "./types.js";

const PageInfoRef = builder.objectRef<read.PageInfo>("PageInfo").implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean("hasNextPage"),
    endCursor: t.exposeString("endCursor", {
      nullable: true,
      description: "Pass as `after` for the next page.",
    }),
  }),
});

/** A cursor connection (edges, pageInfo) for one node type: newest first. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the builder's own type parameters
function connection<T>(name: string, node: ObjectRef<any, T>) {
  const edge = builder.objectRef<read.Edge<T>>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.exposeString("cursor"),
      node: t.field({ type: node, resolve: (e) => e.node as never }),
    }),
  });
  return builder.objectRef<read.Page<T>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.field({ type: [edge], resolve: (p) => p.edges as never }),
      pageInfo: t.field({ type: PageInfoRef, resolve: (p) => p.pageInfo }),
    }),
  });
}

interface KafkaRecord {
  kafkaTopic: string;
  kafkaPartition: number;
  kafkaOffset: bigint;
}

const KafkaRecordRef = builder.interfaceRef<KafkaRecord>("KafkaRecord").implement({
  description: "Where the record sat in Kafka: unique per stored row.",
  fields: (t) => ({
    kafkaTopic: t.exposeString("kafkaTopic"),
    kafkaPartition: t.exposeInt("kafkaPartition"),
    kafkaOffset: t.field({ type: "Long", resolve: (r) => r.kafkaOffset }),
  }),
});

export const DlqEventRef = builder.objectRef<read.DlqEventNode>("DlqEvent").implement({
  interfaces: [KafkaRecordRef],
  fields: (t) => ({
    id: t.exposeString("id"),
    tradeId: t.exposeString("tradeId", { nullable: true }),
    serviceName: t.exposeString("serviceName"),
    topicName: t.exposeString("topicName"),
    originalTopic: t.exposeString("originalTopic"),
    reason: t.exposeString("reason"),
    stage: t.field({ type: StageEnum, resolve: (r) => r.stage }),
    eventTime: t.field({ type: "DateTime", resolve: (r) => r.eventTime }),
  }),
});

export const ErrorEventRef = builder.objectRef<read.ErrorEventNode>("ErrorEvent").implement({
  interfaces: [KafkaRecordRef],
  fields: (t) => ({
    id: t.exposeString("id"),
    tradeId: t.exposeString("tradeId", { nullable: true }),
    serviceName: t.exposeString("serviceName"),
    errorType: t.exposeString("errorType"),
    errorMessage: t.exposeString("errorMessage"),
    stage: t.field({ type: StageEnum, resolve: (r) => r.stage }),
    eventTime: t.field({ type: "DateTime", resolve: (r) => r.eventTime }),
  }),
});

export const InvalidTradeRef = builder.objectRef<read.InvalidTradeNode>("InvalidTrade").implement({
  interfaces: [KafkaRecordRef],
  fields: (t) => ({
    id: t.exposeString("id"),
    tradeId: t.exposeString("tradeId", { description: "As reported: not necessarily a UUID." }),
    portfolioId: t.exposeString("portfolioId"),
    symbol: t.exposeString("symbol"),
    side: t.exposeString("side"),
    pricePerStock: t.exposeFloat("pricePerStock"),
    quantity: t.field({ type: "Long", resolve: (r) => r.quantity }),
    tradeTimestamp: t.field({ type: "DateTime", nullable: true, resolve: (r) => r.tradeTimestamp }),
    validationErrors: t.exposeString("validationErrors"),
    eventTime: t.field({
      type: "DateTime",
      description: "When the validation service reported it (Kafka record time).",
      resolve: (r) => r.eventTime,
    }),
  }),
});

export const QuarantinedRecordRef = builder
  .objectRef<read.QuarantinedRecordNode>("QuarantinedRecord")
  .implement({
    interfaces: [KafkaRecordRef],
    description: "A Kafka record that could not be decoded or failed validation, kept whole.",
    fields: (t) => ({
      id: t.exposeString("id"),
      errorKind: t.exposeString("errorKind", {
        description: "framing, schema, decode or validation.",
      }),
      reason: t.exposeString("reason"),
      kafkaTimestamp: t.field({
        type: "DateTime",
        nullable: true,
        resolve: (r) => r.kafkaTimestamp,
      }),
      messageKeyBase64: t.string({
        nullable: true,
        resolve: (r) => r.messageKey?.toString("base64") ?? null,
      }),
      rawValueBase64: t.string({
        nullable: true,
        resolve: (r) => r.rawValue?.toString("base64") ?? null,
      }),
      createdAt: t.field({ type: "DateTime", resolve: (r) => r.createdAt }),
    }),
  });

export const DlqEventConnection = connection("DlqEvent", DlqEventRef);
export const ErrorEventConnection = connection("ErrorEvent", ErrorEventRef);
export const InvalidTradeConnection = connection("InvalidTrade", InvalidTradeRef);
export const QuarantinedRecordConnection = connection("QuarantinedRecord", QuarantinedRecordRef);
