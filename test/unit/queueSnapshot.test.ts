import assert from "node:assert/strict";
import { test } from "node:test";
import { shouldStoreSnapshot } from "../../src/arithmetic/queueSnapshot.js";

const rule = { threshold: 0.1, minIntervalMinutes: 5 };
const t0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const snap = (lag: bigint, seconds: number) => ({
  lag,
  snapshotTime: new Date(t0 + seconds * 1000),
});

test("store-if-changed follows the old service's rule", () => {
  assert.equal(shouldStoreSnapshot(undefined, snap(50n, 0), rule), true, "first snapshot");
  assert.equal(
    shouldStoreSnapshot(snap(50n, 0), snap(50n, 30), rule),
    false,
    "same lag 30 s later",
  );
  assert.equal(shouldStoreSnapshot(snap(50n, 0), snap(150n, 30), rule), true, "lag 50 → 150");
  assert.equal(shouldStoreSnapshot(snap(50n, 0), snap(54n, 30), rule), false, "8 % change");
  assert.equal(
    shouldStoreSnapshot(snap(50n, 0), snap(50n, 6 * 60), rule),
    true,
    "same lag 6 min later",
  );
  assert.equal(shouldStoreSnapshot(snap(0n, 0), snap(50n, 30), rule), true, "lag 0 → 50");
  assert.equal(shouldStoreSnapshot(snap(50n, 0), snap(0n, 30), rule), true, "lag 50 → 0");
  assert.equal(shouldStoreSnapshot(snap(0n, 0), snap(0n, 30), rule), false, "lag stays 0");
  assert.equal(
    shouldStoreSnapshot(snap(50n, 600), snap(50n, 0), rule),
    false,
    "older snapshot, same lag",
  );
});
