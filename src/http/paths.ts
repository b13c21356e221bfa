/**
 * Where the API answers. The platform's ingress sends only /api/** and /ws/** to its gateway, which
 * routes /api/rttm/** and /ws/rttm/** to rttm:8087 unchanged: /api/rttm/graphql is the path that
 * works through the gateway; /graphql stays for direct and local use.
 */
export const graphqlPaths = ["/graphql", "/api/rttm/graphql"] as const;

/** Both GraphQL paths as one URLPattern pathname (Yoga's graphqlEndpoint). */
export const graphqlEndpointPattern = "{/api/rttm}?/graphql";

/** GraphiQL's script, styles and workers. */
export const graphiqlAssetsPath = "/api/rttm/graphiql";

/** graphql-ws, as the typed client and GraphiQL use it by default. */
export const subscriptionsPath = "/ws/rttm/graphql";

/** Spring-style probes: `healthPath`, `healthPath/liveness`, `healthPath/readiness`. */
export const healthPath = "/actuator/health";

/**
 * Yoga's own health check, which cannot be switched off and answers every URL that ENDS with its
 * path (an empty 200): left at its default "/health" it would swallow `healthPath`. Moved here,
 * where no other path ends.
 */
export const yogaHealthCheckPath = "/api/rttm/graphql-server-health";

/** Prometheus. Cluster-internal, like the probes: no gateway route or Ingress path may reach it. */
export const metricsPath = "/metrics";

/** Every plain HTTP path the service answers (the GraphQL ones included). */
export const servedPaths: readonly string[] = [
  ...graphqlPaths,
  healthPath,
  `${healthPath}/liveness`,
  `${healthPath}/readiness`,
  metricsPath,
];
