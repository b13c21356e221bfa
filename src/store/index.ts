/** The store's public face for writers: the pool, batch writes and retention (the read models are src/store/read/index.ts). */
export { createPool } from "./pool.js";
export { preparePartitions, startRetention } from "./retention.js";
export { groupByTable, writeBatch, type BatchCounts } from "./writeBatch.js";

export {
  recordFailure,
  recordSent,
  recordSilence,
  recordSilenceExpired,
} from "./alertDeliveries.js";
