/**
 * part / whole × 100, rounded half-up to 2 decimals, in exact integer arithmetic (no binary
 * floating-point surprises such as 1.005 rounding down); null when whole is 0.
 */
export function percentHalfUp(part: number, whole: number): number | null {
  if (whole === 0) return null;
  const p = BigInt(part);
  const w = BigInt(whole);
  // hundredths of a percent = round(p × 10,000 / w), half away from zero for non-negative counts
  const hundredths = (p * 20_000n + w) / (2n * w);
  return Number(hundredths) / 100;
}
