/**
 * Why an accepted request could not be made durable: Kafka or the Schema Registry did not answer in
 * time, or too many events already wait. The HTTP layer answers 503 with Retry-After; nothing of
 * the request is acknowledged.
 */
export class ProduceUnavailable extends Error {
  constructor(
    readonly dependency: "kafka" | "schema-registry" | "backlog",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ProduceUnavailable";
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
