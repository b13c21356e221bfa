import type { Plugin } from "graphql-yoga";
import type { Health, HealthReport } from "./health.js";
import { jsonResponse, useRoutes } from "./routes.js";

export interface HealthRoutesOptions {
  /**
   * The checks behind the probes (src/http/health.ts).
   * @default none (required)
   */
  health: Health;
  /**
   * Where the Spring-compatible probes live: `basePath`, `basePath/liveness`, `basePath/readiness`.
   * @default "/actuator/health"
   */
  basePath?: string;
}

/** A report as Spring answers it: 200 when UP, 503 otherwise, the components as the body. */
async function probe(report: Promise<HealthReport> | HealthReport): Promise<Response> {
  const body = await report;
  return jsonResponse(body.status === "UP" ? 200 : 503, body);
}

/** The gateway's health probes: overall health, liveness and readiness. */
export function useHealthRoutes({
  health,
  basePath = "/actuator/health",
}: HealthRoutesOptions): Plugin {
  return useRoutes({
    [basePath]: () => probe(health.health()),
    [`${basePath}/liveness`]: () => probe(health.liveness()),
    [`${basePath}/readiness`]: () => probe(health.readiness()),
  });
}
