import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import { createGraphQLError } from "@graphql-tools/utils";
import type { GraphQLParams, Plugin } from "graphql-yoga";
import { errorCodes } from "../domain/errorCodes.js";

export interface TrustedDocumentsOptions {
  /**
   * The allow-list: sha256 hash → document text (codegen's persisted-documents.json).
   * @default none (required)
   */
  documents: ReadonlyMap<string, string>;
}

function hashOf(params: GraphQLParams): string | undefined {
  const persisted = (params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)
    ?.persistedQuery;
  return typeof persisted?.sha256Hash === "string" ? persisted.sha256Hash : undefined;
}

const clientError = (message: string, code: string) =>
  createGraphQLError(message, { extensions: { code, http: { status: 400 } } });

/**
 * Trusted documents only (RTTM_TRUSTED_DOCUMENTS): a request names a manifest operation by
 * `extensions.persistedQuery.sha256Hash` (version 1) and runs its text; a query text, a missing
 * hash or an unknown hash is refused with a PERSISTED_QUERY_* code and HTTP 400.
 */
export function useTrustedDocuments({ documents }: TrustedDocumentsOptions): Plugin {
  return usePersistedOperations({
    allowArbitraryOperations: false,
    getPersistedOperation: (hash) => documents.get(hash.replace(/^sha256:/, "")) ?? null,
    customErrors: {
      persistedQueryOnly: () =>
        clientError(
          "This server runs trusted documents only (RTTM_TRUSTED_DOCUMENTS): send the operation's hash as extensions.persistedQuery.sha256Hash instead of its text",
          errorCodes.PERSISTED_QUERY_ONLY,
        ),
      keyNotFound: () =>
        clientError(
          "No operation: send a trusted document's hash as extensions.persistedQuery { version: 1, sha256Hash }",
          errorCodes.PERSISTED_QUERY_ID_REQUIRED,
        ),
      notFound: ({ params }) =>
        clientError(
          `Operation${params.operationName ? ` ${params.operationName}` : ""} with hash ${hashOf(params) ?? "?"} is not a trusted document of this server (RTTM_TRUSTED_DOCUMENTS)`,
          errorCodes.PERSISTED_QUERY_NOT_IN_LIST,
        ),
    },
  });
}
