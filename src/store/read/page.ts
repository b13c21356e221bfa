import { bigintIdOrNull } from "./bigintId.js";
import { InvalidInputError } from "./errors.js";

/**
 * Keyset (cursor) pagination, newest first, over (time DESC, id DESC). A cursor is the base64url
 * encoding of [list, time in ms, id]: opaque to clients, checked on the way back in, and tied to
 * its list so a cursor of one list is refused by another.
 */
export interface PageInfo {
  hasNextPage: boolean;
  /** Cursor of the last edge; null on an empty page. */
  endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Page<T> {
  edges: Array<Edge<T>>;
  pageInfo: PageInfo;
}

export interface PageArgs {
  /** Page size, 1 to 500; default 50. */
  first?: number | null;
  /** endCursor of the previous page; absent for the first page. */
  after?: string | null;
}

export const maxPageSize = 500;
export const defaultPageSize = 50;

export type ListName = "dlq" | "error" | "invalid" | "quarantine" | "alert";

export interface SortKey {
  timeMs: number;
  /** The row's bigint id, as decimal text. */
  id: string;
}

export function pageSize(first: number | null | undefined): number {
  const n = first ?? defaultPageSize;
  if (!Number.isInteger(n) || n < 1 || n > maxPageSize) {
    throw new InvalidInputError(
      "first",
      `first must be a whole number from 1 to ${maxPageSize}, got ${String(n)}`,
    );
  }
  return n;
}

export function encodeCursor(list: ListName, key: SortKey): string {
  return Buffer.from(JSON.stringify([list, key.timeMs, key.id]), "utf8").toString("base64url");
}

export function decodeCursor(list: ListName, after: string | null | undefined): SortKey | null {
  if (after === undefined || after === null) return null;
  const invalid = (why: string) =>
    new InvalidInputError(
      "after",
      `after is not a valid cursor for this list (${why}); pass a pageInfo.endCursor of the same list`,
    );
  if (
    typeof after !== "string" ||
    after.length === 0 ||
    after.length > 200 ||
    !/^[A-Za-z0-9_-]+$/.test(after)
  )
    throw invalid("not base64url text");
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(after, "base64url").toString("utf8"));
  } catch {
    throw invalid("undecodable");
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) throw invalid("wrong shape");
  const [name, timeMs, id] = decoded as unknown[];
  if (name !== list) throw invalid(`made for another list`);
  if (
    typeof timeMs !== "number" ||
    !Number.isSafeInteger(timeMs) ||
    Number.isNaN(new Date(timeMs).getTime())
  )
    throw invalid("bad time");
  if (typeof id !== "string" || bigintIdOrNull(id) === null) throw invalid("bad id");
  return { timeMs, id };
}

/**
 * The SQL of one keyset page. `conditions` are the filters (each may use `param`); the cursor adds
 * `time <= t AND (time < t OR id < i)`, written so the time index bounds the scan.
 */
export class PageQuery {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  where(condition: string): void {
    this.conditions.push(condition);
  }

  sql(
    select: string,
    table: string,
    timeColumn: string,
    after: SortKey | null,
    limit: number,
  ): string {
    if (after) {
      const t = this.param(new Date(after.timeMs).toISOString());
      const id = this.param(after.id);
      this.where(
        `${timeColumn} <= ${t}::timestamptz AND (${timeColumn} < ${t}::timestamptz OR id < ${id}::bigint)`,
      );
    }
    const where = this.conditions.length > 0 ? `WHERE ${this.conditions.join(" AND ")}` : "";
    // Qualified: the select list may alias id as text, and ORDER BY would then sort the text.
    return `SELECT ${select} FROM ${table} ${where} ORDER BY ${table}.${timeColumn} DESC, ${table}.id DESC LIMIT ${this.param(limit)}`;
  }
}

/** Builds the page from up to first + 1 nodes (the extra one only says whether there is a next page). */
export function toPage<T>(
  list: ListName,
  nodes: readonly T[],
  first: number,
  key: (node: T) => SortKey,
): Page<T> {
  const edges = nodes
    .slice(0, first)
    .map((node) => ({ cursor: encodeCursor(list, key(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: nodes.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
