import type { Plugin } from "graphql-yoga";
import type { Registry } from "prom-client";
import { useRoutes } from "./routes.js";

export interface MetricsRouteOptions {
  /**
   * The Prometheus registry to expose (src/http/prometheus.ts).
   * @default none (required)
   */
  registry: Registry;
  /**
   * Where Prometheus scrapes.
   * @default "/metrics"
   */
  path?: string;
}

/** Prometheus text exposition of `registry` at `path`. */
export function useMetricsRoute({ registry, path = "/metrics" }: MetricsRouteOptions): Plugin {
  return useRoutes({
    [path]: async () =>
      new Response(await registry.metrics(), {
        status: 200,
        headers: { "content-type": registry.contentType },
      }),
  });
}
