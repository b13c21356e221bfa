import { createGraphQLError } from "@graphql-tools/utils";
import { GraphQLError } from "graphql";
import { ingestionHealthView, overviewView, telemetryView } from "../live/views.js";
import * as read from "../store/read/index.js";
import { isUuid } from "../domain/uuid.js";
import { builder } from "./builder.js";
import {
  DlqEventConnection,
  ErrorEventConnection,
  InvalidTradeConnection,
  QuarantinedRecordConnection,
} from "./lists.js";
import {
  DlqOverviewRef,
  GranularityEnum,
  OverviewRef,
  PipelineRef,
  QueueLagRef,
  StageEnum,
  TelemetryRef,
  TradeTimelineRef,
} from "./types.js";
import { IngestionHealthRef } from "./ingestionHealth.js";
import "./alerts.js";
import { errorCodes } from "../domain/errorCodes.js";
import { defaultWindowSeconds } from "../domain/window.js";

/** A trade id must be a UUID: a clear client error otherwise. */
function tradeIdArg(value: string): string {
  if (!isUuid(value)) {
    throw createGraphQLError(
      `tradeId ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)} is not a UUID`,
      {
        extensions: { code: errorCodes.BAD_USER_INPUT, argument: "tradeId" },
      },
    );
  }
  return value.toLowerCase();
}

