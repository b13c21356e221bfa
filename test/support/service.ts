/** Runs the ingest service against the real infrastructure, in-process or as a child process. */
import { loadConfig, type Config } from "../../src/config/index.js";
import { createIngestService, type IngestService } from "../../src/ingest/service.js";
import { createLogger } from "../../src/log.js";
import { startApp, type App } from "../../src/app.js";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { kafkaBrokers, schemaRegistryUrl } from "./infra.js";
import { spawnService, type ServiceProcess } from "./serviceProcess.js";

export function serviceEnv(
  databaseUrl: string,
  topicEnv: Record<string, string>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    KAFKA_BOOTSTRAP_SERVERS: kafkaBrokers.join(","),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    RTTM_BATCH_POLL_MS: "100",
    RTTM_FETCH_MAX_WAIT_MS: "200",
    RTTM_RETENTION_INTERVAL_MS: "3600000",
    SERVER_PORT: "0",
    SERVER_HOST: "127.0.0.1",
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

/** The real entry point (src/main.ts) as its own process, so it can be killed. */
export function startChild(env: Record<string, string>): ServiceProcess {
  return spawnService(env);
}

/** The whole service (API + ingest) in this process, on a free port. */
export async function startAppInProcess(env: Record<string, string>): Promise<App> {
  return startApp(
    testConfig({ SERVER_PORT: "0", SERVER_HOST: "127.0.0.1", ...env }),
    createLogger({ service: "rttm-test" }),
  );
}

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export async function graphql<T = Record<string, any>>(
  port: number,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, "status">;
  return { status: response.status, ...body };
}

/** A graphql-ws client over a real socket; `next()` waits for the next payload of one subscription. */
export function wsClient(
  port: number,
  path = "/ws/rttm/graphql",
  options: { connectionParams?: Record<string, unknown> } = {},
) {
  const client = createClient({
    url: `ws://127.0.0.1:${port}${path}`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...options,
  });
  return {
    client,
    subscribe<T = Record<string, any>>(query: string, variables?: Record<string, unknown>) {
      const received: T[] = [];
      const errors: unknown[] = [];
      let wake: (() => void) | null = null;
      const dispose = client.subscribe<T>(
        { query, variables },
        {
          next: (value) => {
            if (value.errors) errors.push(value.errors);
            if (value.data) received.push(value.data as T);
            wake?.();
          },
          error: (err) => {
            errors.push(err);
            wake?.();
          },
          complete: () => wake?.(),
        },
      );
      return {
        received,
        errors,
        dispose,
        /** Resolves with the first payload (from now on, or already received at `fromIndex`) matching `predicate`. */
        async waitFor(
          predicate: (value: T) => boolean,
          timeoutMs = 15_000,
          fromIndex = 0,
        ): Promise<T> {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const found = received.slice(fromIndex).find(predicate);
            if (found) return found;
            if (errors.length > 0)
              throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
            const left = deadline - Date.now();
            if (left <= 0)
              throw new Error(
                `no matching payload within ${timeoutMs} ms; last: ${JSON.stringify(received.at(-1))}`,
              );
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, Math.min(left, 500));
            });
          }
        },
      };
    },
    close: () => client.dispose(),
  };
}
