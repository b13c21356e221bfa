/** Asserts that every derived table equals its recomputation from the stored events (src/store/verify). */
import assert from "node:assert/strict";
import type { Pool } from "pg";
import { sameRange, verifyDerived, type TableReport } from "../../src/store/verify/run.js";

export async function derivedReports(pool: Pool, from: Date, to: Date): Promise<TableReport[]> {
  return verifyDerived(pool, { ranges: sameRange({ from, to }) });
}

export async function assertDerivedExact(pool: Pool, from: Date, to: Date): Promise<void> {
  const reports = await derivedReports(pool, from, to);
  const drifted = reports.filter((r) => r.differing > 0);
  assert.deepEqual(drifted, [], "derived tables differ from their recomputation");
  assert.ok(
    reports.some((r) => r.checked > 0),
    "nothing was checked: the range holds no events",
  );
}
