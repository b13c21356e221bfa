/**
 * The old service's store-if-changed rule for queue-metric history: a snapshot is written when
 * there is no earlier stored one, when its lag moved by more than `threshold` (relative) from the
 * last stored lag, or when at least `minIntervalMinutes` whole minutes passed since it.
 */
export interface StoredSnapshot {
  lag: bigint;
  snapshotTime: Date;
}

export interface SnapshotRule {
  threshold: number;
  minIntervalMinutes: number;
}

export function lagOf(producedOffset: bigint, consumedOffset: bigint): bigint {
  return producedOffset - consumedOffset;
}

export function shouldStoreSnapshot(
  previous: StoredSnapshot | undefined,
  next: StoredSnapshot,
  rule: SnapshotRule,
): boolean {
  if (!previous) return true;
  const prevLag = previous.lag;
  const lag = next.lag;
  let lagChanged: boolean;
  if (prevLag === 0n) lagChanged = lag !== 0n;
  else if (lag === 0n) lagChanged = true;
  else {
    const change = Number(lag > prevLag ? lag - prevLag : prevLag - lag);
    const base = Number(prevLag < 0n ? -prevLag : prevLag);
    lagChanged = change / base > rule.threshold;
  }
  const elapsedMinutes = Math.floor(
    (next.snapshotTime.getTime() - previous.snapshotTime.getTime()) / 60_000,
  );
  return lagChanged || elapsedMinutes >= rule.minIntervalMinutes;
}
