import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { copyText, type TableSpec } from "./columns.js";

/**
 * Bulk input through a session-local staging table: `COPY … FROM STDIN` into an unlogged,
 * unindexed temporary table (no WAL, no index maintenance, emptied at every commit), from which
 * one `INSERT … SELECT` moves the rows into the real table. One staging table per target table
 * and connection, created on the connection's first use.
 */
const prepared = new WeakMap<PoolClient, Set<string>>();

export function stagingName(spec: TableSpec<unknown>): string {
  return `${spec.table}_staging`;
}

export async function copyIntoStaging<Row>(
  client: PoolClient,
  spec: TableSpec<Row>,
  rows: readonly Row[],
): Promise<string> {
  const name = stagingName(spec as TableSpec<unknown>);
  let tables = prepared.get(client);
  if (!tables) prepared.set(client, (tables = new Set()));
  if (!tables.has(name)) {
    const columns = spec.columns.map((c) => `${c.name} ${stagingType[c.type]}`).join(", ");
    await client.query(
      `CREATE TEMP TABLE IF NOT EXISTS ${name} (${columns}) ON COMMIT DELETE ROWS`,
    );
    tables.add(name);
  }
  const names = spec.columns.map((c) => c.name).join(", ");
  const stream = client.query(copyFrom(`COPY ${name} (${names}) FROM STDIN`));
  await new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
    stream.end(copyText(spec, rows));
  });
  return name;
}

const stagingType: Record<TableSpec<unknown>["columns"][number]["type"], string> = {
  uuid: "uuid",
  text: "text",
  int: "int",
  bigint: "bigint",
  float8: "float8",
  timestamptz: "timestamptz",
  bytea: "bytea",
};
