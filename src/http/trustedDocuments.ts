/**
 * Trusted documents (RTTM_TRUSTED_DOCUMENTS): only the operations of a manifest generated with the
 * clients (codegen's persisted-documents.json: sha256 hash → document text) run. Clients send the
 * hash as `extensions.persistedQuery.sha256Hash` (version 1); anything else is refused.
 *
 * HTTP goes through Yoga's persisted-operations plugin; graphql-ws (src/http/websocket.ts) runs the
 * very same plugin hook on each subscribe message, so both transports accept and refuse alike.
 */
import type { IncomingMessage } from "node:http";
import { createGraphQLError } from "@graphql-tools/utils";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import { GraphQLError } from "graphql";
import { type GraphQLParams, type OnParamsEventPayload, type Plugin } from "graphql-yoga";
import type { TrustedDocumentsConfig } from "../config/index.js";
import { errorCodes, type ErrorCode } from "../domain/errorCodes.js";

/** GraphQL-over-HTTP params or a graphql-ws subscribe payload. */
export interface OperationParams {
  query?: string | null | undefined;
  operationName?: string | null | undefined;
  variables?: Record<string, unknown> | null | undefined;
  extensions?: Record<string, unknown> | null | undefined;
}

export interface TrustedDocuments {
  /** Number of operations in the allow-list. */
  size: number;
  manifestPath: string;
  /** For Yoga's plugin list (HTTP). */
  plugin: Plugin<Record<string, unknown>>;
  /**
   * The same lookup for a graphql-ws subscribe payload: resolves with the params carrying the trusted
   * document's text, or rejects with the plugin's GraphQLError.
   */
  resolve<P extends OperationParams>(
    params: P,
    request?: IncomingMessage,
  ): Promise<P & { query: string }>;
}

function hashOf(params: GraphQLParams): string | undefined {
  const persisted = (params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)
    ?.persistedQuery;
  return typeof persisted?.sha256Hash === "string" ? persisted.sha256Hash : undefined;
}

const clientError = (message: string, code: ErrorCode) =>
  createGraphQLError(message, { extensions: { code, http: { status: 400 } } });

export function createTrustedDocuments(
  config: TrustedDocumentsConfig,
): TrustedDocuments | undefined {
  if (config.mode === "off") return undefined;
  const { documents, manifestPath } = config;
  const plugin = usePersistedOperations<Record<string, unknown>>({
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
      notFound: ({ params }: OnParamsEventPayload) =>
        clientError(
          `Operation${params.operationName ? ` ${params.operationName}` : ""} with hash ${hashOf(params) ?? "?"} is not a trusted document of this server (RTTM_TRUSTED_DOCUMENTS)`,
          errorCodes.PERSISTED_QUERY_NOT_IN_LIST,
        ),
    },
  }) as Plugin<Record<string, unknown>>;
  const onParams = plugin.onParams!;

  return {
    size: documents.size,
    manifestPath,
    plugin,
    async resolve(params, request) {
      let resolved = params as GraphQLParams;
      try {
        await onParams({
          params: resolved,
          request: request as unknown as Request,
          setParams: (next: GraphQLParams) => (resolved = next),
          context: {},
        } as unknown as OnParamsEventPayload<Record<string, unknown>>);
      } catch (err) {
        // graphql-ws sends errors as they are: drop the HTTP status, which only Yoga's HTTP layer reads.
        if (err instanceof GraphQLError) {
          const { http: _http, ...extensions } = err.extensions;
          throw new GraphQLError(err.message, { extensions });
        }
        throw err;
      }
      return { ...params, ...resolved } as typeof params & { query: string };
    },
  };
}
