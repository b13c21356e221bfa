import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import type { TradeEventRow } from "../../src/domain/rows.js";
import { stages } from "../../src/domain/stages.js";
import { loadConfig } from "../../src/config/index.js";
import { startOfDay } from "../../src/store/partitions.js";
import { preparePartitions, pruneOnce } from "../../src/store/retention.js";
import { defaultRanges, sameRange, verifyDerived } from "../../src/store/verify/run.js";
import { writeBatch } from "../../src/store/writeBatch.js";
import { count, createTestDatabase, type TestDatabase } from "../support/infra.js";
import { coordinateSequence, tradeEventRow, tradeEventsBatch } from "../support/rows.js";
import { assertDerivedExact, derivedReports } from "../support/verify.js";

// `npm run verify` against a real database: clean after ingest, drift found in every derived
// table, and repaired while writers keep adding to the same buckets and trades.

const run = promisify(execFile);
const hour = 3_600_000;
const t0 = Date.parse("2031-07-01T10:00:00Z");
const snapshotRule = { threshold: 0.1, minIntervalMinutes: 5 };
const next = coordinateSequence("verify");
const tradeBatch = tradeEventsBatch;

/** Every stage of `n` trades starting at `start`, a few milliseconds apart. */
function trades(n: number, start: number): TradeEventRow[] {
  return Array.from({ length: n }, () => randomUUID()).flatMap((trade, i) =>
    stages.map((stage, s) =>
      tradeEventRow(trade, stage, new Date(start + i * 37 + s * (5 + (i % 13)) * 11), next()),
    ),
  );
}

