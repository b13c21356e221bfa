import { SlidingBuffer } from "@repeaterjs/repeater";

/**
 * The buffer of a latest-value subscription: `SlidingBuffer(1)`, so a newer value replaces an
 * older one that the consumer has not taken yet. A slow subscriber therefore always receives the
 * latest snapshot and never accumulates a buffer; each replaced value is reported to `onDrop`.
 */
export class LatestValueBuffer extends SlidingBuffer {
  constructor(private readonly onDrop: () => void) {
    super(1);
  }

  override add(value: unknown): void {
    if (!this.empty) this.onDrop();
    super.add(value);
  }
}
