/**
 * The real service (src/main.ts) as a child process for benchmarks, plus the infrastructure
 * around it: fresh topics and consumer group, databases copied from the migrated template, a free
 * port, readiness, /metrics.
 */
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { topicKeys, type TopicKey } from "../../../src/config/index.js";
import { topicSettings } from "../../../test/support/kafka.js";
import { freePort } from "../../../test/support/infra.js";
import {
  spawnService,
  waitUntilReady,
  type ServiceProcess,
} from "../../../test/support/serviceProcess.js";

export const brokers = (process.env.KAFKA_BOOTSTRAP_SERVERS ?? "127.0.0.1:9092").split(",");
export const registryUrl =
  process.env.SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7";
export const kafka = new Kafka({ clientId: "rttm-bench", brokers, logLevel: logLevel.NOTHING });

export const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

// Databases: copies of the migrated template, as the tests make them.
export {
  pgAdminUrl as adminUrl,
  templateDatabase as template,
  databaseUrl,
  withPgAdmin as withAdmin,
  copyTemplateDatabase as createDatabase,
  dropDatabase,
  freePort,
} from "../../../test/support/infra.js";

export interface BenchTopics {
  topics: Record<TopicKey, string>;
  groupId: string;
  env: Record<string, string>;
}

export async function createTopics(label: string, partitions: number): Promise<BenchTopics> {
  const runId = randomUUID().slice(0, 8);
  const topics = Object.fromEntries(
    topicKeys.map((k) => [k, `bench.${label}.${k}.${runId}`]),
  ) as Record<TopicKey, string>;
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Right after other topics were deleted the broker may briefly answer with retriable errors.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: Object.values(topics).map((topic) => ({ topic, numPartitions: partitions })),
        });
        break;
      } catch (err) {
        if (!(err as { retriable?: boolean }).retriable || attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 1000 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
  const groupId = `bench-${label}-${runId}`;
  return { topics, groupId, env: topicSettings(topics, groupId) };
}

/** Removes the run's topics and consumer group (best effort: the broker is shared). */
export async function deleteTopics(t: BenchTopics): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups([t.groupId]).catch(() => undefined);
    await admin.deleteTopics({ topics: Object.values(t.topics) }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

export interface RunningService extends ServiceProcess {
  port: number;
  stop(): Promise<number | null>;
}

export interface StartServiceOptions {
  /** How long to wait for readiness. @default 90000 */
  readyTimeoutMs?: number;
  /**
   * The entry point, run with `--import tsx`: the service as deployed, or a benchmark's own
   * composition of it (e.g. lib/perSubscriberService.ts).
   * @default "src/main.ts"
   */
  entry?: string;
  /** Node's arguments instead of `--import tsx <entry>` (e.g. the compiled `dist/src/main.js`). */
  nodeArgs?: readonly string[];
  /** Wraps the command line, e.g. to start it inside a cgroup (lib/cgroup.ts). */
  wrap?: (command: readonly string[]) => string[];
}

/**
 * Starts the service (test/support/serviceProcess.ts, as the tests do) with the given env on a
 * free port (SERVER_PORT) and waits until /actuator/health/readiness says UP (database reachable,
 * consumer group joined). Warnings and errors of the service are echoed on stderr.
 */
export async function startService(
  env: Record<string, string>,
  options: StartServiceOptions = {},
): Promise<RunningService> {
  const { readyTimeoutMs = 90_000, entry = "src/main.ts", wrap } = options;
  const port = await freePort();
  const service = spawnService(
    {
      KAFKA_BOOTSTRAP_SERVERS: brokers.join(","),
      SCHEMA_REGISTRY_URL: registryUrl,
      SERVER_HOST: "127.0.0.1",
      SERVER_PORT: String(port),
      // The bench's own operations are not in a trusted-documents manifest.
      RTTM_TRUSTED_DOCUMENTS: "off",
      ...env,
    },
    {
      entry,
      args: options.nodeArgs,
      nodeFlags: (process.env.BENCH_SERVICE_NODE_ARGS ?? "").split(" ").filter(Boolean),
      wrap,
      logLevel: "warn",
      onLine: (line) => {
        if (line.includes('"level":"error"') || line.includes('"level":"warn"'))
          process.stderr.write(`[service] ${line.slice(0, 600)}\n`);
      },
    },
  );
  await waitUntilReady(service, port, readyTimeoutMs);
  return {
    ...service,
    port,
    async stop() {
      const code = service.exitCode();
      if (code !== undefined) return code;
      service.process.kill("SIGTERM");
      const timer = setTimeout(() => service.process.kill("SIGKILL"), 30_000);
      const exitCode = await service.exited;
      clearTimeout(timer);
      return exitCode;
    },
  };
}

/** /metrics as a map from `name{labels}` (labels as printed) to value. */
export async function scrapeMetrics(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

export async function graphqlRequest(
  port: number,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ status: number; body: { data?: any; errors?: unknown[] } }> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: any; errors?: unknown[] },
  };
}
