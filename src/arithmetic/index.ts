/** The pure arithmetic the other layers use: rollups per batch, latency histograms, queue snapshots, card status. */
export { cardStatus, type CardStatus } from "./cardStatus.js";
export {
  integerBinThresholds,
  quantileFromHistogram,
  type HistogramBin,
} from "./latencyHistogram.js";
export {
  lagOf,
  shouldStoreSnapshot,
  type SnapshotRule,
  type StoredSnapshot,
} from "./queueSnapshot.js";
export { latencyChanges, type HistogramDelta, type StageTimes } from "./stageLatency.js";
export {
  countPerBucket,
  earliestPerStage,
  mergeStageTimes,
  sameStageTimes,
  sumHistogram,
} from "./tradeBatch.js";
