/**
 * RTTM's errors in GraphQL: the one place an RttmError becomes a GraphQL error, and the masking
 * policy (which errors a client sees as they are). Yoga takes masking as its `maskedErrors`
 * option (the envelop plugin behind it is not part of Yoga's public API), so this builds that
 * option rather than a plugin.
 */
import { GraphQLError } from "graphql";
import { maskError, type YogaMaskedErrorOpts } from "graphql-yoga";
import { isApiErrorCode, type ErrorCode } from "../domain/errorCodes.js";
import { isRttmError, type RttmError } from "../domain/errors.js";

export interface ErrorMaskingOptions {
  /**
   * Outside production, masked errors carry the original message and stack in `extensions`.
   * @default false
   */
  isDev?: boolean;
}

/** The RttmError behind an error when its code is one the API answers with (the client's to see). */
export function clientErrorOf(error: unknown): RttmError<ErrorCode> | null {
  const original = error instanceof GraphQLError ? error.originalError : error;
  return isRttmError(original) && isApiErrorCode(original.code)
    ? (original as RttmError<ErrorCode>)
    : null;
}

/** `extensions` of a client error: its code, then what it concerns. */
export function extensionsOf(error: RttmError<ErrorCode>): Record<string, unknown> {
  return {
    code: error.code,
    ...(error.argument !== undefined && { argument: error.argument }),
    ...(error.alertId !== undefined && { alertId: error.alertId }),
    ...error.details,
  };
}

/**
 * Unexpected errors are masked ("Unexpected error."); an RttmError with an API code (a refused
 * argument, an unknown alert, a forbidden actor) is the client's to see, so its message, code and
 * fields go out, even in production. It keeps the field's location and path, except a refused
 * argument, which `argument` names (as it always has).
 */
export function errorMasking({
  isDev = false,
}: ErrorMaskingOptions = {}): Partial<YogaMaskedErrorOpts> {
  return {
    isDev,
    maskError(error, message, dev) {
      const client = clientErrorOf(error);
      if (!client) return maskError(error, message, dev);
      const located =
        error instanceof GraphQLError && client.code !== "BAD_USER_INPUT"
          ? { nodes: error.nodes, path: error.path }
          : {};
      return new GraphQLError(client.message, { ...located, extensions: extensionsOf(client) });
    },
  };
}
