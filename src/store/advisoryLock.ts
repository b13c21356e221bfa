import type { Pool, PoolClient } from "pg";

/**
 * Runs `work` on one pooled connection while it holds the session advisory lock `key`; resolves
 * to null without running it when another session holds the lock (one replica at a time).
 */
export async function withSessionLock<T>(
  pool: Pool,
  key: number,
  work: (client: PoolClient) => Promise<T>,
): Promise<T | null> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1) AS locked",
      [key],
    );
    if (!rows[0]!.locked) return null;
    try {
      return await work(client);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [key]);
    }
  } finally {
    client.release();
  }
}
