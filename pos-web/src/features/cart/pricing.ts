import { divHalfEven } from "../../lib/money";

// The same exact rules the agent applies (tax-inclusive shelf prices; line discounts; a cart discount spread over
// the lines by largest remainder; tax per line, half-even). The agent's receipt is authoritative; this lets the
// cashier see the totals before paying, offline included.

export interface PricedInput {
  unitPriceMinor: bigint;
  quantity: bigint;
  lineDiscountMinor: bigint;
  taxRateBp: number;
}

export interface PricedLine {
  grossMinor: bigint;
  discountMinor: bigint;
  taxMinor: bigint;
  totalMinor: bigint;
}

export interface Totals {
  lines: PricedLine[];
  subtotalMinor: bigint;
  discountMinor: bigint;
  taxMinor: bigint;
  totalMinor: bigint;
}

export function allocate(amount: bigint, weights: bigint[]): bigint[] {
  const total = weights.reduce((a, b) => a + b, 0n);
  const out = weights.map(() => 0n);
  if (amount === 0n || total === 0n) return out;
  const remainders: bigint[] = [];
  let given = 0n;
  weights.forEach((w, i) => {
    out[i] = (amount * w) / total;
    remainders.push((amount * w) % total);
    given += out[i];
  });
  for (let left = amount - given; left > 0n; left--) {
    let best = 0;
    for (let i = 1; i < remainders.length; i++) if (remainders[i] > remainders[best]) best = i;
    out[best] += 1n;
    remainders[best] = -1n;
  }
  return out;
}

export function taxIncluded(grossMinor: bigint, bp: number): bigint {
  return divHalfEven(grossMinor * BigInt(bp), 10_000n + BigInt(bp));
}

export function price(lines: PricedInput[], cartDiscountMinor: bigint): Totals {
  const gross = lines.map((l) => l.unitPriceMinor * l.quantity);
  const afterLine = lines.map((l, i) => gross[i] - l.lineDiscountMinor);
  const shares = allocate(cartDiscountMinor, afterLine);
  const priced = lines.map((l, i) => {
    const total = afterLine[i] - shares[i];
    return {
      grossMinor: gross[i],
      discountMinor: l.lineDiscountMinor + shares[i],
      taxMinor: taxIncluded(total, l.taxRateBp),
      totalMinor: total,
    };
  });
  const sum = (f: (p: PricedLine) => bigint) => priced.reduce((a, p) => a + f(p), 0n);
  return {
    lines: priced,
    subtotalMinor: sum((p) => p.grossMinor),
    discountMinor: sum((p) => p.discountMinor),
    taxMinor: sum((p) => p.taxMinor),
    totalMinor: sum((p) => p.totalMinor),
  };
}

/** Change for cash handed over, given what cards and wallets pay; null when the tenders do not cover the total. */
export function change(totalMinor: bigint, nonCashMinor: bigint, cashMinor: bigint): bigint | null {
  const due = totalMinor - nonCashMinor;
  if (due < 0n || cashMinor < due) return null;
  return cashMinor - due;
}
