/**
 * Why a request or socket is refused. 401 (UNAUTHENTICATED): no usable token; 403 (FORBIDDEN): a valid
 * token whose holder may not use this API (its `token_type` is not accepted).
 */
import { errorCodes } from "../../domain/errorCodes.js";

export class AuthError extends Error {
  override name = "AuthError";
  constructor(
    message: string,
    readonly status: 401 | 403,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get code(): typeof errorCodes.UNAUTHENTICATED | typeof errorCodes.FORBIDDEN {
    return this.status === 401 ? errorCodes.UNAUTHENTICATED : errorCodes.FORBIDDEN;
  }

  /** The graphql-ws close code: 4401 Unauthorized, 4403 Forbidden. */
  get closeCode(): 4401 | 4403 {
    return this.status === 401 ? 4401 : 4403;
  }
}

export const unauthenticated = (message: string, cause?: unknown) =>
  new AuthError(message, 401, { cause });

export const forbidden = (message: string) => new AuthError(message, 403);
