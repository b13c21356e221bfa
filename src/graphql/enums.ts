/** Enums more than one domain of the schema uses, from the shared vocabulary. */
import { latencyStages, stages } from "../domain/stages.js";
import { granularities } from "../store/read/index.js";
import { builder } from "./builder.js";

export const StageEnum = builder.enumType("Stage", {
  values: stages,
  description: "Pipeline stages in their fixed order.",
});
export const LatencyStageEnum = builder.enumType("LatencyStage", {
  values: latencyStages,
  description:
    "A stage's latency is measured from the previous stage; END_TO_END is COMMITTED minus RECEIVED.",
});
export const GranularityEnum = builder.enumType("Granularity", { values: granularities });
