/**
 * A Schema Registry of one test's own (scripts/infra/registry.sh with its own run directory,
 * ports and database), for restarts and wipes that must not touch the registry the other tests
 * share.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, uniqueName } from "./infra.js";

const run = promisify(execFile);

export interface PrivateRegistry {
  /** The Confluent-compatible API, as SCHEMA_REGISTRY_URL takes it. */
  url: string;
  /** The PostgreSQL database that holds its schemas. */
  database: string;
  start(): Promise<void>;
  /** `registry.sh stop`, or `stop --wipe` (which drops the database). */
  stop(options?: { wipe?: boolean }): Promise<void>;
  /** Stops it, wiping its database, and removes its run directory. */
  remove(): Promise<void>;
}

export async function startPrivateRegistry(): Promise<PrivateRegistry> {
  const runDir = await mkdtemp(join(tmpdir(), "rttm-private-registry-"));
  const [port, managementPort] = [await freePort(), await freePort()];
  const database = uniqueName("rttm_registry_test");
  const env = {
    ...process.env,
    RTTM_RUN_DIR: runDir,
    SCHEMA_REGISTRY_PORT: String(port),
    SCHEMA_REGISTRY_MANAGEMENT_PORT: String(managementPort),
    SCHEMA_REGISTRY_DB: database,
    REGISTRY_HEAP_OPTS: "-Xms64m -Xmx256m",
  };
  const script = (...args: string[]) =>
    run("bash", ["scripts/infra/registry.sh", ...args], { env, timeout: 180_000 });
  const registry: PrivateRegistry = {
    url: `http://127.0.0.1:${port}/apis/ccompat/v7`,
    database,
    async start() {
      await script("start");
    },
    async stop({ wipe = false } = {}) {
      await script("stop", ...(wipe ? ["--wipe"] : []));
    },
    async remove() {
      await registry.stop({ wipe: true });
      await rm(runDir, { recursive: true, force: true });
    },
  };
  try {
    await registry.start();
  } catch (err) {
    await registry.remove().catch(() => undefined);
    throw err;
  }
  return registry;
}
