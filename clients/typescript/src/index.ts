/**
 * @pms/rttm-client: the RTTM API's operations, generated from its schema (documents, result and
 * variable types, under ./generated), and the runtime that runs them.
 */
export { createRttmClient, defaultGraphqlPath, retryDelayMs } from "./client.js";
export type {
  FetchLike,
  OperationArgs,
  RequestOptions,
  ResultOf,
  RttmClient,
  RttmClientOptions,
  RttmConnectionStatus,
  RttmDocument,
  RttmObserver,
  RttmSubscription,
  RttmUnsubscribable,
  VariablesOf,
} from "./client.js";
export { RttmError, RttmGraphQLError, RttmNetworkError } from "./errors.js";
export type { RttmErrorDetail } from "./errors.js";
export * from "./generated/graphql.js";
