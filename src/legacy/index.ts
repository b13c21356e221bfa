/**
 * The existing dashboard's API (issue 11): its REST calls under /api/rttm/ and its five raw
 * WebSockets under /ws/rttm/, answered from the read models GraphQL serves. The server wires it
 * with one request hook and one upgrade hook; everything else stays here.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Pool } from "pg";
import type { Registry } from "prom-client";
import type { Config } from "../config/index.js";
import type { SocketCounter } from "../http/index.js";
import type { Logger } from "../log.js";
import { legacyFeeds } from "./feeds.js";
import { createLegacyMetrics } from "./metrics.js";
import { createLegacyRest, type RequestAuthenticator } from "./rest.js";
import { createLegacySockets, type HubSubscribe, type LegacySocketOptions } from "./sockets.js";
import { legacyViews } from "./views.js";

export type { RequestAuthenticator } from "./rest.js";

export interface LegacyDeps {
  db: Pool;
  config: Config;
  hub: HubSubscribe;
  /** The replica's socket counter: raw sockets count against the same cap as GraphQL sockets. */
  sockets: SocketCounter;
  registry: Registry;
  logger: Logger;
  /** Verifies the Bearer token of REST calls when identity is on; absent = accepted unverified. */
  authenticate?: RequestAuthenticator;
  /** Overrides of the raw-socket options taken from the configuration. */
  socketOptions?: Partial<LegacySocketOptions>;
}

export function legacySocketOptions(config: Config): LegacySocketOptions {
  return {
    allowedOrigins: config.http.allowedOrigins,
    maxConnections: config.http.wsMaxConnections,
    allowAnonymous: config.legacy.wsAnonymous,
    pingIntervalMs: config.legacy.wsPingIntervalMs,
  };
}

export function createLegacyApi(deps: LegacyDeps) {
  const views = legacyViews(deps.db, deps.config);
  const metrics = createLegacyMetrics(deps.registry);
  const logger = deps.logger.child({ component: "legacy" });
  const rest = createLegacyRest({
    views,
    allowedOrigins: deps.config.http.allowedOrigins,
    metrics,
    logger,
    authenticate: deps.authenticate,
  });
  const sockets = createLegacySockets({
    feeds: legacyFeeds(views),
    hub: deps.hub,
    options: { ...legacySocketOptions(deps.config), ...deps.socketOptions },
    counter: deps.sockets,
    metrics,
    logger,
  });
  return {
    /** Answers the six legacy REST routes; false for any other path. */
    handleRequest: (req: IncomingMessage, res: ServerResponse): Promise<boolean> => rest(req, res),
    /** Takes raw dashboard handshakes; false for any other upgrade (graphql-ws included). */
    handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer): boolean =>
      sockets.handleUpgrade(req, socket, head),
    close: () => sockets.close(),
  };
}

export type LegacyApi = ReturnType<typeof createLegacyApi>;
