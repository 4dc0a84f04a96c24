/** `850.00us`, `2.55ms`, `1.20s`, `1.00m`, `1h` (wrk's units) → milliseconds. */
export function toMs(value: string, unit: string): number {
  const n = Number(value);
  const scale: Record<string, number> = { us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const factor = scale[unit];
  if (!Number.isFinite(n) || factor === undefined) throw new Error(`not a duration: "${value}${unit}"`);
  return n * factor;
}
