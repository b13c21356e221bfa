/** Bulk trade traffic for durability tests: whole trades (4 stages), keyed by trade id. */
import type { Producer } from "kafkajs";
import type { Stage } from "../../src/domain/stages.js";
import { stages } from "../../src/domain/stages.js";
import type { Encoder } from "./kafka.js";
import * as m from "./messages.js";

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
    stages.forEach((stage: Stage, s) => {
      batch.push({
        key: tradeId,
        value: encoder.encode(
          "tradeEvents",
          m.RttmTradeEventSchema,
          m.tradeEvent(tradeId, stage, baseMs + i + s * 100),
        ),
      });
    });
    if (batch.length >= chunk) await flush();
  }
  await flush();
  return { tradeIds, events };
}
