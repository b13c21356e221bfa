import type { Pool, PoolClient } from "pg";
import { inTransaction } from "./transaction.js";

/**
 * rttm_trade_events is partitioned by UTC day of event_time (migration
 * 20261129120000_lean_write_path): a partition per day named rttm_trade_events_YYYYMMDD, and a
 * default partition for times no day partition covers. Retention drops whole days (no row
 * deletes, no vacuum, no index bloat); the few rows in the default partition are deleted row by
 * row.
 */
export const partitionedTable = "rttm_trade_events";
export const defaultPartition = `${partitionedTable}_default`;
export const dayMs = 86_400_000;

export function dayPartitionName(dayStartMs: number): string {
  return `${partitionedTable}_${new Date(dayStartMs).toISOString().slice(0, 10).replace(/-/g, "")}`;
}

export function startOfDay(ms: number): number {
  return Math.floor(ms / dayMs) * dayMs;
}

export interface DayPartition {
  name: string;
  fromMs: number;
  toMs: number;
}

/** The day partitions that exist, oldest first (the default partition is not one of them). */
export async function dayPartitions(db: Pool | PoolClient): Promise<DayPartition[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass AND c.relname ~ '_[0-9]{8}$' ORDER BY c.relname`,
    [partitionedTable],
  );
  return rows.map(({ name }) => {
    const day = name.slice(-8);
    const fromMs = Date.parse(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}T00:00:00Z`);
    return { name, fromMs, toMs: fromMs + dayMs };
  });
}

/**
 * Makes sure a partition exists for every UTC day from `fromMs` to `toMs` (both included). A new
 * day is built beside the table, filled with the rows of its day that waited in the default
 * partition, and attached, in one transaction that first locks the default partition: writers
 * that target it wait until the day's rows are moved and the partition is attached (then their
 * rows go to it), so no row can be committed between the copy and the delete and lost. Rows of
 * other days, in their own partitions, are written meanwhile. The lock also serialises replicas
 * creating the same day: the second finds the partition and skips it. Returns the partitions
 * this call created.
 */
export async function ensureDayPartitions(
  pool: Pool,
  fromMs: number,
  toMs: number,
): Promise<string[]> {
  const existing = new Set((await dayPartitions(pool)).map((p) => p.name));
  const created: string[] = [];
  for (let day = startOfDay(fromMs); day <= toMs; day += dayMs) {
    const name = dayPartitionName(day);
    if (existing.has(name)) continue;
    const isNew = await inTransaction(pool, async (client) => {
      await client.query(`LOCK TABLE ${defaultPartition} IN ACCESS EXCLUSIVE MODE`);
      const {
        rows: [found],
      } = await client.query<{ exists: boolean }>("SELECT to_regclass($1) IS NOT NULL AS exists", [
        name,
      ]);
      if (found!.exists) return false;
      await moveDayOutOfDefault(client, name, day);
      return true;
    });
    if (isNew) created.push(name);
  }
  return created;
}

async function moveDayOutOfDefault(client: PoolClient, name: string, day: number): Promise<void> {
  const from = new Date(day).toISOString();
  const to = new Date(day + dayMs).toISOString();
  await client.query(
    `CREATE TABLE ${name} (LIKE ${partitionedTable} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
  );
  const inDay = `event_time >= '${from}' AND event_time < '${to}'`;
  await client.query(`INSERT INTO ${name} SELECT * FROM ${defaultPartition} WHERE ${inDay}`);
  await client.query(`DELETE FROM ${defaultPartition} WHERE ${inDay}`);
  await client.query(
    `ALTER TABLE ${partitionedTable} ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`,
  );
}
