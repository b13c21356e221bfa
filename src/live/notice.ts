/**
 * Change notices: the ingest writer, the alert evaluator and the alert mutations say which tables
 * (and trades) they changed, and every replica's live hub marks the snapshots that depend on them
 * stale. Notices are hints, not data: losing one delays a dashboard until the next notice or
 * refresh, it never corrupts anything.
 *
 * This module is the notice itself: its shape, its bounds, the one builder every publisher uses,
 * and the parser for notices read off a channel. The buses carry them (inProcessBus, redisBus).
 */
import { changeTables } from "../domain/changes.js";

/** Distinct trade ids one notice lists at most; beyond it the notice says "truncated". */
export const maxTradeIdsPerNotice = 5_000;
/** `origin` of the notice a subscriber hands its listeners after a gap in its subscription. */
export const resyncOrigin = "rttm:resync";

export interface ChangeNotice {
  /** Replica id of the writer (unique per replica). */
  origin: string;
  /** Epoch ms when the change was stored. */
  at: number;
  /** Which tables changed, e.g. "tradeEvents", "dlqEvents". */
  tables: string[];
  /** Trades touched; at most {@link maxTradeIdsPerNotice}. */
  tradeIds: string[];
  /** True when more trades changed than `tradeIds` lists (or which is unknown): treat every trade as changed. */
  tradeIdsTruncated?: boolean;
}

/**
 * Accumulates changes into one notice within the bounds: distinct table names, at most
 * {@link maxTradeIdsPerNotice} distinct trade ids (the first ones seen), beyond which the notice
 * is marked truncated. Memory stays bounded however much is added.
 */
export class NoticeBuilder {
  private tables = new Set<string>();
  private tradeIds = new Set<string>();
  private truncated = false;
  private touched = false;

  /** Nothing added since the last {@link take}. */
  get empty(): boolean {
    return !this.touched;
  }

  table(name: string): this {
    this.touched = true;
    this.tables.add(name);
    return this;
  }

  trade(id: string): this {
    this.touched = true;
    if (this.tradeIds.size < maxTradeIdsPerNotice) this.tradeIds.add(id);
    else if (!this.tradeIds.has(id)) this.truncated = true;
    return this;
  }

  /** Every trade counts as changed. */
  allTrades(): this {
    this.touched = true;
    this.truncated = true;
    return this;
  }

  notice(notice: ChangeNotice): this {
    for (const t of notice.tables) this.table(t);
    for (const id of notice.tradeIds) {
      if (this.truncated && this.tradeIds.size >= maxTradeIdsPerNotice) break;
      this.trade(id);
    }
    if (notice.tradeIdsTruncated === true) this.allTrades();
    this.touched = true;
    return this;
  }

  /** The notice built so far (stamped `at`, default now); the builder starts empty again. */
  take(origin: string, at: number = Date.now()): ChangeNotice {
    const notice: ChangeNotice = {
      origin,
      at,
      tables: [...this.tables],
      tradeIds: [...this.tradeIds],
    };
    if (this.truncated) notice.tradeIdsTruncated = true;
    this.tables = new Set();
    this.tradeIds = new Set();
    this.truncated = false;
    this.touched = false;
    return notice;
  }
}

/** The notice that `origin` changed `tables` (and, when given, these trades). */
export function changeNotice(
  origin: string,
  tables: readonly string[],
  tradeIds: Iterable<string> = [],
): ChangeNotice {
  const builder = new NoticeBuilder();
  for (const t of tables) builder.table(t);
  for (const id of tradeIds) builder.trade(id);
  return builder.take(origin);
}

/** A stored row as the writer sees it: its table and, for trade rows, the trade. */
export interface StoredRow {
  table: string;
  row: object;
}

/** The change notice for one stored batch: which tables it touched and which trades. */
export function noticeForBatch(batch: readonly StoredRow[], origin: string): ChangeNotice {
  const builder = new NoticeBuilder();
  for (const { table, row } of batch) {
    builder.table(table);
    const tradeId = (row as { tradeId?: unknown }).tradeId;
    if (typeof tradeId === "string" && tradeId !== "") builder.trade(tradeId);
  }
  return builder.take(origin);
}

/** A copy of `notice` within the limits: distinct table names, at most 5000 distinct trade ids (more → `tradeIdsTruncated`). */
export function boundNotice(notice: ChangeNotice): ChangeNotice {
  return new NoticeBuilder().notice(notice).take(notice.origin, notice.at);
}

/** The notice that marks everything stale, handed to listeners after a gap in a subscription. */
export function resyncNotice(): ChangeNotice {
  const builder = new NoticeBuilder().allTrades();
  for (const t of changeTables) builder.table(t);
  return builder.take(resyncOrigin);
}

/** The notice in a channel message, or null when it is not one. */
export function parseNotice(message: string): ChangeNotice | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const strings = (x: unknown): x is string[] =>
    Array.isArray(x) && x.every((s) => typeof s === "string");
  if (typeof v.origin !== "string" || v.origin === "") return null;
  if (typeof v.at !== "number" || !Number.isFinite(v.at)) return null;
  if (!strings(v.tables) || !strings(v.tradeIds)) return null;
  if (v.tradeIdsTruncated !== undefined && typeof v.tradeIdsTruncated !== "boolean") return null;
  return boundNotice({
    origin: v.origin,
    at: v.at,
    tables: v.tables,
    tradeIds: v.tradeIds,
    tradeIdsTruncated: v.tradeIdsTruncated,
  });
}
