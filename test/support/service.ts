/** Runs the ingest service against the real infrastructure, in-process or as a child process. */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { loadConfig, type Config } from "../../src/config/index.js";
import { createIngestService, type IngestService } from "../../src/ingest/service.js";
import { createLogger } from "../../src/log.js";
import { kafkaBrokers, schemaRegistryUrl } from "./infra.js";

export function serviceEnv(databaseUrl: string, topicEnv: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    KAFKA_BOOTSTRAP_SERVERS: kafkaBrokers.join(","),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    RTTM_BATCH_POLL_MS: "100",
    RTTM_FETCH_MAX_WAIT_MS: "200",
    RTTM_RETENTION_INTERVAL_MS: "3600000",
    ...topicEnv,
    ...extra,
  };
}

export function testConfig(env: Record<string, string>): Config {
  return loadConfig(env);
}

export async function startInProcess(env: Record<string, string>): Promise<IngestService> {
  const service = createIngestService(testConfig(env), createLogger({ service: "rttm-test" }));
  await service.start();
  return service;
}

export interface ChildService {
  process: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** The real entry point (src/main.ts) as its own process, so it can be killed. */
export function startChild(env: Record<string, string>): ChildService {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return { process: child, output: () => output, exited };
}
