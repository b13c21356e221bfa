/**
 * The masking policy: which errors a client sees as they are. Yoga takes masking as its
 * `maskedErrors` option (the envelop plugin behind it is not part of Yoga's public API), so this
 * builds that option rather than a plugin.
 */
import { GraphQLError } from "graphql";
import { maskError, type YogaMaskedErrorOpts } from "graphql-yoga";
import { InvalidInputError } from "../store/read/errors.js";
import { errorCodes } from "../domain/errorCodes.js";

export interface ErrorMaskingOptions {
  /**
   * Outside production, masked errors carry the original message and stack in `extensions`.
   * @default false
   */
  isDev?: boolean;
}

/** The refused argument behind an error, if a client's argument is what failed. */
export function invalidInputOf(error: unknown): InvalidInputError | null {
  const original = error instanceof GraphQLError ? error.originalError : error;
  return original instanceof InvalidInputError ? original : null;
}

/**
 * Unexpected errors are masked ("Unexpected error."); a refused argument is the client's mistake,
 * so its message and the argument's name go out as BAD_USER_INPUT, even in production.
 */
export function errorMasking({
  isDev = false,
}: ErrorMaskingOptions = {}): Partial<YogaMaskedErrorOpts> {
  return {
    isDev,
    maskError(error, message, dev) {
      const invalid = invalidInputOf(error);
      if (invalid) {
        return new GraphQLError(invalid.message, {
          extensions: { code: errorCodes.BAD_USER_INPUT, argument: invalid.argument },
        });
      }
      return maskError(error, message, dev);
    },
  };
}
