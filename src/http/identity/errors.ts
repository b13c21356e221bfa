/**
 * Why a request or socket is refused: an RttmError with code UNAUTHENTICATED (no usable token) or
 * FORBIDDEN (a valid token whose holder may not use this API: its `token_type` is not accepted).
 * Each transport maps the code: HTTP 401/403 (refusal.ts), graphql-ws close 4401/4403 (socket.ts).
 */
import { isRttmError, RttmError } from "../../domain/errors.js";

export type AuthError = RttmError<"UNAUTHENTICATED" | "FORBIDDEN">;

export const isAuthError = (err: unknown): err is AuthError =>
  isRttmError(err, "UNAUTHENTICATED", "FORBIDDEN");

export const unauthenticated = (message: string, cause?: unknown): AuthError =>
  new RttmError("UNAUTHENTICATED", message, { cause });

export const forbidden = (message: string): AuthError => new RttmError("FORBIDDEN", message);
