/** This replica's ingestion pipeline, from its own memory. */
import type { IngestionHealth } from "../../live/index.js";
import type { TableReport, VerifyRun } from "../../store/verify/index.js";
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

const VerifiedTableRef = builder.objectRef<TableReport>("VerifiedTable").implement({
  description: "One derived table compared with its recomputation from the stored events.",
  fields: (t) => ({
    table: t.exposeString("table"),
    checked: t.exposeInt("checked", {
      description: "Keys compared: buckets for the rollups, trades for trade progress.",
    }),
    differing: t.exposeInt("differing"),
    largestDifference: t.exposeFloat("largestDifference"),
    unit: t.exposeString("unit", { description: "What largestDifference counts." }),
  }),
});

const VerifyRunRef = builder.objectRef<VerifyRun>("VerifyRun").implement({
  description:
    "The latest self-check (RTTM_VERIFY_INTERVAL) of any replica: the derived tables of one closed hour recomputed from the stored events (as `npm run verify`).",
  fields: (t) => ({
    checkedAt: t.field({ type: "DateTime", resolve: (r) => r.checkedAt }),
    from: t.field({ type: "DateTime", resolve: (r) => r.from }),
    to: t.field({ type: "DateTime", resolve: (r) => r.to }),
    driftedBuckets: t.exposeInt("driftedBuckets", {
      description: "Keys that differed over all derived tables; 0: every number is exact.",
    }),
    tables: t.field({ type: [VerifiedTableRef], resolve: (r) => r.tables }),
  }),
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
    verify: t.field({
      type: VerifyRunRef,
      nullable: true,
      description:
        "The latest self-check of the derived tables; null when RTTM_VERIFY_INTERVAL is off or before the first.",
      resolve: (h) => h.verify,
    }),
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
