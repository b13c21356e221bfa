import {
  bigintColumn,
  column,
  idColumn,
  kafkaColumns,
  pagedList,
  type KafkaCoordinates,
} from "./list.js";
import type { PageArgs } from "./page.js";
import { byEventTime } from "./pipelineEvents.js";
import type { TimeFilter } from "./timeFilter.js";

export interface InvalidTradesArgs extends PageArgs, TimeFilter {}

/** A trade the validation service rejected, with the values exactly as it reported them. */
export interface InvalidTradeNode extends KafkaCoordinates {
  /** Row id (bigint as text). */
  id: string;
  /** As reported; not necessarily a UUID. */
  tradeId: string;
  portfolioId: string;
  symbol: string;
  side: string;
  pricePerStock: number;
  /** As reported (int64; a malformed value may not fit a JS number). */
  quantity: bigint;
  tradeTimestamp: Date | null;
  validationErrors: string;
  /** When the validation service reported it (the Kafka record's timestamp). */
  eventTime: Date;
}

/** Invalid trades, newest first, through idx_invalid_time. */
export const invalidTrades = pagedList<InvalidTradeNode, InvalidTradesArgs>({
  cursor: "invalid",
  table: "rttm_invalid_trades",
  ...byEventTime,
  columns: {
    id: idColumn,
    tradeId: column("trade_id"),
    portfolioId: column("portfolio_id"),
    symbol: column("symbol"),
    side: column("side"),
    pricePerStock: column("price_per_stock"),
    quantity: bigintColumn("quantity"),
    tradeTimestamp: column("trade_timestamp"),
    validationErrors: column("validation_errors"),
    eventTime: column("event_time"),
    ...kafkaColumns,
  },
});
