import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { ruleByName } from "../../src/alerts/rules.js";
import { stages } from "../../src/domain/stages.js";
import { latestVerifyRun, verifyLastClosedHour } from "../../src/store/verify/schedule.js";
import { writeBatch } from "../../src/store/writeBatch.js";
import { createTestDatabase, type TestDatabase } from "../support/infra.js";
import { coordinateSequence, tradeEventRow, tradeEventsBatch } from "../support/rows.js";

// The periodic self-check (RTTM_VERIFY_INTERVAL): one replica verifies the last closed hour, the
// result is stored for every replica, and the DERIVED_DRIFT rule reads it.

const hour = 3_600_000;
let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

const now = new Date("2031-08-01T12:20:00Z");
const lastHour = Date.parse("2031-08-01T11:00:00Z");

test("the self-check verifies the last closed hour once, records drift, and DERIVED_DRIFT reads it", async () => {
  const next = coordinateSequence("self-check");
  const rows = Array.from({ length: 50 }, () => randomUUID()).flatMap((trade, i) =>
    stages.map((stage, s) =>
      tradeEventRow(trade, stage, new Date(lastHour + i * 1000 + s * 40), next()),
    ),
  );
  await writeBatch(db.pool, tradeEventsBatch(rows), { threshold: 0.1, minIntervalMinutes: 5 });
  await db.pool.query(
    "UPDATE rttm_stage_count_minute SET event_count = event_count + 1 WHERE bucket = $1",
    [new Date(lastHour)],
  );

  const [a, b] = await Promise.all([
    verifyLastClosedHour(db.pool, now),
    verifyLastClosedHour(db.pool, now),
  ]);
  const run = a ?? b;
  assert.ok(run, "one of two replicas ran the check");
  assert.ok(!(a && b), "only one replica ran it");
  assert.deepEqual([run.from, run.to], [new Date(lastHour), new Date(lastHour + hour)]);
  assert.equal(run.driftedBuckets, 4, "one minute bucket per stage");
  assert.deepEqual(
    run.tables.filter((t) => t.differing > 0).map((t) => t.table),
    ["rttm_stage_count_minute"],
  );
  assert.equal(await verifyLastClosedHour(db.pool, now), null, "an hour is checked once");
  const latest = await latestVerifyRun(db.pool);
  assert.equal(latest?.driftedBuckets, 4);

  const rule = ruleByName.get("DERIVED_DRIFT")!;
  const once = <T>(_key: string, read: () => Promise<T>) => read();
  const measured = await rule.measure(
    { db: db.pool, now: new Date(latest!.checkedAt.getTime() + 60_000), once },
    rule.windowSeconds,
  );
  assert.deepEqual(
    measured.map((o) => o.value),
    [4],
  );
  const stale = await rule.measure(
    { db: db.pool, now: new Date(latest!.checkedAt.getTime() + 3 * hour), once },
    rule.windowSeconds,
  );
  assert.deepEqual(
    stale.map((o) => o.value),
    [null],
    "an old self-check is no data",
  );
});
