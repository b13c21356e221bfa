import { createServer } from "node:http";
import type { GraphQLSchema } from "graphql";
import { createYoga } from "graphql-yoga";
import type { Config } from "./config/index.js";
import type { AppContext, ServerContext } from "./graphql/index.js";
import {
  errorMasking,
  registerHealthMetrics,
  graphiqlAssetsPath,
  graphqlEndpointPattern,
  graphqlPaths,
  healthPath,
  metricsPath,
  subscriptionsPath,
  yogaHealthCheckPath,
  requestListener,
  upgradeListener,
  createTrustedDocuments,
  withCorrelationId,
  authenticateSocket,
  createVerifier,
  createWebSocketServer,
  yogaLogging,
  httpIngestMetrics,
  type Health,
  type Metrics,
  type SocketCounter,
  type RouteGroup,
} from "./http/index.js";
import { useAuth } from "./http/use-auth.js";
import { bodyLimitBytes, useBodyLimit } from "./http/use-body-limit.js";
import { useDocumentSize } from "./http/use-document-size.js";
import { useGraphiQL } from "./http/use-graphiql.js";
import { useHealthRoutes } from "./http/use-health-routes.js";
import { useHttpIngest } from "./http/use-http-ingest.js";
import { useMetricsRoute } from "./http/use-metrics-route.js";
import { useNotFound } from "./http/use-not-found.js";
import { useOriginCheck } from "./http/use-origin-check.js";
import { useQueryLimits } from "./http/use-query-limits.js";
import { useTiming } from "./http/use-timing.js";
import type { LegacyApi, RequestAuthenticator } from "./legacy/index.js";
import type { Logger } from "./log.js";
import type { EventAppender } from "./producer/index.js";

export interface ServerDeps {
  config: Config;
  schema: GraphQLSchema;
  context: () => AppContext;
  health: Health;
  metrics: Metrics;
  /** GraphQL and legacy sockets of the replica: one count, one cap. */
  sockets: SocketCounter;
  logger: Logger;
  /** Subscriptions share one execution per group (src/live/fanout.ts); false only in bench:live. @default true */
  sharedFanOut?: boolean;
  /** The old dashboard's REST calls and raw sockets (src/legacy), given how to check a Bearer token. */
  legacy?: (authenticate: RequestAuthenticator | undefined) => LegacyApi;
  /** The producers' HTTP ingest (src/producer), when RTTM_INGEST_API_KEYS names a key. */
  appender?: EventAppender;
}

/**
 * One HTTP server on SERVER_PORT. Route groups that work on Node's objects (legacy REST and raw
 * sockets) come first; everything else goes through Yoga, where each concern is a plugin in
 * src/http/use-*.ts, wired in the order they apply: plain routes (health, /metrics, GraphiQL)
 * answer first, then the request checks (origin, body size), then the operation checks (trusted
 * documents, document size, depth and cost), then timing. graphql-ws under /ws/rttm/* runs
 * through the same envelop, so the operation checks apply there too.
 */
