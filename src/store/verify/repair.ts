import type { Pool } from "pg";
import { inTransaction } from "../transaction.js";
import { countRollup, histogramRollup, lockProgressSql } from "../tradeEvents.js";
import { derivedChecks, progressColumns, stageTimesSql, type DerivedTable } from "./checks.js";

/** One differing key as a check reports it (see checks.ts). */
export interface Drift {
  bucket?: string;
  stage?: string;
  bin?: number;
  trade_id?: string;
  expected: number | Record<string, unknown>;
  actual: number | Record<string, unknown>;
  expected_sum_ms?: number;
  actual_sum_ms?: number;
}

/**
 * Writes back the differences one check found, without losing what writers add meanwhile:
 *  - a rollup gets `recomputed − stored` added, as a writer adds its increments (the same
 *    upsert, rows in key order). Both sides of that difference come from one snapshot, and every
 *    batch committed after it added exactly its own events' share, so the sum is right whatever
 *    commits between the check and the repair;
 *  - trade progress is recomputed and rewritten under the row locks a writer takes before it
 *    reads progress (in trade id order): a writer that is waiting reads the repaired row.
 * Progress is repaired before the rollups (verifyOrder), because writers derive histogram samples
 * from it. Returns the keys rewritten.
 */
export async function repairDrift(
  pool: Pool,
  table: DerivedTable,
  found: readonly Drift[],
): Promise<number> {
  const drift = [...found].sort(inLockOrder);
  return inTransaction(pool, async (client) => {
    if (table === "progress") {
      const ids = drift.map((d) => d.trade_id!).sort();
      await client.query(lockProgressSql(false), [ids]);
      const result = await client.query(
        `UPDATE rttm_trade_progress p SET ${progressColumns.map((c) => `${c} = x.${c}`).join(", ")}
         FROM (${stageTimesSql("SELECT unnest($1::uuid[]) AS trade_id")}) x
         WHERE p.trade_id = x.trade_id`,
        [ids],
      );
      return result.rowCount ?? 0;
    }
    const name = derivedChecks[table].table;
    const delta = (d: Drift) => Number(d.expected) - Number(d.actual);
    if (table === "countSecond" || table === "countMinute") {
      await client.query(countRollup(name, 1), [
        drift.map((d) => d.bucket),
        drift.map((d) => d.stage),
        drift.map(delta),
      ]);
    } else {
      await client.query(histogramRollup(name, 1), [
        drift.map((d) => d.bucket),
        drift.map((d) => d.stage),
        drift.map((d) => d.bin),
        drift.map(delta),
        drift.map((d) => Number(d.expected_sum_ms) - Number(d.actual_sum_ms)),
      ]);
    }
    return drift.length;
  });
}

/** The order writers lock rollup rows in (src/arithmetic/tradeBatch.ts): bucket, stage, bin. */
function inLockOrder(a: Drift, b: Drift): number {
  const byKey = (x: Drift) => [
    Date.parse(x.bucket ?? ""),
    x.stage ?? "",
    x.bin ?? 0,
    x.trade_id ?? "",
  ];
  const [ka, kb] = [byKey(a), byKey(b)];
  for (let i = 0; i < ka.length; i++) {
    if (ka[i]! < kb[i]!) return -1;
    if (ka[i]! > kb[i]!) return 1;
  }
  return 0;
}