builder.queryFields((t) => ({
  overview: t.field({
    type: OverviewRef,
    description:
      "The overview cards: current and peak TPS, end-to-end latency, DLQ, invalid trades, errors.",
    args: {
      windowSeconds: t.arg.int({
        description: `Window of latency and counts, seconds; default ${defaultWindowSeconds} (24 h).`,
      }),
      currentTpsWindowSeconds: t.arg.int({
        description: "Trailing window of current TPS, seconds; default 5.",
      }),
      peakTpsWindowSeconds: t.arg.int({ description: "Window of peak TPS, seconds; default 300." }),
    },
    resolve: (_root, args, ctx) => overviewView(ctx.db, ctx.config, ctx.now(), args),
  }),
  pipeline: t.field({
    type: PipelineRef,
    args: {
      windowSeconds: t.arg.int({ description: `Seconds; default ${defaultWindowSeconds} (24 h).` }),
    },
    resolve: (_root, args, ctx) =>
      read.pipeline(ctx.db, { now: ctx.now(), windowSeconds: args.windowSeconds ?? undefined }),
  }),
  dlqOverview: t.field({
    type: DlqOverviewRef,
    args: {
      windowSeconds: t.arg.int({ description: `Seconds; default ${defaultWindowSeconds} (24 h).` }),
    },
    resolve: (_root, args, ctx) =>
      read.dlqOverview(ctx.db, { now: ctx.now(), windowSeconds: args.windowSeconds ?? undefined }),
  }),
  dlqEvents: t.field({
    type: DlqEventConnection,
    args: {
      first: t.arg.int({ description: "Page size, 1–500; default 50." }),
      after: t.arg.string({ description: "endCursor of the previous page." }),
      stage: t.arg({ type: StageEnum }),
      service: t.arg.string(),
      from: t.arg({ type: "DateTime" }),
      to: t.arg({ type: "DateTime" }),
    },
    resolve: (_root, args, ctx) => read.dlqEvents(ctx.db, args),
  }),
  errorEvents: t.field({
    type: ErrorEventConnection,
    args: {
      first: t.arg.int(),
      after: t.arg.string(),
      stage: t.arg({ type: StageEnum }),
      service: t.arg.string(),
      errorType: t.arg.string(),
      from: t.arg({ type: "DateTime" }),
      to: t.arg({ type: "DateTime" }),
    },
    resolve: (_root, args, ctx) => read.errorEvents(ctx.db, args),
  }),
  invalidTrades: t.field({
    type: InvalidTradeConnection,
    args: {
      first: t.arg.int(),
      after: t.arg.string(),
      from: t.arg({ type: "DateTime" }),
      to: t.arg({ type: "DateTime" }),
    },
    resolve: (_root, args, ctx) => read.invalidTrades(ctx.db, args),
  }),
  quarantinedRecords: t.field({
    type: QuarantinedRecordConnection,
    description: "Records RTTM could not decode or validate, newest first.",
    args: {
      first: t.arg.int(),
      after: t.arg.string(),
      errorKind: t.arg.string(),
      topic: t.arg.string(),
    },
    resolve: (_root, args, ctx) => read.quarantinedRecords(ctx.db, args),
  }),
  telemetry: t.field({
    type: TelemetryRef,
    description: "Throughput trend and latency avg/P50/P95/P99 per stage and end to end.",
    args: {
      windowSeconds: t.arg.int({ description: `Seconds; default ${defaultWindowSeconds} (24 h).` }),
      granularity: t.arg({
        type: GranularityEnum,
        description: "Trend bucket size; default MINUTE.",
      }),
      stage: t.arg({ type: StageEnum, description: "Trend of one stage; default all stages." }),
    },
    resolve: (_root, args, ctx) => telemetryView(ctx.db, ctx.now(), args),
  }),
  queueLag: t.field({
    type: QueueLagRef,
    resolve: (_root, _args, ctx) => read.queueLag(ctx.db, { now: ctx.now() }),
  }),
  trade: t.field({
    type: TradeTimelineRef,
    description: "One trade's timeline across trade events, DLQ, error and invalid-trade records.",
    args: { tradeId: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      read.tradeTimeline(ctx.db, { tradeId: tradeIdArg(args.tradeId) }),
  }),
  ingestionHealth: t.field({
    type: IngestionHealthRef,
    description: "This replica's ingestion pipeline.",
    resolve: (_root, _args, ctx) => ingestionHealthView(ctx.ingest, ctx.bus, ctx.replica),
  }),
}));

builder.subscriptionFields((t) => ({
  overview: t.field({
    type: OverviewRef,
    args: {
      windowSeconds: t.arg.int(),
      currentTpsWindowSeconds: t.arg.int(),
      peakTpsWindowSeconds: t.arg.int(),
    },
    subscribe: (_root, args, ctx) => ctx.hub.subscribe(ctx.sources.overview(args)),
    resolve: (value) => value,
  }),
  pipeline: t.field({
    type: PipelineRef,
    args: { windowSeconds: t.arg.int() },
    subscribe: (_root, args, ctx) => ctx.hub.subscribe(ctx.sources.pipeline(args)),
    resolve: (value) => value,
  }),
  dlqOverview: t.field({
    type: DlqOverviewRef,
    args: { windowSeconds: t.arg.int() },
    subscribe: (_root, args, ctx) => ctx.hub.subscribe(ctx.sources.dlq(args)),
    resolve: (value) => value,
  }),
  telemetry: t.field({
    type: TelemetryRef,
    args: {
      windowSeconds: t.arg.int(),
      granularity: t.arg({ type: GranularityEnum }),
      stage: t.arg({ type: StageEnum }),
    },
    subscribe: (_root, args, ctx) => ctx.hub.subscribe(ctx.sources.telemetry(args)),
    resolve: (value) => value,
  }),
  queueLag: t.field({
    type: QueueLagRef,
    subscribe: (_root, _args, ctx) => ctx.hub.subscribe(ctx.sources.queueLag()),
    resolve: (value) => value,
  }),
  ingestionHealth: t.field({
    type: IngestionHealthRef,
    subscribe: (_root, _args, ctx) => ctx.hub.subscribe(ctx.sources.ingestionHealth()),
    resolve: (value) => value,
  }),
  trade: t.field({
    type: TradeTimelineRef,
    description: "The trade's timeline now, then again whenever an event of this trade is stored.",
    args: { tradeId: t.arg.string({ required: true }) },
    subscribe: (_root, args, ctx) => ctx.hub.subscribe(ctx.sources.trade(tradeIdArg(args.tradeId))),
    resolve: (value) => value,
  }),
}));

export const schema = builder.toSchema({ sortSchema: false });
