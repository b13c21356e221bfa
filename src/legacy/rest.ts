/**
 * The old service's REST calls under /api/rttm/ (contract §1, §4.3), answered from the legacy
 * views. Errors use Spring Boot's default body; a parameter the old service could not parse is a
 * 400, a failure of ours a 500 (the page retries those twice, then shows its placeholders).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isAuthError, wwwAuthenticate } from "../http/index.js";
import type { Logger } from "../log.js";
import { corsHeaders, isPreflight, preflightHeaders } from "./cors.js";
import type { LegacyMetrics } from "./metrics.js";
import { alertLimitParam, alertStatusParam, tradeIdParam } from "./params.js";
import { sendJson, springErrorBody, springStatusOf } from "./springError.js";
import type { LegacyViews } from "./views.js";

/**
 * Checks the request's credentials (the platform's Bearer token). Resolves when the request may
 * proceed; rejects with an AuthError (401 or 403) whose message is sent back.
 */
export type RequestAuthenticator = (req: IncomingMessage) => Promise<void>;

type Route = (query: URLSearchParams, now: Date) => Promise<unknown>;

export function legacyRoutes(views: LegacyViews): Record<string, Route> {
  return {
    "/api/rttm/metrics": (_q, now) => views.metrics(now),
    "/api/rttm/pipeline": (_q, now) => views.pipeline(now),
    "/api/rttm/dlq": (_q, now) => views.dlq(now),
    "/api/rttm/telemetry-snapshot": (_q, now) => views.telemetry(now),
    "/api/rttm/track-trade": (q) => views.trackTrade(tradeIdParam(q)),
    "/api/rttm/alerts": (q, now) => views.alerts(now, alertStatusParam(q), alertLimitParam(q)),
  };
}

export interface LegacyRestDeps {
  views: LegacyViews;
  allowedOrigins: readonly string[];
  metrics: LegacyMetrics;
  logger: Logger;
  /** Absent while identity is off: a Bearer token is then accepted without being verified. */
  authenticate?: RequestAuthenticator;
}

/** Returns a handler that answers the six legacy routes and returns false for any other path. */
export function createLegacyRest(deps: LegacyRestDeps) {
  const routes = legacyRoutes(deps.views);
  return async function handleLegacyRequest(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = routes[url.pathname];
    if (!route) return false;
    const path = url.pathname;
    const cors = corsHeaders(req.headers, deps.allowedOrigins) ?? {};
    const respond = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      deps.metrics.requests.inc({ route: path, status: String(status) });
      sendJson(res, status, body, { ...cors, ...headers });
    };
    const fail = (status: number, message: string, headers: Record<string, string> = {}) =>
      respond(status, springErrorBody(status, path, message), headers);

    if (req.headers.origin !== undefined && !("access-control-allow-origin" in cors)) {
      fail(403, `Origin ${req.headers.origin} is not allowed (RTTM_ALLOWED_ORIGINS)`);
      return true;
    }
    if (isPreflight(req.method, req.headers)) {
      deps.metrics.requests.inc({ route: path, status: "204" });
      res.writeHead(204, { ...cors, ...preflightHeaders(req.headers) });
      res.end();
      return true;
    }
    if (req.method !== "GET") {
      fail(405, `Request method '${req.method}' is not supported`, { allow: "GET, OPTIONS" });
      return true;
    }
    try {
      await deps.authenticate?.(req);
    } catch (err) {
      if (!isAuthError(err)) throw err;
      const { status } = springStatusOf(err);
      deps.logger.info("legacy request refused", { path, status, reason: err.message });
      fail(status, err.message, { "www-authenticate": wwwAuthenticate(err) });
      return true;
    }
    try {
      respond(200, await route(url.searchParams, new Date()));
    } catch (err) {
      const { status, clientError } = springStatusOf(err);
      if (clientError) {
        fail(status, (err as Error).message);
      } else {
        deps.logger.error("legacy request failed", { path, err });
        fail(500, "The request could not be answered; see the service log");
      }
    }
    return true;
  };
}
