import pg from "pg";

// bigint columns come back as strings unless parsed; int8 values here fit a JS bigint exactly.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => BigInt(value));

export function createPool(databaseUrl: string, max = 4): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on("error", () => undefined);
  // Nor a checked-out one: the pool listens only while a client is idle, and a client whose
  // connection drops emits "error" besides failing its query. The query's failure is what the
  // caller handles (retry); a later query on that client fails too ("not queryable").
  pool.on("connect", (client) => client.on("error", () => undefined));
  return pool;
}
