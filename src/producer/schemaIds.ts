/**
 * The schema id to frame each topic's values with: the latest version registered under
 * `<topic>-value` (TopicNameStrategy, as pms-rttm-client's Kafka mode registers them), or RTTM's own
 * .proto registered there when the subject does not exist yet (as the library's auto-registration
 * would). The id is checked against the topic's message type with the consumer's own check
 * (src/ingest/schemaCheck.ts), so nothing is framed with an id the consumer would quarantine.
 * Ids are cached once resolved; a failed lookup is retried on the next request.
 */
import type { TopicKey } from "../config/index.js";
import { registerTopicSchema, RecordRejected, type SchemaCheck } from "../ingest/index.js";
import { ProduceUnavailable, withDeadline } from "./errors.js";

export interface SchemaIds {
  /** The id for `key`'s topic; rejects with ProduceUnavailable when the registry cannot say. */
  idFor(key: TopicKey, topic: string, typeName: string): Promise<number>;
}

export function registrySchemaIds(
  registryUrl: string,
  check: SchemaCheck,
  timeoutMs: number,
): SchemaIds {
  const resolved = new Map<TopicKey, number>();
  const pending = new Map<TopicKey, Promise<number>>();

  async function latestId(key: TopicKey, topic: string): Promise<number> {
    const subject = encodeURIComponent(`${topic}-value`);
    const response = await fetch(`${registryUrl}/subjects/${subject}/versions/latest`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 404) return registerTopicSchema(registryUrl, key, topic);
    if (!response.ok) throw new Error(`HTTP ${response.status} for subject ${topic}-value`);
    return ((await response.json()) as { id: number }).id;
  }

  async function resolve(key: TopicKey, topic: string, typeName: string): Promise<number> {
    try {
      const id = await withDeadline(
        latestId(key, topic),
        timeoutMs,
        () => new Error(`no answer within ${timeoutMs} ms`),
      );
      await check.check(id, [0], typeName);
      return id;
    } catch (err) {
      const reason =
        err instanceof RecordRejected
          ? `subject ${topic}-value: ${err.message}`
          : `schema id of ${topic}-value unknown: ${(err as Error).message}`;
      throw new ProduceUnavailable("schema-registry", reason, { cause: err });
    }
  }

  return {
    idFor(key, topic, typeName) {
      const id = resolved.get(key);
      if (id !== undefined) return Promise.resolve(id);
      let request = pending.get(key);
      if (!request) {
        request = resolve(key, topic, typeName)
          .then((value) => (resolved.set(key, value), value))
          .finally(() => pending.delete(key));
        pending.set(key, request);
      }
      return request;
    },
  };
}
