import type { IngestRow } from "../domain/rows.js";
import type { ChangeNotice } from "./pubsub.js";

/** The change notice for one stored batch: which tables it touched and which trades. */
export function noticeForBatch(batch: readonly IngestRow[], origin: string): ChangeNotice {
  const tables = new Set<string>();
  const tradeIds = new Set<string>();
  for (const { table, row } of batch) {
    tables.add(table);
    if ("tradeId" in row && row.tradeId) tradeIds.add(row.tradeId);
  }
  return { origin, at: Date.now(), tables: [...tables], tradeIds: [...tradeIds] };
}
