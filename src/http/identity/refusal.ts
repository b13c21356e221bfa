/** How a refused token is answered over HTTP (RFC 6750 §3) and, for GraphQL clients, in `errors`. */
import { errorCodes } from "../../domain/errorCodes.js";
import type { AuthError } from "./errors.js";

/** A quoted-string value of WWW-Authenticate: printable ASCII without `"` and `\`. */
const quoted = (text: string) => `"${text.replace(/[^\x20-\x7e]|["\\]/g, "'").slice(0, 200)}"`;

export function wwwAuthenticate(error: AuthError): string {
  const code = error.status === 401 ? "invalid_token" : "insufficient_scope";
  return `Bearer realm="rttm", error="${code}", error_description=${quoted(error.message)}`;
}

export function refusalBody(error: AuthError) {
  return {
    errors: [{ message: error.message, extensions: { code: errorCodes[error.code] } }],
  };
}
