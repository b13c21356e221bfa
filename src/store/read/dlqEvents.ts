import { column, pagedList } from "./list.js";
import type { PageArgs } from "./page.js";
import {
  byEventTime,
  pipelineEventColumns,
  pipelineEventFilters,
  type PipelineEventNode,
} from "./pipelineEvents.js";
import type { TimeFilter } from "./timeFilter.js";

export interface DlqEventsArgs extends PageArgs, TimeFilter {
  stage?: string | null;
  service?: string | null;
}

export interface DlqEventNode extends PipelineEventNode {
  topicName: string;
  originalTopic: string;
  reason: string;
}

/**
 * DLQ events, newest first. Indexes: idx_dlq_time; with a stage filter idx_dlq_stage_time; with a
 * service filter idx_dlq_service_time (stage and service together: the planner picks one of them).
 */
export const dlqEvents = pagedList<DlqEventNode, DlqEventsArgs>({
  cursor: "dlq",
  table: "rttm_dlq_events",
  ...byEventTime,
  filters: pipelineEventFilters,
  columns: {
    ...pipelineEventColumns,
    topicName: column("topic_name"),
    originalTopic: column("original_topic"),
    reason: column("reason"),
  },
});
