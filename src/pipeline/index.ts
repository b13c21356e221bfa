/** The pipeline's public face: the bounded, sharded queue, offset ledger, writers and retry. */
export { type BoundedQueue } from "./boundedQueue.js";
export { eventWeight } from "./eventWeight.js";
export { OffsetLedger } from "./offsets.js";
export { backoffDelayMs, sleep } from "./retry.js";
export { ShardedQueue } from "./shardedQueue.js";
export { WriterPool, type WriterStats } from "./writer.js";
