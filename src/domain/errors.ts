/**
 * RTTM's one error type. Every error RTTM raises on purpose is an RttmError: a `code` from
 * errorCodes.ts (what happened, the thing a caller or a transport switches on), `retriable` (the
 * same call may succeed later: an outage, not a bad request), and structured fields naming what it
 * concerns (the argument, the field, the alert, the dependency). Code decides by `code` through
 * `isRttmError`, never by matching message text. Each transport maps it to its shape in one place:
 * GraphQL extensions (src/http/error-masking.ts), HTTP 401/403 (src/http/identity/refusal.ts),
 * graphql-ws close codes (src/http/identity/socket.ts), the Spring body of the old REST API
 * (src/legacy/springError.ts), the producers' ingest answers (src/http/use-http-ingest.ts).
 */
import type { RttmErrorCode } from "./errorCodes.js";

/** What an error concerns. Each is set only when known. */
export interface ErrorFields {
  /** The argument (GraphQL) or query parameter (REST) a caller got wrong. */
  argument?: string;
  /** The field of a record or request body that failed a check. */
  field?: string;
  /** The alert a mutation named. */
  alertId?: string;
  /** The position of an event in a posted batch. */
  index?: number;
  /** The dependency that did not answer or refused (e.g. "kafka", "schema-registry", an Alertmanager's URL). */
  dependency?: string;
  /** The HTTP status a dependency answered with. */
  upstreamStatus?: number;
  /** Every problem found, when there are several (e.g. each bad environment variable). */
  problems?: readonly string[];
  /** Further facts a client is shown with the code (e.g. who resolved an alert, and when). */
  details?: Readonly<Record<string, string | null>>;
}

export interface RttmErrorOptions extends ErrorFields {
  /**
   * The same operation may succeed later (an outage or a timeout), as opposed to a request that
   * will be refused again.
   * @default false
   */
  retriable?: boolean;
  cause?: unknown;
}

export class RttmError<Code extends RttmErrorCode = RttmErrorCode>
  extends Error
  implements ErrorFields
{
  override name = "RttmError";
  readonly code: Code;
  readonly retriable: boolean;
  declare readonly argument?: string;
  declare readonly field?: string;
  declare readonly alertId?: string;
  declare readonly index?: number;
  declare readonly dependency?: string;
  declare readonly upstreamStatus?: number;
  declare readonly problems?: readonly string[];
  declare readonly details?: Readonly<Record<string, string | null>>;

  constructor(
    code: Code,
    message: string,
    { retriable = false, cause, ...fields }: RttmErrorOptions = {},
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.retriable = retriable;
    for (const [key, value] of Object.entries(fields))
      if (value !== undefined) Object.defineProperty(this, key, { value, enumerable: true });
  }
}

/** Whether `err` is an RttmError, and (when codes are given) one with one of these codes. */
export function isRttmError<Code extends RttmErrorCode>(
  err: unknown,
  ...codes: Code[]
): err is RttmError<Code> {
  return err instanceof RttmError && (codes.length === 0 || codes.includes(err.code as Code));
}
