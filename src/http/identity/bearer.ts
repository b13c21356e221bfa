/** The token out of `Authorization: Bearer <token>` (HTTP) or `{ authorization }` (graphql-ws connection_init). */
import { unauthenticated } from "./errors.js";

/** Far above a real token (pms-auth's are under 1 KB); longer ones are refused before any parsing. */
export const maxTokenBytes = 8192;

const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function bearerToken(authorization: unknown): string {
  if (authorization === undefined || authorization === null || authorization === "")
    throw unauthenticated("missing bearer token: send Authorization: Bearer <token>");
  if (typeof authorization !== "string")
    throw unauthenticated("authorization must be a string of the form 'Bearer <token>'");
  if (authorization.length > maxTokenBytes + 7)
    throw unauthenticated(
      `token of ${authorization.length} bytes exceeds the limit of ${maxTokenBytes}`,
    );
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization);
  if (!match) throw unauthenticated("malformed authorization: expected 'Bearer <token>'");
  const token = match[1]!;
  if (!jwtShape.test(token))
    throw unauthenticated("token is not a JWT (expected three base64url parts separated by dots)");
  return token;
}
