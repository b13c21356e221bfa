/** The trade pipeline's stages, in their fixed order. */
export const stages = ["RECEIVED", "VALIDATED", "ENRICHED", "COMMITTED"] as const;
export type Stage = (typeof stages)[number];

/**
 * The latency stages in report order: each stage measured from its predecessor, then END_TO_END
 * (COMMITTED minus RECEIVED).
 */
export const latencyStages = ["VALIDATED", "ENRICHED", "COMMITTED", "END_TO_END"] as const;
export type LatencyStage = (typeof latencyStages)[number];
