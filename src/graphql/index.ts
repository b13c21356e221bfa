/** The GraphQL layer's public face: what the HTTP server hands every operation (the schema itself is src/graphql/schema/index.ts). */
export type { AppContext, RttmYoga, ServerContext } from "./context.js";
