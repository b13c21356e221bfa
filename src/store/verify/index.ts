/** Derived tables recomputed from the stored events and compared (`npm run verify`, the self-check). */
export { formatReports } from "./format.js";
export { withVerifyLock } from "./lock.js";
export {
  alignRange,
  defaultRanges,
  sameRange,
  verifyDerived,
  verifyOrder,
  type TableReport,
  type VerifyProgress,
  type VerifyRange,
} from "./run.js";
export {
  latestVerifyRun,
  startVerifySchedule,
  verifyLastClosedHour,
  type VerifyRun,
  type VerifySchedule,
} from "./schedule.js";
