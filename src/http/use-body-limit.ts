import { createGraphQLError } from "@graphql-tools/utils";
import type { Plugin } from "graphql-yoga";
import { errorCodes } from "../domain/errorCodes.js";

export interface BodyLimitOptions {
  /**
   * The longest GraphQL document accepted (RTTM_GRAPHQL_MAX_DOCUMENT_BYTES).
   * @default 16384
   */
  maxDocumentBytes?: number;
  /**
   * Room for the variables, operation name and extensions beside the document.
   * @default 65536
   */
  maxVariablesBytes?: number;
}

/** The largest request body `useBodyLimit` admits for these options. */
export function bodyLimitBytes({
  maxDocumentBytes = 16_384,
  maxVariablesBytes = 65_536,
}: BodyLimitOptions = {}): number {
  return maxDocumentBytes + maxVariablesBytes;
}

/**
 * Refuses a request whose declared Content-Length exceeds the document limit plus room for its
 * variables, with 413 REQUEST_TOO_LARGE, before the body is read. (A body without Content-Length
 * is capped by Yoga's `maxRequestBodySize`, which src/server.ts sets to the same number.)
 */
export function useBodyLimit(options: BodyLimitOptions = {}): Plugin {
  const limit = bodyLimitBytes(options);
  return {
    onRequestParse({ request }) {
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > limit) {
        throw createGraphQLError(`Request body of ${length} bytes exceeds the limit of ${limit}`, {
          extensions: { code: errorCodes.REQUEST_TOO_LARGE, http: { status: 413 } },
        });
      }
    },
  };
}
