import type { Stage } from "../../domain/stages.js";
import { optionalStage, textFilter } from "./args.js";
import {
  column,
  equals,
  idColumn,
  kafkaColumns,
  type Columns,
  type KafkaCoordinates,
} from "./list.js";

/** What DLQ and error events share: a service reported something about a trade at a stage. */
export interface PipelineEventNode extends KafkaCoordinates {
  /** Row id (bigint as text). */
  id: string;
  tradeId: string | null;
  serviceName: string;
  /** Null: the producer sent no stage (the stage is unknown); still an error or DLQ event. */
  stage: Stage | null;
  eventTime: Date;
}

export const pipelineEventColumns: Columns<PipelineEventNode> = {
  id: idColumn,
  tradeId: column("trade_id::text"),
  serviceName: column("service_name"),
  stage: column("event_stage"),
  eventTime: column("event_time"),
  ...kafkaColumns,
};

/** Their common filters: one stage, one service. */
export const pipelineEventFilters = {
  stage: equals("event_stage", optionalStage),
  service: equals("service_name", textFilter(128)),
};

/** Newest first by event time, which `from`/`to` bound. */
export const byEventTime = {
  sortedBy: { column: "event_time", field: "eventTime" },
  timeRange: true,
} as const;
