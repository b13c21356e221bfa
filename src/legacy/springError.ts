import { STATUS_CODES, type ServerResponse } from "node:http";
import type { ErrorCode } from "../domain/errorCodes.js";
import { isRttmError } from "../domain/errors.js";

/** The old API's statuses of RTTM's error codes; any other failure is a 500. */
const statusByCode: Partial<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
};

/** The status a failure is answered with, and whether the client caused it (else it is ours). */
export function springStatusOf(err: unknown): { status: number; clientError: boolean } {
  const status = isRttmError(err) ? statusByCode[err.code as ErrorCode] : undefined;
  return status === undefined ? { status: 500, clientError: false } : { status, clientError: true };
}

/** Spring Boot's default error body; `message` is included (Spring's server.error.include-message) so a client can see what was wrong. */
export interface SpringErrorBody {
  timestamp: string;
  status: number;
  error: string;
  message: string;
  path: string;
}

/** As Jackson writes java.util.Date in Spring Boot: 2026-01-09T04:05:09.123+00:00. */
export function springTimestamp(at: Date): string {
  return at.toISOString().replace("Z", "+00:00");
}

export function springErrorBody(
  status: number,
  path: string,
  message: string,
  at = new Date(),
): SpringErrorBody {
  return {
    timestamp: springTimestamp(at),
    status,
    error: STATUS_CODES[status] ?? "Error",
    message,
    path,
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "cache-control": "no-store",
  });
  res.end(JSON.stringify(body));
}
