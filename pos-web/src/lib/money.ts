// Money in the POS is exact: bigint minor units, as the agent sends them. Never floating point.

/** Formats minor units with the currency's two decimals, e.g. 1234n -> "12.34". */
export function formatMinor(minor: bigint, currency = ""): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const units = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${units}.${cents}${currency ? " " + currency : ""}`;
}

/** Parses what a cashier types ("12", "12.3", "12.34") into minor units; null when it is not an amount. */
export function parseMinor(text: string): bigint | null {
  const t = text.trim().replace(",", ".");
  const m = /^(\d{1,9})(?:\.(\d{0,2}))?$/.exec(t);
  if (!m) return null;
  return BigInt(m[1]) * 100n + BigInt((m[2] ?? "").padEnd(2, "0"));
}

/** Half-even rounding of numerator / denominator for non-negative bigints. */
export function divHalfEven(numerator: bigint, denominator: bigint): bigint {
  const q = numerator / denominator;
  const r = numerator % denominator;
  const twice = r * 2n;
  if (twice > denominator || (twice === denominator && q % 2n === 1n)) return q + 1n;
  return q;
}
