/** Trade traffic through real Kafka: one stage event, or whole trades (4 stages) in bulk; keyed by trade id. */
import type { Producer } from "kafkajs";
import type { Stage } from "../../src/domain/stages.js";
import { stages } from "../../src/domain/stages.js";
import type { Encoder } from "./kafka.js";
import * as m from "./messages.js";

/** One trade stage event as a Kafka message, framed for the registered schema. */
export function tradeEventMessage(
  encoder: Encoder,
  tradeId: string,
  stage: Stage,
  atMs: number,
): { key: string; value: Buffer } {
  return {
    key: tradeId,
    value: encoder.encode(
      "tradeEvents",
      m.RttmTradeEventSchema,
      m.tradeEvent(tradeId, stage, atMs),
    ),
  };
}

/** Produces one trade stage event. */
export async function sendTradeEvent(
  producer: Producer,
  encoder: Encoder,
  topic: string,
  tradeId: string,
  stage: Stage,
  atMs: number,
): Promise<void> {
  await producer.send({ topic, messages: [tradeEventMessage(encoder, tradeId, stage, atMs)] });
}

export interface ProducedTrades {
  tradeIds: string[];
  events: number;
}

export async function produceTrades(
  producer: Producer,
  encoder: Encoder,
  topic: string,
  trades: number,
  chunk = 500,
  baseMs = Date.now() - 600_000,
): Promise<ProducedTrades> {
  const tradeIds: string[] = [];
  let batch: Array<{ key: string; value: Buffer }> = [];
  let events = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await producer.send({ topic, messages: batch });
    events += batch.length;
    batch = [];
  };
  for (let i = 0; i < trades; i++) {
    const tradeId = m.newTradeId();
    tradeIds.push(tradeId);
    stages.forEach((stage: Stage, s) =>
      batch.push(tradeEventMessage(encoder, tradeId, stage, baseMs + i + s * 100)),
    );
    if (batch.length >= chunk) await flush();
  }
  await flush();
  return { tradeIds, events };
}
