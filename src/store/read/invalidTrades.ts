import type { Pool } from "pg";
import { decodeCursor, PageQuery, pageSize, toPage, type Page, type PageArgs } from "./page.js";
import { applyTimeFilter, type TimeFilter } from "./timeFilter.js";
import { toBigInt } from "./values.js";

export interface InvalidTradesArgs extends PageArgs, TimeFilter {}

/** A trade the validation service rejected, with the values exactly as it reported them. */
export interface InvalidTradeNode {
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
  kafkaTopic: string;
  kafkaPartition: number;
  kafkaOffset: bigint;
}

interface Row {
  id: string;
  trade_id: string;
  portfolio_id: string;
  symbol: string;
  side: string;
  price_per_stock: number;
  quantity: string;
  trade_timestamp: Date | null;
  validation_errors: string;
  event_time: Date;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: string;
}

/** Invalid trades, newest first, through idx_invalid_time. */
export async function invalidTrades(
  db: Pool,
  args: InvalidTradesArgs,
): Promise<Page<InvalidTradeNode>> {
  const first = pageSize(args.first);
  const after = decodeCursor("invalid", args.after);
  const q = new PageQuery();
  applyTimeFilter(q, "event_time", args);
  const sql = q.sql(
    "id::text AS id, trade_id, portfolio_id, symbol, side, price_per_stock, quantity::text AS quantity, trade_timestamp, validation_errors, event_time, kafka_topic, kafka_partition, kafka_offset::text AS kafka_offset",
    "rttm_invalid_trades",
    "event_time",
    after,
    first + 1,
  );
  const { rows } = await db.query<Row>(sql, q.params);
  return toPage(
    "invalid",
    rows,
    first,
    (r) => ({ timeMs: r.event_time.getTime(), id: r.id }),
    (r) => ({
      id: r.id,
      tradeId: r.trade_id,
      portfolioId: r.portfolio_id,
      symbol: r.symbol,
      side: r.side,
      pricePerStock: r.price_per_stock,
      quantity: toBigInt(r.quantity),
      tradeTimestamp: r.trade_timestamp,
      validationErrors: r.validation_errors,
      eventTime: r.event_time,
      kafkaTopic: r.kafka_topic,
      kafkaPartition: r.kafka_partition,
      kafkaOffset: toBigInt(r.kafka_offset),
    }),
  );
}
