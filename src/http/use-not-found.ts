import type { Plugin } from "graphql-yoga";
import { jsonResponse } from "./routes.js";

export interface NotFoundOptions {
  /**
   * The paths served further on (the GraphQL endpoints); any other path not answered by an
   * earlier plugin is not found.
   * @default ["/graphql"]
   */
  servedPaths?: readonly string[];
}

/** Answers an unknown path with 404 and a JSON body naming it (Yoga's own 404 has no body). */
export function useNotFound({ servedPaths = ["/graphql"] }: NotFoundOptions = {}): Plugin {
  return {
    onRequest({ url, endResponse }) {
      if (!servedPaths.includes(url.pathname))
        endResponse(jsonResponse(404, { error: "Not Found", path: url.pathname }));
    },
  };
}
