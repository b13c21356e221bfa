/**
 * The HTTP layer's public face: the server's parts (routes, WebSocket server, upgrade gate, masking,
 * metrics, health, identity) for the composition root and the legacy API. Yoga plugins are public
 * one per file (`use-*.ts`).
 */
export { withCorrelationId } from "./correlation.js";
export { errorMasking } from "./error-masking.js";
export { Health } from "./health.js";
export { isAuthError } from "./identity/errors.js";
export { wwwAuthenticate } from "./identity/refusal.js";
export { authenticateSocket } from "./identity/socket.js";
export { createVerifier } from "./identity/verifier.js";
export { originAllowed } from "./origins.js";
export {
  graphiqlAssetsPath,
  graphqlEndpointPattern,
  graphqlPaths,
  healthPath,
  metricsPath,
  subscriptionsPath,
  yogaHealthCheckPath,
} from "./paths.js";
export { createMetrics, type Metrics } from "./prometheus.js";
export { requestListener, upgradeListener, type RouteGroup } from "./route-groups.js";
export { createTrustedDocuments } from "./trustedDocuments.js";
export { SocketCounter, upgradeGate } from "./upgradeGate.js";
export { createWebSocketServer } from "./websocket.js";
export { yogaLogging } from "./yoga-logging.js";

export { registerHealthMetrics } from "./healthMetrics.js";
export { httpIngestMetrics } from "./ingest/metrics.js";
