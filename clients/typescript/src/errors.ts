/** Errors thrown (and passed to observers) by the RTTM client: one base class, two kinds. */

/** One error as the server reported it (GraphQL response `errors[]`). */
export interface RttmErrorDetail {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions?: Readonly<Record<string, unknown>>;
}

export class RttmError extends Error {
  override name = "RttmError";
  /** Name of the operation that failed, when known. */
  readonly operationName: string | undefined;

  constructor(message: string, operationName: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.operationName = operationName;
  }
}

/**
 * The server answered, with GraphQL errors: a refused argument (BAD_USER_INPUT), a limit, an operation
 * that is not a trusted document (PERSISTED_QUERY_*), a failed validation. `data` holds whatever part
 * of the result the server still produced.
 */
export class RttmGraphQLError<TData = unknown> extends RttmError {
  override name = "RttmGraphQLError";
  readonly errors: ReadonlyArray<RttmErrorDetail>;
  /** `extensions.code` of each error that has one, in order. */
  readonly codes: ReadonlyArray<string>;
  readonly data: TData | null | undefined;
  /** HTTP status of the response (queries and mutations); undefined over the WebSocket. */
  readonly status: number | undefined;

  constructor(
    errors: ReadonlyArray<RttmErrorDetail>,
    options: {
      operationName?: string | undefined;
      data?: TData | null | undefined;
      status?: number | undefined;
    } = {},
  ) {
    const summary = errors
      .map((e) =>
        typeof e.extensions?.code === "string" ? `[${e.extensions.code}] ${e.message}` : e.message,
      )
      .join("; ");
    super(
      `${options.operationName ?? "GraphQL operation"} failed: ${summary || "unknown error"}`,
      options.operationName,
    );
    this.errors = errors;
    this.codes = errors.flatMap((e) =>
      typeof e.extensions?.code === "string" ? [e.extensions.code] : [],
    );
    this.data = options.data;
    this.status = options.status;
  }

  hasCode(code: string): boolean {
    return this.codes.includes(code);
  }
}

/**
 * The server could not be reached or did not answer in GraphQL: connection refused, timeout, an HTTP
 * status without a GraphQL body, a WebSocket closed for good (retries exhausted or a fatal close code).
 */
export class RttmNetworkError extends RttmError {
  override name = "RttmNetworkError";
  /** HTTP status, when an HTTP response arrived. */
  readonly status: number | undefined;
  /** WebSocket close code and reason, when the socket closed. */
  readonly closeCode: number | undefined;
  readonly closeReason: string | undefined;

  constructor(
    message: string,
    options: {
      operationName?: string | undefined;
      status?: number | undefined;
      closeCode?: number | undefined;
      closeReason?: string | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.operationName, { cause: options.cause });
    this.status = options.status;
    this.closeCode = options.closeCode;
    this.closeReason = options.closeReason;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** `errors[]` of a GraphQL response, or undefined when `value` is not one. */
export function graphQLErrorsOf(value: unknown): RttmErrorDetail[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (!value.every((e) => isRecord(e) && typeof e.message === "string")) return undefined;
  return value.map((e) => {
    const { message, path, locations, extensions } = e as Record<string, unknown>;
    const detail: RttmErrorDetail = { message: message as string };
    if (Array.isArray(path)) detail.path = path as Array<string | number>;
    if (Array.isArray(locations))
      detail.locations = locations as Array<{ line: number; column: number }>;
    if (isRecord(extensions)) detail.extensions = extensions;
    return detail;
  });
}

/** Whatever graphql-ws hands to a sink's error(): GraphQL errors, a CloseEvent, an Error, or an Event. */
export function fromSocketError(err: unknown, operationName: string | undefined): RttmError {
  if (err instanceof RttmError) return err;
  const errors = graphQLErrorsOf(err);
  if (errors) return new RttmGraphQLError(errors, { operationName });
  if (isRecord(err) && typeof err.code === "number" && "reason" in err) {
    const reason = String(err.reason ?? "");
    return new RttmNetworkError(
      `WebSocket closed with ${err.code}${reason ? ` (${reason})` : ""}`,
      { operationName, closeCode: err.code, closeReason: reason, cause: err },
    );
  }
  if (err instanceof Error)
    return new RttmNetworkError(`WebSocket failed: ${err.message}`, { operationName, cause: err });
  const inner =
    isRecord(err) && err.error instanceof Error
      ? `: ${err.error.message}`
      : isRecord(err) && typeof err.message === "string"
        ? `: ${err.message}`
        : "";
  return new RttmNetworkError(`WebSocket failed${inner}`, { operationName, cause: err });
}
