/**
 * X-Correlation-Id, the platform's request id: the gateway sets it on every proxied request (an
 * incoming value or a new UUID). RTTM takes it (or makes one), echoes it on the response and puts it
 * on every log line of that request or socket.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { withLogContext } from "../log.js";

export const correlationHeader = "x-correlation-id";

/** What a caller may send: ids, UUIDs, trace ids; anything else (too long, odd characters) is replaced. */
const acceptable = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function correlationIdOf(value: string | string[] | undefined | null): string {
  const first = Array.isArray(value) ? value[0] : value;
  return first && acceptable.test(first) ? first : randomUUID();
}

/** Node's request listener with the request's correlation id echoed and on every line it logs. */
export function withCorrelationId(
  listener: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
) {
  return (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const correlationId = correlationIdOf(req.headers[correlationHeader]);
    res.setHeader("X-Correlation-Id", correlationId);
    return withLogContext({ correlationId }, () => listener(req, res));
  };
}
