/**
 * The one recipe of a paged list: a list is declared once (table, columns with their node fields,
 * filters, sort column and cursor tag) and `pagedList` turns that declaration into its read model:
 * argument checks, the keyset query, the node mapping and the page with its cursors.
 */
import type { ClientBase, Pool } from "pg";
import {
  decodeCursor,
  PageQuery,
  pageSize,
  toPage,
  type ListName,
  type Page,
  type PageArgs,
} from "./page.js";
import { applyTimeFilter, type TimeFilter } from "./timeFilter.js";
import { toBigInt } from "./values.js";

/** How one node field is read: its SQL expression and the conversion of what PostgreSQL returns. */
export interface Column<T> {
  sql: string;
  read(value: unknown): T;
}

/** A column PostgreSQL already returns in the node's type. */
export const column = <T>(sql: string): Column<T> => ({ sql, read: (value) => value as T });

/** A bigint read exactly (sent as text, so no pool parser can round it). */
export const bigintColumn = (sql: string): Column<bigint> => ({
  sql: `${sql}::text`,
  read: toBigInt,
});

/** A bigint row id as decimal text. */
export const idColumn: Column<string> = column("id::text");

/** Every field of node type N with the column it is read from. */
export type Columns<N> = { [K in keyof N]-?: Column<N[K]> };

/** Where a stored event sat in Kafka; shared by every list of Kafka records. */
export interface KafkaCoordinates {
  kafkaTopic: string;
  kafkaPartition: number;
  kafkaOffset: bigint;
}

export const kafkaColumns: Columns<KafkaCoordinates> = {
  kafkaTopic: column("kafka_topic"),
  kafkaPartition: column("kafka_partition"),
  kafkaOffset: bigintColumn("kafka_offset"),
};

/** For joins: `qualifier` names the table of the columns (e.g. "a."), `prefix` keeps aliases apart. */
export interface SelectOptions {
  qualifier?: string;
  prefix?: string;
}

/** The select list of `columns`, each aliased as (prefix +) its node field. */
export function selectList<N>(
  columns: Columns<N>,
  { qualifier = "", prefix = "" }: SelectOptions = {},
): string {
  return Object.entries<Column<unknown>>(columns)
    .map(([field, c]) => `${qualifier}${c.sql} AS "${prefix}${field}"`)
    .join(", ");
}

/** The node of a row selected with `selectList(columns, { prefix })`. */
export function readNode<N>(columns: Columns<N>, row: Record<string, unknown>, prefix = ""): N {
  const node: Record<string, unknown> = {};
  for (const [field, c] of Object.entries<Column<unknown>>(columns))
    node[field] = c.read(row[prefix + field]);
  return node as N;
}

/** A filter of one argument: the checked value (null: no filter) compared with `column`. */
export interface Filter<V> {
  column: string;
  /** Checks the argument (throwing InvalidInputError naming it); null or an empty list: no filter. */
  check(argument: string, value: V): string | readonly string[] | null;
}

/** For arguments the API layer already checked (GraphQL enums): taken as given. */
export const checked = <V extends string | readonly string[]>(
  _argument: string,
  value: V | null | undefined,
): V | null => value ?? null;

/** `column = value` (a single value) or `column = ANY(values)` (a list of them). */
export function equals<V>(column: string, check: Filter<V>["check"]): Filter<V> {
  return { column, check };
}

type Filters<A> = { [K in keyof A]?: Filter<A[K]> };
type DateFields<N> = { [K in keyof N]: N[K] extends Date ? K : never }[keyof N];

export interface PagedListDefinition<N extends { id: string }, A extends PageArgs> {
  /** Tag in this list's cursors: a cursor of one list is refused by another. */
  cursor: ListName;
  table: string;
  columns: Columns<N>;
  /** Newest first by this time column (ties by id); `field` is the node field holding it. */
  sortedBy: { column: string; field: DateFields<N> };
  /** The filter arguments and the column each one matches. */
  filters?: Filters<Omit<A, keyof PageArgs | keyof TimeFilter>>;
  /** Whether `from`/`to` bound the sort column (both inclusive). */
  timeRange?: boolean;
}

export type PagedList<N, A> = (db: Pool | ClientBase, args: A) => Promise<Page<N>>;

/** The read model of a declared list: newest first, keyset pages of `first` (1–500, default 50). */
export function pagedList<N extends { id: string }, A extends PageArgs & TimeFilter>(
  list: PagedListDefinition<N, A>,
): PagedList<N, A> {
  const select = selectList(list.columns);
  const filters = Object.entries(list.filters ?? {}) as Array<[string, Filter<unknown>]>;
  return async (db, args) => {
    const first = pageSize(args.first);
    const after = decodeCursor(list.cursor, args.after);
    const q = new PageQuery();
    for (const [argument, filter] of filters) {
      const value = filter.check(argument, (args as Record<string, unknown>)[argument] ?? null);
      if (value === null || (Array.isArray(value) && value.length === 0)) continue;
      if (typeof value === "string") q.where(`${filter.column} = ${q.param(value)}`);
      else q.where(`${filter.column} = ANY(${q.param([...new Set(value)])}::text[])`);
    }
    if (list.timeRange) applyTimeFilter(q, list.sortedBy.column, args);
    const sql = q.sql(select, list.table, list.sortedBy.column, after, first + 1);
    const { rows } = await db.query<Record<string, unknown>>(sql, q.params);
    const nodes = rows.map((row) => readNode(list.columns, row));
    return toPage(list.cursor, nodes, first, (node) => ({
      timeMs: (node[list.sortedBy.field] as Date).getTime(),
      id: node.id,
    }));
  };
}
