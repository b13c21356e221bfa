/**
 * What PostgreSQL does during a step: its CPU share (every `postgres` process in /proc), and a
 * profile for when adding replicas stops helping. pg_stat_statements needs
 * shared_preload_libraries (a server restart), so the profile samples pg_stat_activity instead:
 * what the bench database's active backends are waiting on (or running on CPU), and which
 * statements they run, every 100 ms; plus the step's pg_stat_database and pg_stat_wal deltas.
 */
import pg from "pg";
import { allProcessCpu, topProcesses } from "../lib/proc.js";
import { adminUrl } from "../lib/service.js";

export type CpuSnapshot = ReturnType<typeof allProcessCpu>;

/** CPU of all postgres processes between two snapshots, % of one core. */
export function postgresCpuPct(a: CpuSnapshot, b: CpuSnapshot, wallSeconds: number): number {
  const all = topProcesses(a, b, wallSeconds, new Map(), 1000);
  return all.find((p) => p.name === "postgres")?.cpuPctOfCore ?? 0;
}

export interface DatabaseProfile {
  samples: number;
  /** Active backends per sample, on average. */
  activeBackends: number;
  /** Share of active-backend samples per wait event ("CPU" when waiting on nothing), largest first. */
  waits: Array<{ event: string; share: number }>;
  /** Share of active-backend samples per statement (its first 100 characters), largest first. */
  statements: Array<{ statement: string; share: number }>;
  /** Per second over the step: from pg_stat_database and pg_stat_wal. */
  perSecond: Counters;
}

export interface Counters {
  commits: number;
  rowsInserted: number;
  blocksRead: number;
  blocksHit: number;
  walBytes: number;
  walSyncs: number;
}

async function counters(client: pg.Client, db: string): Promise<Counters> {
  const { rows } = await client.query<Record<string, string>>(
    `SELECT d.xact_commit, d.tup_inserted, d.blks_read, d.blks_hit, w.wal_bytes, w.wal_sync
       FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = $1`,
    [db],
  );
  const r = rows[0] ?? {};
  return {
    commits: Number(r.xact_commit ?? 0),
    rowsInserted: Number(r.tup_inserted ?? 0),
    blocksRead: Number(r.blks_read ?? 0),
    blocksHit: Number(r.blks_hit ?? 0),
    walBytes: Number(r.wal_bytes ?? 0),
    walSyncs: Number(r.wal_sync ?? 0),
  };
}

/** Samples the database `db` until `stop()`, which returns its profile. */
export async function profileDatabase(db: string): Promise<{ stop(): Promise<DatabaseProfile> }> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const start = await counters(client, db);
  const started = performance.now();
  const waits = new Map<string, number>();
  const statements = new Map<string, number>();
  let samples = 0;
  let active = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ event: string; statement: string }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS event,
                left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS statement
           FROM pg_stat_activity
          WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
        [db],
      );
      samples++;
      active += rows.length;
      for (const r of rows) {
        waits.set(r.event, (waits.get(r.event) ?? 0) + 1);
        statements.set(r.statement, (statements.get(r.statement) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const shares = (m: Map<string, number>) =>
    [...m.entries()]
      .map(([k, n]) => [k, Math.round((n / Math.max(1, active)) * 1000) / 1000] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8);
  return {
    async stop() {
      running = false;
      await loop;
      const end = await counters(client, db);
      await client.end();
      const seconds = (performance.now() - started) / 1000;
      const rate = (k: keyof Counters) => Math.round((end[k] - start[k]) / seconds);
      return {
        samples,
        activeBackends: Math.round((active / Math.max(1, samples)) * 100) / 100,
        waits: shares(waits).map(([event, share]) => ({ event, share })),
        statements: shares(statements).map(([statement, share]) => ({ statement, share })),
        perSecond: {
          commits: rate("commits"),
          rowsInserted: rate("rowsInserted"),
          blocksRead: rate("blocksRead"),
          blocksHit: rate("blocksHit"),
          walBytes: rate("walBytes"),
          walSyncs: rate("walSyncs"),
        },
      };
    },
  };
}
