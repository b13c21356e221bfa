import { SchemaRegistry } from "@kafkajs/confluent-schema-registry";
import type { Logger } from "../log.js";
import { RecordRejected } from "./validate.js";

/**
 * Checks a record's schema id against the Schema Registry: the id must exist and name the message
 * type the topic carries. Answers are cached per id. When the registry cannot be reached the check
 * is skipped (the topic's type is known, so decoding goes on) and retried after a pause, so a
 * registry outage never stops ingestion.
 */
export interface SchemaCheck {
  /** Resolves when the id is acceptable for the type; rejects with RecordRejected otherwise. */
  check(schemaId: number, messageIndexes: number[], expectedType: string): Promise<void> | void;
  readonly stats: { verified: number; unverified: number };
}

type Answer = { kind: "known"; typeNames: string[] } | { kind: "unknown"; reason: string };

interface ProtoTypeLike {
  fullName: string;
  parent: { nestedArray: Array<{ fullName: string; fields?: unknown }> } | null;
}

const retryAfterOutageMs = 10_000;

/** No registry configured: the topic's type is trusted. */
export const trustTopicTypes: SchemaCheck = { check() {}, stats: { verified: 0, unverified: 0 } };

export function registrySchemaCheck(url: string, logger: Logger): SchemaCheck {
  const registry = new SchemaRegistry({ host: url, clientId: "rttm" }, undefined);
  const answers = new Map<number, Answer>();
  const pending = new Map<number, Promise<Answer | undefined>>();
  let outageUntil = 0;
  const stats = { verified: 0, unverified: 0 };

  async function lookup(schemaId: number): Promise<Answer | undefined> {
    try {
      const schema = (await registry.getSchema(schemaId)) as unknown as { message?: ProtoTypeLike };
      if (!schema.message)
        return { kind: "unknown", reason: `schema id ${schemaId} is not a protobuf schema` };
      const siblings = schema.message.parent?.nestedArray.filter((n) => n.fields !== undefined) ?? [
        schema.message,
      ];
      return { kind: "known", typeNames: siblings.map((n) => n.fullName.replace(/^\./, "")) };
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 404)
        return {
          kind: "unknown",
          reason: `schema id ${schemaId} is unknown to the Schema Registry`,
        };
      outageUntil = Date.now() + retryAfterOutageMs;
      logger.warn("schema registry unreachable; decoding by topic type until it answers", {
        schemaId,
        err,
      });
      return undefined;
    }
  }

  function judge(
    answer: Answer | undefined,
    schemaId: number,
    indexes: number[],
    expectedType: string,
  ): void {
    if (answer === undefined) {
      stats.unverified++;
      return;
    }
    if (answer.kind === "unknown") throw new RecordRejected("RECORD_WRONG_SCHEMA", answer.reason);
    const actual = indexes.length === 1 ? answer.typeNames[indexes[0]!] : undefined;
    if (actual !== expectedType) {
      throw new RecordRejected(
        "RECORD_WRONG_SCHEMA",
        `schema id ${schemaId} message ${JSON.stringify(indexes)} is ${actual ?? "not a top-level message"}, this topic carries ${expectedType}`,
      );
    }
    stats.verified++;
  }

  return {
    stats,
    check(schemaId, indexes, expectedType) {
      const cached = answers.get(schemaId);
      if (cached) return judge(cached, schemaId, indexes, expectedType);
      if (Date.now() < outageUntil) return judge(undefined, schemaId, indexes, expectedType);
      let request = pending.get(schemaId);
      if (!request) {
        request = lookup(schemaId).then((answer) => {
          pending.delete(schemaId);
          if (answer) answers.set(schemaId, answer);
          return answer;
        });
        pending.set(schemaId, request);
      }
      return request.then((answer) => judge(answer, schemaId, indexes, expectedType));
    },
  };
}
