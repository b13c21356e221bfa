/**
 * Per-key rate limit in events per second: a token bucket per key name, `burst` tokens deep,
 * refilled at `perSecond`. A request takes one token per event, all or none.
 */
export interface RateLimiter {
  /** 0 when the events may pass (tokens taken), else the whole seconds until they could. */
  take(name: string, events: number): number;
}

export function tokenBuckets(
  perSecond: number,
  burst: number,
  now = () => performance.now(),
): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(name, events) {
      const t = now();
      const bucket = buckets.get(name) ?? { tokens: burst, at: t };
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
      bucket.at = t;
      buckets.set(name, bucket);
      if (bucket.tokens >= events) {
        bucket.tokens -= events;
        return 0;
      }
      return Math.max(1, Math.ceil((events - bucket.tokens) / perSecond));
    },
  };
}
