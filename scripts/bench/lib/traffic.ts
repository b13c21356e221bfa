/** Benchmark traffic: a steady trade-event stream and DLQ markers, produced to the real broker. */
import type { Producer } from "kafkajs";
import type { TopicKey } from "../../../src/config/index.js";
import { stages } from "../../../src/domain/stages.js";
import type { Encoder } from "../../../test/support/kafka.js";
import * as m from "../../../test/support/messages.js";
import { sleep } from "../../../src/pipeline/retry.js";

/**
 * Trade events at `tradeRate` per second (whole trades, 4 stages, keyed by trade id) and, unless
 * `markerMs` is 0, a DLQ "marker" on average every `markerMs` whose event_time is its produce
 * time (freshness is measured on it).
 */
export class Traffic {
  readonly markers: number[] = [];
  tradeEvents = 0;
  sendErrors = 0;
  private stopped = false;
  private loops: Array<Promise<void>> = [];

  constructor(
    private readonly producer: Producer,
    private readonly encoder: Encoder,
    private readonly topics: Record<TopicKey, string>,
    private readonly tradeRate: number,
    private readonly markerMs: number,
  ) {}

  start(): void {
    const markerMs = this.markerMs;
    // Marker gaps are uniform in [0.5, 1.5] × markerMs: a fixed period equal to the hub's tick
    // would lock the marker's phase to the tick and measure one fixed point of the distribution.
    if (markerMs > 0)
      this.loops.push(
        this.every(
          () => markerMs * (0.5 + Math.random()),
          async () => {
            const t = Date.now();
            this.markers.push(t);
            await this.producer.send({
              topic: this.topics.dlqEvents,
              messages: [
                {
                  value: this.encoder.encode(
                    "dlqEvents",
                    m.RttmDlqEventSchema,
                    m.dlqEvent(m.newTradeId(), t),
                  ),
                },
              ],
            });
          },
        ),
      );
    const tradeRate = this.tradeRate;
    if (tradeRate > 0) {
      const tickMs = 100;
      let owed = 0;
      let last = Date.now();
      this.loops.push(
        this.every(
          () => tickMs,
          async () => {
            // What the elapsed time owes (a late tick sends more, so the rate holds under load).
            const at = Date.now();
            owed += (tradeRate * (at - last)) / 1000 / 4;
            last = at;
            const trades = Math.floor(owed);
            owed -= trades;
            if (trades === 0) return;
            const now = Date.now();
            const messages = [];
            for (let i = 0; i < trades; i++) {
              const tradeId = m.newTradeId();
              for (const [s, stage] of stages.entries()) {
                messages.push({
                  key: tradeId,
                  value: this.encoder.encode(
                    "tradeEvents",
                    m.RttmTradeEventSchema,
                    m.tradeEvent(tradeId, stage, now - (3 - s) * 40),
                  ),
                });
              }
            }
            this.tradeEvents += messages.length;
            await this.producer.send({ topic: this.topics.tradeEvents, messages });
          },
        ),
      );
    }
  }

  /** Runs fn on a fixed cadence (no overlap; a late tick runs at once, missed ticks are skipped). */
  private async every(intervalMs: () => number, fn: () => Promise<void>): Promise<void> {
    let next = Date.now();
    while (!this.stopped) {
      try {
        await fn();
      } catch {
        this.sendErrors++;
      }
      next += intervalMs();
      const now = Date.now();
      if (next < now) next = now;
      await sleep(next - now);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}
