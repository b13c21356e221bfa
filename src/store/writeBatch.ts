import type { Pool } from "pg";
import type { IngestRow, RowOf, TableKey } from "../domain/rows.js";
import type { SnapshotRule } from "../arithmetic/index.js";
import { columnArrays, insertIgnoringDuplicates, type TableSpec } from "./columns.js";
import { writeQueueMetrics } from "./queueMetrics.js";
import { dlqEventsTable, errorEventsTable, invalidTradesTable, quarantineTable } from "./tables.js";
import { writeTradeEvents } from "./tradeEvents.js";

/** Rows per table in one batch, each list in arrival order. */
export type RowsByTable = { [K in TableKey]: Array<RowOf<K>> };

export function groupByTable(rows: Iterable<IngestRow>): RowsByTable {
  const grouped: RowsByTable = {
    tradeEvents: [],
    errorEvents: [],
    dlqEvents: [],
    invalidTrades: [],
    queueMetrics: [],
    quarantine: [],
  };
  for (const { table, row } of rows) (grouped[table] as unknown[]).push(row);
  return grouped;
}

const plainTables = {
  errorEvents: errorEventsTable,
  dlqEvents: dlqEventsTable,
  invalidTrades: invalidTradesTable,
  quarantine: quarantineTable,
} satisfies { [K in TableKey]?: TableSpec<RowOf<K>> };

export type BatchCounts = Record<TableKey, number> & {
  latencies: number;
  queueMetricsStored: number;
};

/**
 * Writes one batch in one transaction: every row, the rollups and the derived latencies commit
 * together or not at all, so a retried batch never leaves partial or doubled data.
 */
export async function writeBatch(
  pool: Pool,
  rows: RowsByTable,
  snapshotRule: SnapshotRule,
): Promise<BatchCounts> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query("BEGIN");
    const counts: BatchCounts = {
      ...Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, v.length])),
      latencies: 0,
      queueMetricsStored: 0,
    } as BatchCounts;
    for (const [key, spec] of Object.entries(plainTables) as Array<
      [keyof typeof plainTables, TableSpec<never>]
    >) {
      const tableRows = rows[key] as never[];
      if (tableRows.length > 0)
        await client.query(insertIgnoringDuplicates(spec), columnArrays(spec, tableRows));
    }
    if (rows.tradeEvents.length > 0)
      counts.latencies = (await writeTradeEvents(client, rows.tradeEvents)).latencies;
    if (rows.queueMetrics.length > 0)
      counts.queueMetricsStored = (
        await writeQueueMetrics(client, rows.queueMetrics, snapshotRule)
      ).stored;
    await client.query("COMMIT");
    return counts;
  } catch (err) {
    failure = err as Error;
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    // A connection that failed mid-transaction is discarded rather than reused.
    client.release(failure);
  }
}
