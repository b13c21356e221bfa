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

/**
 * What one batch wrote: the rows each table gained (a record stored before adds none; queue
 * metrics: the snapshots kept), the latencies derived, and the records that were already stored
 * (redelivered after a rebalance or a restart, or twice in the batch), which were not written again.
 */
export type BatchCounts = Record<TableKey, number> & {
  latencies: number;
  redelivered: number;
};

/**
 * Writes one batch in one transaction: every row, the rollups and the derived latencies commit
 * together or not at all, so a retried batch never leaves partial or doubled data. Each table's
 * rows go in once per Kafka record and in key order (see keyOrder.ts).
 */
export async function writeBatch(
  pool: Pool,
  received: RowsByTable,
  snapshotRule: SnapshotRule,
): Promise<BatchCounts> {
  const rows = inKeyOrder(received);
  return inTransaction(pool, async (client) => {
    const counts = {
      ...Object.fromEntries(Object.keys(received).map((k) => [k, 0])),
      latencies: 0,
      redelivered: 0,
    } as BatchCounts;
    for (const [key, spec] of Object.entries(plainTables) as Array<
      [keyof typeof plainTables, TableSpec<never>]
    >) {
      const tableRows = rows[key] as never[];
      if (tableRows.length > 0)
        counts[key] =
          (await client.query(insertIgnoringDuplicates(spec), columnArrays(spec, tableRows)))
            .rowCount ?? 0;
      counts.redelivered += received[key].length - counts[key];
    }
    if (rows.tradeEvents.length > 0) {
      const written = await writeTradeEvents(client, rows.tradeEvents);
      counts.tradeEvents = written.inserted;
      counts.latencies = written.latencies;
      counts.redelivered += received.tradeEvents.length - written.inserted;
    }
    // Queue metrics are thinned, not deduplicated: what they did not keep was not redelivered.
    if (rows.queueMetrics.length > 0)
      counts.queueMetrics = (
        await writeQueueMetrics(client, rows.queueMetrics, snapshotRule)
      ).stored;
    return counts;
  });
}
