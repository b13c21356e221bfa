/**
 * Trusted documents (RTTM_TRUSTED_DOCUMENTS): only the operations of a manifest generated with the
 * clients (codegen's persisted-documents.json: sha256 hash → document text) run. Clients send the
 * hash as `extensions.persistedQuery.sha256Hash` (version 1); anything else is refused.
 *
 * HTTP goes through Yoga's persisted-operations plugin; graphql-ws (src/http/websocket.ts) runs the
 * very same plugin hook on each subscribe message, so both transports accept and refuse alike.
 */
import type { IncomingMessage } from "node:http";
import { GraphQLError } from "graphql";
import type { GraphQLParams, OnParamsEventPayload, Plugin } from "graphql-yoga";
import type { TrustedDocumentsConfig } from "../config/index.js";
import { useTrustedDocuments } from "./use-trusted-documents.js";

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
  plugin: Plugin;
  /**
   * The same lookup for a graphql-ws subscribe payload: resolves with the params carrying the trusted
   * document's text, or rejects with the plugin's GraphQLError.
   */
  resolve<P extends OperationParams>(
    params: P,
    request?: IncomingMessage,
  ): Promise<P & { query: string }>;
}

export function createTrustedDocuments(
  config: TrustedDocumentsConfig,
): TrustedDocuments | undefined {
  if (config.mode === "off") return undefined;
  const { documents, manifestPath } = config;
  const plugin = useTrustedDocuments({ documents });
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
