import { createServer } from "node:http";
import type { GraphQLSchema } from "graphql";
import { createYoga } from "graphql-yoga";
import type { Config } from "./config/index.js";
import type { AppContext, ServerContext } from "./graphql/context.js";
import { errorMasking } from "./http/error-masking.js";
import type { Health } from "./http/health.js";
import type { Metrics, SocketCounts } from "./http/prometheus.js";
import { createTrustedDocuments } from "./http/trustedDocuments.js";
import { bodyLimitBytes, useBodyLimit } from "./http/use-body-limit.js";
import { useDocumentSize } from "./http/use-document-size.js";
import { useHealthRoutes } from "./http/use-health-routes.js";
import { useMetricsRoute } from "./http/use-metrics-route.js";
import { useOriginCheck } from "./http/use-origin-check.js";
import { useQueryLimits } from "./http/use-query-limits.js";
import { useTiming } from "./http/use-timing.js";
import { createWebSocketServer } from "./http/websocket.js";
import { yogaLogging } from "./http/yoga-logging.js";
import type { Logger } from "./log.js";

export interface ServerDeps {
  config: Config;
  schema: GraphQLSchema;
  context: () => AppContext;
  health: Health;
  metrics: Metrics;
  sockets: SocketCounts;
  logger: Logger;
}

/** The GraphQL-over-HTTP endpoint (GraphiQL outside production); WebSocket paths: src/http/websocket.ts. */
const graphqlPath = "/graphql";

/**
 * One HTTP server on SERVER_PORT. Every request goes through Yoga; each concern is a plugin in
 * src/http/use-*.ts, wired here in the order they apply: plain routes (health, /metrics) answer
 * first, then the request checks (origin, body size), then the operation checks (trusted
 * documents, document size, depth and cost), then timing. graphql-ws under /ws/rttm/* shares the
 * same envelop, so the operation checks apply there too.
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
  const yoga = createYoga<ServerContext, AppContext>({
    schema: deps.schema,
    graphqlEndpoint: graphqlPath,
    graphiql: config.production ? false : { subscriptionsProtocol: "WS", title: "RTTM" },
    landingPage: false,
    maskedErrors: errorMasking({ isDev: !config.production }),
    cors:
      limits.allowedOrigins.length > 0
        ? { origin: limits.allowedOrigins, credentials: true }
        : undefined,
    maxRequestBodySize: bodyLimitBytes({ maxDocumentBytes: limits.maxDocumentBytes }),
    context: () => deps.context(),
    logging: yogaLogging(logger),
    plugins: [
      useHealthRoutes({ health: deps.health }),
      useMetricsRoute({ registry: metrics.registry }),
      useOriginCheck({ allowedOrigins: limits.allowedOrigins, paths: [graphqlPath] }),
      useBodyLimit({ maxDocumentBytes: limits.maxDocumentBytes }),
      trusted?.plugin ?? {},
      useDocumentSize({ maxBytes: limits.maxDocumentBytes }),
      useQueryLimits({ maxDepth: limits.maxDepth, maxCost: limits.maxCost }),
      useTiming({ histogram: metrics.graphqlDuration }),
    ],
  });
  const websocket = createWebSocketServer(
    yoga,
    deps.schema,
    config,
    deps.sockets,
    logger.child({ component: "websocket" }),
    trusted,
  );

  const server = createServer(yoga);
  server.on("upgrade", (req, socket, head) => websocket.handleUpgrade(req, socket, head));

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
      await websocket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
