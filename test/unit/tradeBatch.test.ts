import assert from "node:assert/strict";
import { test } from "node:test";
import { latencyChanges } from "../../src/arithmetic/stageLatency.js";
import {
  countPerBucket,
  earliestPerStage,
  mergeStageTimes,
  sameStageTimes,
  sumHistogram,
  type StageEvent,
} from "../../src/arithmetic/tradeBatch.js";

const t0 = Date.parse("2026-11-29T10:00:00.000Z");
const event = (tradeId: string, eventStage: string, ms: number, serviceName = "s"): StageEvent => ({
  tradeId,
  eventStage,
  eventTime: new Date(t0 + ms),
  serviceName,
});

test("counts per bucket and stage, sorted by bucket then stage", () => {
  const events = [
    event("a", "VALIDATED", 1500),
    event("a", "RECEIVED", 10),
    event("b", "RECEIVED", 999),
    event("b", "RECEIVED", 61_000),
  ];
  assert.deepEqual(
    countPerBucket(events, 1000).map((c) => [c.bucket.getTime() - t0, c.stage, c.count]),
    [
      [0, "RECEIVED", 2],
      [1000, "VALIDATED", 1],
      [61_000, "RECEIVED", 1],
    ],
  );
  assert.deepEqual(
    countPerBucket(events, 60_000).map((c) => [c.bucket.getTime() - t0, c.stage, c.count]),
    [
      [0, "RECEIVED", 2],
      [0, "VALIDATED", 1],
      [60_000, "RECEIVED", 1],
    ],
  );
});

test("earliest per stage: the earliest time, on a tie the smaller service name", () => {
  const times = earliestPerStage([
    event("a", "RECEIVED", 50, "z"),
    event("a", "RECEIVED", 20, "y"),
    event("a", "RECEIVED", 20, "x"),
    event("a", "COMMITTED", 300, "c"),
  ]).get("a")!;
  assert.deepEqual(times.RECEIVED, { at: new Date(t0 + 20), service: "x" });
  assert.deepEqual(times.COMMITTED, { at: new Date(t0 + 300), service: "c" });
  assert.equal(times.VALIDATED, null);
});

test("merging keeps the earlier time per stage; a tie goes to the smaller service name, as within a batch", () => {
  const known = earliestPerStage([event("a", "RECEIVED", 20, "old"), event("a", "ENRICHED", 90)]);
  const incoming = earliestPerStage([
    event("a", "RECEIVED", 20, "new"),
    event("a", "VALIDATED", 40),
    event("a", "ENRICHED", 80, "earlier"),
  ]);
  const merged = mergeStageTimes(known.get("a")!, incoming.get("a")!);
  assert.equal(merged.RECEIVED!.service, "new");
  assert.equal(mergeStageTimes(incoming.get("a")!, known.get("a")!).RECEIVED!.service, "new");
  assert.equal(merged.VALIDATED!.at.getTime(), t0 + 40);
  assert.deepEqual(merged.ENRICHED, { at: new Date(t0 + 80), service: "earlier" });
  assert.equal(sameStageTimes(known.get("a")!, merged), false);
  assert.equal(sameStageTimes(merged, mergeStageTimes(merged, incoming.get("a")!)), true);
  assert.equal(sameStageTimes(null, mergeStageTimes(null, incoming.get("a")!)), false);
});

test("histogram deltas summed per bucket; a sample replaced in the same bucket and bin cancels out", () => {
  const before = earliestPerStage([event("a", "RECEIVED", 0), event("a", "VALIDATED", 100)]);
  const after = mergeStageTimes(
    before.get("a")!,
    earliestPerStage([event("a", "RECEIVED", -100)]).get("a")!,
  );
  const first = latencyChanges("a", null, before.get("a")!).histogram;
  const second = latencyChanges("a", before.get("a")!, after).histogram;
  const summed = sumHistogram([...first, ...second], 3_600_000);
  assert.deepEqual(
    summed.map((d) => [d.stage, d.count, d.sumMs]),
    [["VALIDATED", 1, 200]],
    "the 100 ms sample was taken back and a 200 ms one added",
  );
  const same = latencyChanges("a", null, before.get("a")!).histogram;
  const back = same.map((d) => ({ ...d, count: -d.count, sumMs: -d.sumMs }));
  assert.deepEqual(sumHistogram([...same, ...back], 60_000), [], "cancelled entries are dropped");
});
