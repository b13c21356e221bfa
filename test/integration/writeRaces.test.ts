import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import type { TradeEventRow } from "../../src/domain/rows.js";
import type { Stage } from "../../src/domain/stages.js";
import { dayMs, dayPartitionName, ensureDayPartitions } from "../../src/store/partitions.js";
import { writeBatch } from "../../src/store/writeBatch.js";
import { count, createTestDatabase, type TestDatabase } from "../support/infra.js";
import { coordinateSequence, tradeEventRow, tradeEventsBatch } from "../support/rows.js";
import { assertDerivedExact } from "../support/verify.js";

// The write path's concurrency, each scenario with real concurrent transactions against the real
// PostgreSQL: every row stored once, every derived number equal to its recomputation.

const snapshotRule = { threshold: 0.1, minIntervalMinutes: 5 };
const tradeBatch = tradeEventsBatch;

let db: TestDatabase;
let pool: pg.Pool;
before(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 8 });
});
after(async () => {
  await pool.end();
  await db.drop();
});

/** writeBatch retried until it commits, as the shard writer does. */
async function writeUntilStored(rows: TradeEventRow[]): Promise<void> {
  for (;;) {
    try {
      await writeBatch(pool, tradeBatch(rows), snapshotRule);
      return;
    } catch {
      // retried, like src/pipeline/writer.ts
    }
  }
}

/** ensureDayPartitions for one day, retried a bounded number of times; failures go to `errors`. */
async function createWithRetries(day: number, errors: string[]): Promise<string[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      return await ensureDayPartitions(pool, day, day);
    } catch (err) {
      errors.push(`${(err as { code?: string }).code}: ${(err as Error).message}`);
    }
  }
  return [];
}

describe("day partitions created while writers run", () => {
  test("rows written into the default partition while their day's partition is created are all kept", async () => {
    const day = Date.parse("2031-03-10T00:00:00Z");
    const next = coordinateSequence("partition-race");
    let stored = 0;
    let writing = true;
    const writer = async () => {
      while (writing) {
        const rows = Array.from({ length: 200 }, (_, i) =>
          tradeEventRow(randomUUID(), "RECEIVED", new Date(day + (i % 3_600) * 1000), next()),
        );
        await writeUntilStored(rows);
        stored += rows.length;
      }
    };
    const writers = [writer(), writer(), writer()];
    while (stored < 20_000) await new Promise((r) => setTimeout(r, 20));
    // Two creators race while the writers go on; each retries until the partition exists.
    const errors: string[] = [];
    const created = (
      await Promise.all([createWithRetries(day, errors), createWithRetries(day, errors)])
    ).flat();
    const storedAfterCreation = stored;
    while (stored < storedAfterCreation + 2_000) await new Promise((r) => setTimeout(r, 20));
    writing = false;
    await Promise.all(writers);

    assert.deepEqual(created, [dayPartitionName(day)], `creation failed: ${errors.join("; ")}`);
    assert.equal(
      await count(
        pool,
        "SELECT count(*) FROM rttm_trade_events WHERE kafka_topic = 'partition-race'",
      ),
      stored,
      "every committed row is stored",
    );
    assert.equal(
      await count(
        pool,
        `SELECT count(*) FROM rttm_trade_events_default WHERE event_time >= $1 AND event_time < $2`,
        [new Date(day), new Date(day + dayMs)],
      ),
      0,
      "the day's rows live in its partition",
    );
    await assertDerivedExact(pool, new Date(day), new Date(day + dayMs));
  });

  test("rows committed while a day partition copies the day's earlier rows out of the default partition are kept", async () => {
    const day = Date.parse("2031-03-20T00:00:00Z");
    const next = coordinateSequence("partition-copy-race");
    const rowsAt = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        tradeEventRow(randomUUID(), "RECEIVED", new Date(day + (i % 80_000) * 1000), next()),
      );
    // Enough rows waiting in the default partition that copying them takes a while.
    for (let i = 0; i < 12; i++) await writeUntilStored(rowsAt(5_000));
    const errors: string[] = [];
    const creation = createWithRetries(day, errors);
    // A burst of batches for that day while the partition is being created.
    const writer = async () => {
      for (let i = 0; i < 10; i++) await writeUntilStored(rowsAt(200));
    };
    await Promise.all([writer(), writer(), writer()]);
    assert.deepEqual(await creation, [dayPartitionName(day)], errors.join("; "));
    assert.equal(
      await count(
        pool,
        "SELECT count(*) FROM rttm_trade_events WHERE kafka_topic = 'partition-copy-race'",
      ),
      66_000,
      "every committed row is stored",
    );
    await assertDerivedExact(pool, new Date(day), new Date(day + dayMs));
  });

  test("two replicas creating the same day partitions at once both succeed", async () => {
    for (let round = 0; round < 8; round++) {
      const day = Date.parse("2032-01-01T00:00:00Z") + round * 3 * dayMs;
      const results = await Promise.allSettled([
        ensureDayPartitions(pool, day, day + 2 * dayMs),
        ensureDayPartitions(pool, day, day + 2 * dayMs),
      ]);
      const failures = results.filter((r) => r.status === "rejected");
      assert.deepEqual(
        failures.map((f) => String((f as PromiseRejectedResult).reason)),
        [],
        `round ${round}: a creator failed`,
      );
      const created = results.flatMap((r) => (r as PromiseFulfilledResult<string[]>).value).sort();
      assert.deepEqual(created, [0, 1, 2].map((d) => dayPartitionName(day + d * dayMs)).sort());
    }
  });
});

