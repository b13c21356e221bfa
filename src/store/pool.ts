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
  return pool;
}
