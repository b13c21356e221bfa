/**
 * The live fan-out's settings (RTTM_LIVE_FANOUT_*): how it spreads socket writes over event-loop
 * turns and how often it retries sockets that had not flushed (src/live/fanout.ts).
 */
import { int } from "./variable.js";

export const liveFanoutSettings = {
  sliceMs: int("RTTM_LIVE_FANOUT_SLICE_MS", {
    fallback: 4,
    min: 1,
    max: 1000,
    doc: "longest run of socket writes in one event-loop turn when a new value goes to many subscribers; the rest waits for the next turn (after I/O and timers)",
  }),
  retryMs: int("RTTM_LIVE_FANOUT_RETRY_MS", {
    fallback: 25,
    min: 1,
    max: 60_000,
    doc: "how often subscribers skipped because their socket had not flushed are tried again (they then get the newest value)",
  }),
};
