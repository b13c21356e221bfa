/** The overview cards: current and peak TPS, end-to-end latency, DLQ, invalid trades, errors. */
import type { CardStatus } from "../../arithmetic/index.js";
import { defaultWindowSeconds } from "../../domain/window.js";
import type * as read from "../../store/read/index.js";
import { builder } from "../builder.js";
import { fromLiveHub } from "../live.js";

export const CardStatusEnum = builder.enumType("CardStatus", {
  values: {
    HEALTHY: { value: "healthy" },
    WARNING: { value: "warning" },
    CRITICAL: { value: "critical" },
  } as const,
  description:
    "From the card's thresholds (RTTM_CARD_*): above critical → CRITICAL, above warning → WARNING.",
});
export interface MetricCard {
  title: string;
  value: number | null;
  unit: string;
  status: CardStatus;
  windowSeconds: number;
}

export const MetricCardRef = builder.objectRef<MetricCard>("MetricCard").implement({
  description: "One overview card, as the old /ws/rttm/metrics sent it, plus the window it covers.",
  fields: (t) => ({
    title: t.exposeString("title"),
    value: t.exposeFloat("value", {
      nullable: true,
      description: "Null when there is nothing to measure (e.g. no completed trade yet).",
    }),
    unit: t.exposeString("unit"),
    status: t.field({ type: CardStatusEnum, resolve: (c) => c.status }),
    windowSeconds: t.exposeInt("windowSeconds"),
  }),
});

export interface OverviewView extends read.Overview {
  cards: MetricCard[];
}

export const OverviewRef = builder.objectRef<OverviewView>("Overview").implement({
  fields: (t) => ({
    asOf: t.field({ type: "DateTime", resolve: (o) => o.asOf }),
    cards: t.field({
      type: [MetricCardRef],
      description:
        "Current TPS, Peak TPS, Avg Latency (end to end), DLQ Count, Invalid Trades, Errors.",
      resolve: (o) => o.cards,
    }),
    currentTps: t.exposeFloat("currentTps", {
      description: "RECEIVED events per second over the trailing currentTpsWindowSeconds.",
    }),
    currentTpsWindowSeconds: t.exposeInt("currentTpsWindowSeconds"),
    peakTps: t.exposeInt("peakTps", {
      description:
        "Highest one-second count of RECEIVED events in the trailing peakTpsWindowSeconds.",
    }),
    peakTpsWindowSeconds: t.exposeInt("peakTpsWindowSeconds"),
    avgEndToEndLatencyMs: t.exposeFloat("avgEndToEndLatencyMs", {
      nullable: true,
      description: "Mean COMMITTED − RECEIVED over the window.",
    }),
    dlqCount: t.exposeInt("dlqCount"),
    invalidTradeCount: t.exposeInt("invalidTradeCount"),
    errorCount: t.exposeInt("errorCount"),
    windowSeconds: t.exposeInt("windowSeconds"),
  }),
});

const overviewArgs = builder.args((t) => ({
  windowSeconds: t.int({
    description: `Window of latency and counts, seconds; default ${defaultWindowSeconds} (24 h).`,
  }),
  currentTpsWindowSeconds: t.int({
    description: "Trailing window of current TPS, seconds; default 5.",
  }),
  peakTpsWindowSeconds: t.int({ description: "Window of peak TPS, seconds; default 300." }),
}));

builder.queryFields((t) => ({
  overview: t.field({
    type: OverviewRef,
    description:
      "The overview cards: current and peak TPS, end-to-end latency, DLQ, invalid trades, errors.",
    args: overviewArgs,
    resolve: (_root, args, ctx) => ctx.hub.read(ctx.sources.overview(args)),
  }),
}));

builder.subscriptionFields((t) => ({
  overview: t.field({
    type: OverviewRef,
    ...fromLiveHub(overviewArgs, (args, ctx) => ctx.sources.overview(args)),
  }),
}));
