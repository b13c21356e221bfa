/**
 * Why an accepted request could not be made durable: Kafka or the Schema Registry did not answer in
 * time, or too many events already wait. The HTTP layer answers 503 with Retry-After; nothing of
 * the request is acknowledged.
 */
import { RttmError } from "../domain/errors.js";

export class ProduceUnavailable extends RttmError<"PRODUCE_UNAVAILABLE"> {
  override name = "ProduceUnavailable";
  declare readonly dependency: "kafka" | "schema-registry" | "backlog";
  constructor(
    dependency: "kafka" | "schema-registry" | "backlog",
    message: string,
    options?: { cause?: unknown },
  ) {
    super("PRODUCE_UNAVAILABLE", message, { dependency, retriable: true, cause: options?.cause });
  }
}

/** Resolves or rejects as `work` does, or rejects with `onTimeout()` after `ms`. */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
