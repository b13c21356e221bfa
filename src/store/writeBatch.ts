import type { Pool } from "pg";
import type { IngestRow, RowOf, TableKey } from "../domain/rows.js";
import type { SnapshotRule } from "../arithmetic/index.js";
import { columnArrays, insertIgnoringDuplicates, type TableSpec } from "./columns.js";
import { uniqueInKeyOrder } from "./keyOrder.js";
import { writeQueueMetrics } from "./queueMetrics.js";
import { dlqEventsTable, errorEventsTable, invalidTradesTable, quarantineTable } from "./tables.js";
import { writeTradeEvents } from "./tradeEvents.js";
import { inTransaction } from "./transaction.js";

/** Rows per table in one batch, each list in arrival order (writeBatch dedupes and sorts them). */
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

function inKeyOrder(rows: RowsByTable): RowsByTable {
  return Object.fromEntries(
    Object.entries(rows).map(([table, list]) => [
      table,
      uniqueInKeyOrder(list as Array<RowOf<TableKey>>),
    ]),
  ) as unknown as RowsByTable;
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
 * together or not at all, so a retried batch never leaves partial or doubled data. Each table's
 * rows go in once per Kafka record and in key order (see keyOrder.ts); the counts returned are
 * of the rows received.
 */
export async function writeBatch(
  pool: Pool,
  received: RowsByTable,
  snapshotRule: SnapshotRule,
): Promise<BatchCounts> {
  const rows = inKeyOrder(received);
  return inTransaction(pool, async (client) => {
    const counts: BatchCounts = {
      ...Object.fromEntries(Object.entries(received).map(([k, v]) => [k, v.length])),
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
    return counts;
  });
}
