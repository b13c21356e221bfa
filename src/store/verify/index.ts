/** Verify and repair: the derived tables recomputed from the stored events (npm run verify, RTTM_VERIFY_INTERVAL). */
export { formatReports } from "./format.js";
export { withVerifyLock } from "./lock.js";
export {
  alignRange,
  defaultRanges,
  sameRange,
  verifyDerived,
  type TableReport,
  type VerifyProgress,
} from "./run.js";
export {
  latestVerifyRun,
  startVerifySchedule,
  type VerifyRun,
  type VerifySchedule,
} from "./schedule.js";
