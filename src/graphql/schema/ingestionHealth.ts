/** This replica's ingestion pipeline, from its own memory. */
import type { IngestionHealth } from "../../live/index.js";
import { builder } from "../builder.js";
import { fromLiveHub } from "../live.js";

const TableRowsRef = builder.objectRef<{ table: string; rows: number }>("TableRows").implement({
  fields: (t) => ({ table: t.exposeString("table"), rows: t.exposeInt("rows") }),
});
const TopicRecordsRef = builder
  .objectRef<{ topic: string; records: number }>("TopicRecords")
  .implement({
    fields: (t) => ({ topic: t.exposeString("topic"), records: t.exposeInt("records") }),
  });

export const IngestionHealthRef = builder.objectRef<IngestionHealth>("IngestionHealth").implement({
  description:
    "One replica's ingestion pipeline, from its own memory (not shared between replicas).",
  fields: (t) => ({
    asOf: t.field({
      type: "DateTime",
      description:
        "When these numbers were read; a query is answered from a reading at most one live tick (RTTM_LIVE_TICK_MS) old.",
      resolve: (h) => h.asOf,
    }),
    replica: t.exposeString("replica"),
    consumerJoined: t.exposeBoolean("consumerJoined"),
    partitionsAssigned: t.exposeInt("partitionsAssigned"),
    paused: t.exposeBoolean("paused", {
      description: "Partitions paused because the queue is full.",
    }),
    pausedSince: t.field({ type: "DateTime", nullable: true, resolve: (h) => h.pausedSince }),
    queueDepth: t.exposeInt("queueDepth"),
    queueCapacity: t.exposeInt("queueCapacity"),
    commitLagRecords: t.exposeInt("commitLagRecords", {
      description: "Records fetched but not yet stored (offsets not committed).",
    }),
    writesFailingSince: t.field({
      type: "DateTime",
      nullable: true,
      resolve: (h) => h.writesFailingSince,
    }),
    lastWriteError: t.exposeString("lastWriteError", { nullable: true }),
    batchesWritten: t.exposeInt("batchesWritten"),
    rowsStored: t.field({ type: [TableRowsRef], resolve: (h) => h.rowsStored }),
    recordsConsumed: t.field({ type: [TopicRecordsRef], resolve: (h) => h.recordsConsumed }),
    changeBusHealthy: t.exposeBoolean("changeBusHealthy"),
  }),
});

builder.queryFields((t) => ({
  ingestionHealth: t.field({
    type: IngestionHealthRef,
    description: "This replica's ingestion pipeline.",
    resolve: (_root, _args, ctx) => ctx.hub.read(ctx.sources.ingestionHealth()),
  }),
}));

builder.subscriptionFields((t) => ({
  ingestionHealth: t.field({
    type: IngestionHealthRef,
    ...fromLiveHub({}, (_args, ctx) => ctx.sources.ingestionHealth()),
  }),
}));
