import { describe, expect, it } from "vitest";
import { divHalfEven, formatMinor, parseMinor } from "./money";

describe("money", () => {
  it("formats minor units exactly", () => {
    expect(formatMinor(1234n)).toBe("12.34");
    expect(formatMinor(5n, "EUR")).toBe("0.05 EUR");
    expect(formatMinor(-199n)).toBe("-1.99");
    expect(formatMinor(9007199254740993n)).toBe("90071992547409.93"); // beyond double precision
  });

  it("parses what a cashier types, refusing anything that is not an amount", () => {
    expect(parseMinor("12")).toBe(1200n);
    expect(parseMinor("12.3")).toBe(1230n);
    expect(parseMinor("12,34")).toBe(1234n);
    expect(parseMinor("0.1")).toBe(10n);
    expect(parseMinor("1.234")).toBeNull();
    expect(parseMinor("-1")).toBeNull();
    expect(parseMinor("abc")).toBeNull();
  });

  it("rounds half to even", () => {
    expect(divHalfEven(125n, 10n)).toBe(12n);
    expect(divHalfEven(135n, 10n)).toBe(14n);
    expect(divHalfEven(126n, 10n)).toBe(13n);
  });
});
