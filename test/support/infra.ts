/** Where the test suite finds the real services that scripts/test.sh started. */
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import pg from "pg";
import { sleep } from "../../src/pipeline/retry.js";

export const kafkaBrokers = (process.env.TEST_KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
export const schemaRegistryUrl =
  process.env.TEST_SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7";
/** A PostgreSQL URL that may create and drop databases (benchmarks read BENCH_PG_ADMIN_URL). */
export const pgAdminUrl =
  process.env.TEST_PG_ADMIN_URL ??
  process.env.BENCH_PG_ADMIN_URL ??
  "postgresql://postgres@127.0.0.1:5432/postgres";
/** Migrated once per run by scripts/with-services.sh; test files and benchmarks copy it. */
export const templateDatabase = process.env.TEST_PG_TEMPLATE ?? "rttm_template";

const portsHandedOut = new Set<number>();

/**
 * A loopback port nothing listens on right now (the OS picked it; another process may still take
 * it first), never one this process was given before: the OS can pick a just-closed port again,
 * and callers take several in a row before anything binds them (a broker and its controller).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    if (!portsHandedOut.has(port)) {
      portsHandedOut.add(port);
      return port;
    }
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}

export function databaseUrl(name: string): string {
  const url = new URL(pgAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `fn` on a connection of pgAdminUrl, closed afterwards. */
export async function withPgAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgAdminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh copy of the migrated template named `name` (/^[a-z0-9_]+$/; one left by an earlier run is replaced); its URL. */
export async function copyTemplateDatabase(name: string): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad database name ${name}`);
  await withPgAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase}`);
  });
  return databaseUrl(name);
}

/** Drops `name`, ending its connections. */
export async function dropDatabase(name: string): Promise<void> {
  await withPgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

export interface TestDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
  /** Blocks new connections and ends existing ones: a database outage as the service sees it. */
  cutOff(): Promise<void>;
  restore(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = uniqueName("rttm_test");
  const url = await copyTemplateDatabase(name);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => undefined);
  const terminate = (c: pg.Client) =>
    c.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [name],
    );
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      await withPgAdmin(async (c) => {
        await terminate(c);
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      });
    },
    async cutOff() {
      await withPgAdmin(async (c) => {
        await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await terminate(c);
      });
    },
    async restore() {
      await withPgAdmin((c) => c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`));
    },
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`,
      );
    await sleep(intervalMs);
  }
}

export async function count(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query(sql, params);
  return Number(Object.values(rows[0] as object)[0]);
}