export function createHttpServer(deps: ServerDeps) {
  const { config, metrics, logger } = deps;
  const limits = config.http;
  const trusted = createTrustedDocuments(limits.trustedDocuments);
  if (trusted)
    logger.info("trusted documents only", {
      manifest: trusted.manifestPath,
      operations: trusted.size,
    });
  // Identity (RTTM_AUTH_MODE=jwt): keys fetched now, in the background; a failure is logged and
  // retried on the first token, and never touches readiness.
  const verifier =
    config.auth.mode === "jwt"
      ? createVerifier(config.auth, logger.child({ component: "identity" }))
      : undefined;
  void verifier?.jwks.warm();
  registerHealthMetrics(metrics.registry, { health: deps.health, jwks: verifier?.jwks });
  const yoga = createYoga<ServerContext, AppContext>({
    schema: deps.schema,
    graphqlEndpoint: graphqlEndpointPattern,
    // GraphiQL comes from useGraphiQL below, its assets served by RTTM (Yoga's loads them from a CDN).
    graphiql: false,
    landingPage: false,
    healthCheckEndpoint: yogaHealthCheckPath,
    maskedErrors: errorMasking({ isDev: !config.production }),
    cors:
      limits.allowedOrigins.length > 0
        ? { origin: limits.allowedOrigins, credentials: true }
        : undefined,
    maxRequestBodySize: bodyLimitBytes({ maxDocumentBytes: limits.maxDocumentBytes }),
    context: () => deps.context(),
    logging: yogaLogging(logger),
    plugins: [
      useHealthRoutes({ health: deps.health, basePath: healthPath }),
      useMetricsRoute({ registry: metrics.registry, path: metricsPath }),
      config.production
        ? {}
        : useGraphiQL({
            endpoints: graphqlPaths,
            assetsPath: graphiqlAssetsPath,
            subscriptionsEndpoint: subscriptionsPath,
            // Identity on: the header its queries need, to be completed in the headers editor.
            headers:
              config.auth.mode === "jwt"
                ? JSON.stringify({ Authorization: "Bearer <token>" }, null, 2)
                : undefined,
          }),
      useNotFound({ servedPaths: graphqlPaths }),
      useOriginCheck({ allowedOrigins: limits.allowedOrigins, paths: graphqlPaths }),
      useAuth({ verifier, paths: graphqlPaths, logger }),
      useBodyLimit({ maxDocumentBytes: limits.maxDocumentBytes }),
      trusted?.plugin ?? {},
      useDocumentSize({ maxBytes: limits.maxDocumentBytes }),
      useQueryLimits({ maxDepth: limits.maxDepth, maxCost: limits.maxCost }),
      useTiming({ histogram: metrics.graphqlDuration }),
    ],
  });
  const websocket = createWebSocketServer({
    yoga,
    schema: deps.schema,
    counter: deps.sockets,
    logger: logger.child({ component: "websocket" }),
    maxMessageBytes: limits.wsMaxMessageBytes,
    initTimeoutMs: limits.wsInitTimeoutMs,
    maxDocumentBytes: limits.maxDocumentBytes,
    allowedOrigins: limits.allowedOrigins,
    maxConnections: limits.wsMaxConnections,
    trusted,
    authenticate: verifier
      ? authenticateSocket(verifier, logger.child({ component: "websocket" }))
      : undefined,
    sharedFanOut: deps.sharedFanOut,
  });

  const graphqlOverWebSocket: RouteGroup = {
    handleUpgrade: (req, socket, head) => (websocket.handleUpgrade(req, socket, head), true),
  };
  const legacy = deps.legacy?.(
    verifier && (async (req) => void (await verifier.verify(req.headers.authorization))),
  );
  // Producers' ingest first: its paths are under /api/rttm/ like the legacy REST API's.
  const httpIngest = deps.appender
    ? useHttpIngest({
        settings: config.httpIngest,
        appender: deps.appender,
        metrics: httpIngestMetrics(metrics.registry),
        logger: logger.child({ component: "http-ingest" }),
      })
    : undefined;
  const routeGroups: RouteGroup[] = [
    ...(httpIngest ? [httpIngest] : []),
    ...(legacy ? [legacy] : []),
    graphqlOverWebSocket,
  ];
  const answer = withCorrelationId(requestListener(routeGroups, yoga, logger));
  // requestListener answers every failure itself (a 500), so its promise never rejects.
  const server = createServer((req, res) => void answer(req, res));
  server.on("upgrade", upgradeListener(routeGroups));

  return {
    server,
    listen(port = config.serverPort, host?: string): Promise<number> {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve(typeof address === "object" && address ? address.port : port);
        });
      });
    },
    async close(): Promise<void> {
      // Posted events already handed to Kafka get their answer before the sockets close.
      await httpIngest?.drain();
      await legacy?.close();
      await websocket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
