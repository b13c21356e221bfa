/**
 * Every error code, in one place: clients switch on the API's codes, and every RttmError
 * (src/domain/errors.ts) carries one of these, so a code is spelled once and each entry says when
 * it is used.
 */

/** The codes the API answers with (`extensions.code`). */
export const errorCodes = {
  /** An argument is malformed or out of range; `extensions.argument` names it. HTTP 200. */
  BAD_USER_INPUT: "BAD_USER_INPUT",
  /** The GraphQL document is longer than the server accepts (HTTP and WebSocket). */
  DOCUMENT_TOO_LARGE: "DOCUMENT_TOO_LARGE",
  /** Identity on (RTTM_AUTH_MODE=jwt): no token, or one that fails verification. HTTP 401 with WWW-Authenticate; WebSocket close 4401. */
  UNAUTHENTICATED: "UNAUTHENTICATED",
  /** Identity on: a valid token whose `token_type` may not use the API, or a mutation claiming another user. HTTP 403; WebSocket close 4403. */
  FORBIDDEN: "FORBIDDEN",
  /** The operation nests deeper than RTTM_GRAPHQL_MAX_DEPTH; `extensions.limit` says the limit. HTTP 400. */
  QUERY_TOO_DEEP: "QUERY_TOO_DEEP",
  /** The operation costs more than RTTM_GRAPHQL_MAX_COST; `extensions.limit` says the limit. HTTP 400. */
  QUERY_TOO_COMPLEX: "QUERY_TOO_COMPLEX",
  /** A browser request from an origin that is not allowed. HTTP 403. */
  FORBIDDEN_ORIGIN: "FORBIDDEN_ORIGIN",
  /** The request body is larger than the server accepts. HTTP 413. */
  REQUEST_TOO_LARGE: "REQUEST_TOO_LARGE",
  /** Trusted documents only: the request sent a query text instead of a hash. HTTP 400. */
  PERSISTED_QUERY_ONLY: "PERSISTED_QUERY_ONLY",
  /** Trusted documents only: the request sent neither a query nor a hash. HTTP 400. */
  PERSISTED_QUERY_ID_REQUIRED: "PERSISTED_QUERY_ID_REQUIRED",
  /** Trusted documents only: the hash is not one of the server's trusted documents. HTTP 400. */
  PERSISTED_QUERY_NOT_IN_LIST: "PERSISTED_QUERY_NOT_IN_LIST",
  /** An alert mutation named an alert that does not exist; `extensions.alertId` names it. */
  ALERT_NOT_FOUND: "ALERT_NOT_FOUND",
  /** An alert mutation on an alert that is already resolved; `extensions.alertId` names it. */
  ALERT_ALREADY_RESOLVED: "ALERT_ALREADY_RESOLVED",
} as const;

export type ErrorCode = keyof typeof errorCodes;

/**
 * Codes that are never a GraphQL `extensions.code`: failures inside the service, and the producers'
 * HTTP ingest refusals (answered there with an HTTP status, src/http/use-http-ingest.ts).
 */
export const internalErrorCodes = {
  /** One or more environment variables are invalid; `problems` lists each. The process exits 1. */
  CONFIG_INVALID: "CONFIG_INVALID",
  /** A Kafka record's field failed a check (quarantined with errorKind "validation"). */
  RECORD_INVALID: "RECORD_INVALID",
  /** A Kafka record's payload is not the topic's protobuf message (errorKind "decode"). */
  RECORD_UNDECODABLE: "RECORD_UNDECODABLE",
  /** A Kafka record is not in the Confluent wire format (errorKind "framing"). */
  RECORD_BAD_FRAMING: "RECORD_BAD_FRAMING",
  /** A Kafka record's schema id is unknown or names another message (errorKind "schema"). */
  RECORD_WRONG_SCHEMA: "RECORD_WRONG_SCHEMA",
  /** The auth service's JWK Set could not be fetched (retriable). */
  JWKS_UNAVAILABLE: "JWKS_UNAVAILABLE",
  /** Redis did not answer a command within REDIS_TIMEOUT: a dead or half-open connection (retriable). */
  REDIS_TIMEOUT: "REDIS_TIMEOUT",
  /** HTTP ingest: a body that is empty or not framed as its content type says. HTTP 400. */
  BODY_INVALID: "BODY_INVALID",
  /** HTTP ingest: a body or batch larger than RTTM_INGEST_* allow. HTTP 413. */
  BODY_TOO_LARGE: "BODY_TOO_LARGE",
  /** HTTP ingest: a posted event that does not decode or fails a field check (`field`, `index`). HTTP 400. */
  EVENT_INVALID: "EVENT_INVALID",
  /** HTTP ingest: Kafka, the registry or the backlog cannot take the events now (`dependency`; retriable). HTTP 503. */
  PRODUCE_UNAVAILABLE: "PRODUCE_UNAVAILABLE",
  /** An Alertmanager could not be reached or refused a request (`dependency` is its URL; retriable unless it answered 4xx). */
  ALERTMANAGER_FAILED: "ALERTMANAGER_FAILED",
} as const;

export type InternalErrorCode = keyof typeof internalErrorCodes;

/** Any code an RttmError may carry. */
export type RttmErrorCode = ErrorCode | InternalErrorCode;

/** Whether a code is one of the API's (shown to clients) rather than an internal one. */
export const isApiErrorCode = (code: string): code is ErrorCode => Object.hasOwn(errorCodes, code);
