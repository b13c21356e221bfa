/**
 * The paged lists: DLQ events, error events, invalid trades and quarantined records, newest first.
 * Each is declared once in src/store/read (table, columns, filters, cursor); here its node type,
 * its connection and its query field with the shared page and filter arguments.
 */
import * as read from "../../store/read/index.js";
import { pageArgs, serviceArg, stageArg, timeRangeArgs } from "../args.js";
import { builder } from "../builder.js";
import { connection } from "../connection.js";
import { StageEnum } from "../enums.js";

/** Error and DLQ events may come without a stage (pms-rttm-client allows it). */
const stageUnknownDoc =
  "The stage the producer reported; null when it sent none (the stage is unknown: such an event is stored and counted all the same).";

const KafkaRecordRef = builder.interfaceRef<read.KafkaCoordinates>("KafkaRecord").implement({
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
    stage: t.field({
      type: StageEnum,
      nullable: true,
      description: stageUnknownDoc,
      resolve: (r) => r.stage,
    }),
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
    stage: t.field({
      type: StageEnum,
      nullable: true,
      description: stageUnknownDoc,
      resolve: (r) => r.stage,
    }),
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

const DlqEventConnection = connection("DlqEvent", DlqEventRef);
const ErrorEventConnection = connection("ErrorEvent", ErrorEventRef);
const InvalidTradeConnection = connection("InvalidTrade", InvalidTradeRef);
const QuarantinedRecordConnection = connection("QuarantinedRecord", QuarantinedRecordRef);

const eventTimeRange = timeRangeArgs("eventTime");

builder.queryFields((t) => ({
  dlqEvents: t.field({
    type: DlqEventConnection,
    args: { ...pageArgs, ...stageArg, ...serviceArg, ...eventTimeRange },
    resolve: (_root, args, ctx) => read.dlqEvents(ctx.db, args),
  }),
  errorEvents: t.field({
    type: ErrorEventConnection,
    args: {
      ...pageArgs,
      ...stageArg,
      ...serviceArg,
      errorType: t.arg.string(),
      ...eventTimeRange,
    },
    resolve: (_root, args, ctx) => read.errorEvents(ctx.db, args),
  }),
  invalidTrades: t.field({
    type: InvalidTradeConnection,
    args: { ...pageArgs, ...eventTimeRange },
    resolve: (_root, args, ctx) => read.invalidTrades(ctx.db, args),
  }),
  quarantinedRecords: t.field({
    type: QuarantinedRecordConnection,
    description: "Records RTTM could not decode or validate, newest first.",
    args: { ...pageArgs, errorKind: t.arg.string(), topic: t.arg.string() },
    resolve: (_root, args, ctx) => read.quarantinedRecords(ctx.db, args),
  }),
}));
