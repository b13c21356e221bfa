import assert from "node:assert/strict";
import { test } from "node:test";
import {
  minuteMs,
  planRange,
  secondMs,
  trailingWindow,
  type MsRange,
} from "../../src/store/read/window.js";

const t0 = Date.UTC(2026, 10, 27, 12, 0, 0);

function total(ranges: MsRange[]): number {
  return ranges.reduce((sum, r) => sum + (r.toMs - r.fromMs), 0);
}

test("a trailing window of n seconds holds now and excludes now − n, in milliseconds", () => {
  assert.deepEqual(trailingWindow(new Date(t0), 60), { fromMs: t0 - 60_000 + 1, toMs: t0 + 1 });
});

test("a range is split into whole minutes, then whole seconds, then raw sub-second edges", () => {
  const range = { fromMs: t0 + 500, toMs: t0 + 3 * minuteMs + 2 * secondMs + 250 };
  const plan = planRange(range, "MINUTE");
  assert.deepEqual(plan.minutes, [{ fromMs: t0 + minuteMs, toMs: t0 + 3 * minuteMs }]);
  assert.deepEqual(plan.seconds, [
    { fromMs: t0 + secondMs, toMs: t0 + minuteMs },
    { fromMs: t0 + 3 * minuteMs, toMs: t0 + 3 * minuteMs + 2 * secondMs },
  ]);
  assert.deepEqual(plan.raw, [
    { fromMs: t0 + 500, toMs: t0 + secondMs },
    { fromMs: t0 + 3 * minuteMs + 2 * secondMs, toMs: t0 + 3 * minuteMs + 2 * secondMs + 250 },
  ]);
});

test("the parts cover the range exactly once, whatever its edges", () => {
  for (const [from, to] of [
    [t0, t0 + 10 * minuteMs],
    [t0 + 1, t0 + 10 * minuteMs + 1],
    [t0 + 999, t0 + 1001],
    [t0 + 10, t0 + 20],
    [t0, t0],
  ] as const) {
    for (const coarsest of ["MINUTE", "SECOND"] as const) {
      const plan = planRange({ fromMs: from, toMs: to }, coarsest);
      const parts = [...plan.minutes, ...plan.seconds, ...plan.raw].sort(
        (a, b) => a.fromMs - b.fromMs,
      );
      assert.equal(total(parts), to - from, `${from}..${to} ${coarsest}`);
      for (let i = 1; i < parts.length; i++)
        assert.equal(parts[i]!.fromMs, parts[i - 1]!.toMs, "contiguous, no overlap");
    }
  }
});

test("with SECOND as the coarsest unit the minute rollup is not used", () => {
  const plan = planRange({ fromMs: t0, toMs: t0 + 5 * minuteMs }, "SECOND");
  assert.deepEqual(plan.minutes, []);
  assert.deepEqual(plan.seconds, [{ fromMs: t0, toMs: t0 + 5 * minuteMs }]);
  assert.deepEqual(plan.raw, []);
});
