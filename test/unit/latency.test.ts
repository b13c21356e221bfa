import assert from "node:assert/strict";
import { test } from "node:test";
import {
  binLowerBoundMs,
  binUpperBoundMs,
  latencyBin,
  quantileFromHistogram,
} from "../../src/arithmetic/latencyHistogram.js";
import {
  latencyChanges,
  stageLatencies,
  type StageTimes,
} from "../../src/arithmetic/stageLatency.js";

const t0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const at = (ms: number, service = "svc") => ({ at: new Date(t0 + ms), service });
const trade = "7f1c1a2e-1111-4a4a-8b8b-000000000001";

test("stage latencies follow the fixed stage order, plus end to end", () => {
  const times: StageTimes = {
    RECEIVED: at(0),
    VALIDATED: at(120_000, "validator"),
    ENRICHED: at(360_000),
    COMMITTED: at(540_000, "committer"),
  };
  const result = stageLatencies(trade, times).map((l) => [l.stage, l.latencyMs, l.serviceName]);
  assert.deepEqual(result, [
    ["VALIDATED", 120_000, "validator"],
    ["ENRICHED", 240_000, "svc"],
    ["COMMITTED", 180_000, "committer"],
    ["END_TO_END", 540_000, "committer"],
  ]);
});

test("a gap in the stages yields no latency across it", () => {
  const times: StageTimes = {
    RECEIVED: at(0),
    VALIDATED: null,
    ENRICHED: at(300),
    COMMITTED: null,
  };
  assert.deepEqual(stageLatencies(trade, times), []);
});

test("out-of-order arrival: the later stage first, then the earlier one, gives the right latency once", () => {
  const onlyValidated: StageTimes = {
    RECEIVED: null,
    VALIDATED: at(250),
    ENRICHED: null,
    COMMITTED: null,
  };
  const first = latencyChanges(trade, null, onlyValidated);
  assert.deepEqual(first.upserts, []);
  const both: StageTimes = { ...onlyValidated, RECEIVED: at(0) };
  const second = latencyChanges(trade, onlyValidated, both);
  assert.deepEqual(
    second.upserts.map((l) => [l.stage, l.latencyMs]),
    [["VALIDATED", 250]],
  );
  assert.deepEqual(
    second.histogram.map((h) => h.count),
    [1],
  );
});

test("an earlier duplicate of a stage moves the latency and takes back the old histogram entry", () => {
  const before: StageTimes = {
    RECEIVED: at(100),
    VALIDATED: at(400),
    ENRICHED: null,
    COMMITTED: null,
  };
  const after: StageTimes = { ...before, RECEIVED: at(0) };
  const change = latencyChanges(trade, before, after);
  assert.deepEqual(
    change.upserts.map((l) => [l.stage, l.latencyMs]),
    [["VALIDATED", 400]],
  );
  assert.deepEqual(
    change.histogram.map((h) => [h.count, h.sumMs]),
    [
      [-1, -300],
      [1, 400],
    ],
  );
});

test("unchanged stage times change nothing", () => {
  const times: StageTimes = {
    RECEIVED: at(0),
    VALIDATED: at(10),
    ENRICHED: at(20),
    COMMITTED: at(30),
  };
  assert.deepEqual(latencyChanges(trade, times, times), { upserts: [], histogram: [] });
});

test("clock skew between services clamps to 0 ms", () => {
  const times: StageTimes = {
    RECEIVED: at(500),
    VALIDATED: at(100),
    ENRICHED: null,
    COMMITTED: null,
  };
  assert.equal(stageLatencies(trade, times)[0]!.latencyMs, 0);
});

test("every latency falls inside its bin, and bins are at most 4.5 % wide", () => {
  for (const ms of [0, 1, 2, 3, 7, 50, 99, 100, 1000, 12_345, 3_600_000]) {
    const bin = latencyBin(ms);
    assert.ok(ms >= binLowerBoundMs(bin) && ms < binUpperBoundMs(bin), `${ms} ms in bin ${bin}`);
    if (bin > 0) assert.ok(binUpperBoundMs(bin) / binLowerBoundMs(bin) < 1.045);
  }
});

test("percentiles from the histogram are within one bin of the exact nearest-rank value", () => {
  const samples = Array.from({ length: 1000 }, (_, i) => 1 + ((i * 7919) % 1000));
  const bins = new Map<number, number>();
  for (const s of samples) bins.set(latencyBin(s), (bins.get(latencyBin(s)) ?? 0) + 1);
  const histogram = [...bins].map(([bin, count]) => ({ bin, count }));
  const sorted = [...samples].sort((a, b) => a - b);
  for (const q of [0.5, 0.95, 0.99]) {
    const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
    const estimate = quantileFromHistogram(histogram, q)!;
    assert.ok(Math.abs(estimate - exact) / exact < 0.045, `q=${q}: ${estimate} vs ${exact}`);
  }
  assert.equal(quantileFromHistogram([], 0.95), null);
});
