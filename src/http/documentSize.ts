import { createGraphQLError } from "@graphql-tools/utils";
import { GraphQLError } from "graphql";
import { errorCodes } from "../domain/errorCodes.js";

/** The error for a GraphQL document longer than the limit, or null; the same over HTTP and WebSocket. */
export function documentSizeError(
  query: unknown,
  maxBytes: number,
  extensions: Record<string, unknown> = {},
): GraphQLError | null {
  if (typeof query !== "string" || query.length <= maxBytes) return null;
  return createGraphQLError(`Document of ${query.length} bytes exceeds the limit of ${maxBytes}`, {
    extensions: { code: errorCodes.DOCUMENT_TOO_LARGE, ...extensions },
  });
}
