/**
 * Capped exponential backoff: attempt n (from 0) waits at most min(max, initial·2ⁿ). With "full"
 * jitter the wait is random up to that ceiling (at least `initialMs`), which spreads retries of
 * many writers; with "equal" jitter it is between half the ceiling and the ceiling, which keeps a
 * reconnect from coming back too soon.
 */
export function backoffDelayMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random = Math.random,
  jitter: "full" | "equal" = "full",
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return jitter === "full"
    ? Math.max(initialMs, Math.round(random() * ceiling))
    : Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Resolves after `ms`, or at once when `signal` aborts (it never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * Runs `operation` until it succeeds, waiting between attempts; gives up only when `signal`
 * aborts (then the last error is thrown). Nothing is ever discarded because of a failure.
 */
export async function retryUntilSuccess<T>(
  operation: () => Promise<T>,
  options: {
    initialMs: number;
    maxMs: number;
    signal?: AbortSignal;
    onFailure?: (err: unknown, attempt: number, delayMs: number) => void;
  },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const delay = backoffDelayMs(attempt, options.initialMs, options.maxMs);
      options.onFailure?.(err, attempt + 1, delay);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) throw err;
    }
  }
}