let db: TestDatabase;
let pool: pg.Pool;
before(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  await writeBatch(pool, tradeBatch(trades(300, t0)), snapshotRule);
});
after(async () => {
  await pool.end();
  await db.drop();
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", "src/verify.ts", ...args],
      { env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: "silent" } },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const range = ["--from", new Date(t0).toISOString(), "--to", new Date(t0 + hour).toISOString()];

describe("npm run verify", () => {
  test("exits 0 and prints every derived table when all agree", async () => {
    const { code, stdout, stderr } = await cli(...range);
    assert.equal(code, 0, stderr);
    for (const table of [
      "rttm_trade_progress",
      "rttm_stage_count_second",
      "rttm_stage_count_minute",
      "rttm_latency_histogram_minute",
      "rttm_latency_histogram_hour",
    ])
      assert.match(stdout, new RegExp(`^${table} .* 0\\s+0$`, "m"));
    assert.match(stderr, /verify: rttm_latency_histogram_hour 1\/1 hours/);
  });

  test("exits 1 with a clear message on a bad time", async () => {
    const { code, stderr } = await cli("--from", "yesterday");
    assert.equal(code, 1);
    assert.match(stderr, /--from yesterday: not an ISO 8601 time/);
  });

  test("finds drift in each derived table, exits 3, and --repair makes it agree", async () => {
    const bucket = new Date(t0);
    await pool.query(
      "UPDATE rttm_stage_count_second SET event_count = event_count + 3 WHERE bucket = $1",
      [bucket],
    );
    await pool.query(
      "DELETE FROM rttm_stage_count_minute WHERE bucket = $1 AND stage = 'ENRICHED'",
      [bucket],
    );
    await pool.query(
      "UPDATE rttm_latency_histogram_minute SET sample_count = sample_count - 1 WHERE bucket = $1 AND stage = 'END_TO_END'",
      [bucket],
    );
    await pool.query(
      "UPDATE rttm_latency_histogram_hour SET latency_sum_ms = latency_sum_ms + 5 WHERE bucket = $1",
      [bucket],
    );
    await pool.query(
      "UPDATE rttm_trade_progress SET validated_at = validated_at + interval '1 second' WHERE trade_id IN (SELECT trade_id FROM rttm_trade_progress LIMIT 2)",
    );
    const { code, stdout } = await cli(...range, "--json");
    assert.equal(code, 3);
    const report = JSON.parse(stdout) as { tables: Array<{ table: string; differing: number }> };
    const differing = Object.fromEntries(report.tables.map((t) => [t.table, t.differing]));
    assert.equal(differing.rttm_trade_progress, 2);
    assert.ok(differing.rttm_stage_count_second! > 0);
    assert.equal(differing.rttm_stage_count_minute, 1);
    assert.ok(differing.rttm_latency_histogram_minute! > 0);
    assert.ok(differing.rttm_latency_histogram_hour! > 0);

    const repaired = await cli(...range, "--repair");
    assert.equal(repaired.code, 3, "drift was found (and repaired)");
    assert.match(repaired.stdout, /repaired/);
    assert.equal((await cli(...range)).code, 0);
  });

  test("--repair while ingest runs loses no writer's increment", async () => {
    const start = t0 + 2 * hour;
    await writeBatch(pool, tradeBatch(trades(400, start)), snapshotRule);
    // Drift everywhere in the hour the writers keep writing to.
    await pool.query(
      "UPDATE rttm_stage_count_second SET event_count = event_count + 2 WHERE bucket >= $1 AND bucket < $2",
      [new Date(start), new Date(start + hour)],
    );
    await pool.query(
      "UPDATE rttm_stage_count_minute SET event_count = event_count - 1 WHERE bucket >= $1 AND bucket < $2",
      [new Date(start), new Date(start + hour)],
    );
    await pool.query(
      "UPDATE rttm_latency_histogram_minute SET sample_count = sample_count + 1, latency_sum_ms = latency_sum_ms + 10 WHERE bucket >= $1 AND bucket < $2",
      [new Date(start), new Date(start + hour)],
    );
    await pool.query(
      "UPDATE rttm_latency_histogram_hour SET sample_count = sample_count + 4 WHERE bucket = $1",
      [new Date(start)],
    );
    await pool.query(
      "UPDATE rttm_trade_progress SET committed_at = NULL, committed_service = NULL WHERE trade_id IN (SELECT trade_id FROM rttm_trade_progress WHERE received_at >= $1 LIMIT 20)",
      [new Date(start)],
    );
    // Writers: new trades in the same seconds and minutes the repair rewrites.
    let writing = true;
    let batches = 0;
    const writer = async (k: number) => {
      for (let i = 0; writing; i++) {
        const rows = trades(40, start + ((k * 997 + i * 131) % 15_000));
        await writeBatch(pool, tradeBatch(rows), snapshotRule).catch(() => undefined);
        batches++;
      }
    };
    const writers = [writer(1), writer(2)];
    const ranges = sameRange({ from: new Date(start), to: new Date(start + hour) });
    while (batches < 2) await new Promise((r) => setTimeout(r, 10));
    const before = batches;
    const reports = await verifyDerived(pool, { ranges, repair: true });
    const duringRepair = batches - before;
    while (batches < before + duringRepair + 2) await new Promise((r) => setTimeout(r, 10));
    writing = false;
    await Promise.all(writers);

    assert.ok(duringRepair > 0, "writers committed batches while the repair ran");
    assert.ok(
      reports.every((r) => r.differing > 0 && r.repaired === r.differing),
      JSON.stringify(reports),
    );
    await assertDerivedExact(pool, new Date(start), new Date(start + hour));
    assert.ok(
      (await derivedReports(pool, new Date(t0), new Date(t0 + 3 * hour))).every(
        (r) => r.differing === 0,
      ),
    );
  });
});

// README "Late events and retention": an event is stored and counted whatever its age; the next
// retention run deletes it (and its buckets past their own retention); every bucket inside the
// window `npm run verify` checks by default equals its recomputation, before and after, and a
// redelivered event whose row is gone is counted again only in a bucket outside that window.
describe("late events around retention", () => {
  const retention = loadConfig({
    RTTM_EVENTS_RETENTION_HOURS: "60",
    RTTM_SECOND_ROLLUP_RETENTION_HOURS: "20",
    RTTM_MINUTE_ROLLUP_RETENTION_HOURS: "120",
  }).retention;
  // Mid-day, so the cutoffs fall inside day partitions.
  const now = new Date(startOfDay(Date.now()) + 13.5 * hour);
  const ago = (hours: number) => now.getTime() - hours * hour;
  let late: TestDatabase;
  before(async () => {
    late = await createTestDatabase();
    for (let back = 3; back >= 0; back--)
      await preparePartitions(late.pool, retention, now.getTime() - back * 24 * hour);
  });
  after(async () => {
    await late?.drop();
  });

  const verifyWindow = async () => {
    const reports = await verifyDerived(late.pool, { ranges: defaultRanges(retention, now) });
    assert.deepEqual(
      reports.filter((r) => r.differing > 0),
      [],
      "every bucket inside the window equals its recomputation",
    );
    for (const r of reports) assert.ok(r.checked > 0, `${r.table}: something checked`);
  };
  const minuteCount = async (from: number, to: number) =>
    Number(
      (
        await late.pool.query<{ n: string }>(
          "SELECT coalesce(sum(event_count), 0) AS n FROM rttm_stage_count_minute WHERE bucket >= $1 AND bucket < $2",
          [new Date(from), new Date(to)],
        )
      ).rows[0]!.n,
    );

  test("verify is clean over its window before and after a retention run; a redelivered late event counts again only outside it", async () => {
    const recent = trades(60, ago(10));
    // Older than the events' retention, younger than the per-minute rollups': written now.
    const lateTrades = trades(20, ago(80));
    const ancient = trades(5, ago(200));
    // A trade across the events cutoff: its first stage goes with the run, the others stay.
    const across = randomUUID();
    const acrossRows = stages.map((stage, s) =>
      tradeEventRow(across, stage, new Date(ago(60.5) + s * 30 * 60_000), next()),
    );
    for (const rows of [recent, lateTrades, ancient, acrossRows])
      await writeBatch(late.pool, tradeBatch(rows), snapshotRule);
    assert.equal(await minuteCount(ago(81), ago(79)), lateTrades.length, "late events counted");
    await verifyWindow();

    await pruneOnce(late.pool, retention, now);
    assert.equal(
      await count(late.pool, "SELECT count(*) FROM rttm_trade_events WHERE event_time < $1", [
        new Date(ago(60)),
      ]),
      0,
      "the events past their retention are deleted",
    );
    assert.equal(await minuteCount(ago(81), ago(79)), lateTrades.length, "their minutes kept");
    assert.equal(await minuteCount(ago(201), ago(199)), 0, "past every retention: gone");
    await verifyWindow();

    // A consumer group reset past the events' retention redelivers late events whose rows are
    // gone: stored again, and counted again in their (kept) minute buckets, outside the window.
    const redelivered = lateTrades.slice(0, 4);
    await writeBatch(late.pool, tradeBatch(redelivered), snapshotRule);
    assert.equal(
      await minuteCount(ago(81), ago(79)),
      lateTrades.length + redelivered.length,
      "counted again (README: outside what verify can check)",
    );
    assert.ok(
      defaultRanges(retention, now).countMinute.from.getTime() > ago(79),
      "those buckets lie outside the default window",
    );
    await verifyWindow();
  });
});
