/** One trade's timeline across trade events, DLQ, error and invalid-trade records. */
import * as read from "../../store/read/index.js";
import { tradeIdArg } from "../args.js";
import { builder } from "../builder.js";
import { StageEnum } from "../enums.js";
import { fromLiveHub } from "../live.js";

export const TimelineSourceEnum = builder.enumType("TimelineSource", {
  values: read.timelineSources,
});

export const TimelineEntryRef = builder.objectRef<read.TimelineEntry>("TimelineEntry").implement({
  fields: (t) => ({
    source: t.field({ type: TimelineSourceEnum, resolve: (e) => e.source }),
    id: t.exposeString("id", { description: "Row id in its source table." }),
    time: t.field({ type: "DateTime", resolve: (e) => e.time }),
    serviceName: t.exposeString("serviceName", { nullable: true }),
    stage: t.exposeString("stage", {
      nullable: true,
      description: "Null for an error or DLQ event sent without a stage (the stage is unknown).",
    }),
    eventType: t.exposeString("eventType", { nullable: true }),
    status: t.exposeString("status", { nullable: true }),
    errorType: t.exposeString("errorType", { nullable: true }),
    message: t.exposeString("message"),
  }),
});

export const TimelineStageRef = builder.objectRef<read.TimelineStage>("TimelineStage").implement({
  fields: (t) => ({
    stage: t.field({ type: StageEnum, resolve: (s) => s.stage }),
    reached: t.boolean({ resolve: (s) => s.reachedAt !== null }),
    reachedAt: t.field({ type: "DateTime", nullable: true, resolve: (s) => s.reachedAt }),
    serviceName: t.exposeString("serviceName", { nullable: true }),
    latencyFromPreviousMs: t.exposeFloat("latencyFromPreviousMs", { nullable: true }),
  }),
});

export const TradeTimelineRef = builder.objectRef<read.TradeTimeline>("TradeTimeline").implement({
  fields: (t) => ({
    tradeId: t.exposeString("tradeId"),
    entries: t.field({
      type: [TimelineEntryRef],
      description: "Trade events, DLQ, error and invalid-trade records, oldest first.",
      resolve: (x) => x.entries,
    }),
    truncated: t.exposeBoolean("truncated"),
    stages: t.field({
      type: [TimelineStageRef],
      description: "Per-stage status in pipeline order.",
      resolve: (x) => x.stages,
    }),
    endToEndMs: t.exposeFloat("endToEndMs", { nullable: true }),
  }),
});

const tradeArgs = builder.args((t) => ({ tradeId: t.string({ required: true }) }));

builder.queryFields((t) => ({
  trade: t.field({
    type: TradeTimelineRef,
    description: "One trade's timeline across trade events, DLQ, error and invalid-trade records.",
    args: tradeArgs,
    resolve: (_root, args, ctx) =>
      read.tradeTimeline(ctx.db, { tradeId: tradeIdArg(args.tradeId) }),
  }),
}));

builder.subscriptionFields((t) => ({
  trade: t.field({
    type: TradeTimelineRef,
    description: "The trade's timeline now, then again whenever an event of this trade is stored.",
    ...fromLiveHub(tradeArgs, (args, ctx) => ctx.sources.trade(tradeIdArg(args.tradeId))),
  }),
}));
