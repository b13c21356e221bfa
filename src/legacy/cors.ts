/**
 * CORS for the legacy REST calls. The page calls absolute, cross-origin URLs with an
 * `Authorization: Bearer` header, so the browser sends a preflight first (contract §0.3):
 * OPTIONS with Access-Control-Request-Method GET and Access-Control-Request-Headers authorization.
 */
import type { IncomingHttpHeaders } from "node:http";
import { originAllowed } from "../http/index.js";

export const preflightMaxAgeSeconds = 3600;

/**
 * Headers for a request from `origin`, or null when the origin is not allowed (RTTM_ALLOWED_ORIGINS;
 * an empty list admits every origin, as the old `*`). Requests without Origin need none.
 */
export function corsHeaders(
  headers: IncomingHttpHeaders,
  allowedOrigins: readonly string[],
): Record<string, string> | null {
  const origin = headers.origin;
  if (origin === undefined) return {};
  if (!originAllowed(origin, allowedOrigins)) return null;
  return {
    "access-control-allow-origin": origin,
    "access-control-allow-credentials": "true",
    vary: "Origin",
  };
}

/** The extra headers of a preflight answer: GET only, and whichever request headers were asked for. */
export function preflightHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const requested = headers["access-control-request-headers"];
  return {
    "access-control-allow-methods": "GET, OPTIONS",
    "access-control-allow-headers": requested?.trim() || "authorization, content-type",
    "access-control-max-age": String(preflightMaxAgeSeconds),
    vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
  };
}

export function isPreflight(method: string | undefined, headers: IncomingHttpHeaders): boolean {
  return method === "OPTIONS" && headers["access-control-request-method"] !== undefined;
}
