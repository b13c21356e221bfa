/**
 * GraphiQL that works without internet: the page on the GraphQL endpoints (a browser's GET asking for
 * HTML), its assets under `assetsPath`, all from RTTM, under a content-security policy that allows
 * nothing from elsewhere. Replaces Yoga's built-in GraphiQL (pass `graphiql: false` to createYoga).
 */
import type { Plugin } from "graphql-yoga";
import { graphiqlAssets } from "./graphiql/assets.js";
import { graphiqlContentSecurityPolicy, renderGraphiQLPage } from "./graphiql/page.js";

export interface GraphiQLOptions {
  /** Paths that show GraphiQL to a browser, e.g. ["/graphql", "/api/rttm/graphql"]. */
  endpoints: readonly string[];
  /**
   * Where the page loads its script, styles and workers from.
   * @default "/api/rttm/graphiql"
   */
  assetsPath?: string;
  /**
   * graphql-ws endpoint for subscriptions.
   * @default "/ws/rttm/graphql"
   */
  subscriptionsEndpoint?: string;
  /** @default "RTTM" */
  title?: string;
  /** Initial content of the headers editor (e.g. an Authorization template when identity is on). */
  headers?: string;
}

export function useGraphiQL(options: GraphiQLOptions): Plugin {
  const assetsPath = options.assetsPath ?? "/api/rttm/graphiql";
  const endpoints = new Set(options.endpoints);
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== "GET" && request.method !== "HEAD") return;
      if (url.pathname.startsWith(`${assetsPath}/`)) {
        const asset = (await graphiqlAssets()).get(url.pathname.slice(assetsPath.length + 1));
        if (!asset) return endResponse(new fetchAPI.Response("Not Found", { status: 404 }));
        const gzip = /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");
        const body = gzip ? asset.gzipped : asset.body;
        return endResponse(
          new fetchAPI.Response(new Uint8Array(body), {
            headers: {
              "content-type": asset.contentType,
              "cache-control": "public, max-age=3600",
              "content-length": String(body.length),
              ...(gzip ? { "content-encoding": "gzip" } : {}),
              vary: "accept-encoding",
            },
          }),
        );
      }
      if (!endpoints.has(url.pathname) || !request.headers.get("accept")?.includes("text/html"))
        return;
      const page = renderGraphiQLPage({
        title: options.title ?? "RTTM",
        endpoint: url.pathname,
        subscriptionsEndpoint: options.subscriptionsEndpoint ?? "/ws/rttm/graphql",
        assetsPath,
        headers: options.headers,
      });
      endResponse(
        new fetchAPI.Response(page, {
          headers: {
            "content-type": "text/html; charset=utf-8",
            "content-security-policy": graphiqlContentSecurityPolicy,
            "cache-control": "no-store",
          },
        }),
      );
    },
  };
}
