/**
 * Plain HTTP routes served beside GraphQL (health probes, /metrics, later the legacy REST API).
 * They run as Yoga `onRequest` hooks, like graphql-yoga's own `useReadinessCheck`: a request to
 * one of the paths is answered here and never reaches GraphQL; every other request passes on.
 */
import type { Plugin } from "graphql-yoga";

export interface RouteRequest {
  request: Request;
  url: URL;
}

/** Answers one path; a thrown error becomes a 500 (logged through Yoga's logger). */
export type RouteHandler = (route: RouteRequest) => Response | Promise<Response>;

/** A JSON response that no cache keeps (probes and dashboards must see the current state). */
export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

/** A plugin answering the exact paths of `routes` (pathname → handler) itself. */
export function useRoutes(routes: Readonly<Record<string, RouteHandler>>): Plugin {
  let logError: (message: string, details: unknown) => void = () => {};
  return {
    onYogaInit({ yoga }) {
      logError = (message, details) => yoga.logger.error(message, details);
    },
    onRequest({ request, url, endResponse }) {
      const handler = routes[url.pathname];
      if (!handler) return;
      return Promise.resolve()
        .then(() => handler({ request, url }))
        .catch((err: unknown) => {
          logError("http route failed", { path: url.pathname, err });
          return jsonResponse(500, { error: "Internal Server Error" });
        })
        .then(endResponse);
    },
  };
}
