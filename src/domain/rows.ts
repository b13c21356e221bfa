import type {
  DlqEvent,
  ErrorEvent,
  InvalidTrade,
  QuarantinedRecord,
  QueueMetric,
  TradeEvent,
} from "../store/generated/client.js";

/*
 * Row types follow from prisma/schema.prisma (through the generated client, which imports nothing of
 * RTTM's): the schema is the one declaration of each table's columns.
 */
type Insertable<T> = Omit<T, "id" | "createdAt">;

export type TradeEventRow = Insertable<TradeEvent>;
export type ErrorEventRow = Insertable<ErrorEvent>;
export type DlqEventRow = Insertable<DlqEvent>;
export type InvalidTradeRow = Insertable<InvalidTrade>;
export type QueueMetricRow = Insertable<QueueMetric>;
export type QuarantineRow = Insertable<QuarantinedRecord>;

/** A decoded, validated record ready for its table, tagged by table. */
export type IngestRow =
  | { table: "tradeEvents"; row: TradeEventRow }
  | { table: "errorEvents"; row: ErrorEventRow }
  | { table: "dlqEvents"; row: DlqEventRow }
  | { table: "invalidTrades"; row: InvalidTradeRow }
  | { table: "queueMetrics"; row: QueueMetricRow }
  | { table: "quarantine"; row: QuarantineRow };

export type TableKey = IngestRow["table"];
export type RowOf<K extends TableKey> = Extract<IngestRow, { table: K }>["row"];
