import { describe, expect, it } from "vitest";
import { allocate, change, price, taxIncluded } from "./pricing";

describe("pricing", () => {
  it("prices a cart exactly as the agent does", () => {
    // The same cart PosServiceIT sells: 2 x milk 1.19, bread 3.49 less 0.49, wine 8.99, cart discount 0.50.
    const t = price([
      { unitPriceMinor: 119n, quantity: 2n, lineDiscountMinor: 0n, taxRateBp: 700 },
      { unitPriceMinor: 349n, quantity: 1n, lineDiscountMinor: 49n, taxRateBp: 700 },
      { unitPriceMinor: 899n, quantity: 1n, lineDiscountMinor: 0n, taxRateBp: 1900 },
    ], 50n);
    expect(t.subtotalMinor).toBe(1486n);
    expect(t.discountMinor).toBe(99n);
    expect(t.totalMinor).toBe(1387n);
    expect(t.lines.reduce((a, l) => a + l.totalMinor, 0n)).toBe(t.totalMinor);
    expect(t.taxMinor).toBe(t.lines.reduce((a, l) => a + l.taxMinor, 0n));
  });

  it("spreads a cart discount so the parts add up, for any split", () => {
    for (let amount = 0n; amount < 50n; amount++) {
      const parts = allocate(amount, [3n, 7n, 11n, 0n]);
      expect(parts.reduce((a, b) => a + b, 0n)).toBe(amount);
      expect(parts[3]).toBe(0n);
    }
  });

  it("takes the tax contained in a tax-inclusive price", () => {
    expect(taxIncluded(1200n, 2000)).toBe(200n);
    expect(taxIncluded(119n, 700)).toBe(8n);
  });

  it("gives change only when the tenders cover the total", () => {
    expect(change(1387n, 0n, 2000n)).toBe(613n);
    expect(change(1000n, 600n, 500n)).toBe(100n);
    expect(change(1000n, 0n, 999n)).toBeNull();
    expect(change(1000n, 1200n, 0n)).toBeNull();
  });
});
