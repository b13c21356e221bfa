/**
 * Identity on HTTP: every GraphQL request needs `Authorization: Bearer <token>` of the platform's auth
 * service. A missing or bad token ends the request with 401 (WWW-Authenticate, code
 * UNAUTHENTICATED), a valid token of a refused type with 403 (FORBIDDEN), before anything is parsed
 * or executed; an accepted token's identity is in the GraphQL context as `identity`.
 *
 * Only what reaches Yoga is guarded: probes and /metrics are routed before it and stay open.
 * GraphiQL's page and assets (useGraphiQL, earlier in the plugin list) are static and stay open too;
 * the queries GraphiQL sends need the header.
 */
import type { Plugin } from "graphql-yoga";
import type { Logger } from "../log.js";
import { isAuthError } from "./identity/errors.js";
import { refusalBody, refusalStatus, wwwAuthenticate } from "./identity/refusal.js";
import type { Identity, Verifier } from "./identity/verifier.js";

export interface AuthOptions {
  /** The platform's JWT verifier; undefined when RTTM_AUTH_MODE=off (the plugin does nothing). */
  verifier: Verifier | undefined;
  /** The GraphQL paths (other paths are not this plugin's: an unknown one stays a 404). */
  paths: readonly string[];
  logger: Logger;
}

export function useAuth({ verifier, paths, logger }: AuthOptions): Plugin {
  const identities = new WeakMap<Request, Identity>();
  const guarded = new Set(paths);
  if (!verifier) return {};
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method === "OPTIONS" || !guarded.has(url.pathname)) return;
      try {
        identities.set(request, await verifier.verify(request.headers.get("authorization")));
      } catch (err) {
        if (!isAuthError(err)) throw err;
        const status = refusalStatus(err);
        logger.info("request refused", { status, reason: err.message });
        endResponse(
          new fetchAPI.Response(JSON.stringify(refusalBody(err)), {
            status,
            headers: {
              "content-type": "application/json; charset=utf-8",
              "www-authenticate": wwwAuthenticate(err),
              "cache-control": "no-store",
            },
          }),
        );
      }
    },
    onContextBuilding({ context, extendContext }) {
      const identity = identities.get((context as { request: Request }).request);
      if (identity) extendContext({ identity } as never);
    },
  };
}
