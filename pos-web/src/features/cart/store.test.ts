import { beforeEach, describe, expect, it } from "vitest";
import { useCart } from "./store";

const milk = { productId: "p-milk", name: "Milk", category: "Dairy", priceMinor: 119n, taxRateBp: 700 };
const bread = { productId: "p-bread", name: "Bread", category: "Bakery", priceMinor: 349n, taxRateBp: 700 };

describe("cart store", () => {
  beforeEach(() => useCart.setState({ lines: [], cartDiscountMinor: 0n, held: [] }));

  it("adds, counts up and totals in minor units", () => {
    useCart.getState().add(milk);
    useCart.getState().add(milk);
    useCart.getState().add(bread);
    expect(useCart.getState().lines.map((l) => l.quantity)).toEqual([2n, 1n]);
    expect(useCart.getState().totals().totalMinor).toBe(587n);
    useCart.getState().setQuantity("p-milk", 0n);
    expect(useCart.getState().lines).toHaveLength(1);
  });

  it("holds a cart and recalls it later", () => {
    useCart.getState().add(bread);
    useCart.getState().setCartDiscount(49n);
    useCart.getState().hold();
    expect(useCart.getState().lines).toHaveLength(0);
    useCart.getState().add(milk);
    const held = useCart.getState().held[0];
    useCart.getState().recall(held.id);
    expect(useCart.getState().lines[0].product.productId).toBe("p-bread");
    expect(useCart.getState().totals().totalMinor).toBe(300n);
    expect(useCart.getState().held).toHaveLength(0);
  });
});
