/** How a refused token is answered over HTTP (RFC 6750 §3) and, for GraphQL clients, in `errors`. */
import type { AuthError } from "./errors.js";

/** 401: no usable token; 403: a valid token that may not use this API. */
export const refusalStatus = (error: AuthError): 401 | 403 =>
  error.code === "UNAUTHENTICATED" ? 401 : 403;

/** A quoted-string value of WWW-Authenticate: printable ASCII without `"` and `\`. */
const quoted = (text: string) => `"${text.replace(/[^\x20-\x7e]|["\\]/g, "'").slice(0, 200)}"`;

export function wwwAuthenticate(error: AuthError): string {
  const code = error.code === "UNAUTHENTICATED" ? "invalid_token" : "insufficient_scope";
  return `Bearer realm="rttm", error="${code}", error_description=${quoted(error.message)}`;
}

export function refusalBody(error: AuthError) {
  return {
    errors: [{ message: error.message, extensions: { code: error.code } }],
  };
}
