import type { Pool, PoolClient } from "pg";

/**
 * Runs `work` in one transaction on a pooled connection: committed when it resolves, rolled back
 * when it throws (the error is rethrown). A connection that failed mid-transaction is discarded
 * rather than reused.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  begin = "BEGIN",
): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    failure = err as Error;
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release(failure);
  }
}
