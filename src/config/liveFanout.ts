/**
 * The live fan-out's settings (RTTM_LIVE_FANOUT_*): how it spreads socket writes over event-loop
 * turns and how often it retries sockets that had not flushed (src/live/fanout.ts).
 */
import { int } from "./variable.js";

export const liveFanoutSettings = {
  sliceMs: int(
    "RTTM_LIVE_FANOUT_SLICE_MS",
    4,
    1,
    1000,
    "longest run of socket writes in one event-loop turn when a new value goes to many subscribers; the rest waits for the next turn (after I/O and timers)",
  ),
  retryMs: int(
    "RTTM_LIVE_FANOUT_RETRY_MS",
    25,
    1,
    60_000,
    "how often subscribers skipped because their socket had not flushed are tried again (they then get the newest value)",
  ),
};
