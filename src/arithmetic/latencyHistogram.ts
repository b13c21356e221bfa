/**
 * Log-linear latency bins: bin 0 holds 0 ms; bin b ≥ 1 holds latencies in
 * [2^((b-1)/16), 2^(b/16)) ms, so a bin is at most 4.4 % wide and a percentile read from the
 * histogram is within 4.4 % of the exact value. 1 hour is bin 346.
 */
const binsPerDoubling = 16;

export function latencyBin(latencyMs: number): number {
  if (latencyMs < 1) return 0;
  return Math.floor(binsPerDoubling * Math.log2(latencyMs)) + 1;
}

export function binLowerBoundMs(bin: number): number {
  return bin <= 0 ? 0 : 2 ** ((bin - 1) / binsPerDoubling);
}

export function binUpperBoundMs(bin: number): number {
  return bin <= 0 ? 1 : 2 ** (bin / binsPerDoubling);
}

export interface HistogramBin {
  bin: number;
  count: number;
}

/**
 * The q-quantile (0 < q ≤ 1) of a histogram, interpolated linearly inside the bin that holds it
 * (the nearest-rank sample). Returns null for an empty histogram.
 */
export function quantileFromHistogram(bins: readonly HistogramBin[], q: number): number | null {
  const sorted = bins.filter((b) => b.count > 0).sort((a, b) => a.bin - b.bin);
  const total = sorted.reduce((sum, b) => sum + b.count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const { bin, count } of sorted) {
    if (seen + count >= rank) {
      const lower = binLowerBoundMs(bin);
      const upper = binUpperBoundMs(bin);
      return bin === 0 ? 0 : lower + ((rank - seen) / count) * (upper - lower);
    }
    seen += count;
  }
  return binUpperBoundMs(sorted[sorted.length - 1]!.bin);
}

/**
 * The bins as thresholds over whole milliseconds (stored latencies are whole milliseconds): the
 * smallest latency of each bin that holds one, ascending, up to `maxMs`. SQL reproduces
 * latencyBin exactly with them (`bins[width_bucket(ms, mins)]`), with no floating-point
 * logarithm that could round a boundary the other way.
 */
export function integerBinThresholds(maxMs = 2 ** 45): { mins: number[]; bins: number[] } {
  const mins: number[] = [];
  const bins: number[] = [];
  for (let ms = 1; ms <= maxMs;) {
    const bin = latencyBin(ms);
    mins.push(ms);
    bins.push(bin);
    let next = Math.max(ms + 1, Math.ceil(binLowerBoundMs(bin + 1)));
    while (next - 1 > ms && latencyBin(next - 1) > bin) next--;
    while (latencyBin(next) <= bin) next++;
    ms = next;
  }
  return { mins, bins };
}
