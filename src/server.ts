import { createGraphQLError } from "@graphql-tools/utils";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { GraphQLError, type DefinitionNode, type GraphQLSchema } from "graphql";
import { createYoga, maskError, type Plugin } from "graphql-yoga";
import { InvalidInputError } from "./store/read/index.js";
import type { Config } from "./config/index.js";
import type { Health, HealthReport } from "./http/health.js";
import { documentSizeError } from "./http/documentSize.js";
import { originAllowed } from "./http/origins.js";
import {
  graphiqlAssetsPath,
  graphqlEndpointPattern,
  graphqlPaths,
  subscriptionsPath,
} from "./http/paths.js";
import type { Metrics, SocketCounts } from "./http/prometheus.js";
import { createTrustedDocuments } from "./http/trustedDocuments.js";
import { useGraphiQL } from "./http/use-graphiql.js";
import { createWebSocketServer } from "./http/websocket.js";
import type { LegacyApi } from "./legacy/index.js";
import type { Logger } from "./log.js";
import { errorCodes } from "./domain/errorCodes.js";

export interface ServerDeps {
  config: Config;
  schema: GraphQLSchema;
  context: () => Record<string, unknown>;
  health: Health;
  metrics: Metrics;
  sockets: SocketCounts;
  logger: Logger;
  /** The old dashboard's REST calls and raw sockets (src/legacy). */
  legacy?: LegacyApi;
}

function timingPlugin(metrics: Metrics): Plugin {
  return {
    onExecute({ args }) {
      const started = performance.now();
      const operation = args.document.definitions.find(
        (d: DefinitionNode) => d.kind === "OperationDefinition",
      );
      const labels = {
        operation_type: operation && "operation" in operation ? operation.operation : "unknown",
        operation_name: (operation && "name" in operation && operation.name?.value) || "anonymous",
      };
      return {
        onExecuteDone: () =>
          metrics.graphqlDuration.observe(labels, (performance.now() - started) / 1000),
      };
    },
  };
}

function documentSizePlugin(maxBytes: number): Plugin {
  return {
    onParams({ params }) {
      const error = documentSizeError(params.query, maxBytes, { http: { status: 413 } });
      if (error) throw error;
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/**
 * One HTTP server on SERVER_PORT: GraphQL over HTTP at /api/rttm/graphql and /graphql (GraphiQL
 * outside production),
 * graphql-ws under /ws/rttm/*, Spring-compatible health under /actuator/health, Prometheus at /metrics.
 */
export function createHttpServer(deps: ServerDeps) {
  const { config, health, metrics, logger } = deps;
  const trusted = createTrustedDocuments(config.http.trustedDocuments);
  if (trusted)
    logger.info("trusted documents only", {
      manifest: trusted.manifestPath,
      operations: trusted.size,
    });
  const yoga = createYoga<Record<string, unknown>>({
    schema: deps.schema,
    graphqlEndpoint: graphqlEndpointPattern,
    // GraphiQL comes from useGraphiQL below, its assets served by RTTM (Yoga's loads them from a CDN).
    graphiql: false,
    landingPage: false,
    maskedErrors: {
      isDev: !config.production,
      // A refused argument is the client's mistake: say what is wrong, even in production.
      maskError(error, message, isDev) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof InvalidInputError) {
          return createGraphQLError(original.message, {
            extensions: { code: errorCodes.BAD_USER_INPUT, argument: original.argument },
          });
        }
        return maskError(error, message, isDev);
      },
    },
    cors:
      config.http.allowedOrigins.length > 0
        ? { origin: config.http.allowedOrigins, credentials: true }
        : undefined,
    context: () => deps.context(),
    logging: {
      debug: (...args) => logger.debug("yoga", { args }),
      info: (...args) => logger.debug("yoga", { args }),
      warn: (...args) => logger.warn("yoga", { args }),
      error: (...args) => {
        // A refused argument is the client's error, not the server's.
        const clientError = args.some(
          (a) =>
            a instanceof InvalidInputError ||
            (a instanceof GraphQLError && a.originalError instanceof InvalidInputError),
        );
        (clientError ? logger.debug : logger.error)("graphql error", {
          args: args.map((a) => (a instanceof Error ? a.message : a)),
        });
      },
    },
    plugins: [
      ...(config.production
        ? []
        : [
            useGraphiQL({
              endpoints: graphqlPaths,
              assetsPath: graphiqlAssetsPath,
              subscriptionsEndpoint: subscriptionsPath,
            }),
          ]),
      ...(trusted ? [trusted.plugin] : []),
      documentSizePlugin(config.http.maxDocumentBytes),
      maxDepthPlugin({ n: config.http.maxDepth, ignoreIntrospection: true }),
      costLimitPlugin({ maxCost: config.http.maxCost }),
      timingPlugin(metrics),
    ],
  });
  const websocket = createWebSocketServer(
    yoga as never,
    deps.schema,
    config,
    deps.sockets,
    logger.child({ component: "websocket" }),
    trusted,
  );

  const probe = async (res: ServerResponse, report: Promise<HealthReport> | HealthReport) => {
    const body = await report;
    sendJson(res, body.status === "UP" ? 200 : 503, body);
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
      if (pathname.startsWith(`${graphiqlAssetsPath}/`)) return await yoga(req, res);
      switch (pathname) {
        case "/actuator/health":
          return await probe(res, health.health());
        case "/actuator/health/liveness":
          return await probe(res, health.liveness());
        case "/actuator/health/readiness":
          return await probe(res, health.readiness());
        case "/metrics":
          res.writeHead(200, { "content-type": metrics.registry.contentType });
          return res.end(await metrics.registry.metrics());
        case "/graphql":
        case "/api/rttm/graphql": {
          if (!originAllowed(req.headers.origin, config.http.allowedOrigins)) {
            return sendJson(res, 403, {
              errors: [
                {
                  message: `Origin ${req.headers.origin} is not allowed`,
                  extensions: { code: errorCodes.FORBIDDEN_ORIGIN },
                },
              ],
            });
          }
          const length = Number(req.headers["content-length"] ?? 0);
          const bodyLimit = config.http.maxDocumentBytes + 65_536; // the document plus its variables
          if (length > bodyLimit) {
            return sendJson(res, 413, {
              errors: [
                {
                  message: `Request body of ${length} bytes exceeds the limit of ${bodyLimit}`,
                  extensions: { code: errorCodes.REQUEST_TOO_LARGE },
                },
              ],
            });
          }
          return await yoga(req, res);
        }
        default:
          if (await deps.legacy?.handleRequest(req, res)) return;
          return sendJson(res, 404, { error: "Not Found", path: pathname });
      }
    } catch (err) {
      logger.error("http request failed", { url: req.url, err });
      if (!res.headersSent) sendJson(res, 500, { error: "Internal Server Error" });
      else res.destroy();
    }
  });
  server.on("upgrade", (req, socket, head) => {
    if (!deps.legacy?.handleUpgrade(req, socket, head)) websocket.handleUpgrade(req, socket, head);
  });

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
      await deps.legacy?.close();
      await websocket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