describe("one record twice", () => {
  const base = Date.parse("2031-04-01T10:00:00Z");

  test("a batch holding the same record twice counts it once", async () => {
    const next = coordinateSequence("twice-in-batch");
    const trade = randomUUID();
    const received = tradeEventRow(trade, "RECEIVED", new Date(base), next());
    const committed = tradeEventRow(trade, "COMMITTED", new Date(base + 40), next());
    const counts = await writeBatch(
      pool,
      tradeBatch([received, committed, { ...received }]),
      snapshotRule,
    );
    assert.deepEqual(
      [counts.tradeEvents, counts.redelivered],
      [2, 1],
      "rows written, and the copy",
    );

    assert.equal(
      await count(
        pool,
        "SELECT count(*) FROM rttm_trade_events WHERE kafka_topic = 'twice-in-batch'",
      ),
      2,
    );
    assert.equal(
      await count(
        pool,
        "SELECT event_count FROM rttm_stage_count_second WHERE bucket = $1 AND stage = 'RECEIVED'",
        [new Date(base)],
      ),
      1,
    );
    await assertDerivedExact(pool, new Date(base), new Date(base + 3_600_000));
  });

  test("a batch that is partly a redelivery, with a record twice, counts each record once", async () => {
    const at = base + 3_600_000;
    const next = coordinateSequence("partly-redelivered");
    const trades = Array.from({ length: 50 }, () => randomUUID());
    const first = trades.map((t, i) => tradeEventRow(t, "RECEIVED", new Date(at + i), next()));
    const second = trades.map((t, i) =>
      tradeEventRow(t, "VALIDATED", new Date(at + 500 + i), next()),
    );
    await writeBatch(pool, tradeBatch(first), snapshotRule);
    // The redelivered half of `first`, every `second` record, and one of them twice.
    const counts = await writeBatch(
      pool,
      tradeBatch([...first.slice(25), ...second, second[7]!]),
      snapshotRule,
    );
    // 50 new rows; 25 records already stored and one twice in the batch, not written again.
    assert.deepEqual([counts.tradeEvents, counts.redelivered], [50, 26]);

    assert.equal(
      await count(pool, "SELECT sum(event_count) FROM rttm_stage_count_minute WHERE bucket = $1", [
        new Date(at),
      ]),
      100,
    );
    await assertDerivedExact(pool, new Date(at), new Date(at + 3_600_000));
  });
});

describe("one trade written by two transactions at once", () => {
  test("concurrent batches with different stages of the same trades keep the histograms exact", async () => {
    const start = Date.parse("2031-05-01T08:00:00Z");
    const next = coordinateSequence("concurrent-stages");
    const stagesA: Stage[] = ["RECEIVED", "ENRICHED"];
    const stagesB: Stage[] = ["VALIDATED", "COMMITTED"];
    for (let round = 0; round < 20; round++) {
      const trades = Array.from({ length: 100 }, () => randomUUID());
      const t0 = start + round * 60_000;
      const rows = (stages: Stage[]) =>
        trades.flatMap((trade, i) =>
          stages.map((stage) => {
            const offset = { RECEIVED: 0, VALIDATED: 7, ENRICHED: 19, COMMITTED: 41 }[stage];
            return tradeEventRow(
              trade,
              stage,
              new Date(t0 + i * 10 + offset * (1 + (i % 5))),
              next(),
            );
          }),
        );
      const a = rows(stagesA);
      const b = rows(stagesB);
      await Promise.all([writeUntilStored(a), writeUntilStored(b)]);
    }
    await assertDerivedExact(pool, new Date(start), new Date(start + 3_600_000));
  });
});

describe("lock order", () => {
  test("two transactions inserting the same records in opposite orders do not deadlock", async () => {
    const at = Date.parse("2031-06-01T08:00:00Z");
    const next = coordinateSequence("lock-order");
    const failures: string[] = [];
    for (let round = 0; round < 10; round++) {
      const rows = Array.from({ length: 2_000 }, (_, i) =>
        tradeEventRow(randomUUID(), "RECEIVED", new Date(at + round * 60_000 + i), next()),
      );
      const results = await Promise.allSettled([
        writeBatch(pool, tradeBatch(rows), snapshotRule),
        writeBatch(pool, tradeBatch([...rows].reverse()), snapshotRule),
      ]);
      for (const r of results)
        if (r.status === "rejected") failures.push(`round ${round}: ${String(r.reason)}`);
    }
    assert.deepEqual(failures, []);
    assert.equal(
      await count(pool, "SELECT count(*) FROM rttm_trade_events WHERE kafka_topic = 'lock-order'"),
      20_000,
    );
    await assertDerivedExact(pool, new Date(at), new Date(at + 3_600_000));
  });
});
