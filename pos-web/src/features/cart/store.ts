import { create } from "zustand";
import { price, type Totals } from "./pricing";

export interface CartProduct {
  productId: string;
  name: string;
  category: string;
  priceMinor: bigint;
  taxRateBp: number;
}

export interface CartLine {
  product: CartProduct;
  quantity: bigint;
  lineDiscountMinor: bigint;
}

export interface HeldCart {
  id: string;
  lines: CartLine[];
  cartDiscountMinor: bigint;
  heldAt: number;
}

interface CartState {
  lines: CartLine[];
  cartDiscountMinor: bigint;
  held: HeldCart[];
  add: (p: CartProduct, quantity?: bigint) => void;
  setQuantity: (productId: string, quantity: bigint) => void;
  setLineDiscount: (productId: string, minor: bigint) => void;
  setCartDiscount: (minor: bigint) => void;
  remove: (productId: string) => void;
  clear: () => void;
  hold: () => void;
  recall: (id: string) => void;
  totals: () => Totals;
}

export const useCart = create<CartState>((set, get) => ({
  lines: [],
  cartDiscountMinor: 0n,
  held: [],
  add: (p, quantity = 1n) =>
    set((s) => {
      const existing = s.lines.find((l) => l.product.productId === p.productId);
      if (existing) {
        return { lines: s.lines.map((l) => (l === existing ? { ...l, quantity: l.quantity + quantity } : l)) };
      }
      return { lines: [...s.lines, { product: p, quantity, lineDiscountMinor: 0n }] };
    }),
  setQuantity: (id, quantity) =>
    set((s) => ({
      lines: quantity <= 0n
        ? s.lines.filter((l) => l.product.productId !== id)
        : s.lines.map((l) => (l.product.productId === id ? { ...l, quantity } : l)),
    })),
  setLineDiscount: (id, minor) =>
    set((s) => ({ lines: s.lines.map((l) => (l.product.productId === id ? { ...l, lineDiscountMinor: minor } : l)) })),
  setCartDiscount: (minor) => set({ cartDiscountMinor: minor }),
  remove: (id) => set((s) => ({ lines: s.lines.filter((l) => l.product.productId !== id) })),
  clear: () => set({ lines: [], cartDiscountMinor: 0n }),
  hold: () =>
    set((s) =>
      s.lines.length === 0
        ? s
        : {
            held: [...s.held, { id: crypto.randomUUID(), lines: s.lines, cartDiscountMinor: s.cartDiscountMinor, heldAt: Date.now() }],
            lines: [],
            cartDiscountMinor: 0n,
          },
    ),
  recall: (id) =>
    set((s) => {
      const h = s.held.find((x) => x.id === id);
      if (!h) return s;
      return { held: s.held.filter((x) => x.id !== id), lines: h.lines, cartDiscountMinor: h.cartDiscountMinor };
    }),
  totals: () =>
    price(
      get().lines.map((l) => ({
        unitPriceMinor: l.product.priceMinor,
        quantity: l.quantity,
        lineDiscountMinor: l.lineDiscountMinor,
        taxRateBp: l.product.taxRateBp,
      })),
      get().cartDiscountMinor,
    ),
}));
