import { textFilter } from "./args.js";
import { column, equals, pagedList } from "./list.js";
import type { PageArgs } from "./page.js";
import {
  byEventTime,
  pipelineEventColumns,
  pipelineEventFilters,
  type PipelineEventNode,
} from "./pipelineEvents.js";
import type { TimeFilter } from "./timeFilter.js";

export interface ErrorEventsArgs extends PageArgs, TimeFilter {
  stage?: string | null;
  service?: string | null;
  errorType?: string | null;
}

export interface ErrorEventNode extends PipelineEventNode {
  errorType: string;
  errorMessage: string;
}

/**
 * Error events, newest first. Indexes: idx_error_time; with a service filter
 * idx_error_service_time, with a stage filter idx_error_stage_time, with an errorType filter
 * idx_error_type_time.
 */
export const errorEvents = pagedList<ErrorEventNode, ErrorEventsArgs>({
  cursor: "error",
  table: "rttm_error_events",
  ...byEventTime,
  filters: { ...pipelineEventFilters, errorType: equals("error_type", textFilter(128)) },
  columns: {
    ...pipelineEventColumns,
    errorType: column("error_type"),
    errorMessage: column("error_message"),
  },
});
