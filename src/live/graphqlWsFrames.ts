/**
 * graphql-ws `next` frames built from parts: the payload (an execution result) serialised once
 * for a group, and each subscriber's head with its own id. Head + payload is byte for byte what
 * graphql-ws itself sends for the same result (its server stringifies
 * `{ id, type: "next", payload: { ...result without errors, errors?: errors.map(toJSON) } }`).
 */
import type { ExecutionResult } from "graphql";

/** The bytes of a `next` frame before its payload, for subscription `id`. */
export function nextFrameHead(id: string): Buffer {
  return Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
}

/** The bytes of a `next` frame from its payload on: the result as graphql-ws shapes it, and the closing brace. */
export function nextFramePayload(result: ExecutionResult): Buffer {
  const { errors, ...withoutErrors } = result;
  const payload = errors
    ? { ...withoutErrors, errors: errors.map((e) => e.toJSON()) }
    : withoutErrors;
  return Buffer.from(`${JSON.stringify(payload)}}`);
}
