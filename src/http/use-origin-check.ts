import type { Plugin } from "graphql-yoga";
import { originAllowed } from "./origins.js";
import { jsonResponse } from "./routes.js";
import { errorCodes } from "../domain/errorCodes.js";

export interface OriginCheckOptions {
  /**
   * Origins whose browsers may call the API (RTTM_ALLOWED_ORIGINS); empty admits every origin.
   * @default []
   */
  allowedOrigins?: readonly string[];
  /**
   * The paths the check guards (the GraphQL endpoints); probes and /metrics are not browser APIs.
   * @default ["/graphql"]
   */
  paths?: readonly string[];
}

/** Refuses a browser request from an origin outside the allowlist with 403 FORBIDDEN_ORIGIN. */
export function useOriginCheck({
  allowedOrigins = [],
  paths = ["/graphql"],
}: OriginCheckOptions = {}): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (!paths.includes(url.pathname)) return;
      const origin = request.headers.get("origin") ?? undefined;
      if (originAllowed(origin, allowedOrigins)) return;
      endResponse(
        jsonResponse(403, {
          errors: [
            {
              message: `Origin ${origin} is not allowed`,
              extensions: { code: errorCodes.FORBIDDEN_ORIGIN },
            },
          ],
        }),
      );
    },
  };
}
