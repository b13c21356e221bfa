import assert from "node:assert/strict";
import { test } from "node:test";
import { integerBinThresholds, latencyBin } from "../../src/arithmetic/latencyHistogram.js";
import { alignRange, defaultRanges } from "../../src/store/verify/run.js";

const hour = 3_600_000;

test("default ranges: each table's retention, as far as the events are kept, from one hour inside theirs", () => {
  const now = new Date("2031-01-10T10:30:00Z");
  const ranges = defaultRanges(
    { eventsHours: 168, secondRollupHours: 48, minuteRollupHours: 2160 },
    now,
  );
  const to = new Date("2031-01-10T11:00:00Z");
  const since = (hours: number) =>
    new Date(Math.ceil((now.getTime() - hours * hour) / hour) * hour);
  assert.deepEqual(ranges.progress, { from: since(167), to });
  assert.deepEqual(ranges.countSecond, { from: since(48), to });
  assert.deepEqual(ranges.countMinute, { from: since(167), to });
  assert.deepEqual(ranges.histogramMinute, ranges.countMinute);
  assert.deepEqual(ranges.histogramHour, ranges.countMinute);
});

test("--from and --to widen to whole hours", () => {
  assert.deepEqual(alignRange(new Date("2031-01-10T10:30:00Z"), new Date("2031-01-10T12:00:01Z")), {
    from: new Date("2031-01-10T10:00:00Z"),
    to: new Date("2031-01-10T13:00:00Z"),
  });
});

test("the SQL bin thresholds give latencyBin for every whole millisecond", () => {
  const { mins, bins } = integerBinThresholds();
  // PostgreSQL's width_bucket(ms, mins): how many thresholds are ≤ ms.
  const widthBucket = (ms: number) => {
    let lo = 0;
    let hi = mins.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (mins[mid]! <= ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const sqlBin = (ms: number) => (ms < 1 ? 0 : bins[widthBucket(ms) - 1]!);
  for (let ms = 0; ms <= 200_000; ms++) assert.equal(sqlBin(ms), latencyBin(ms), `${ms} ms`);
  for (let ms = 200_000; ms < 2 ** 40; ms = Math.ceil(ms * 1.0007))
    for (const m of [ms - 1, ms, ms + 1]) assert.equal(sqlBin(m), latencyBin(m), `${m} ms`);
});
