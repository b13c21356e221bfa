/**
 * Time windows. A window of `seconds` ending at `now` holds the instants t with
 * now − seconds < t ≤ now. Stored times have millisecond precision, so as a half-open range of
 * milliseconds it is [now − seconds + 1 ms, now + 1 ms).
 */
export const secondMs = 1_000;
export const minuteMs = 60_000;
export const hourMs = 3_600_000;

/** Half-open millisecond range [fromMs, toMs). */
export interface MsRange {
  fromMs: number;
  toMs: number;
}

export function trailingWindow(now: Date, seconds: number): MsRange {
  const end = now.getTime();
  return { fromMs: end - seconds * 1000 + 1, toMs: end + 1 };
}

export const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
export const ceilTo = (ms: number, unit: number) => Math.ceil(ms / unit) * unit;

/**
 * Which part of a range each source covers so that their sum counts it exactly: whole minutes
 * from the minute rollup, the remaining whole seconds from the second rollup, and the remaining
 * sub-second edges (under one second at each end) from raw rows. With `finest` = second the
 * minute rollup is skipped (per-second buckets need per-second rows).
 */
export interface RangePlan {
  minutes: MsRange[];
  seconds: MsRange[];
  raw: MsRange[];
}

export function planRange(range: MsRange, coarsest: "MINUTE" | "SECOND"): RangePlan {
  const plan: RangePlan = { minutes: [], seconds: [], raw: [] };
  const units: Array<[number, MsRange[]]> =
    coarsest === "MINUTE"
      ? [
          [minuteMs, plan.minutes],
          [secondMs, plan.seconds],
        ]
      : [[secondMs, plan.seconds]];
  const split = (fromMs: number, toMs: number, level: number): void => {
    if (fromMs >= toMs) return;
    const entry = units[level];
    if (!entry) {
      plan.raw.push({ fromMs, toMs });
      return;
    }
    const [unit, target] = entry;
    const lo = ceilTo(fromMs, unit);
    const hi = floorTo(toMs, unit);
    if (lo >= hi) return split(fromMs, toMs, level + 1);
    target.push({ fromMs: lo, toMs: hi });
    split(fromMs, lo, level + 1);
    split(hi, toMs, level + 1);
  };
  split(range.fromMs, range.toMs, 0);
  return plan;
}

/** The time between two instants, in seconds (for echoing the part of a bucket a window covers). */
export const seconds = (fromMs: number, toMs: number) => (toMs - fromMs) / 1000;
