/**
 * Multi-row inserts as one `unnest` statement per table: one array parameter per column, so a
 * batch of any size is a single round trip with a fixed, cacheable statement text.
 */
export type PgArrayType = "uuid" | "text" | "int" | "bigint" | "float8" | "timestamptz" | "bytea";

export interface Column<Row> {
  name: string;
  type: PgArrayType;
  value(row: Row): string | number | bigint | Date | Uint8Array | null;
}

export interface TableSpec<Row> {
  table: string;
  columns: ReadonlyArray<Column<Row>>;
  conflictTarget: string;
}

function toParam(value: ReturnType<Column<unknown>["value"]>): string | number | null {
  if (value === null) return null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array)
    return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
  return value;
}

/** One array per column, in column order. */
export function columnArrays<Row>(spec: TableSpec<Row>, rows: readonly Row[]): unknown[] {
  return spec.columns.map((column) => rows.map((row) => toParam(column.value(row))));
}

/** `SELECT * FROM unnest($n::type[], ...) AS input(col, ...)` with parameters starting at $first. */
export function unnestSelect<Row>(spec: TableSpec<Row>, first = 1): string {
  const arrays = spec.columns.map((c, i) => `$${first + i}::${c.type}[]`).join(", ");
  return `SELECT * FROM unnest(${arrays}) AS input(${spec.columns.map((c) => c.name).join(", ")})`;
}

export function insertIgnoringDuplicates<Row>(spec: TableSpec<Row>): string {
  const names = spec.columns.map((c) => c.name).join(", ");
  return `INSERT INTO ${spec.table} (${names}) ${unnestSelect(spec)} ON CONFLICT (${spec.conflictTarget}) DO NOTHING`;
}

/** One value in COPY's text format (the escapes of https://www.postgresql.org/docs/15/sql-copy.html). */
function copyValue(value: ReturnType<Column<unknown>["value"]>): string {
  if (value === null) return "\\N";
  if (typeof value === "string") return /[\\\t\n\r]/.test(value) ? escapeCopyText(value) : value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return value.toISOString();
  return `\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
}

function escapeCopyText(value: string): string {
  return value
    .replace(/\\/g, "\\\\")
    .replace(/\t/g, "\\t")
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r");
}

/** The rows as COPY text: one line per row, columns in spec order. */
export function copyText<Row>(spec: TableSpec<Row>, rows: readonly Row[]): string {
  let text = "";
  for (const row of rows) {
    let line = "";
    for (let i = 0; i < spec.columns.length; i++) {
      if (i > 0) line += "\t";
      line += copyValue(spec.columns[i]!.value(row));
    }
    text += line + "\n";
  }
  return text;
}
