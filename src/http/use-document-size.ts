import type { Plugin } from "graphql-yoga";
import { documentSizeError } from "./documentSize.js";

export interface DocumentSizeOptions {
  /**
   * The longest GraphQL document accepted, in characters (RTTM_GRAPHQL_MAX_DOCUMENT_BYTES).
   * @default 16384
   */
  maxBytes?: number;
}

/** Refuses an over-long document with 413 DOCUMENT_TOO_LARGE before it is parsed (WebSocket: src/http/websocket.ts). */
export function useDocumentSize({ maxBytes = 16_384 }: DocumentSizeOptions = {}): Plugin {
  return {
    onParams({ params }) {
      const error = documentSizeError(params.query, maxBytes, { http: { status: 413 } });
      if (error) throw error;
    },
  };
}
