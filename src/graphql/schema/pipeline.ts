/** The pipeline (count, latency and success rate per stage) and the DLQ overview by stage. */
import * as read from "../../store/read/index.js";
import { windowArgs } from "../args.js";
import { builder } from "../builder.js";
import { StageEnum } from "../enums.js";
import { fromLiveHub } from "../live.js";

export const PipelineStageRef = builder.objectRef<read.PipelineStage>("PipelineStage").implement({
  fields: (t) => ({
    stage: t.field({ type: StageEnum, resolve: (s) => s.stage }),
    count: t.exposeInt("count", { description: "Events of this stage in the window." }),
    avgLatencyMs: t.exposeFloat("avgLatencyMs", {
      nullable: true,
      description: "Mean latency from the previous stage; null for RECEIVED.",
    }),
    successRate: t.exposeFloat("successRate", {
      nullable: true,
      description:
        "Percent of the previous stage's count (RECEIVED: 100); null when the previous count is 0.",
    }),
  }),
});

export const PipelineRef = builder.objectRef<read.Pipeline>("Pipeline").implement({
  fields: (t) => ({
    asOf: t.field({ type: "DateTime", resolve: (p) => p.asOf }),
    windowSeconds: t.exposeInt("windowSeconds"),
    stages: t.field({
      type: [PipelineStageRef],
      description: "Always RECEIVED, VALIDATED, ENRICHED, COMMITTED, in that order.",
      resolve: (p) => p.stages,
    }),
  }),
});

export const DlqStageCountRef = builder.objectRef<read.DlqStageCount>("DlqStageCount").implement({
  fields: (t) => ({
    stage: t.field({ type: StageEnum, resolve: (s) => s.stage }),
    count: t.exposeInt("count"),
  }),
});

export const DlqOverviewRef = builder.objectRef<read.DlqOverview>("DlqOverview").implement({
  fields: (t) => ({
    asOf: t.field({ type: "DateTime", resolve: (d) => d.asOf }),
    windowSeconds: t.exposeInt("windowSeconds"),
    total: t.exposeInt("total"),
    byStage: t.field({
      type: [DlqStageCountRef],
      description: "Every stage, in pipeline order, zeros included.",
      resolve: (d) => d.byStage,
    }),
    unknownStage: t.exposeInt("unknownStage", {
      description:
        "DLQ events sent without a stage: counted in total, in no stage of byStage (byStage and this sum to total).",
    }),
    lastEventTime: t.field({
      type: "DateTime",
      nullable: true,
      description: "The most recent DLQ event, whatever the window.",
      resolve: (d) => d.lastEventTime,
    }),
  }),
});

builder.queryFields((t) => ({
  pipeline: t.field({
    type: PipelineRef,
    args: windowArgs,
    resolve: (_root, args, ctx) => ctx.hub.read(ctx.sources.pipeline(args)),
  }),
  dlqOverview: t.field({
    type: DlqOverviewRef,
    args: windowArgs,
    resolve: (_root, args, ctx) => ctx.hub.read(ctx.sources.dlq(args)),
  }),
}));

builder.subscriptionFields((t) => ({
  pipeline: t.field({
    type: PipelineRef,
    ...fromLiveHub(windowArgs, (args, ctx) => ctx.sources.pipeline(args)),
  }),
  dlqOverview: t.field({
    type: DlqOverviewRef,
    ...fromLiveHub(windowArgs, (args, ctx) => ctx.sources.dlq(args)),
  }),
}));
